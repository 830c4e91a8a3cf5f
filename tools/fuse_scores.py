"""Fuse the class scores of several models (score-level late fusion).

    python tools/fuse_scores.py A.pkl B.pkl [...] [--weights 1 2 ...]
                                [--search-on VAL_A.pkl VAL_B.pkl ...] [--out FUSED.pkl]

Each dump is what `tools/test.py --dump` (or MMAction2) writes for one model: per clip, its
softmax scores and label. The fused score is the weighted sum of the models' scores; the
weights are given, searched on validation dumps of the same models (--search-on: never the
dumps being evaluated), or equal. Prints top-1, top-5 and mean class accuracy of each model
and of the fusion. Dumps whose clips or labels disagree are refused, naming the first
mismatch.
"""
import argparse
import pickle
import sys
from typing import Optional, Sequence

import numpy as np
import torch

from posegraph.evaluation.fusion import (
    ScoreDumpError,
    check_aligned,
    check_weights,
    fuse,
    load_scores,
    report,
    same_file,
    search_weights,
)
from posegraph.io import OutputPathError, atomic_open, make_folder_for


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dumps', nargs='+', help='score dumps of the models, same clips')
    parser.add_argument('--weights', type=float, nargs='+', help='one weight per dump')
    parser.add_argument('--search-on', nargs='+', metavar='VAL_DUMP',
                        help='validation dumps of the same models, to choose the weights')
    parser.add_argument('--out', help='write the fused scores as a dump')
    args = parser.parse_args(argv)
    if len(args.dumps) < 2:
        parser.error('give at least two dumps to fuse')
    if args.weights and args.search_on:
        parser.error('give --weights or --search-on, not both')
    for option in ('weights', 'search_on'):
        value = getattr(args, option)
        if value and len(value) != len(args.dumps):
            parser.error(f'--{option.replace("_", "-")} needs one entry per dump '
                         f'({len(args.dumps)})')
    if args.weights:
        try:
            check_weights(args.weights, len(args.dumps))
        except ValueError as e:
            parser.error(f'--weights: {e}')
    try:
        if args.out:
            make_folder_for(args.out, 'the fused scores')
        dumps = [load_scores(path) for path in args.dumps]
        check_aligned(dumps, args.dumps)
        if args.search_on:
            if any(same_file(a, b) for a in args.search_on for b in args.dumps):
                sys.exit('error: --search-on must name validation dumps, not the dumps '
                         'being evaluated')
            validation = [load_scores(path) for path in args.search_on]
            check_aligned(validation, args.search_on)
            if set(validation[0][0]) & set(dumps[0][0]):
                sys.exit('error: the validation dumps share clips with the evaluated ones; '
                         'weights must be chosen on other clips')
            weights = search_weights([v[1] for v in validation], validation[0][2])
            source = 'searched on ' + ', '.join(args.search_on)
        else:
            weights = np.array(args.weights or [1.0] * len(dumps))
            source = 'given' if args.weights else 'equal'
    except (ScoreDumpError, FileNotFoundError, OutputPathError) as e:
        sys.exit(f'error: {e}')
    names, _, labels = dumps[0]
    fused = fuse([d[1] for d in dumps], weights)
    width = max(len(p) for p in args.dumps + ['fusion'])
    print(f'{"scores":<{width}}  weight   top-1   top-5   mean class')
    for path, (_, scores, _), weight in zip(args.dumps, dumps, weights):
        top1, top5, mca = report(scores, labels)
        print(f'{path:<{width}}  {weight:6.2f}  {100 * top1:5.1f} %  {100 * top5:5.1f} %  '
              f'{100 * mca:5.1f} %')
    top1, top5, mca = report(fused, labels)
    print(f'{"fusion":<{width}}  ({source})  {100 * top1:5.1f} %  {100 * top5:5.1f} %  '
          f'{100 * mca:5.1f} %')
    if args.out:
        total = fused.sum(axis=1, keepdims=True)
        with atomic_open(args.out, 'wb') as f:
            pickle.dump([{'frame_dir': n, 'pred_score': torch.from_numpy(s).float(),
                          'gt_label': torch.tensor([int(label)])}
                         for n, s, label in zip(names, fused / total, labels)], f, protocol=4)
        print(f'fused scores: {args.out}')


if __name__ == '__main__':
    main()
