"""Config loading and Runner construction shared by tools/train.py and tools/test.py."""
import argparse
import copy
import importlib.util
import itertools
import json
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Any, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import BaseDataset
from mmengine.evaluator import Evaluator
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import PretrainedInit, is_model_wrapper
from mmengine.runner import BaseLoop, Runner
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

from posegraph.apis.config_check import (
    ConfigError,
    check_config,
    check_options,
    did_you_mean,
    read_config,
)
from posegraph.engine.checkpoint import register_checkpoint_loader
from posegraph.engine.memory import keep_freed_memory
from posegraph.engine.notices import quiet_internal_notices
from posegraph.engine.seeding import preserved_random_state
from posegraph.errors import UnknownNameError
from posegraph.io.annotations import AnnotationError
from posegraph.io.atomic import OutputPathError, atomic_open, make_folder, make_folder_for
from posegraph.io.checkpoint import CheckpointError, local_checkpoint, state_dict_mismatch
from posegraph.models.video_classifier import VideoClassifier
from posegraph.registry import ForeignNameError, register_all_modules


def parse_options(options: Iterable[str]) -> Dict[str, object]:
    """``KEY=VALUE`` strings (``--cfg-options``) as a dict, each value parsed as mmengine's
    ``DictAction`` parses it (``False`` a bool, ``[1,(2,x)]`` a list holding a tuple).

    Raises:
        ConfigError: an option without ``=`` or a key, brackets that do not pair, or a
            ``dict(...)`` value, alone or in a list, which mmengine does not parse (the
            option would recurse until Python stops it, or set a string where a dict
            belongs).
    """
    parsed = {}
    for option in options:
        key, equals, value = option.partition('=')
        if not equals or not key:
            raise ConfigError(f'{option!r} is not KEY=VALUE')
        if re.match(r"\s*['\"]?(dict\(|\{)", value):
            raise ConfigError(f'{key}: a dict is not read as a value here; set its keys one by '
                              f'one: {key}.NAME=VALUE ...')
        if re.search(r"[\[(,]\s*['\"]?(dict\(|\{)", value):   # in a list or a tuple
            raise ConfigError(f'{key}: a dict in a list is not read as a value here (each would '
                              f'be a string); set the keys of each item: {key}.INDEX.NAME=VALUE '
                              '...')
        try:
            parsed[key] = DictAction._parse_iterable(value)
        except (AssertionError, RecursionError):  # mmengine asserts balanced brackets
            raise ConfigError(f'{option}: brackets do not pair up (a list is [a,b], a tuple '
                              '(a,b))') from None
    return parsed


