import dataclasses
import functools
import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
JHMDB_DIR = os.path.join(SHARED, 'data', 'jhmdb_gt')


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
