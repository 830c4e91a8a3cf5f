import dataclasses
import functools
import importlib.util
import os
import sys

import cv2
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, 'tests')
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
JHMDB_DIR = os.path.join(SHARED, 'data', 'jhmdb_gt')


def pytest_configure(config):
    """With pytest-xdist's workers (README: ``-n 2``), each worker's torch gets its share of
    the cores instead of all of them: two workers of two threads each on two cores ran
    slower than one thread each."""
    workers = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
    if workers > 1 and 'OMP_NUM_THREADS' not in os.environ:
        os.environ['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1) // workers))


@pytest.fixture(autouse=True)
def seed_layer_tests(request):
    """The layer tests (tests/nn) start from the same random numbers."""
    if request.path.parent.name == 'nn':
        import torch
        torch.manual_seed(0)


@pytest.fixture(scope='session')
def jhmdb_dir():
    if not os.path.isfile(os.path.join(JHMDB_DIR, 'jhmdb_gt_dev.pkl')):
        pytest.skip('../shared/data/jhmdb_gt is not present')
    return JHMDB_DIR


@pytest.fixture(scope='session')
def synthetic_file(tmp_path_factory):
    """A small synthetic set written once per test session."""
    from posegraph.datasets.synthetic import write_synthetic
    path = tmp_path_factory.mktemp('synthetic') / 'synthetic_coco17.pkl'
    write_synthetic(path, clips_per_class=8, seed=3)
    return str(path)


@dataclasses.dataclass
class ToolResult:
    """What a tool run leaves: its exit status and what it printed."""
    returncode: int
    stdout: str
    stderr: str


@functools.lru_cache(maxsize=None)
def load_tool(name: str):
    path = os.path.join(ROOT, 'tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'posegraph_tools_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run_tool(capfd):
    """Runs ``tools/NAME.py ARGS`` from the repository root as the shell would, but in this
    process: a tool's ``main`` is what the script runs, and starting a new interpreter
    (torch, PyG, mmengine: ~6 s) for each call would dominate the suite's time. Tests that
    need a real process (launchers, workers, a killed run) still start one."""
    def run(name: str, *args) -> ToolResult:
        module = load_tool(name)
        capfd.readouterr()
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            code = module.main([str(arg) for arg in args]) or 0   # sys.exit(main()) in the script
        except SystemExit as exit_:
            if isinstance(exit_.code, str):   # sys.exit('error: ...') prints it, status 1
                print(exit_.code, file=sys.stderr)
                code = 1
            else:
                code = exit_.code or 0
        finally:
            os.chdir(cwd)
        out, err = capfd.readouterr()
        return ToolResult(code, out, err)
    return run


def write_video(path, frames=8, start=5, step=3, size=(48, 64)) -> str:
    """A white square moving right on black, at 10 fps: the 'brightest' back-end of
    ``pose_backends_for_tests`` follows it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10, size[::-1])
    for t in range(frames):
        frame = np.zeros(size + (3,), np.uint8)
        x = start + step * t
        frame[20:28, x:x + 8] = 255
        writer.write(frame)
    writer.release()
    return str(path)


def write_clip(path, frames=6, value=0, size=32):
    """A clip whose frame t is filled with value + 10 t (blue channel), for index checks."""
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10, (size, size))
    for t in range(frames):
        frame = np.zeros((size, size, 3), np.uint8)
        frame[..., 0] = value + 10 * t
        writer.write(frame)
    writer.release()
    return str(path)


def tiny_ucf101(root, frames=6, size=32):
    """Two classes, two videos each; group 1 is split 1's test set."""
    for name in ('Biking', 'Diving'):
        for g in (1, 2):
            write_clip(root / name / f'v_{name}_g0{g}_c01.avi', frames=frames, size=size)
    (root / 'classInd.txt').write_text('1 Biking\n2 Diving\n')
    (root / 'trainlist01.txt').write_text(
        'Biking/v_Biking_g02_c01.avi 1\nDiving/v_Diving_g02_c01.avi 2\n')
    (root / 'testlist01.txt').write_text(
        'Biking/v_Biking_g01_c01.avi\nDiving/v_Diving_g01_c01.avi\n')


def frame_dirs(dataset, key='frame_dir'):
    return [dataset.get_data_info(i)[key] for i in range(len(dataset))]