class ConfigOptionsAction(argparse.Action):
    """The ``--cfg-options KEY=VALUE ...`` action: :func:`parse_options`, with a malformed
    option refused by argparse in one line."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Union[str, Sequence[str], None],
                 option_string: Optional[str] = None) -> None:
        try:
            options = parse_options([values] if isinstance(values, str) else values or ())
        except ConfigError as e:
            parser.error(f'argument {option_string}: {e}')
        setattr(namespace, self.dest, {**(getattr(namespace, self.dest, None) or {}), **options})


parse_cfg_options = ConfigOptionsAction
# Top-level options that re-point every dataset (and the model's head) at once.
DATA_OPTIONS = ('ann_file', 'label_map', 'num_classes', 'train_split', 'val_split',
                'test_split')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
_runners_built = itertools.count(1)


class IncompatibleError(ValueError):
    """A checkpoint or a dataset that does not fit the model built from the config."""


class LaunchError(RuntimeError):
    """A distributed launcher named for a process that it did not start."""


# What each launcher sets for every process it starts (what mmengine's init_dist and
# torch's env:// rendezvous read), and the command that starts them.
LAUNCHERS = {
    'pytorch': (('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'),
                'torchrun (bash tools/dist_train.sh CONFIG N, or tools/dist_test.sh)'),
    'slurm': (('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'), 'srun'),
    'mpi': (('OMPI_COMM_WORLD_LOCAL_RANK', 'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE'),
            "Open MPI's mpirun"),
}


def check_launcher(launcher: str) -> None:
    """Refuse a distributed ``launcher`` in a process it did not start, before anything is
    built (torch or mmengine would stop on the first variable missing, in a traceback).

    Raises:
        LaunchError: naming the variables missing and the command that sets them.
    """
    names, command = LAUNCHERS.get(launcher, ((), ''))
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise LaunchError(f'--launcher {launcher}: {", ".join(missing)} not set; start the '
                          f'run with {command}, which sets them for every process')


# Mistakes in what a user gave the tools (files, configs, data), which they report in one
# line instead of a traceback.
USER_ERRORS = (IncompatibleError, AnnotationError, CheckpointError, ConfigError,
               FileNotFoundError, ForeignNameError, LaunchError, OutputPathError,
               UnknownNameError)


class RunConfig(Config):
    """The config of one run, fixed once its Runner is built: its text is formatted once.

    mmengine formats a config's text with yapf (about 0.3 s) for the work dir's copy, the
    log, the visualiser and every checkpoint's meta; for a run of small models that was a
    few percent of the training time.
    """

    @classmethod
    def of(cls, cfg: Config) -> 'RunConfig':
        return cls(cfg._cfg_dict, cfg_text=cfg.text, filename=cfg.filename,
                   env_variables=cfg.env_variables)

    @property
    def pretty_text(self) -> str:
        text = self.__dict__.get('_formatted_text')
        if text is None:
            text = super().pretty_text
            super(Config, self).__setattr__('_formatted_text', text)
        return text


def load_config(config: Union[str, Config], cfg_options: Optional[dict] = None) -> Config:
    """Read ``config`` (a file, or a :class:`Config` that is copied, never changed) and apply
    ``--cfg-options`` overrides.

    The top-level keys of :data:`DATA_OPTIONS` reach every place they belong:
    ``ann_file``, ``label_map`` and ``num_classes`` every dataloader's dataset (and
    ``num_classes`` the model's network and batch blending), ``train_split`` /
    ``val_split`` / ``test_split`` the matching dataset's ``split``. So ``--cfg-options
    ann_file=P num_classes=N`` trains on another file, where the config's own top-level
    variables (already substituted when the file was read) would change nothing.

    The options and the result are checked (:func:`~posegraph.apis.config_check.check_options`,
    :func:`~posegraph.apis.config_check.check_config`): a key nothing reads, a component or
    an argument that does not exist raises :class:`ConfigError` before anything is built.
    """
    cfg = copy.deepcopy(config) if isinstance(config, Config) else read_config(config)
    if cfg_options:
        check_options(cfg, cfg_options, also=DATA_OPTIONS)
        cfg.merge_from_dict(cfg_options)
        apply_data_options(cfg, {k: v for k, v in cfg_options.items() if k in DATA_OPTIONS})
    register_all_modules()   # every component registered, for the check and the build
    check_config(cfg)
    return cfg


def _datasets(loader_cfg):
    """The dataset dicts of a dataloader config, looking inside dataset wrappers."""
    dataset = loader_cfg.get('dataset') if loader_cfg else None
    while dataset is not None and 'dataset' in dataset and 'ann_file' not in dataset:
        dataset = dataset['dataset']
    return [dataset] if dataset is not None else []


def apply_data_options(cfg: Config, options: Dict[str, object]) -> None:
    """Write the :data:`DATA_OPTIONS` in ``options`` into ``cfg``'s datasets and model."""
    if not options:
        return
    if 'label_map' in options and 'num_classes' not in options and options['label_map']:
        from posegraph.io.annotations import read_label_map
        options = dict(options, num_classes=len(read_label_map(options['label_map'])))
    for loader in LOADERS:
        if loader not in cfg:
            continue
        for dataset in _datasets(cfg[loader]):
            for key in ('ann_file', 'label_map', 'num_classes'):
                if key in options:
                    dataset[key] = options[key]
            # None is a split too: the whole file (README: train on all clips).
            split = loader.replace('dataloader', 'split')
            if split in options:
                dataset['split'] = options[split]
    if 'num_classes' in options and 'network' in cfg.model:
        cfg.model.network.num_classes = options['num_classes']
        blending = cfg.model.get('data_preprocessor', {}).get('blending')
        if blending is not None:
            blending['num_classes'] = options['num_classes']


def _model_classes(model) -> Optional[int]:
    model = model.module if is_model_wrapper(model) else model
    return getattr(getattr(model, 'network', None), 'num_classes', None)


