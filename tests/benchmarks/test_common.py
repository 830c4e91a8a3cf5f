"""The helpers every benchmark script uses."""
import glob
import os

import pytest
import torch

from common import (
    cpu_model,
    inference_parameters,
    machine_line,
    markdown_table,
    multiply_adds,
    run_main,
    train,
)
from conftest import ROOT


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


def test_cpu_model_reads_the_processors_name_and_falls_back_without_cpuinfo(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nvendor_id\t: AuthenticAMD\n'
                       'model name\t: AMD EPYC 9R14 96-Core Processor\nflags\t: fpu\n')
    assert cpu_model(str(cpuinfo)) == 'AMD EPYC 9R14 96-Core Processor'
    fallback = cpu_model(str(tmp_path / 'missing'))
    assert fallback and fallback != 'AMD EPYC 9R14 96-Core Processor'


def test_machine_line_names_the_kernels_and_versions_timed():
    import onnxruntime
    line = machine_line()
    assert f'{torch.backends.cpu.get_cpu_capability()} kernels' in line
    assert f'torch {torch.__version__}' in line
    assert f'onnxruntime {onnxruntime.__version__}' in line
    assert f'{os.cpu_count()} cores' in line


def test_ctrl_c_ends_a_benchmark_in_a_line_and_every_script_runs_through_it(capsys,
                                                                             monkeypatch):
    def stopped():
        raise KeyboardInterrupt
    monkeypatch.setattr('sys.argv', ['benchmarks/ddnet.py'])
    with pytest.raises(SystemExit) as exited:
        run_main(stopped)
    assert exited.value.code == 130
    assert capsys.readouterr().err == 'interrupted: ddnet.py stopped before it finished\n'
    scripts = [path for path in glob.glob(os.path.join(ROOT, 'benchmarks', '*.py'))
               if "if __name__ == '__main__':" in open(path).read()]
    assert len(scripts) > 15
    assert [os.path.basename(path) for path in scripts
            if "if __name__ == '__main__':\n    run_main(main)\n" not in open(path).read()] == []
