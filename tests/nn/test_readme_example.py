"""The README's example of the paper's layers, run as a user would copy it: each shape in
its comments is what the layer gives."""
import os
import re

from conftest import ROOT


def readme_block(first_line: str) -> str:
    with open(os.path.join(ROOT, 'README.md')) as f:
        blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
    [block] = [b for b in blocks if b.startswith(first_line)]
    return block


def test_the_readme_chain_of_layers_runs_with_the_shapes_it_says():
    block = readme_block('import torch\nfrom posegraph.nn import AttentionGRU')
    names = {}
    exec(compile(block, 'README.md', 'exec'), names)
    # Each '# (..)' comment names the shapes of the line's results, in order.
    said = []
    for line in block.splitlines():
        if '# (' in line:
            said += [tuple(int(v) for v in shape.split(', '))
                     for shape in re.findall(r'\(([\d, ]+)\)', line.split('#', 1)[1])]
    given = [tuple(names[name].shape) for name in ('h', 'z', 's', 'frame', 'joint_weights',
                                                   'clip', 'frame_weights')]
    assert said == given