def check_dataset_classes(model: torch.nn.Module, dataset: BaseDataset, name: str) -> None:
    """Refuse a dataset whose classes do not fit the model's head.

    Raises :class:`IncompatibleError` naming the file when the dataset's class names (label map
    or the file's) count other than the model's classes, or a label is out of its range.
    """
    num_classes = _model_classes(model)
    if num_classes is None or not hasattr(dataset, 'get_data_info'):
        return
    source = getattr(dataset, 'ann_file', None) or type(dataset).__name__
    classes = dataset.metainfo.get('classes')
    if classes is not None and len(classes) != num_classes:
        raise IncompatibleError(f'{source} ({name} data) has {len(classes)} classes but the '
                                f'model predicts {num_classes}: set num_classes (e.g. '
                                f'--cfg-options num_classes={len(classes)})')
    labels = [dataset.get_data_info(i).get('label', -1) for i in range(len(dataset))]
    if labels and max(labels) >= num_classes:
        raise IncompatibleError(f'{source} ({name} data) has label {max(labels)}, out of range '
                                f'for a model of {num_classes} classes: set num_classes (e.g. '
                                f'--cfg-options num_classes={max(labels) + 1}) or check the '
                                f'file')


def check_checkpoint_classes(checkpoint: dict, dataset: BaseDataset, filename: str) -> None:
    """Refuse to test a checkpoint on data that names its classes otherwise.

    Labels are integers: where the checkpoint's training data (its ``dataset_meta``) and
    the test data both name their classes, label ``k`` must mean the same class in both,
    or the accuracy compares one class's predictions with another's labels. Raises
    :class:`IncompatibleError` naming the file, the first label that differs and the
    remedy; says nothing where either side names no classes.
    """
    trained = ((checkpoint.get('meta') or {}).get('dataset_meta') or {}).get('classes')
    classes = dataset.metainfo.get('classes')
    if not trained or not classes or tuple(trained) == tuple(classes):
        return
    differ = [k for k in range(max(len(trained), len(classes)))
              if k >= min(len(trained), len(classes)) or trained[k] != classes[k]]
    source = getattr(dataset, 'ann_file', None) or type(dataset).__name__
    first = differ[0]
    said = [repr(names[first]) if first < len(names) else 'nothing'
            for names in (trained, classes)]
    raise IncompatibleError(
        f'{filename} was trained on classes the test data ({source}) names otherwise: label '
        f'{first} is {said[0]} in the checkpoint but {said[1]} in the data ({len(differ)} of '
        f'{len(trained)} labels differ), so its accuracy would compare one class with '
        'another. Test with the label map it was trained with (--cfg-options label_map=F), '
        'or re-extract the data with its class order.')


def check_save_best(hooks: Sequence[Hook], evaluator: Evaluator, source: str) -> None:
    """Refuse a checkpoint hook's ``save_best`` that names a metric the validation does
    not report: mmengine's KeyError would stop the run at its first validation, after the
    epochs before it. Where a metric does not say what it reports (``metric_names``, as
    :class:`~posegraph.evaluation.AccMetric` does), nothing is checked.

    Raises:
        ConfigError: naming the key and the metrics reported.
    """
    reported = []
    for metric in evaluator.metrics:
        names = getattr(metric, 'metric_names', None)
        if names is None:
            return
        reported += names
    for hook in hooks:
        if not isinstance(hook, CheckpointHook):
            continue
        for key in hook.save_best or ():
            if key != 'auto' and key not in reported:
                raise ConfigError(f"{source}: CheckpointHook's save_best: the validation "
                                  f"reports no '{key}'{did_you_mean(key, reported)}; it reports "
                                  f"{', '.join(reported)}")


def check_state_dict(model_state: dict, state: dict, filename: str,
                     skip: Iterable[str] = ()) -> None:
    """Refuse a checkpoint whose parameters do not fit the model.

    Raises :class:`IncompatibleError` naming ``filename`` and the keys of another shape, the
    missing and the unexpected ones (:func:`~posegraph.io.checkpoint.state_dict_mismatch`).
    Keys matching a regular expression of ``skip`` are left out of the comparison (and of
    the load).
    """
    problems = state_dict_mismatch(model_state, state, skip)
    if problems:
        raise IncompatibleError(
            f'{filename} does not fit the model built from the config: {"; ".join(problems)}. '
            'Is it a checkpoint of this config (same classes and streams)? To fine-tune from '
            "it with a new head, give load_from and load_skip_keys=['classifier'] (regular "
            'expressions of the keys to leave out).')


