"""Reading a config file and checking it before anything runs.

A mistake in a config stops the tools at once with one line that names the file, the key
and the problem, instead of a traceback from deep inside mmengine, or, for the test set's
pipeline, a traceback after the whole training run.
"""
import difflib
import inspect
import os.path as osp
import traceback
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Tuple

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import Registry
from mmengine.runner import Runner
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
    for registry in registries:
        found = registry.get(name)
        if found is not None:
            return found
    return None


def _typed_dicts(node: object, path: str) -> Iterator[Tuple[str, dict]]:
    """Every dict with a ``type`` below ``node``, with its path (``a.b[2].c``)."""
    if isinstance(node, dict):
        if 'type' in node:
            yield path, node
        for key, value in node.items():
            yield from _typed_dicts(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from _typed_dicts(value, f'{path}[{index}]')


def _suggest(word: str, choices: List[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ''


def _arguments(component: Callable) -> Optional[List[str]]:
    """The keyword arguments posegraph's ``component`` takes, or ``None`` where they cannot
    be listed: another package's component (its config keys may be read before it is
    built), or one that takes ``**kwargs``."""
    if not getattr(component, '__module__', '').startswith('posegraph.'):
        return None
    try:
        parameters = inspect.signature(component).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]


def check_options(cfg: Config, options: Mapping[str, object],
                  also: Iterable[str] = ()) -> None:
    """Refuse an option (``--cfg-options KEY=VALUE``) whose first key is neither in the
    config nor read by mmengine's Runner or posegraph (:data:`RUNNER_KEYS`, and ``also``):
    merged, it would add a key nothing reads, and the run would go on without the change
    it was given for (``ann_fle=...`` training on the config's own data).

    Raises:
        ConfigError: naming the config, the option and the nearest keys.
    """
    known = set(cfg.keys()) | RUNNER_KEYS | set(also)
    for option in options:
        top = option.split('.')[0]
        if top not in known:
            raise ConfigError(f"{cfg.filename or 'the config'}: option {option}: the config "
                              f"has no '{top}', and nothing reads it"
                              f'{_suggest(top, sorted(known))}')


def check_config(cfg: Config) -> None:
    """Refuse a config that cannot build, before anything is built.

    The config must have a ``model``; its dataloaders may hold only what mmengine's Runner
    and torch's DataLoader take (:data:`DATALOADER_KEYS`); every dict in it with a string
    ``type`` must name a component of posegraph's registries (or of mmengine's, which they
    extend), and every other key of a posegraph component's dict must be an argument of
    that component (unless it takes ``**kwargs``). The test set's pipeline is checked as well as the
    training set's, so a mistake there stops the run before training, not after it.

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
                                  f'{_suggest(key, sorted(DATALOADER_KEYS))}')
    registries = _registries()
    for path, node in _typed_dicts(cfg.to_dict(), ''):
        name = node['type']
        component = _component(name, registries) if isinstance(name, str) else name
        if component is None:
            names = sorted({key for registry in registries
                            for key in registry.module_dict} |
                           {key for registry in registries if registry.parent
                            for key in registry.parent.module_dict})
            raise ConfigError(f"{source}: {path}.type: no component is called '{name}'"
                              f'{_suggest(name, names)}')
        arguments = _arguments(component)
        if arguments is None:
            continue
        # The Runner takes a hook's priority off its dict before building it.
        read_before = ('type', '_scope_', 'priority') if inspect.isclass(component) and \
            issubclass(component, Hook) else ('type', '_scope_')
        for key in node:
            if key not in read_before and key not in arguments:
                title = getattr(component, '__name__', name)
                raise ConfigError(f"{source}: {path}: {title} takes no argument '{key}'"
                                  f"{_suggest(key, arguments)}; it takes "
                                  f"{', '.join(arguments)}")
