"""What the benchmark scripts share: timing, multiply-add counting, training a config from
the command line as a user would, and Markdown tables."""
import json
import os
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

if TYPE_CHECKING:  # torch is imported by the scripts that need it, not here
    from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_main(main: Callable[[], object]) -> None:
    """Run a benchmark script's ``main``: Ctrl-C ends it in one line with the shell's status
    for it (130) instead of a traceback. The scripts write their results whole, at the end
    or run by run, so what they wrote before stays readable."""
    try:
        main()
    except KeyboardInterrupt:
        print(f'interrupted: {os.path.basename(sys.argv[0])} stopped before it finished',
              file=sys.stderr)
        sys.exit(130)


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 10) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``runs`` calls, after a warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def cpu_model(cpuinfo: str = '/proc/cpuinfo') -> str:
    """The processor's name as the OS gives it (Linux's ``cpuinfo``), else Python's guess."""
    import platform
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() == 'model name' and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown CPU'


def machine_line() -> str:
    """What a timing needs beside it to be compared with another day's: the processor, its
    cores, the vector instructions PyTorch's kernels use, and the versions timed. Per-op
    overheads and arithmetic do not scale alike from one CPU to the next, so the ratio of two
    models moves between machines, not only their times."""
    import torch
    versions = [f'torch {torch.__version__}']
    try:
        import onnxruntime
        versions.append(f'onnxruntime {onnxruntime.__version__}')
    except ImportError:
        pass
    return (f'{cpu_model()}, {os.cpu_count()} cores, '
            f'{torch.backends.cpu.get_cpu_capability()} kernels, {", ".join(versions)}')


def with_estimator_noise(pipeline: Sequence[dict], sigma: float, drop: float) -> list:
    """A test pipeline whose joints get an estimator's kind of error before the streams are
    formed: each moved by Gaussian noise of ``sigma`` body sizes (after ``PoseNormalize``,
    one body size is one unit) and a fraction ``drop`` of them missing."""
    pipeline = [dict(step) for step in pipeline]
    at = next(i for i, step in enumerate(pipeline) if step['type'] == 'FormatStreams')
    return (pipeline[:at] + [dict(type='RandomJitter', sigma=sigma),
                             dict(type='RandomJointDropout', prob=drop)] + pipeline[at:])


def multiply_adds(fn: Callable[[], object]) -> int:
    """Multiply-adds of ``fn()`` (no gradients) by PyTorch's FLOP counter (2 FLOPs each).
    The counter does not see fused recurrent kernels (``nn.GRU``): add those yourself."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() // 2


def inference_parameters(network: 'nn.Module') -> int:
    """Parameters that run at inference: a distilled ensemble trains all its branches but
    runs only its student."""
    branches = getattr(network, 'inference_branches', None)
    modules = [network.branches[k] for k in branches] if branches else [network]
    return sum(p.numel() for module in modules for p in module.parameters())


def train_log(work_dir: str) -> str:
    """Where :func:`train` writes the output of the run in ``work_dir``."""
    return work_dir.rstrip('/') + '.log'


def train(config: str, work_dir: str, options: Sequence[str] = (),
          flags: Sequence[str] = (), threads: Optional[int] = None, root: str = ROOT) -> float:
    """Run ``tools/train.py CONFIG --work-dir WORK_DIR [flags] --cfg-options OPTIONS`` with
    its output in ``WORK_DIR.log``; returns the wall time in seconds. ``threads`` caps
    OpenMP / MKL threads (for runs side by side); ``root`` is the checkout whose
    ``tools/train.py`` runs, from its own folder and with its own package first on the path
    (another commit's worktree). A failed run exits with the log's end."""
    env = dict(os.environ)
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    if os.path.realpath(root) != os.path.realpath(ROOT):
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [root, env.get('PYTHONPATH')]))
    command = [sys.executable, os.path.join(root, 'tools', 'train.py'), config,
               '--work-dir', work_dir, *flags]
    if options:
        command += ['--cfg-options', *options]
    log_path = train_log(work_dir)
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    start = time.time()
    with open(log_path, 'w') as log:
        result = subprocess.run(command, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                env=env)
    if result.returncode:
        with open(log_path) as log:
            sys.exit(f'{config} failed (log {log_path}):\n{log.read()[-3000:]}')
    return time.time() - start


def test_metrics(work_dir: str) -> dict:
    """The metrics ``tools/train.py --test`` / ``tools/test.py`` wrote into ``work_dir``."""
    with open(os.path.join(work_dir, 'test_metrics.json')) as f:
        return json.load(f)


def markdown_row(cells: Sequence[object]) -> str:
    """One Markdown table row of ``cells`` (formatted already, or anything ``str`` takes)."""
    return '| ' + ' | '.join(str(cell) for cell in cells) + ' |'


def markdown_header(header: Sequence[str]) -> str:
    """A Markdown table's header and rule, for tables printed a row at a time."""
    return markdown_row(header) + '\n|' + ' --- |' * len(header)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table of ``rows``."""
    return '\n'.join([markdown_header(header)] + [markdown_row(row) for row in rows])
