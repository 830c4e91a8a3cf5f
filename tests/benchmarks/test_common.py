"""The helpers every benchmark script uses."""
import pytest
import torch

from common import inference_parameters, markdown_table, multiply_adds, train


def test_markdown_table_has_a_header_rule_and_one_line_a_row():
    table = markdown_table(['model', 'top-1'], [['PAN', '77.1 %'], ['DD-Net', 77.1]])
    assert table.splitlines() == ['| model | top-1 |', '| --- | --- |', '| PAN | 77.1 % |',
                                  '| DD-Net | 77.1 |']


def test_multiply_adds_counts_a_linear_layer():
    layer = torch.nn.Linear(16, 8)
    x = torch.randn(3, 16)
    assert multiply_adds(lambda: layer(x)) == 3 * 16 * 8


def test_a_failed_training_run_exits_with_its_log(tmp_path):
    with pytest.raises(SystemExit, match=r'(?s)failed \(log .*run\.log\).*no_such_config'):
        train(str(tmp_path / 'no_such_config.py'), str(tmp_path / 'run'))
    assert (tmp_path / 'run.log').read_text()


def test_inference_parameters_count_a_distilled_ensembles_student_only():
    from posegraph.models import StreamEnsemble
    args = dict(layout='coco17', num_classes=4, num_clusters=3)
    ensemble = StreamEnsemble([[0, 1], [2, 3, 4, 5]], **args)
    distilled = StreamEnsemble([[0, 1], [2, 3, 4, 5]], student=1, **args)
    total = sum(p.numel() for p in ensemble.parameters())
    student = sum(p.numel() for p in distilled.branches[1].parameters())
    assert inference_parameters(ensemble) == total
    assert inference_parameters(distilled) == student < total
    assert inference_parameters(torch.nn.Linear(3, 2)) == 8
