"""Write the synthetic skeleton-action set (coco17, PYSKL format) and print its summary.

    python tools/make_synthetic.py [--out data/synthetic/synthetic_coco17.pkl]
                                   [--clips-per-class 80] [--seed 0] [--preview PNG]
"""
import argparse
import sys
from typing import Optional, Sequence

from rich.progress import track

from posegraph.datasets.synthetic import ACTIONS, summarize, write_synthetic
from posegraph.io import OutputPathError, make_folder_for
from posegraph.visualization import plot_skeleton_strips


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/synthetic/synthetic_coco17.pkl',
                        help='annotation file to write; label_map.txt goes beside it')
    parser.add_argument('--clips-per-class', type=int, default=80,
                        help='clips of each action, over all splits')
    parser.add_argument('--seed', type=int, default=0, help='seed of the generator')
    parser.add_argument('--preview', help='also draw one clip of each action to this PNG')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    if args.clips_per_class < 4:
        sys.exit('--clips-per-class must be at least 4 (every split needs clips)')
    try:   # before the clips are generated
        make_folder_for(args.out, 'the annotation file')
        if args.preview:
            make_folder_for(args.preview, 'the preview')
    except OutputPathError as e:
        sys.exit(f'error: {e}')
    annotations, split = write_synthetic(
        args.out, args.clips_per_class, args.seed,
        progress=lambda jobs: track(jobs, description='generating clips', transient=True))
    print(f'wrote {args.out}')
    print(summarize(annotations, split))
    print('classes: ' + ', '.join(ACTIONS))
    if args.preview:
        firsts = [next(a for a in annotations if a['label'] == k) for k in range(len(ACTIONS))]
        plot_skeleton_strips(firsts, 'coco17', args.preview, titles=ACTIONS)
        print(f'preview: {args.preview}')


if __name__ == '__main__':
    main()
