"""Strip a training checkpoint down to what inference needs, as MMAction2's publish_model.py.

    python tools/publish_model.py work_dirs/x/epoch_80.pth OUT.pth

Keeps the weights and the class names (``meta.dataset_meta``), drops the optimizer, the
schedulers and the message hub, writes OUT.pth whole or not at all, and prints its size and
sha256.
"""
import argparse
import hashlib
import os
import sys
from typing import Optional, Sequence

import torch

from posegraph.io import OutputPathError, atomic_open
from posegraph.io.checkpoint import CheckpointError, load_checkpoint_file


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='a checkpoint tools/train.py wrote')
    parser.add_argument('out', help='where the stripped checkpoint goes')
    args = parser.parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        sys.exit(f'error: {args.checkpoint}: no such checkpoint')
    try:
        saved = load_checkpoint_file(args.checkpoint, map_location='cpu')
    except CheckpointError as e:
        sys.exit(f'error: {e}')
    if not isinstance(saved, dict) or 'state_dict' not in saved:
        sys.exit(f'error: {args.checkpoint}: no state_dict in it')
    meta = saved.get('meta', {})
    published = {'state_dict': saved['state_dict'],
                 'meta': {'dataset_meta': meta.get('dataset_meta', {}),
                          'epoch': meta.get('epoch'), 'seed': meta.get('seed'),
                          'experiment_name': meta.get('experiment_name')}}
    try:
        with atomic_open(args.out, 'wb') as f:
            torch.save(published, f)
    except OutputPathError as e:
        sys.exit(f'error: {e}')
    with open(args.out, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f'{args.out}: {os.path.getsize(args.out) / 1e6:.2f} MB, sha256 {digest}')


if __name__ == '__main__':
    main()
