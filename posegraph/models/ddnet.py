r"""DD-Net (Yang et al., "Make Skeleton-based Action Recognition Model Smaller, Faster and
Better", 2019): a small offline skeleton classifier of 1-D convolutions over frames, the
baseline the JHMDB figures are compared with, and a teacher unlike PAN for distillation
(:class:`~posegraph.models.StreamEnsemble`).

Its input per person is two kinds of feature: the **joint collection distances** (JCD, the
upper triangle of each frame's joint-to-joint distance matrix, scaled by the clip's mean
distance) and the **global motion** at two scales (frame differences of the joints at the
full frame rate and at half of it, resampled back to the frames they came from). Each goes
through an embedding of 1-D convolutions, the three are concatenated and classified by a
stack of 1-D convolutions, global max pooling over frames and two dense layers. Where the
paper leaves a detail open (the JCD's scaling, the motion's resampling, where channel
dropout goes), the network follows its authors' code (``fandulu/DD-Net``, JHMDB).
"""
from typing import Dict, Tuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn.reset import ResetParameters
from posegraph.registry import MODELS
from posegraph.skeleton import LayoutLike, get_layout
from .pan import masked_mean


def joint_collection_distances(joints: Tensor) -> Tensor:
    r"""JCD of joints :math:`(B, T, V, C)`: the :math:`V(V-1)/2` distances :math:`d` between
    joint pairs :math:`(i < j)` of each frame, as :math:`(d - \bar d) / \bar d` with
    :math:`\bar d` the mean over the clip's frames and pairs (the authors' ``norm_scale``);
    :math:`(B, T, V(V-1)/2)`."""
    rows, cols = torch.triu_indices(joints.shape[-2], joints.shape[-2], 1, device=joints.device)
    distance = (joints[..., rows, :] - joints[..., cols, :]).square().sum(-1).sqrt()
    mean = distance.mean((-2, -1), keepdim=True)
    # The epsilon keeps an absent person (every joint at 0) finite.
    return (distance - mean) / (mean + 1e-6)


def joint_motion(joints: Tensor) -> Tensor:
    r"""Frame differences of joints :math:`(B, T, D)`, resampled linearly from :math:`T - 1`
    back to :math:`T` frames (half-pixel centres, as the authors' ``tf.image.resize``);
    :math:`(B, D, T)`, channels first for the convolutions."""
    difference = torch.diff(joints, dim=1).transpose(1, 2)
    return F.interpolate(difference, size=joints.shape[1], mode='linear', align_corners=False)


def _block(c_in, c_out, kernel):
    return nn.Sequential(nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm1d(c_out), nn.LeakyReLU(0.2))


def _embed(c_in, filters, pool):
    # Channel dropout (Keras' SpatialDropout1D) after each convolution but the last, and at
    # the end, where the authors' code puts it.
    layers = [_block(c_in, 2 * filters, 1), nn.Dropout1d(0.1), _block(2 * filters, filters, 3),
              nn.Dropout1d(0.1), _block(filters, filters, 1)]
    return nn.Sequential(*layers, *([nn.MaxPool1d(2)] if pool else []), nn.Dropout1d(0.1))


