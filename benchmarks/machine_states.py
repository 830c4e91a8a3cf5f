"""Why the onnxruntime rows of jhmdb_latency.py move from run to run: the machine's fast and
slow states, block by block, in one process.

jhmdb_latency.py's ratio of PAN to DD-Net in onnxruntime fell in two clusters from one run
to the next. Here every model is built and exported once, then short blocks of the same
JHMDB clips are timed over and over, the models taking turns within each block as they do
there: PAN's test pipeline and network as one onnxruntime graph, PAN's numpy pipeline with
its network in onnxruntime, DD-Net as the reference (its numpy features, its network in
onnxruntime) and with its features in its graph; beside them, as probes of the machine, ten
256 x 256 float32 numpy products and a plain Python loop. A block is in the slow state where
PAN's graph takes at least ``--slow`` times its median over the fastest tenth of the blocks,
in the fast state under ``--fast`` times. CPU steal (``/proc/stat``), page faults and
system time per call are counted over each state's blocks: causes to rule out.

    python benchmarks/machine_states.py [--config configs/pan_jhmdb.py] [--blocks 60]
        [--videos 100] [--fast 1.2] [--slow 1.45]
"""
import argparse
import os
import resource
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
from jhmdb_accuracy import test_pipeline
from jhmdb_latency import ddnet_predictor, latency_records, pan_predictor
from mmengine.config import Config

from common import ROOT, markdown_header, markdown_row, run_main

KEY = 'PAN, test pipeline in the graph'
REFERENCE = 'DD-Net (reference)'
COUNTERS = ('steal', 'faults', 'system')


def cpu_steal() -> Tuple[int, int]:
    """Ticks stolen by the hypervisor and all ticks, over all CPUs, since boot (0, 1 where
    ``/proc/stat`` cannot be read)."""
    try:
        with open('/proc/stat') as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return 0, 1
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks)


def block_times(predictors: Dict[str, Callable], records: Sequence[dict], blocks: int,
                stride: int = 5) -> List[Dict[str, float]]:
    """Median milliseconds of each predictor over every block (every ``stride``-th record,
    the start moving by one per block), the predictors taking turns within it, with the
    block's CPU steal (% of all CPU time), page faults and system milliseconds per call."""
    for predict in predictors.values():
        for record in records[:10]:
            predict(record)
    result = []
    for block in range(blocks):
        chunk = records[block % stride::stride]
        steal0, total0 = cpu_steal()
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        row = {}
        for name, predict in predictors.items():
            times = []
            for record in chunk:
                start = time.perf_counter()
                predict(record)
                times.append(time.perf_counter() - start)
            row[name] = 1000 * statistics.median(times)
        steal1, total1 = cpu_steal()
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        calls = len(chunk) * len(predictors)
        row['steal'] = 100 * (steal1 - steal0) / max(total1 - total0, 1)
        row['faults'] = (usage1.ru_minflt + usage1.ru_majflt
                         - usage0.ru_minflt - usage0.ru_majflt) / calls
        row['system'] = 1000 * (usage1.ru_stime - usage0.ru_stime) / calls
        result.append(row)
    return result


def split_states(blocks: Sequence[Dict[str, float]], key: str = KEY, fast: float = 1.2,
                 slow: float = 1.45) -> Dict[str, List[Dict[str, float]]]:
    """The blocks where ``key`` took under ``fast`` times its median over the fastest tenth
    of the blocks (``'fast'``) and at least ``slow`` times (``'slow'``); those between are
    in neither."""
    if not 1 <= fast <= slow:
        raise ValueError(f'need 1 <= fast <= slow, got fast={fast}, slow={slow}')
    times = sorted(block[key] for block in blocks)
    base = statistics.median(times[:max(1, len(times) // 10)])
    return {'fast': [b for b in blocks if b[key] < fast * base],
            'slow': [b for b in blocks if b[key] >= slow * base]}


def state_table(states: Dict[str, List[Dict[str, float]]], names: Sequence[str],
                reference: str = REFERENCE) -> List[list]:
    """Rows of the Markdown table: each name's median over each state's blocks and the slow
    state's to the fast state's; then each model's ratio to ``reference`` in each state,
    and the counters' means. A state without blocks gives dashes."""
    def median(state, name):
        return statistics.median(b[name] for b in states[state]) if states[state] else None

    def cell(value, digits=2):
        return '—' if value is None else f'{value:.{digits}f}'

    rows = [['blocks', len(states['fast']), len(states['slow']), '']]
    for name in names:
        fast, slow = median('fast', name), median('slow', name)
        rows.append([f'{name}, ms', cell(fast), cell(slow),
                     cell(slow / fast if fast and slow else None)])
    for name in names:
        if name != reference:
            ratios = [statistics.median(b[name] / b[reference] for b in states[state])
                      if states[state] else None for state in ('fast', 'slow')]
            rows.append([f'{name} / {reference}', cell(ratios[0]), cell(ratios[1]), ''])
    # The counters' means, not medians: a cause to rule out may strike a few blocks only.
    for counter, label in zip(COUNTERS, ('CPU steal, % (mean)', 'page faults per call (mean)',
                                         'system time per call, ms (mean)')):
        means = [statistics.mean(b[counter] for b in states[state]) if states[state] else None
                 for state in ('fast', 'slow')]
        rows.append([label, cell(means[0], 3), cell(means[1], 3), ''])
    return rows


def machine_predictors(cfg: Config, folder: str, num_joints: int) -> Dict[str, Callable]:
    """The onnxruntime models of jhmdb_latency.py (ONNX files written to ``folder``) for
    videos of ``num_joints`` joints, and the two probes of the machine."""
    import torch

    from posegraph.registry import register_all_modules
    register_all_modules()
    torch.set_num_threads(1)
    matrix = np.random.default_rng(0).random((256, 256), dtype=np.float32)
    return {
        KEY: pan_predictor(cfg, test_pipeline(cfg), folder, in_graph=True)[0],
        'PAN, numpy pipeline': pan_predictor(cfg, test_pipeline(cfg), folder)[0],
        REFERENCE: ddnet_predictor(cfg.layout, num_joints, cfg.num_classes, folder)[0],
        'DD-Net, features in the graph': ddnet_predictor(
            cfg.layout, num_joints, cfg.num_classes, folder, in_graph=True)[0],
        'numpy 256 x 256 product x 10': lambda record: [matrix @ matrix for _ in range(10)],
        'Python loop': lambda record: sum(i * i for i in range(20_000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--videos', type=int, default=100)
    parser.add_argument('--blocks', type=int, default=60)
    parser.add_argument('--fast', type=float, default=1.2)
    parser.add_argument('--slow', type=float, default=1.45)
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    records = latency_records(cfg, args.videos)
    with tempfile.TemporaryDirectory() as folder:
        predictors = machine_predictors(cfg, folder, records[0]['keypoint'].shape[2])
        blocks = block_times(predictors, records, args.blocks)
    states = split_states(blocks, KEY, args.fast, args.slow)
    print(f'{args.config}, {len(records)} videos, {args.blocks} blocks, batch 1, 1 thread, '
          'median per block')
    print(markdown_header(['', 'fast state', 'slow state', 'slow / fast']))
    for row in state_table(states, list(predictors)):
        print(markdown_row(row))


if __name__ == '__main__':
    run_main(main)
