"""Reading a config file and checking it before anything runs.

A mistake in a config stops the tools at once with one line that names the file, the key
and the problem, instead of a traceback from deep inside mmengine, or, for the test set's
pipeline, a traceback after the whole training run.
"""
import collections.abc
import difflib
import functools
import importlib.util
import inspect
import os.path as osp
import re
import traceback
import typing
import warnings
from typing import (
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import numpy as np
import torch
from mmengine.config import Config
from mmengine.hooks import CheckpointHook, EMAHook, Hook
from mmengine.model.weight_init import BaseInit
from mmengine.optim import BaseOptimWrapper, OptimWrapper, _ParamScheduler
from mmengine.registry import Registry
from mmengine.runner import (
    EpochBasedTrainLoop,
    IterBasedTrainLoop,
    LogProcessor,
    Runner,
    TestLoop,
    ValLoop,
)
from mmengine.utils.dl_utils import set_multi_processing
from mmengine.visualization import BaseVisBackend
from torch.nn.utils import clip_grad_norm_, clip_grad_value_
from torch.optim import Optimizer
from torch.utils.data import DataLoader

from posegraph import registry as posegraph_registry


class ConfigError(ValueError):
    """A config that cannot be read, or names a component or an argument that does not
    exist."""


# Top-level keys read by mmengine's Runner (its arguments, and what it looks up in its
# config) and by posegraph's tools, whether or not a config sets them.
RUNNER_KEYS = frozenset(
    [name for name in inspect.signature(Runner.__init__).parameters
     if name not in ('self', 'cfg')]
    + ['model_wrapper_cfg', 'sync_bn', 'find_unused_parameters', 'activation_checkpointing',
       'efficient_conv_bn_eval', 'compile', 'tensorboard', 'load_skip_keys'])

# The keys of a dataloader dict: mmengine's Runner takes these two off it and passes the
# rest to torch's DataLoader (the dataset, sampler and collate_fn built first).
DATALOADER_KEYS = frozenset(list(inspect.signature(DataLoader).parameters)
                            + ['num_batch_per_epoch', 'disable_subprocess_warning'])


# Dicts mmengine reads key by key instead of building a component from them (mmengine 0.10's
# Runner.setup_env, Runner.scale_lr, DefaultOptimWrapperConstructor): a key it does not read
# is ignored without a word, so that ``auto_scale_lr.enabel=True`` scales nothing.
READ_KEYS = {
    'env_cfg': ('cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'),
    'auto_scale_lr': ('enable', 'base_batch_size'),
    'optim_wrapper.paramwise_cfg': ('custom_keys', 'bias_lr_mult', 'bias_decay_mult',
                                    'norm_decay_mult', 'dwconv_decay_mult', 'flat_decay_mult',
                                    'bypass_duplicate', 'dcn_offset_lr_mult'),
}
# A paramwise_cfg.custom_keys entry: these, and the options of the optimizer's parameter
# groups (its arguments), which mmengine copies into the group.
CUSTOM_KEY_KEYS = ('lr_mult', 'decay_mult')
# clip_grad's ``type`` names no registered component: it picks the torch function that
# takes the rest of the dict (and the parameters).
CLIP_GRAD_FUNCTIONS = {'norm': clip_grad_norm_, 'value': clip_grad_value_}

# The packages mmengine's experiment-tracking backends import when they first log, once the
# run has started (TensorBoard's through torch.utils.tensorboard).
VIS_BACKEND_PACKAGES = {'WandbVisBackend': ('wandb',), 'MLflowVisBackend': ('mlflow',),
                        'ClearMLVisBackend': ('clearml',), 'NeptuneVisBackend': ('neptune',),
                        'DVCLiveVisBackend': ('pygit2', 'dvclive'), 'AimVisBackend': ('aim',),
                        'TensorboardVisBackend': ('tensorboard',)}

# Keys mmengine takes off a component's dict before building it.
_READ_BEFORE = ((Hook, ('priority',)), (_ParamScheduler, ('convert_to_iter_based',)),
                (BaseOptimWrapper, ('constructor', 'paramwise_cfg')),
                (BaseVisBackend, ('name',)), (BaseInit, ('override', 'name')))
# The __init__s whose ``**kwargs`` go to another function, less the arguments they fill
# themselves.
_KWARGS_GO_TO = {CheckpointHook.__init__: (Runner.save_checkpoint, ('filename', 'meta'))}


def _where(config: str, file: Optional[str], line: Optional[int]) -> str:
    """``config, line N``, or ``config: base.py, line N`` where the fault is in another file
    it reads."""
    place = config
    if file and not (osp.isfile(file) and osp.samefile(file, config)):
        place = f'{config}: {file}'
    return place if line is None else f'{place}, line {line}'


def _frame_local(error: BaseException, function: str, name: str) -> Optional[str]:
    """The innermost value of local ``name`` in a frame of ``function`` on ``error``'s
    traceback."""
    found = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_name == function and isinstance(frame.f_locals.get(name), str):
            found = frame.f_locals[name]
    return found


def read_config(path: str) -> Config:
    """:meth:`mmengine.config.Config.fromfile`, with a mistake in the file or its bases
    said as :class:`ConfigError` naming the file and the line.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        ConfigError: the file, or a ``_base_`` it names, does not parse, does not exist, or
            raises while it runs.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such config file')
    try:
        return Config.fromfile(path)
    except SyntaxError as e:
        # mmengine parses each file without its name: the file is its parser's argument.
        file = e.filename if e.filename and osp.isfile(e.filename) else \
            _frame_local(e, '_is_lazy_import', 'filename')
        raise ConfigError(f'{_where(path, file, e.lineno)}: {e.msg}') from e
    except FileNotFoundError as e:
        raise ConfigError(f'{path}: {e.filename}: no such file (a _base_ of the config, or '
                          'a file it reads)') from e
    except Exception as e:  # anything the config's own code raises while it runs
        modules = [frame for frame in traceback.extract_tb(e.__traceback__)
                   if frame.name == '<module>']
        file, line = (modules[-1].filename, modules[-1].lineno) if modules else (None, None)
        raise ConfigError(f'{_where(path, file, line)}: {type(e).__name__}: {e}') from e


def _registries() -> List[Registry]:
    return [value for value in vars(posegraph_registry).values()
            if isinstance(value, Registry) and value.scope == 'posegraph']


def _component(name: str, registries: List[Registry]) -> Optional[Callable]:
    """The class or function ``name`` stands for in any of posegraph's registries (or the
    mmengine registries above them)."""
    # The registered names first: Registry.get tries a name it lacks as a module to
    # import, which took most of the check's time.
    for registry in registries:
        while registry is not None:
            if name in registry.module_dict:
                return registry.module_dict[name]
            registry = registry.parent
    for registry in registries:   # scoped names ('mmengine.X'), import paths, and the rest
        found = registry.get(name)
        if found is not None:
            return found
    return None


def _named_component(node: object, registries: List[Registry]) -> Optional[Callable]:
    """The component a dict names by its string ``type``, if it names one."""
    if isinstance(node, dict) and isinstance(node.get('type'), str):
        return _component(node['type'], registries)
    return None


def _typed_dicts(node: object, path: str) -> Iterator[Tuple[str, dict]]:
    """Every dict with a ``type`` below ``node``, with its path (``a.b[2].c``)."""
    if isinstance(node, dict):
        if 'type' in node:
            yield path, node
        for key, value in node.items():
            if key != 'clip_grad':
                yield from _typed_dicts(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from _typed_dicts(value, f'{path}[{index}]')


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'a' or 'b'?)``: the names of ``choices`` nearest ``word``, or ``''``
    where none is near."""
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ''


