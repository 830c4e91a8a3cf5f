"""DD-Net (Yang et al., "Make Skeleton-based Action Recognition Model Smaller, Faster and
Better", 2019), written from the paper as a reference for the benchmarks: the baseline the
JHMDB figures are compared with, in the same run.

The network is the package's (:class:`posegraph.models.DDNet`); here its input per clip
is computed in numpy like the paper's preprocessing: the **joint collection distances**
(JCD) of the joints resampled to 32 frames, and the joints themselves, from which the
network takes the global motion at two scales. Trained with the paper's recipe: Adam, no
augmentation.
"""
import numpy as np
import torch
from scipy.ndimage import zoom
from torch import nn

from posegraph.models import DDNet


def ddnet_features(keypoint, frames=32):
    """``(jcd (T, V(V-1)/2), joints (T, V*2))`` of one person's joints ``(T0, V, 2)``,
    resampled to ``frames`` frames, as DD-Net's preprocessing makes them."""
    keypoint = zoom(keypoint, (frames / keypoint.shape[0], 1, 1), order=1)
    rows, cols = np.triu_indices(keypoint.shape[1], k=1)
    distance = np.linalg.norm(keypoint[:, rows] - keypoint[:, cols], axis=-1)
    jcd = (distance - distance.mean(1, keepdims=True)) / (distance.std(1, keepdims=True) + 1e-6)
    return jcd.astype(np.float32), keypoint.reshape(frames, -1).astype(np.float32)


def ddnet_logits(model, records):
    """Logits ``(clips, classes)`` of a :class:`FeatureDDNet` on the records' first
    persons, their features made as :func:`ddnet_features` makes them."""
    features = [ddnet_features(r['keypoint'][0]) for r in records]
    with torch.no_grad():
        return model(torch.from_numpy(np.stack([f[0] for f in features])),
                     torch.from_numpy(np.stack([f[1] for f in features])))


class FeatureDDNet(DDNet):
    """The package's DD-Net (:class:`posegraph.models.DDNet`) fed the numpy features above,
    as the paper's preprocessing makes them outside the network.

    Shapes:
        - input: ``jcd`` :math:`(N, T, V(V-1)/2)` and ``joints`` :math:`(N, T, 2V)`
        - output: logits :math:`(N, classes)`
    """

    def forward(self, jcd, joints):
        return self.classify(jcd, joints)


class DDNetFromJoints(nn.Module):
    """:func:`ddnet_features` as tensor operations in front of a :class:`FeatureDDNet`, so
    that DD-Net too runs from raw joints to logits in one graph (timed beside PAN's
    ``posegraph.export.KeypointScores``; its paper computes the features in numpy).

    Shapes:
        - input: one person's joints :math:`(T_0, V, 2)`, one frame or more
        - output: logits :math:`(1, classes)`
    """

    def __init__(self, network: FeatureDDNet, frames: int = 32):
        super().__init__()
        self.network = network
        self.frames = frames
        rows, cols = np.triu_indices(network.num_joints, k=1)
        self.register_buffer('rows', torch.from_numpy(rows), persistent=False)
        self.register_buffer('cols', torch.from_numpy(cols), persistent=False)

    def forward(self, keypoint: torch.Tensor) -> torch.Tensor:
        # scipy's zoom at order 1: output frame i reads input point i (T0 - 1) / (T - 1),
        # linearly between the frames around it.
        last = keypoint.shape[0] - 1
        points = torch.arange(self.frames, dtype=torch.float64) * (last / (self.frames - 1))
        before = points.floor().clamp(max=last)
        weight = (points - before).to(keypoint.dtype)[:, None, None]
        before = before.long()
        after = (before + 1).clamp(max=last)
        joints = (1 - weight) * keypoint.index_select(0, before) \
            + weight * keypoint.index_select(0, after)
        difference = joints.index_select(1, self.rows) - joints.index_select(1, self.cols)
        distance = difference.pow(2).sum(-1).sqrt()
        mean = distance.mean(1, keepdim=True)
        std = (distance - mean).pow(2).mean(1, keepdim=True).sqrt()
        jcd = (distance - mean) / (std + 1e-6)
        return self.network(jcd[None], joints.reshape(1, self.frames, -1))


def train_ddnet(records, num_classes, epochs=300, seed=0, batch_size=64, lr=1e-3,
                layout='jhmdb15'):
    """Train DD-Net on ``records`` (PYSKL-format, one person) with Adam and a cosine
    schedule; returns the model in eval mode. Features are computed once, as the paper
    trains on fixed 32-frame resamplings."""
    torch.manual_seed(seed)
    features = [ddnet_features(r['keypoint'][0]) for r in records]
    jcd = torch.from_numpy(np.stack([f[0] for f in features]))
    joints = torch.from_numpy(np.stack([f[1] for f in features]))
    labels = torch.tensor([r['label'] for r in records])
    model = FeatureDDNet(layout, 3, num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(records) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps, eta_min=lr / 100)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(records)).split(batch_size):
            if len(batch) < 2:  # batch norm needs two samples
                continue
            loss = nn.functional.cross_entropy(model(jcd[batch], joints[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()
