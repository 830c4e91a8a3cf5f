"""DD-Net (Yang et al., "Make Skeleton-based Action Recognition Model Smaller, Faster and
Better", 2019), written from the paper as a reference for the benchmarks: the baseline the
JHMDB figures are compared with, in the same run.

Its input per clip is two kinds of feature, computed in numpy like the paper's
preprocessing: the **joint collection distances** (JCD, the upper triangle of each frame's
joint-to-joint distance matrix, standardised per frame) and the **global motion** at two
scales (frame differences of the joints at the full frame rate and at half of it). Each
goes through an embedding of 1-D convolutions, the three are concatenated and classified
by a stack of 1-D convolutions, global max pooling and two dense layers.
"""
import numpy as np
import torch
from scipy.ndimage import zoom
from torch import nn


def ddnet_features(keypoint, frames=32):
    """``(jcd (T, V(V-1)/2), joints (T, V*2))`` of one person's joints ``(T0, V, 2)``,
    resampled to ``frames`` frames, as DD-Net's preprocessing makes them."""
    keypoint = zoom(keypoint, (frames / keypoint.shape[0], 1, 1), order=1)
    rows, cols = np.triu_indices(keypoint.shape[1], k=1)
    distance = np.linalg.norm(keypoint[:, rows] - keypoint[:, cols], axis=-1)
    jcd = (distance - distance.mean(1, keepdims=True)) / (distance.std(1, keepdims=True) + 1e-6)
    return jcd.astype(np.float32), keypoint.reshape(frames, -1).astype(np.float32)


def _block(c_in, c_out, kernel):
    return nn.Sequential(nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm1d(c_out), nn.LeakyReLU(0.2))


def _embed(c_in, filters, pool):
    layers = [_block(c_in, 2 * filters, 1), nn.Dropout1d(0.1), _block(2 * filters, filters, 3),
              _block(filters, filters, 1)]
    return nn.Sequential(*layers, *([nn.MaxPool1d(2)] if pool else []))


class DDNet(nn.Module):
    """DD-Net for ``num_joints`` 2-D joints and ``frames`` frames.

    Shapes:
        - input: ``jcd`` :math:`(N, T, V(V-1)/2)` and ``joints`` :math:`(N, T, 2V)`
        - output: logits :math:`(N, classes)`
    """

    def __init__(self, num_joints=15, num_classes=14, frames=32, filters=64):
        super().__init__()
        self.frames = frames
        self.jcd_embed = _embed(num_joints * (num_joints - 1) // 2, filters, pool=True)
        self.slow_embed = _embed(2 * num_joints, filters, pool=True)
        self.fast_embed = _embed(2 * num_joints, filters, pool=False)
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

    def forward(self, jcd, joints):
        slow = torch.diff(joints, dim=1, append=joints[:, -1:])
        fast = joints[:, ::2]
        fast = torch.diff(fast, dim=1, append=fast[:, -1:])
        x = torch.cat([self.jcd_embed(jcd.transpose(1, 2)),
                       self.slow_embed(slow.transpose(1, 2)),
                       self.fast_embed(fast.transpose(1, 2))], dim=1)
        return self.head(self.trunk(x).amax(-1))


def train_ddnet(records, num_classes, epochs=300, seed=0, batch_size=64, lr=1e-3):
    """Train DD-Net on ``records`` (PYSKL-format, one person) with Adam and a cosine
    schedule; returns the model in eval mode. Features are computed once, as the paper
    trains on fixed 32-frame resamplings."""
    torch.manual_seed(seed)
    features = [ddnet_features(r['keypoint'][0]) for r in records]
    jcd = torch.from_numpy(np.stack([f[0] for f in features]))
    joints = torch.from_numpy(np.stack([f[1] for f in features]))
    labels = torch.tensor([r['label'] for r in records])
    model = DDNet(records[0]['keypoint'].shape[2], num_classes)
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
