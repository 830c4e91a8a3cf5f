"""Image backbones written with the parameter names of the public checkpoints.

* :class:`Xception` - timm's ``legacy_xception`` (Cadene's port of Chollet's Keras weights),
* :class:`ResNet` - torchvision's ``resnet50`` (v1.5, stride in the 3x3 convolution),
* :class:`VGG` - torchvision's ``vgg16``.

With their default arguments the state-dict keys and shapes are exactly those of the
downloaded checkpoints; ``width`` (and, where given, depth) scale a network down for
small experiments, keeping the names. Each is a :class:`Backbone` (``forward_features``,
``forward_head``, ``pretrained_cfg``); :func:`posegraph.models.load_pretrained` loads the
checkpoints.
"""
from .base import Backbone
from .resnet import ResNet, resnet50
from .scaling import scaled
from .vgg import VGG, vgg16
from .xception import Xception, xception

__all__ = ['Backbone', 'ResNet', 'resnet50', 'VGG', 'vgg16', 'Xception', 'xception', 'scaled']

