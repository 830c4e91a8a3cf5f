"""posegraph.cli: the tools' shared argument checks."""
import argparse

import pytest

from posegraph.cli import refuse_below


def test_an_option_below_its_least_value_is_a_usage_error(capsys):
    parser = argparse.ArgumentParser(prog='tool')
    parser.add_argument('--top-k', type=int, default=3)
    parser.add_argument('--threads', type=int)
    refuse_below(parser, parser.parse_args([]), dict(top_k=1, threads=1))   # unset passes
    refuse_below(parser, parser.parse_args(['--top-k', '1']), dict(top_k=1, threads=1))
    with pytest.raises(SystemExit) as stopped:
        refuse_below(parser, parser.parse_args(['--top-k', '0']), dict(top_k=1, threads=1))
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().endswith('tool: error: --top-k must be 1 or more, got 0')
