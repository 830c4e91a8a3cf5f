"""Top-1 of each branch of a stream ensemble on the leakage-free JHMDB folds, of the branches
averaged, and of the teachers without the student: how strong, and how unlike one another,
the branches a distilled student learns from are.

The checkpoints come from ``benchmarks/jhmdb_accuracy.py --work-root DIR`` (the last
checkpoint of each fold and seed). Every branch scores the config's test clip, the student's
as well as the others' (at inference a distilled config runs its student alone).

    python benchmarks/jhmdb_accuracy.py --work-root work_dirs/grouped
    python benchmarks/jhmdb_branches.py --runs work_dirs/grouped [--config configs/pan_jhmdb.py]
"""
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from jhmdb_accuracy import finished_runs, finished_runs_setup, test_transforms
from mmengine.config import Config

from common import markdown_table, run_main


def branch_logits(cfg: Config, checkpoint: str, records: List[dict]) -> torch.Tensor:
    """Logits ``(branches, clips, classes)`` of every branch of the checkpoint's ensemble,
    one test clip per record."""
    from posegraph.apis import init_recognizer
    network = init_recognizer(cfg, checkpoint).network
    transforms = test_transforms(cfg)
    clips = torch.cat([transforms(dict(r))['inputs'] for r in records])  # (N, M, T, V, C)
    network.student = None  # every branch scores, not the student alone
    with torch.no_grad():
        return torch.stack([out['logits'] for out in network(clips)['branches']])


def branch_names(branches: Sequence, student: Optional[int]) -> List[str]:
    """A row name per branch: its streams (and type, where it is not PAN)."""
    names = []
    for k, branch in enumerate(branches):
        spec = dict(branch) if isinstance(branch, dict) else dict(streams=branch)
        kind = f"{spec['type']} on " if 'type' in spec else ''
        role = ', the student' if k == student else ''
        names.append(f"branch {k}{role}: {kind}{' + '.join(map(str, spec['streams']))}")
    return names


def ensembles(logits: torch.Tensor, names: Sequence[str],
              student: Optional[int]) -> Dict[str, torch.Tensor]:
    """The logits each row scores: every branch alone, all branches averaged and, with a
    student, the other branches averaged (the teachers without it)."""
    rows = dict(zip(names, logits))
    rows['all branches averaged'] = logits.mean(0)
    if student is not None and len(logits) > 1:
        teachers = [k for k in range(len(logits)) if k != student]
        rows['the teachers averaged (no student)'] = logits[teachers].mean(0)
    return rows


def main() -> None:
    args, cfg = finished_runs_setup(__doc__.splitlines()[0])
    network_cfg = cfg.model.network
    if 'branches' not in network_cfg:
        sys.exit(f'{args.config}: {network_cfg.type} is not an ensemble, it has no branches '
                 f'to score apart')
    student = network_cfg.get('student')
    names = branch_names(network_cfg.branches, student)
    top1 = {}  # row -> fold -> [top-1 per seed]
    for fold, seed, checkpoint, _, test in finished_runs(args.runs, cfg):
        labels = torch.tensor([r['label'] for r in test])
        rows = ensembles(branch_logits(cfg, checkpoint, test), names, student)
        for name, logits in rows.items():
            accuracy = 100 * (logits.argmax(-1) == labels).float().mean().item()
            top1.setdefault(name, {}).setdefault(fold, []).append(accuracy)
        print(f'{fold} seed {seed}: ' + ', '.join(
            f'{name.split(":")[0]} {values[fold][-1]:.1f} %' for name, values in top1.items()),
            flush=True)
    folds = sorted(next(iter(top1.values())))
    print(markdown_table(['scored', *folds, 'mean of folds', 'runs'], (
        [name, *(f'{np.mean(values[f]):.1f} %' for f in folds),
         f'{np.mean([np.mean(values[f]) for f in folds]):.1f} %',
         ' / '.join(', '.join(f'{v:.1f}' for v in values[f]) for f in folds)]
        for name, values in top1.items())))


if __name__ == '__main__':
    run_main(main)
