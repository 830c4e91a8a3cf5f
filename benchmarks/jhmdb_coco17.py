"""JHMDB's ground-truth joints as ``coco17`` skeletons, so that the UCF101 / HMDB51 recipe
(``configs/pan_hmdb51.py``: ``coco17``, two persons, 48-frame clips, ten test clips) can be
measured on real joints of HMDB51 videos, on the same leakage-free folds as ``pan_jhmdb.py``.

JHMDB annotates 15 joints. Thirteen of them are COCO joints (the face point stands for the
nose); COCO's eyes and ears are not annotated and are written as missing (score 0), and
JHMDB's neck and belly, which COCO lacks, are left out. This is a stand-in for PYSKL's
``hmdb51_2d.pkl`` (HRNet detections of all 17 joints, 51 classes), which is not here: it
measures the recipe on real motion, not its figure on HMDB51.

    python benchmarks/jhmdb_coco17.py OUT.pkl [--source ../shared/data/jhmdb_gt/jhmdb_gt_dev.pkl]

then, for example::

    python benchmarks/jhmdb_accuracy.py --config configs/pan_hmdb51.py --no-latency \\
        --cfg-options $(python benchmarks/jhmdb_coco17.py OUT.pkl --print-options)
"""
import argparse
import os
from typing import List, Tuple

import numpy as np

from posegraph.io import dump_annotations, load_annotations, load_splits, read_label_map
from posegraph.skeleton import get_layout
from common import ROOT, run_main

SOURCE = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'jhmdb_gt', 'jhmdb_gt_dev.pkl')
# COCO joint -> the JHMDB joint that marks it; joints absent here are missing.
COCO_FROM_JHMDB = {'nose': 'face'} | {
    f'{side}_{part}': f'{side}_{part}' for side in ('left', 'right')
    for part in ('shoulder', 'elbow', 'wrist', 'hip', 'knee', 'ankle')}


def jhmdb_to_coco17(keypoint: np.ndarray, keypoint_score: np.ndarray
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """``jhmdb15`` keypoints ``(..., 15, 2)`` and scores ``(..., 15)`` as ``coco17`` ones;
    eyes and ears missing (coordinates and score 0)."""
    source, target = get_layout('jhmdb15'), get_layout('coco17')
    if keypoint.shape[-2] != source.num_joints:
        raise ValueError(f'jhmdb15 has {source.num_joints} joints, the keypoints have '
                         f'{keypoint.shape[-2]}')
    out = np.zeros(keypoint.shape[:-2] + (target.num_joints, keypoint.shape[-1]),
                   keypoint.dtype)
    score = np.zeros(keypoint_score.shape[:-1] + (target.num_joints,), keypoint_score.dtype)
    for coco, jhmdb in COCO_FROM_JHMDB.items():
        i, j = target.index(coco), source.index(jhmdb)
        out[..., i, :], score[..., i] = keypoint[..., j, :], keypoint_score[..., j]
    return out, score


def convert_file(source: str, out: str) -> None:
    """Write ``source`` (a ``jhmdb15`` annotation file) as ``coco17`` to ``out``, with its
    splits and classes."""
    records, classes = load_annotations(source, return_classes=True)
    converted: List[dict] = []
    for record in records:
        keypoint, score = jhmdb_to_coco17(record['keypoint'], record['keypoint_score'])
        converted.append(dict(record, keypoint=keypoint, keypoint_score=score))
    dump_annotations(out, converted, split=load_splits(source), classes=classes)


def cfg_options(out: str, num_classes: int) -> List[str]:
    """``--cfg-options`` that point a ``coco17`` skeleton config at ``out``: its data, its
    class count, and no data-loading workers (the benchmark runs two trainings side by
    side, one thread each)."""
    options = [f'model.network.num_classes={num_classes}']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.ann_file={out}',
                    f'{loader}.dataset.num_classes={num_classes}',
                    f'{loader}.num_workers=0', f'{loader}.persistent_workers=False']
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='the coco17 annotation file to write')
    parser.add_argument('--source', default=SOURCE)
    parser.add_argument('--print-options', action='store_true',
                        help='only print the --cfg-options for OUT (written if missing)')
    args = parser.parse_args()
    if not os.path.isfile(args.out):
        convert_file(args.source, args.out)
    label_map = os.path.join(os.path.dirname(args.source), 'label_map.txt')
    options = cfg_options(os.path.abspath(args.out), len(read_label_map(label_map)))
    print(' '.join(options) if args.print_options else
          f'{args.out}: {args.source} as coco17\n--cfg-options {" ".join(options)}')


if __name__ == '__main__':
    run_main(main)
