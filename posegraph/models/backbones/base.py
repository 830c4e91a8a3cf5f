"""What every backbone is (timm's interface): ``forward_features`` to the last feature
map, ``forward_head`` from it to pooled features or logits, and ``pretrained_cfg``, the
metadata of its published checkpoint that :func:`posegraph.models.load_pretrained` follows."""
from typing import Dict, Tuple

from torch import Tensor, nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INCEPTION_MEAN = INCEPTION_STD = (0.5, 0.5, 0.5)


def pretrained_cfg(url: str, first_conv: str, classifier: str,
                   mean: Tuple[float, ...] = IMAGENET_MEAN, std: Tuple[float, ...] = IMAGENET_STD,
                   input_size: Tuple[int, int, int] = (3, 224, 224)) -> Dict:
    """One backbone variant's metadata: the checkpoint's ``url`` (its file name is the last
    part), ``mean`` / ``std`` on the 0-1 scale, ``input_size`` ``(C, H, W)`` and the module
    names of the ``first_conv`` and the ``classifier``."""
    return dict(url=url, file=url.rsplit('/', 1)[-1], mean=mean, std=std, input_size=input_size,
                first_conv=first_conv, classifier=classifier)


class Backbone(nn.Module):
    """Base of the image backbones: :meth:`forward` is :meth:`forward_head` of
    :meth:`forward_features`; the default head is global average pooling and the linear
    classifier ``fc`` (set to ``None`` for none), as in ResNet and Xception."""

    pretrained_cfg: Dict = {}

    def forward_features(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def forward_head(self, x: Tensor, pre_logits: bool = False) -> Tensor:
        """Pooled features ``(N, num_features)`` (``pre_logits``) or the logits."""
        x = x.mean((2, 3))
        return x if pre_logits or self.fc is None else self.fc(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_head(self.forward_features(x))