@functools.lru_cache(maxsize=None)   # reading the source is most of the cost
def _passes_on(init: Callable, name: str) -> bool:
    """Whether ``init`` hands its ``**name`` on to ``super().__init__``."""
    try:
        source = inspect.getsource(init)
    except (OSError, TypeError):
        return False
    return re.search(rf'super\(\)\.__init__\([^)]*\*\*{name}\b', source) is not None


def _inits(component: Callable) -> List[Callable]:
    """A class's ``__init__`` and its bases' (most derived first), or the function."""
    if not inspect.isclass(component):
        return [component]
    return [cls.__dict__['__init__'] for cls in component.__mro__ if '__init__' in cls.__dict__]


def _arguments(component: Callable) -> Optional[List[str]]:
    """The keyword arguments ``component`` takes, or ``None`` where they cannot be listed.

    A class's ``**kwargs`` are followed up its bases while each ``__init__`` passes them on
    to ``super().__init__`` (a scheduler's to its parameter scheduler, a dataset's to
    mmengine's ``BaseDataset``); ``**kwargs`` kept or sent anywhere else cannot be listed.
    """
    names: List[str] = []
    for init in _inits(component):
        if init is object.__init__:  # a class without an __init__ of its own takes nothing
            return names
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return None
        names += [p.name for p in parameters if p.name != 'self' and p.name not in names and
                  p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                             inspect.Parameter.KEYWORD_ONLY)]
        rest = next((p.name for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD),
                    None)
        if rest is None:
            return names
        if init in _KWARGS_GO_TO:
            function, filled = _KWARGS_GO_TO[init]
            return names + [name for name in _arguments(function) or ()
                            if name not in names and name not in filled]
        if not _passes_on(init, rest):
            return None
    return None


