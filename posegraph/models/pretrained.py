"""Loading downloaded ImageNet checkpoints (torchvision, timm) into posegraph's backbones."""
from collections import namedtuple

import torch
from mmengine.logging import print_log

from posegraph.io.checkpoint import load_checkpoint_file

LoadReport = namedtuple('LoadReport', 'missing unexpected mismatched adapted')


def _state_dict(path):
    checkpoint = load_checkpoint_file(path, map_location='cpu')
    state = checkpoint
    for key in ('state_dict', 'model'):  # mmengine / timm training checkpoints
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f'{path}: not a state dict or a checkpoint holding one')
    if state and all(key.startswith('module.') for key in state):
        state = {key[len('module.'):]: value for key, value in state.items()}
    return state


def load_pretrained(module, path, strict=False):
    """Load a torchvision / timm checkpoint into ``module`` (a backbone), weights-only.

    Keys are the checkpoint's own (``conv1.weight``, ``layer1.0.conv1.weight``,
    ``block1.rep.0.conv1.weight``, ``features.0.weight`` ...); ``module.`` prefixes and
    ``state_dict`` / ``model`` wrappers are removed. Two shape differences are resolved:

    * a convolution that takes a different number of input channels (the first layer of a
      flow stream: 2L channels instead of RGB's 3) gets the checkpoint's filters averaged
      over their input channels and repeated (cross-modality initialisation, as in TSN);
    * any other tensor whose shape differs (a classifier for another number of classes)
      is left as initialised and reported as mismatched.

    Returns a ``LoadReport(missing, unexpected, mismatched, adapted)`` of key lists, also
    logged. With ``strict=True`` any missing, unexpected or mismatched key is an error.
    """
    state = _state_dict(path)
    own = module.state_dict()
    loadable, mismatched, adapted = {}, [], []
    for key, value in state.items():
        if key not in own:
            continue
        target = own[key]
        if value.shape == target.shape:
            loadable[key] = value
        elif (value.dim() == 4 and target.dim() == 4 and value.shape[0] == target.shape[0]
              and value.shape[2:] == target.shape[2:]):
            loadable[key] = value.mean(1, keepdim=True).expand_as(target).clone()
            adapted.append(key)
        else:
            mismatched.append(key)
    result = module.load_state_dict(loadable, strict=False)
    unexpected = sorted(set(state) - set(own))
    missing = sorted(set(result.missing_keys) - set(mismatched))
    report = LoadReport(missing, unexpected, sorted(mismatched), adapted)
    print_log(f'{path}: loaded {len(loadable)} tensors into {type(module).__name__}; '
              f'adapted {adapted or "none"}, mismatched {report.mismatched or "none"}, '
              f'missing {len(missing)}, unexpected {len(unexpected)}', logger='current')
    if strict and (missing or unexpected or mismatched):
        raise KeyError(f'{path} does not match {type(module).__name__}: missing {missing[:5]}, '
                       f'unexpected {unexpected[:5]}, mismatched {report.mismatched[:5]}')
    return report
