"""What int8 costs the recognizer: top-1 of the streaming step on the leakage-free JHMDB
folds, float32 bundle against int8 bundle, each trained on the fold's own training clips
(int8 calibrated on them too).

    python benchmarks/int8_accuracy.py CHECKPOINT_GROUPED1 CHECKPOINT_GROUPED2
        [--config configs/pan-robust_jhmdb.py] [--work-dir work_dirs/edge]

Each held-out clip's most confident person is streamed frame by frame through the bundle
(onnxruntime, as on a device) and flushed; its top class is the answer.
"""
import argparse
import os
from typing import Sequence

import numpy as np

from posegraph.apis import init_recognizer
from posegraph.apis.bundle import export_bundle
from posegraph.io import load_annotations
from posegraph.runtime import load_bundle
from common import markdown_table, run_main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def streamed_top1(bundle_dir: str, records: Sequence[dict]) -> float:
    bundle = load_bundle(bundle_dir, num_threads=1)
    right = 0
    for record in records:
        recognizer = bundle.recognizer(layout=bundle.manifest['recognizer']['layout'])
        person = int(np.argmax(record['keypoint_score'].sum(axis=(1, 2))))
        for k, s in zip(record['keypoint'][person], record['keypoint_score'][person]):
            recognizer.update([0], k[None], s[None], tuple(record['img_shape']))
        right += int(recognizer.flush()[0].argmax() == record['label'])
    return 100 * right / len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoints', nargs=2, help='trained on grouped1_train, grouped2_train')
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan-robust_jhmdb.py'))
    parser.add_argument('--work-dir', default=os.path.join(ROOT, 'work_dirs', 'edge'))
    args = parser.parse_args()
    rows = []
    for fold, checkpoint in zip(('grouped1', 'grouped2'), args.checkpoints):
        model = init_recognizer(args.config, checkpoint, cfg_options={
            'train_split': f'{fold}_train', 'val_split': f'{fold}_val',
            'test_split': f'{fold}_val'})
        dataset = model.cfg.test_dataloader.dataset
        records = load_annotations(dataset['ann_file'], split=dataset['split'])
        accuracy, quantization = {}, None
        for precision in ('fp32', 'int8'):
            out = os.path.join(args.work_dir, f'int8_accuracy_{fold}_{precision}')
            manifest = export_bundle(model, out, int8='always' if precision == 'int8' else False)
            quantization = manifest.get('quantization', quantization)
            accuracy[precision] = streamed_top1(out, records)
        step = quantization['recognizer_step']
        rows.append((fold, len(records), accuracy['fp32'], accuracy['int8'],
                     step['speedup'], step['speedup'][1] > 1.0))
    mean = [np.mean([r[k] for r in rows]) for k in (2, 3)]
    print(markdown_table(
        ['fold', 'held-out clips', 'float32 top-1', 'int8 top-1', 'change',
         'int8 step speed-up (1 / 2 threads)', 'kept by --int8'],
        [[fold, count, f'{fp32:.1f} %', f'{int8:.1f} %', f'{int8 - fp32:+.1f}',
          f'{speedup[1]:.2f}x / {speedup[2]:.2f}x', 'yes' if kept else 'no']
         for fold, count, fp32, int8, speedup, kept in rows]
        + [['mean', '', f'{mean[0]:.1f} %', f'{mean[1]:.1f} %', f'{mean[1] - mean[0]:+.1f}',
            '', '']]))


if __name__ == '__main__':
    run_main(main)