def _holders(node: object, value: object, path: str = '') -> Iterator[str]:
    """The paths below ``node`` whose value equals ``value`` (of the same type)."""
    if type(node) is type(value) and node == value and path:
        yield path
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _holders(item, value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            yield from _holders(item, value, f'{path}.{index}')


def check_options(cfg: Config, options: Mapping[str, object],
                  also: Iterable[str] = ()) -> None:
    """Refuse an option (``--cfg-options KEY=VALUE``) whose first key nothing reads:
    neither mmengine's Runner nor posegraph (:data:`RUNNER_KEYS`, and ``also``).

    - A key the config does not have: merged, it would add a key nothing reads, and the
      run would go on without the change it was given for (``ann_fle=...`` training on
      the config's own data).
    - A variable of the config (``max_epochs = 30``): the file put its value where it is
      used when it was read, so changing it changes nothing (``max_epochs=2`` would still
      train 30 epochs). The keys that hold its value are named instead.

    Raises:
        ConfigError: naming the config, the option and the keys to set.
    """
    source = cfg.filename or 'the config'
    read = RUNNER_KEYS | set(also)
    for option in options:
        top = option.split('.')[0]
        if top not in cfg and top not in read:
            raise ConfigError(f"{source}: option {option}: the config has no '{top}', and "
                              f'nothing reads it{did_you_mean(top, sorted(set(cfg) | read))}')
        if top not in read:
            holders = list(_holders({key: cfg[key] for key in cfg if key in read}, cfg[top]))
            # Keys of the variable's name are where it was put; others may hold it by chance.
            named = [path for path in holders if path.rsplit('.', 1)[-1] == top]
            holders = named or holders
            listed = ', '.join(holders[:4]) + (f' and {len(holders) - 4} more'
                                               if len(holders) > 4 else '')
            raise ConfigError(
                f"{source}: option {option}: '{top}' is a variable of the config, already put "
                'where the config uses it when the file was read: changing it changes nothing'
                + (f'; set the keys that hold its value: {listed}' if holders else ''))
        _check_option_path(cfg, option, options[option], source)


def _check_option_path(cfg: Config, option: str, value: object, source: str) -> None:
    """Refuse an option whose path goes through a list by something other than one of its
    indices, or through a value that holds no keys, or that merges a dict into a list
    (mmengine's merge raised a KeyError or a TypeError from inside itself)."""
    node: object = dict(cfg.items())
    parts = option.split('.')
    for depth, part in enumerate(parts):
        where = '.'.join(parts[:depth])
        if isinstance(node, (list, tuple)):
            if not (part.isdigit() and int(part) < len(node)):
                raise ConfigError(f"{source}: option {option}: {where} is a list of "
                                  f'{len(node)}, indexed 0 to {len(node) - 1}, not {part!r}')
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                return   # a new key: check_config judges it
            node = node[part]
        else:
            raise ConfigError(f'{source}: option {option}: {where} is {node!r}, which has no '
                              f'{part!r}')
    if isinstance(node, (list, tuple)) and isinstance(value, dict) and \
            not value.get('_delete_') and not all(str(key).isdigit() for key in value):
        raise ConfigError(f'{source}: option {option}: the config holds a list there, and a '
                          "dict merges into a list by index: add _delete_=True to the dict "
                          'to replace the list, or give a list')


def _fits(value: object, hint: object) -> bool:
    """Whether a config value can stand where ``hint`` (a type hint) is asked for. Built-in
    scalars, ``None``, unions, sequences (a list or a tuple, not a string), dicts, literals
    and classes are judged; any other hint (a callable, ``Any``) lets the value pass."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return True
    if origin is Union:
        return any(_fits(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint in (bool, str):
        return isinstance(value, hint)
    if hint in (int, float):  # an int does for a float; a bool for neither
        return isinstance(value, (int, hint)) and not isinstance(value, bool)
    if hint in (list, tuple) or origin in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(map(_fits, value, args))
        return not args or all(_fits(item, args[0]) for item in value)
    if hint is dict or origin in (dict, collections.abc.Mapping):
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in args
    return isinstance(value, hint) if isinstance(hint, type) and origin is None else True


def _hints(component: Callable) -> Dict[str, Tuple[object, object]]:
    """The type hint and default of each argument that posegraph's own code declares for
    ``component`` (other packages' hints are theirs to keep precise)."""
    found: Dict[str, Tuple[object, object]] = {}
    for init in _inits(component):
        if not getattr(init, '__module__', '').startswith('posegraph.'):
            continue
        try:
            hints = typing.get_type_hints(init)
            parameters = inspect.signature(init).parameters.values()
        except (NameError, TypeError, ValueError):
            continue
        for parameter in parameters:
            if parameter.name in hints:
                found.setdefault(parameter.name, (hints[parameter.name], parameter.default))
    return found


def _said(hint: object) -> str:
    """A type hint as a user reads it: ``Optional[int]``, ``Sequence[float]``."""
    return hint.__name__ if isinstance(hint, type) else re.sub(r'\b[\w]+\.', '', str(hint))


def _refuse_unknown(where: str, node: dict, known: Sequence[str], refusal: str,
                    listing: str, read_before: Iterable[str] = ()) -> None:
    for key in node:
        if key not in known and key not in read_before:
            raise ConfigError(f"{where}: {refusal} '{key}'{did_you_mean(key, list(known))}; "
                              f"{listing} {', '.join(known)}")


def _read_before(component: Callable) -> Tuple[str, ...]:
    keys = ('type', '_scope_')
    if inspect.isclass(component):
        for base, read in _READ_BEFORE:
            if issubclass(component, base):
                keys += read
    return keys


def _built_without_type(cfg: dict, source: str
                        ) -> Iterator[Tuple[str, dict, Callable, Tuple[str, ...]]]:
    """The dicts mmengine's Runner builds into a component of its own choice where they
    name no ``type``: their path, the dict, the component and the keys the Runner reads
    itself."""
    train = cfg.get('train_cfg')
    if isinstance(train, dict) and 'type' not in train:
        if 'by_epoch' not in train:
            raise ConfigError(f"{source}: train_cfg names neither a type nor "
                              "by_epoch (e.g. type='EpochBasedTrainLoop', or by_epoch=True)")
        yield 'train_cfg', train, \
            EpochBasedTrainLoop if train['by_epoch'] else IterBasedTrainLoop, ('by_epoch',)
    for key, component in (('val_cfg', ValLoop), ('test_cfg', TestLoop),
                           ('log_processor', LogProcessor)):
        if isinstance(cfg.get(key), dict) and 'type' not in cfg[key]:
            yield key, cfg[key], component, ()
    if isinstance(cfg.get('randomness'), dict):
        yield 'randomness', cfg['randomness'], Runner.set_randomness, ()
    mp_cfg = (cfg.get('env_cfg') or {}).get('mp_cfg')
    if isinstance(mp_cfg, dict):
        yield 'env_cfg.mp_cfg', mp_cfg, set_multi_processing, ()
    wrapper = cfg.get('optim_wrapper')
    if isinstance(wrapper, dict) and 'type' not in wrapper and 'optimizer' in wrapper:
        yield 'optim_wrapper', wrapper, OptimWrapper, _read_before(OptimWrapper)


def _check_optim_wrapper(source: str, wrapper: dict, registries: List[Registry]) -> None:
    """clip_grad, and paramwise_cfg's custom_keys groups: dicts that the optimizer wrapper
    and mmengine's default optimizer constructor read themselves."""
    clip = wrapper.get('clip_grad')
    if isinstance(clip, dict):
        kind = clip.get('type', 'norm')
        function = CLIP_GRAD_FUNCTIONS.get(kind)
        if function is None:
            raise ConfigError(f"{source}: optim_wrapper.clip_grad.type: '{kind}' is neither "
                              "'norm' (the default) nor 'value'")
        _refuse_unknown(f'{source}: optim_wrapper.clip_grad', clip,
                        [name for name in _arguments(function) if name != 'parameters'],
                        f'{function.__name__} takes no argument', 'it takes', ('type',))
    paramwise = wrapper.get('paramwise_cfg')   # its own keys: READ_KEYS
    if not isinstance(paramwise, dict):
        return
    optimizer = _named_component(wrapper.get('optimizer'), registries)
    options = _arguments(optimizer) if optimizer is not None else None
    if options is None:
        return
    options = list(CUSTOM_KEY_KEYS) + [name for name in options if name != 'params']
    for pattern, group in (paramwise.get('custom_keys') or {}).items():
        if isinstance(group, dict):
            _refuse_unknown(f'{source}: optim_wrapper.paramwise_cfg.custom_keys.{pattern}',
                            group, options, 'a parameter group takes no', 'it takes')


def _refused(where: str, builder: str, component: Callable, *args: object,
             **kwargs: object) -> object:
    """``component(*args, **kwargs)``, which checks its own values; a ValueError,
    TypeError or AssertionError it raises becomes a ConfigError at ``where``."""
    try:
        with warnings.catch_warnings():   # the Runner's own build warns, once
            warnings.simplefilter('ignore')
            return component(*args, **kwargs)
    except (ValueError, TypeError, AssertionError) as error:   # mmengine asserts some
        raise ConfigError(f'{where}: {builder} refuses it: {error}') from None


def _check_averaged_model(where: str, arguments: dict, registries: List[Registry]) -> None:
    """EMAHook's ``**kwargs`` build its averaging model (``ema_type``) when training starts:
    their names and values are checked on that model around a one-weight module."""
    own = inspect.signature(EMAHook.__init__).parameters
    model = _component(arguments.get('ema_type', own['ema_type'].default), registries)
    if not inspect.isclass(model):
        raise ConfigError(f"{where}.ema_type: no averaging model is called "
                          f"'{arguments.get('ema_type')}'")
    averaging = {key: value for key, value in arguments.items() if key not in own}
    takes = [name for name in _arguments(model) or () if name != 'model']
    _refuse_unknown(where, averaging, takes, f'{model.__name__} (ema_type) takes no argument',
                    'it takes')
    _refused(where, model.__name__, model, torch.nn.Linear(1, 1), **averaging)


def _check_values(source: str, cfg: dict, registries: List[Registry],
                  default_constructor: bool) -> None:
    """Let torch's optimizer, mmengine's parameter schedulers and hooks, torch's DataLoader
    and numpy's seeding judge the config's values, on a one-number parameter and a one-item
    dataset, so that ``lr=-1``, ``batch_size=0``, a logger's ``interval=0`` or
    ``seed='abc'`` stop here, not in a traceback from the Runner's build."""
    wrapper = cfg.get('optim_wrapper')
    optimizer = wrapper.get('optimizer') if isinstance(wrapper, dict) else None
    kind = _named_component(optimizer, registries)
    if default_constructor and inspect.isclass(kind) and issubclass(kind, Optimizer):
        arguments = {key: value for key, value in optimizer.items()
                     if key not in ('type', '_scope_')}
        probe = _refused(f'{source}: optim_wrapper.optimizer', kind.__name__, kind,
                         [torch.nn.Parameter(torch.zeros(1))], **arguments)
        schedulers = cfg.get('param_scheduler')
        schedulers = [schedulers] if isinstance(schedulers, dict) else schedulers or []
        for index, scheduler in enumerate(schedulers):
            kind = _named_component(scheduler, registries)
            if not (inspect.isclass(kind) and issubclass(kind, _ParamScheduler)):
                continue
            # Converted to iterations, begin, end and periods are multiplied by the epoch's
            # length, which keeps them valid or invalid: built in epochs here.
            arguments = {key: value for key, value in scheduler.items()
                         if key not in ('type', '_scope_', 'convert_to_iter_based')}
            where = 'param_scheduler' + (f'[{index}]' if isinstance(
                cfg['param_scheduler'], list) else '')
            _refused(f'{source}: {where}', kind.__name__, kind, probe, **arguments)
    default_hooks = cfg.get('default_hooks')
    hooks = [(f'default_hooks.{key}', node) for key, node in default_hooks.items()] \
        if isinstance(default_hooks, dict) else []
    hooks += [(f'custom_hooks[{index}]', node)
              for index, node in enumerate(cfg.get('custom_hooks') or [])]
    for where, node in hooks:
        kind = _named_component(node, registries)
        # Only the hooks known to do nothing but keep their arguments when built: another
        # package's may open a file or a connection.
        if inspect.isclass(kind) and kind.__module__.startswith(('mmengine.', 'posegraph.')):
            arguments = {key: value for key, value in node.items()
                         if key not in ('type', '_scope_', 'priority')}
            _refused(f'{source}: {where}', kind.__name__, kind, **arguments)
            if issubclass(kind, EMAHook):
                _check_averaged_model(f'{source}: {where}', arguments, registries)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        node = cfg.get(loader)
        if not isinstance(node, dict):
            continue
        # What mmengine's Runner.build_dataloader takes off the dict before DataLoader sees
        # the rest; a batch sampler takes the batch size.
        batched = node.get('batch_sampler') is not None
        taken = {'dataset', 'sampler', 'batch_sampler', 'collate_fn', 'worker_init_fn',
                 'num_batch_per_epoch', 'disable_subprocess_warning'} | \
            ({'batch_size'} if batched else set())
        arguments = {key: value for key, value in node.items() if key not in taken}
        _refused(f'{source}: {loader}', "torch's DataLoader", DataLoader, [0],
                 sampler=None if batched else [0], batch_sampler=[[0]] if batched else None,
                 **arguments)
    randomness = cfg.get('randomness')
    seed = randomness.get('seed') if isinstance(randomness, dict) else None
    if seed is not None:
        _refused(f'{source}: randomness.seed={seed!r}', "numpy's seeding",
                 np.random.RandomState, seed)


def check_config(cfg: Config) -> None:
    """Refuse a config that cannot build, or that holds a key nothing reads, before
    anything is built.

    The config must have a ``model``; its dataloaders may hold only what mmengine's Runner
    and torch's DataLoader take (:data:`DATALOADER_KEYS`); every dict in it with a string
    ``type`` must name a component of posegraph's registries (or of mmengine's, which they
    extend). Every other key of a component's dict must be an argument of that component
    (or of the bases its ``**kwargs`` go to), or a key mmengine reads before building it (a
    hook's ``priority``...); the same holds for the dicts the Runner builds without a
    ``type`` (``train_cfg``, ``randomness``...), for ``optim_wrapper.clip_grad``, and for
    the dicts mmengine reads key by key (:data:`READ_KEYS`), where a misspelt key would
    change nothing without a word. Values must fit posegraph's type hints; the optimizer,
    the parameter schedulers, mmengine's and posegraph's hooks, the dataloaders and the seed
    are tried on their own components (on a one-number parameter and a one-item dataset),
    which judge theirs; an experiment tracker's package must be installed. The test set's
    pipeline is checked as well as the training set's, so a mistake there stops the run
    before training, not after it.

    Raises:
        ConfigError: naming the config file, the key's path (``model.network``,
            ``test_dataloader.dataset.pipeline[2]``), the problem and the nearest names.
        ForeignNameError: a component named as MMAction2 names it, with posegraph's name.
    """
    source = cfg.filename or 'the config'
    if 'model' not in cfg:
        raise ConfigError(f'{source}: no model in the config (a config needs model=dict(...), '
                          "or a _base_ that has one, e.g. configs/_base_/models/pan.py)")
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for key in cfg.get(loader) or {}:
            if key not in DATALOADER_KEYS:
                raise ConfigError(f"{source}: {loader}: a dataloader takes no '{key}'"
                                  f'{did_you_mean(key, sorted(DATALOADER_KEYS))}')
    registries = _registries()
    config = cfg.to_dict()
    # mmengine's loops take 0 without a word: no epoch trained, or a ZeroDivisionError
    # after the first epoch.
    train = config.get('train_cfg') if isinstance(config.get('train_cfg'), dict) else {}
    for key in ('max_epochs', 'max_iters', 'val_interval'):
        value = train.get(key)
        if value is not None and (type(value) is not int or value < 1):
            raise ConfigError(f'{source}: train_cfg.{key} must be a positive integer, not '
                              f'{value!r}')
    wrapper = config.get('optim_wrapper')
    # Another constructor may read other keys of the optimizer wrapper's dicts.
    default_constructor = not isinstance(wrapper, dict) or wrapper.get(
        'constructor', 'DefaultOptimWrapperConstructor') == 'DefaultOptimWrapperConstructor'
    for key, read in READ_KEYS.items():
        node = config
        for part in key.split('.'):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and (default_constructor or not key.startswith('optim')):
            _refuse_unknown(f'{source}: {key}', node, read, 'mmengine reads no key', 'it reads')
    if isinstance(wrapper, dict) and default_constructor:
        _check_optim_wrapper(source, wrapper, registries)
    components = []
    for path, node in _typed_dicts(config, ''):
        name = node['type']
        component = _component(name, registries) if isinstance(name, str) else name
        if component is None:
            names = sorted({key for registry in registries
                            for key in registry.module_dict} |
                           {key for registry in registries if registry.parent
                            for key in registry.parent.module_dict})
            raise ConfigError(f"{source}: {path}.type: no component is called '{name}'"
                              f'{did_you_mean(name, names)}')
        missing = [package for package in VIS_BACKEND_PACKAGES.get(
            getattr(component, '__name__', None), ()) if not importlib.util.find_spec(package)]
        if missing:
            raise ConfigError(f"{source}: {path}: {component.__name__} needs "
                              f"{' and '.join(missing)}, not installed: pip install "
                              f"{' '.join(missing)}")
        components.append((path, node, component, _read_before(component)))
    components += list(_built_without_type(config, source))
    for path, node, component, read_before in components:
        arguments = _arguments(component)
        if arguments is None or (path.startswith('optim_wrapper') and not default_constructor):
            continue
        title = getattr(component, '__qualname__', getattr(component, '__name__', path))
        _refuse_unknown(f'{source}: {path}', node, arguments, f'{title} takes no argument',
                        'it takes', read_before)
        for key, (hint, default) in _hints(component).items():
            if key in node and node[key] != default and not _fits(node[key], hint):
                raise ConfigError(f'{source}: {path}.{key}: {title} takes {_said(hint)}, '
                                  f'not {node[key]!r}')
    _check_values(source, config, registries, default_constructor)