def _pretrained_reads(name: str, module: torch.nn.Module
                     ) -> Iterator[Tuple[str, Any, Tuple[str, ...], str]]:
    """The files ``module`` (``name`` in its model) reads as it initialises its weights:
    an RGB network's ``pretrained`` (:class:`~posegraph.models.video_classifier.VideoClassifier`)
    and mmengine's ``init_cfg`` of type ``Pretrained``. For each, ``(attribute, value
    without it, prefixes of the keys it fills, the file)``."""
    prefix = f'{name}.' if name else ''
    if isinstance(module, VideoClassifier) and module.pretrained:
        yield ('pretrained', None,
               tuple(f'{prefix}{backbone}.' for backbone in module.pretrained_backbones),
               module.pretrained)
    init_cfg = getattr(module, 'init_cfg', None)
    cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg] if init_cfg else []
    pretrained = [cfg for cfg in cfgs if cfg.get('type') in ('Pretrained', PretrainedInit)]
    if pretrained:
        others = [cfg for cfg in cfgs if cfg not in pretrained]
        yield ('init_cfg', others or None, (prefix,),
               ', '.join(str(cfg.get('checkpoint')) for cfg in pretrained))


class PoseGraphRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner`, strict where a mistake would otherwise
    end in a run that "succeeds" with a wrong answer.

    - Checkpoints (``load_from``, ``--resume``, tools/test.py) must fit the model, keys
      and shapes (:func:`check_state_dict`); fine-tuning from ``load_from`` may leave out
      the keys the config's ``load_skip_keys`` match, and only those.
    - The data of every loop must fit the model's classes (:func:`check_dataset_classes`).
    - A checkpoint under test (:attr:`tests_checkpoint`) must name its classes as the test
      data does (:func:`check_checkpoint_classes`).
    - A checkpoint hook's ``save_best`` must name a metric the validation reports
      (:func:`check_save_best`), checked when the validation loop is built, before training.

    And it reads no pretrained file (an RGB network's ImageNet weights, a ``Pretrained``
    ``init_cfg``) that the checkpoint to load replaces (``--resume``, ``load_from``):
    :meth:`_init_model_weights`.
    """

    #: Set by :func:`build_runner` for tools/test.py's runs: the checkpoint loaded is the
    #: one tested, so its classes are compared with the test data's.
    tests_checkpoint = False

    def load_checkpoint(self, filename: str, map_location: Union[str, torch.device] = 'cpu',
                        strict: bool = True,
                        revise_keys: Sequence[Tuple[str, str]] = ((r'^module.', ''),)) -> dict:
        checkpoint = _load_checkpoint(filename, map_location=map_location, logger=self.logger)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        state = checkpoint.get('state_dict', checkpoint)
        metadata = getattr(state, '_metadata', OrderedDict())
        for pattern, replacement in revise_keys:
            state = {re.sub(pattern, replacement, k): v for k, v in state.items()}
        skip = self._load_skip_keys()
        check_state_dict(model.state_dict(), state, filename, skip)
        if self.tests_checkpoint:
            check_checkpoint_classes(checkpoint, self.test_dataloader.dataset, filename)
        state = OrderedDict((k, v) for k, v in state.items()
                            if not any(re.search(pattern, k) for pattern in skip))
        state._metadata = metadata
        _load_checkpoint_to_model(model, {'state_dict': state}, strict=not skip,
                                  revise_keys=[])
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def _load_skip_keys(self) -> Tuple[str, ...]:
        """The patterns of the keys a checkpoint load leaves out: ``load_skip_keys`` when
        fine-tuning from ``load_from``, none when resuming."""
        return () if self._resume else tuple(self.cfg.get('load_skip_keys') or ())

    def _checkpoint_to_load(self) -> Optional[str]:
        """The checkpoint :meth:`load_or_resume` loads: the one to resume from (the work
        dir's last when none is named), else ``load_from``; ``None`` when there is none, or
        it is loaded already."""
        if self._has_loaded:
            return None
        if self._resume and self._load_from is None:
            return last_checkpoint(self.work_dir)
        return self._load_from

    def load_or_resume(self) -> None:
        """Resume from, or load, :meth:`_checkpoint_to_load`'s checkpoint: mmengine's
        decision, made in one place with the initialisation's
        (:meth:`_init_model_weights`). Where ``--resume`` finds nothing, tools/train.py
        says so; mmengine logged "Auto resumed from the latest checkpoint None"."""
        checkpoint = self._checkpoint_to_load()
        if checkpoint is None:
            return
        if self._resume:
            if self._load_from is None:
                self.logger.info(f'Auto resumed from the latest checkpoint {checkpoint}.')
            self.resume(checkpoint)
        else:
            self.load_checkpoint(checkpoint)
        self._has_loaded = True

    def _init_model_weights(self) -> None:
        """mmengine's initialisation, less the pretrained files that the checkpoint about to
        be loaded would replace (:func:`_pretrained_reads`): one is not read when no key it
        would fill is among the keys the load leaves out (:meth:`_load_skip_keys`), since
        the load fits every other key or stops. A run resumed on a machine that lacks the
        ImageNet file then starts, and none fetches it again."""
        checkpoint = self._checkpoint_to_load()
        model = self.model.module if is_model_wrapper(self.model) else self.model
        held = []
        if checkpoint is not None:
            keys, skip = list(model.state_dict()), self._load_skip_keys()
            for name, module in model.named_modules():
                for attribute, without, prefixes, source in _pretrained_reads(name, module):
                    if not any(re.search(pattern, key) for key in keys
                               if key.startswith(prefixes) for pattern in skip):
                        self.logger.info(f'{source} is not loaded: {checkpoint} replaces '
                                         f'every weight of {", ".join(prefixes) or "the model"}')
                        held.append((module, attribute, getattr(module, attribute)))
                        setattr(module, attribute, without)
        try:
            super()._init_model_weights()
        finally:
            for module, attribute, value in held:
                setattr(module, attribute, value)

    def fetch_load_from(self) -> None:
        """Download ``load_from`` now if it is a URL or a model-zoo name, and load it from
        the cached file: mmengine would fetch it once the datasets are loaded, and stop
        there with urllib's traceback when offline. The processes of a distributed run are
        in their group by now, so they wait for the first of each machine to download."""
        name = self._load_from
        # An mmcls:// file is a classifier, whose backbone the loader takes out of it; a
        # path stays as it is.
        if isinstance(name, str) and not name.startswith('mmcls://'):
            self._load_from = local_checkpoint(name)

    def prepare_test(self) -> None:
        """Build the test loop (its data and metric) now, not when testing starts, so that
        a test set that cannot load stops a train-and-test run before training. The random
        state is left as it was: training draws what it would have drawn."""
        if self._test_loop is not None:
            with preserved_random_state():
                self._test_loop = self.build_test_loop(self._test_loop)

    def build_train_loop(self, loop: Union[BaseLoop, dict]) -> BaseLoop:
        loop = super().build_train_loop(loop)
        check_dataset_classes(self.model, loop.dataloader.dataset, 'training')
        return loop

    def build_val_loop(self, loop: Union[BaseLoop, dict]) -> BaseLoop:
        loop = super().build_val_loop(loop)
        check_dataset_classes(self.model, loop.dataloader.dataset, 'validation')
        check_save_best(self.hooks, loop.evaluator, self.cfg.filename or 'the config')
        return loop

    def build_test_loop(self, loop: Union[BaseLoop, dict]) -> BaseLoop:
        loop = super().build_test_loop(loop)
        check_dataset_classes(self.model, loop.dataloader.dataset, 'test')
        return loop


def apply_train_flags(cfg: Config, amp: bool = False, auto_scale_lr: bool = False,
                      seed: Optional[int] = None, deterministic: bool = False,
                      validate: bool = True) -> None:
    """MMAction2's training switches, with its meaning: mixed precision (``amp``, needs a
    GPU), the learning rate scaled by the batch size against ``auto_scale_lr``'s
    ``base_batch_size``, the seed, deterministic algorithms, and no validation."""
    if amp:
        if not torch.cuda.is_available():
            raise IncompatibleError('--amp (automatic mixed precision) needs a GPU; this '
                                    'torch sees none: train without --amp')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise IncompatibleError('--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                                    'the config (the batch size its learning rate is for)')
        cfg.auto_scale_lr.enable = True
    if seed is not None:
        if not 0 <= seed < 2 ** 32:   # what numpy's seeding, which mmengine calls, takes
            raise ConfigError(f'the seed must be between 0 and 2**32 - 1, got {seed}')
        cfg.randomness.seed = seed
    if deterministic:
        cfg.randomness.deterministic = True
    if not validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        for hook in cfg.default_hooks.values():
            if hook.get('type') == 'CheckpointHook':
                hook.pop('save_best', None)  # nothing to rank checkpoints by


def apply_tensorboard(cfg: Config) -> bool:
    """Add mmengine's ``TensorboardVisBackend`` to the visualizer as the config's
    ``tensorboard`` asks (``'auto'``, the default: when the package is installed); returns
    whether TensorBoard logging is on."""
    wanted = cfg.get('tensorboard', 'auto')
    if wanted == 'auto':
        wanted = importlib.util.find_spec('tensorboard') is not None
    elif wanted and importlib.util.find_spec('tensorboard') is None:
        raise IncompatibleError('tensorboard=True but the tensorboard package is not '
                                "installed: pip install 'posegraph[tensorboard]'")
    visualizer = cfg.get('visualizer')
    if not wanted or visualizer is None:
        return False
    backends = list(visualizer.get('vis_backends') or [])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    visualizer['vis_backends'] = backends
    return True


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The last checkpoint a run saved in ``work_dir`` (mmengine's ``last_checkpoint``
    pointer), or ``None`` before the first."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        return f.read().strip() or None


def missing_checkpoint(path: str, role: str = '') -> FileNotFoundError:
    """The error for a checkpoint ``path`` that is no file, ``role`` appended to what it
    should have been; a work dir given for its checkpoint is named with its last one."""
    if osp.isdir(path):
        latest = last_checkpoint(path)
        return FileNotFoundError(f'{path}: a folder, not a checkpoint{role}'
                                 + (f'; its last checkpoint is {latest}' if latest else ''))
    return FileNotFoundError(f'{path}: no such checkpoint{role}')


def build_runner(config: Union[str, Config], work_dir: Optional[str] = None,
                 cfg_options: Optional[dict] = None, launcher: str = 'none',
                 resume: Optional[str] = None, checkpoint: Optional[str] = None,
                 test: bool = False, dump: Optional[str] = None, **train_flags) -> Runner:
    """An mmengine :class:`Runner` for training (``resume``) or testing (``checkpoint``).

    Args:
        config: the config file, or a :class:`Config` (copied: the runner's changes stay
            out of it).
        work_dir: overrides the config's; default ``work_dirs/<config name>``.
        cfg_options: a dict of config overrides. (default: ``None``)
        launcher: ``'none'`` or a distributed launcher (``'pytorch'`` for torchrun).
            (default: ``'none'``)
        resume: ``'auto'`` for the work dir's last checkpoint, or a checkpoint path.
            (default: ``None``)
        checkpoint: weights to test (implies ``test``). (default: ``None``)
        test: the runner will be tested: its accuracy metric draws the confusion matrix
            into the work dir, and its test loop is built at once
            (:meth:`PoseGraphRunner.prepare_test`). (default: ``False``)
        dump: for testing, a pickle file that receives every clip's scores. (default: ``None``)
        **train_flags: :func:`apply_train_flags`' switches.

    It also makes the process keep the memory its steps free
    (:func:`~posegraph.engine.keep_freed_memory`): training then no longer faults in its
    activations anew every step.
    """
    check_launcher(launcher)
    keep_freed_memory()
    register_checkpoint_loader()   # resume and load_from stay weights-only
    cfg = load_config(config, cfg_options)
    apply_train_flags(cfg, **train_flags)
    apply_tensorboard(cfg)
    cfg.launcher = launcher
    name = osp.splitext(osp.basename(cfg.filename or 'config'))[0]
    cfg.work_dir = work_dir or cfg.get('work_dir') or osp.join('work_dirs', name)
    make_folder(cfg.work_dir, 'the work dir')
    # mmengine names a run's logger and visualizer '<name>_<start second>' and reuses an
    # instance of that name: a second runner of a config started within the same second
    # would log into the first one's work dir. Later runners of a process get their own.
    built = next(_runners_built)
    if built > 1 and not cfg.get('experiment_name'):
        cfg.experiment_name = f'{name}-{built}'
    if not torch.cuda.is_available():
        env_cfg = cfg.get('env_cfg') or {}
        cfg.env_cfg = dict(env_cfg, dist_cfg=dict(env_cfg.get('dist_cfg') or {},
                                                  backend='gloo'))
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
            raise missing_checkpoint(resume, ' to resume from')
        cfg.resume, cfg.load_from = True, resume
    if checkpoint is not None:
        cfg.load_from = checkpoint
    # mmengine would find a missing file only when it loads it, with the path alone.
    load_from = cfg.get('load_from')
    if isinstance(load_from, str) and '://' not in load_from and not osp.isfile(load_from):
        raise missing_checkpoint(load_from, '' if checkpoint else ' (load_from)')
    if checkpoint is not None or test:
        evaluators = cfg.test_evaluator
        evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
        for evaluator in evaluators:
            if evaluator.get('type') == 'AccMetric':
                evaluator['out_dir'] = cfg.work_dir
        if dump:
            if not dump.endswith(('.pkl', '.pickle')):
                raise OutputPathError(f'{dump}: the scores are dumped as a pickle (.pkl)')
            make_folder_for(dump, 'the scores')
            evaluators.append(dict(type='DumpResults', out_file_path=dump))
        cfg.test_evaluator = evaluators
    runner = PoseGraphRunner.from_cfg(RunConfig.of(cfg))
    quiet_internal_notices(runner.logger)
    runner.fetch_load_from()
    runner.tests_checkpoint = checkpoint is not None
    if test and checkpoint is None:
        runner.prepare_test()
    return runner


def report_test_metrics(runner: Runner, metrics: Dict[str, float],
                        dump: Optional[str] = None) -> None:
    """Print a test run's accuracies and write them to ``test_metrics.json``."""
    out = osp.join(runner.work_dir, 'test_metrics.json')
    with atomic_open(out, 'w') as f:
        json.dump(metrics, f, indent=2)
    for key in ('top1', 'top5', 'mean_class_accuracy'):
        print(f'{key:>20s}: {100 * metrics[f"acc/{key}"]:.2f} %')
    print(f'metrics: {out}')
    print(f'confusion matrix: {osp.join(runner.work_dir, "confusion_matrix.png")}')
    if dump:
        print(f'scores: {dump}')


def show_predictions(dataset: BaseDataset, names: Sequence[str], scores: np.ndarray, out_dir: str,
                     max_clips: Optional[int] = None) -> int:
    """Draw every test clip with its predicted and true class into ``out_dir``
    (``FRAME_DIR.png``: the most confident person at six moments), as tools/test.py's
    ``--show-dir`` does. ``names`` and ``scores`` :math:`(N, C)` are a score dump's (see
    :func:`~posegraph.evaluation.fusion.load_scores`), in the dataset's order. Returns the
    number of figures written."""
    from posegraph.visualization import plot_skeleton_strips
    if len(names) != len(dataset):
        raise ValueError(f'{len(names)} predictions for {len(dataset)} clips')
    classes = dataset.metainfo.get('classes')

    def name(label):
        return classes[label] if classes is not None and 0 <= label < len(classes) else str(label)

    count = min(len(dataset), max_clips or len(dataset))
    for index in range(count):
        record = dataset.get_data_info(index)
        if names[index] != record['frame_dir']:
            raise ValueError(f"prediction {index} is for '{names[index]}', the dataset's clip "
                             f"is '{record['frame_dir']}'")
        predicted, label = int(scores[index].argmax()), int(record.get('label', -1))
        verdict = '' if label < 0 else (' (right)' if predicted == label else ' (wrong)')
        title = (f'predicted {name(predicted)} {100 * scores[index, predicted]:.0f} %, '
                 f'true {name(label)}{verdict}')
        plot_skeleton_strips([record], dataset.layout,
                             osp.join(out_dir, f'{record["frame_dir"]}.png'), titles=[title])
    return count
