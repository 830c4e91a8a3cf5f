"""Loading downloaded ImageNet checkpoints (torchvision, timm) into posegraph's backbones.

Each backbone class carries a ``pretrained_cfg`` (timm's ``default_cfgs``): where the
published file comes from, the input normalisation it was trained with, and the names of
its first convolution and its classifier, the only two places where a checkpoint may
differ from the network it is loaded into.
"""
from collections import namedtuple
from typing import List, Sequence

from mmengine.logging import print_log
from torch import nn

from posegraph.io.checkpoint import CheckpointError, checkpoint_state_dict, load_checkpoint

LoadReport = namedtuple('LoadReport', 'missing unexpected mismatched adapted')


def _of(module: str, keys) -> List[str]:
    return sorted(key for key in keys if key.rsplit('.', 1)[0] == module)


def load_pretrained(module: nn.Module, path: str, strict: bool = True,
                    added: Sequence[str] = ()) -> LoadReport:
    """Load a torchvision / timm checkpoint into ``module``, a
    :class:`~posegraph.models.backbones.Backbone` (ResNet, VGG, Xception), weights-only.
    ``path`` is a file, an ``http(s)://`` URL or a model-zoo name such as MMAction2's
    ``torchvision://resnet50`` (:func:`~posegraph.io.checkpoint.load_checkpoint`: a remote
    file is downloaded once into torch.hub's cache).

    ``module.`` prefixes and ``state_dict`` / ``model`` wrappers are removed. Guided by the
    backbone's ``pretrained_cfg``, these differences are resolved and reported:

    * a **first convolution** that takes another number of input channels (a flow stream's
      2L channels instead of RGB's 3) gets the checkpoint's filters averaged over their
      input channels and repeated (cross-modality initialisation, as in TSN);
    * a **classifier** of another size (or none) is left as initialised;
    * modules a model **added** inside the backbone (``added``: their attribute names, e.g.
      SMNet's ``inner`` excitation blocks) are not in the file and stay as initialised.

    Any other difference means the file is not this backbone's: with ``strict`` (the
    default) it is an error naming the keys, otherwise they are reported and skipped.

    Returns a ``LoadReport(missing, unexpected, mismatched, adapted)`` of key lists, also
    logged; ``mismatched`` lists the classifier's keys left as initialised.

    Raises:
        CheckpointError: ``path`` is not this backbone's checkpoint (with ``strict``), or
            not a checkpoint the weights-only loader reads, or a model-zoo name unknown.
        DownloadError: a remote checkpoint that cannot be downloaded.
    """
    cfg = getattr(module, 'pretrained_cfg', None)
    if not cfg:
        raise TypeError(f'{type(module).__name__} has no pretrained_cfg: load_pretrained takes '
                        f'a posegraph backbone (ResNet, VGG, Xception)')
    state = checkpoint_state_dict(load_checkpoint(path, map_location='cpu'), path)
    own = module.state_dict()
    first_conv = f"{cfg['first_conv']}.weight"
    classifier = set(_of(cfg['classifier'], own) + _of(cfg['classifier'], state))
    loadable, mismatched, adapted = {}, [], []
    for key, value in state.items():
        target = own.get(key)
        if target is None:
            continue
        if value.shape == target.shape:
            loadable[key] = value
        elif key == first_conv and value.shape[:1] + value.shape[2:] == \
                target.shape[:1] + target.shape[2:]:
            loadable[key] = value.mean(1, keepdim=True).expand_as(target).clone()
            adapted.append(key)
        else:
            mismatched.append(key)
    module.load_state_dict(loadable, strict=False)
    new = {key for key in own if set(key.split('.')[:-1]) & set(added)}
    missing = sorted(set(own) - set(loadable) - set(mismatched) - classifier - new)
    unexpected = sorted(set(state) - set(own) - classifier)
    wrong = sorted(set(mismatched) - classifier)
    report = LoadReport(missing, unexpected, sorted(mismatched), adapted)
    print_log(f'{path}: loaded {len(loadable)} tensors into {type(module).__name__}; '
              f'first convolution adapted: {adapted or "no"}, classifier left as initialised: '
              f'{sorted(set(mismatched) & classifier) or "no"}', logger='current')
    if missing or unexpected or wrong:
        message = (f'{path} is not a {type(module).__name__} checkpoint: missing '
                   f'{missing[:5]}, unexpected {unexpected[:5]}, mismatched {wrong[:5]} '
                   f'({len(missing)}, {len(unexpected)}, {len(wrong)} in all)')
        if strict:
            raise CheckpointError(message)
        print_log(message, logger='current', level=30)
    return report