@MODELS.register_module()
class DDNet(ResetParameters, nn.Module):
    r"""DD-Net on skeleton input.

    The joints are the first ``coords`` channels of the input (the ``joint`` stream of
    :class:`~posegraph.datasets.transforms.FormatStreams`); the network makes its own
    features from them (:meth:`features`). Every person is classified alone; the clip's
    logits are the mean over the persons present. DD-Net has no online mode: it needs the
    whole clip.

    Args:
        layout: the skeleton layout of the input.
        in_channels: channels ``C`` of the input, the last being the joint confidence.
        num_classes: classes to predict.
        filters: width of the embeddings (the trunk grows to 8x it); 64 is the paper's
            DD-Net (1.8 M parameters on 15 joints), 16 its small variant. (default: ``64``)
        coords: coordinates per joint. (default: ``2``)
        label_smoothing: of the cross-entropy loss. (default: ``0.0``)

    Shapes:
        - input: :math:`(N, M, T, V, C)` (see :mod:`posegraph.datasets`), :math:`T` a
          multiple of 8 for the three poolings to keep every frame
        - output: a dict with ``logits`` :math:`(N, classes)`
    """

    def __init__(self, layout: LayoutLike, in_channels: int, num_classes: int,
                 filters: int = 64, coords: int = 2, label_smoothing: float = 0.0):
        super().__init__()
        layout = get_layout(layout)
        self.layout, self.num_joints = layout.name, layout.num_joints
        self.in_channels, self.num_classes = in_channels, num_classes
        self.filters, self.coords = filters, coords
        self.label_smoothing = label_smoothing
        v = self.num_joints
        self.jcd_embed = _embed(v * (v - 1) // 2, filters, pool=True)
        self.slow_embed = _embed(coords * v, filters, pool=True)
        self.fast_embed = _embed(coords * v, filters, pool=False)
        stages = []
        for c_in, c_out, pool in ((3 * filters, 2 * filters, True),
                                  (2 * filters, 4 * filters, True),
                                  (4 * filters, 8 * filters, False)):
            stages += [_block(c_in, c_out, 3), _block(c_out, c_out, 3)]
            stages += [nn.MaxPool1d(2), nn.Dropout1d(0.1)] if pool else [nn.Dropout1d(0.1)]
        self.trunk = nn.Sequential(*stages)
        self.head = nn.Sequential(
            nn.Linear(8 * filters, 128, bias=False), nn.BatchNorm1d(128), nn.LeakyReLU(0.2),
            nn.Dropout(0.5), nn.Linear(128, 128, bias=False), nn.BatchNorm1d(128),
            nn.LeakyReLU(0.2), nn.Dropout(0.5), nn.Linear(128, num_classes))

    def features(self, joints: Tensor) -> Tuple[Tensor, Tensor]:
        """``(jcd (B, T, V(V-1)/2), joints (B, T, V C))`` of joints :math:`(B, T, V, C)`."""
        return joint_collection_distances(joints), joints.flatten(2)

    def classify(self, jcd: Tensor, joints: Tensor) -> Tensor:
        r"""Logits :math:`(B, classes)` from :meth:`features`' two tensors."""
        x = torch.cat([self.jcd_embed(jcd.transpose(1, 2)),
                       self.slow_embed(joint_motion(joints)),
                       self.fast_embed(joint_motion(joints[:, ::2]))], dim=1)
        return self.head(self.trunk(x).amax(-1))

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        n, m, t, v, c = x.shape
        if v != self.num_joints or c != self.in_channels:
            raise ValueError(f'{self.layout} DD-Net expects (N, M, T, {self.num_joints}, '
                             f'{self.in_channels}) inputs, got {tuple(x.shape)}')
        if self.training and n * m < 2:
            # The head's batch norm cannot normalise one sample: say why, not PyTorch's words.
            raise ValueError('DD-Net trains on batches of at least 2 clips (its dense layers '
                             'are batch-normalised): a last batch of 1 is dropped with the '
                             "train dataloader's drop_last=True")
        joints = x[..., :self.coords].reshape(n * m, t, v, self.coords)
        logits = self.classify(*self.features(joints)).reshape(n, m, -1)
        # Persons with no visible joint take no part in the clip's average.
        present = (x[..., -1] > 0).flatten(2).any(-1)
        return {'logits': masked_mean(logits, present, dim=1)}

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        return {'loss_cls': F.cross_entropy(outputs['logits'], labels,
                                            label_smoothing=self.label_smoothing)}

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(layout={self.layout!r}, in_channels={self.in_channels}, '
                f'num_classes={self.num_classes}, filters={self.filters})')
