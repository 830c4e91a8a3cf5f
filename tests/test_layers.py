"""Layers point one way: the bottom ones (I/O, skeleton basics, pose decoding, the runtime)
import neither torch nor anything above them."""
import ast
import os
import subprocess
import sys

from conftest import ROOT

TORCH_FREE = ['posegraph.errors', 'posegraph.io', 'posegraph.io.annotations', 'posegraph.io.video',
              'posegraph.io.download',
              'posegraph.skeleton', 'posegraph.skeleton.normalize', 'posegraph.skeleton.streams',
              'posegraph.pose.decode', 'posegraph.pose.frames', 'posegraph.pose.tracking',
              'posegraph.pose.targets', 'posegraph.runtime', 'posegraph.runtime.bundle',
              'posegraph.drawing', 'posegraph.cli']
# What each bottom package may import from posegraph (the estimator's package sits under
# the datasets and models that train it); posegraph.errors, under them all, imports nothing.
ALLOWED = {'io': {'io', 'errors'}, 'skeleton': {'skeleton', 'errors'},
           'runtime': {'io', 'skeleton', 'pose', 'runtime', 'errors'},
           'pose': {'io', 'skeleton', 'nn', 'registry', 'runtime', 'pose', 'errors'}}


def test_the_bottom_layers_import_without_torch_or_mmengine():
    code = ("import sys\nsys.modules['torch'] = None\nsys.modules['mmengine'] = None\n"
            + ''.join(f'import {name}\n' for name in TORCH_FREE))
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]


def test_bottom_packages_import_nothing_above_them():
    errors = ast.parse(open(os.path.join(ROOT, 'posegraph', 'errors.py')).read())
    assert not [node for node in ast.walk(errors) if isinstance(node, (ast.Import, ast.ImportFrom))]
    for package, allowed in ALLOWED.items():
        folder = os.path.join(ROOT, 'posegraph', package)
        for name in os.listdir(folder):
            if not name.endswith('.py') or (package, name) == ('skeleton', 'graph.py'):
                continue
            tree = ast.parse(open(os.path.join(folder, name)).read())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                        and node.module.startswith('posegraph.'):
                    layer = node.module.split('.')[1]
                    assert layer in allowed, f'posegraph/{package}/{name} imports {node.module}'
