"""Config loading and Runner construction shared by tools/train.py and tools/test.py."""
import json
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from posegraph.registry import register_all_modules

parse_cfg_options = DictAction


def load_config(config, cfg_options=None):
    """Read ``config`` and apply ``--cfg-options`` overrides."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'{config}: no such config file')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_runner(config, work_dir=None, cfg_options=None, launcher='none', resume=None,
                 checkpoint=None, test=False, dump=None):
    """An mmengine :class:`Runner` for training (``resume``) or testing (``checkpoint``).

    Args:
        config: the config file.
        work_dir: overrides the config's; default ``work_dirs/<config name>``.
        cfg_options: a dict of config overrides.
        launcher: ``'none'`` or a distributed launcher (``'pytorch'`` for torchrun).
        resume: ``'auto'`` for the work dir's last checkpoint, or a checkpoint path.
        checkpoint: weights to test (implies ``test``).
        test: the runner will be tested: its accuracy metric draws the confusion matrix
            into the work dir.
        dump: for testing, a pickle file that receives every clip's scores.
    """
    register_all_modules()
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(config))[0])
    if not torch.cuda.is_available():
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
        if launcher == 'pytorch':
            # mmengine's initialiser and DDP wrapper bind a CUDA device, which a CPU build
            # of torch lacks: start the gloo group here (mmengine then keeps it) and keep
            # the model on the CPU.
            if not torch.distributed.is_initialized():
                torch.distributed.init_process_group(backend='gloo')
            cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None,
                                         broadcast_buffers=False)
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'{resume}: no such checkpoint to resume from')
        cfg.resume, cfg.load_from = True, resume
    if checkpoint is not None:
        cfg.load_from = checkpoint
    if checkpoint is not None or test:
        evaluators = cfg.test_evaluator
        evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
        for evaluator in evaluators:
            if evaluator.get('type') == 'AccMetric':
                evaluator['out_dir'] = cfg.work_dir
        if dump:
            os.makedirs(osp.dirname(osp.abspath(dump)), exist_ok=True)
            evaluators.append(dict(type='DumpResults', out_file_path=dump))
        cfg.test_evaluator = evaluators
    return Runner.from_cfg(cfg)


def report_test_metrics(runner, metrics, dump=None):
    """Print a test run's accuracies and write them to ``test_metrics.json``."""
    out = osp.join(runner.work_dir, 'test_metrics.json')
    with open(out, 'w') as f:
        json.dump(metrics, f, indent=2)
    for key in ('top1', 'top5', 'mean_class_accuracy'):
        print(f'{key:>20s}: {100 * metrics[f"acc/{key}"]:.2f} %')
    print(f'metrics: {out}')
    print(f'confusion matrix: {osp.join(runner.work_dir, "confusion_matrix.png")}')
    if dump:
        print(f'scores: {dump}')
