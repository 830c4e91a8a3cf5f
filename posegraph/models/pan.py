r"""The human graph network + pose-attention network ("Pose-attention model for online
action recognition").
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch_geometric.nn import DenseGCNConv

from posegraph.nn import AttentionGRU, DiffPool, JointAttention, SkeletonGraphConv
from posegraph.nn.reset import ResetParameters
from posegraph.registry import MODELS
from posegraph.skeleton import LayoutLike, get_layout, normalized_adjacency


def masked_mean(x: Tensor, mask: Tensor, dim: int) -> Tensor:
    """Mean of ``x`` over ``dim`` where ``mask`` (``x``'s shape without its last axis) holds."""
    weight = mask.to(x.dtype).unsqueeze(-1)
    return (x * weight).sum(dim) / weight.sum(dim).clamp(min=1)


def normalize_input(data_bn: nn.BatchNorm1d, x: Tensor, mask: Tensor) -> Tensor:
    """Batch-normalise skeleton input :math:`(N, M, T, V, C)` per joint and channel (one
    statistic for each of the ``V * C`` pairs, as ST-GCN's ``data_bn``); zero where
    ``mask`` :math:`(N, M, T, V)` says a joint is missing."""
    n, m, t, v, c = x.shape
    if data_bn.training:
        # Rows of (persons x frames) by (joints x channels): the statistics of each
        # (joint, channel) over persons and frames, as ST-GCN's (N M, V C, T) layout
        # gives them, without a strided copy each way (forward and backward 2.2 -> 1.0
        # ms for a batch of 16 clips).
        h = data_bn(x.reshape(-1, v * c)).reshape(x.shape)
    else:
        # The running statistics make it one affine map per (joint, channel), applied
        # where the values lie: no layout change each way (a third of an exported
        # network's per-video time went to those two transposes at batch 1).
        scale = data_bn.weight * torch.rsqrt(data_bn.running_var + data_bn.eps)
        shift = data_bn.bias - data_bn.running_mean * scale
        h = x * scale.view(v, c) + shift.view(v, c)
    return h * mask.unsqueeze(-1)


@MODELS.register_module()
class PoseAttentionNetwork(ResetParameters, nn.Module):
    r"""Skeleton action classifier: a graph network per frame, attention over joints, a GRU
    with attention over frames.

    For every person and frame, the **human graph network** (HGN) runs graph convolutions
    :math:`\mathbf{H}_{l+1} = \mathrm{ReLU}(\hat{\mathbf{A}} \mathbf{H}_l \mathbf{W}_l)`
    over the skeleton (:class:`~posegraph.nn.SkeletonGraphConv`, eq. 1), pools the joints
    into ``num_clusters`` learned clusters (:class:`~posegraph.nn.DiffPool`, eq. 2-4) and
    convolves the pooled graph once more. **Joint attention**
    (:class:`~posegraph.nn.JointAttention`, eq. 13-15) turns the frame's nodes into one
    vector :math:`\mathbf{s}_t`; a GRU over :math:`\mathbf{s}_1 \dots \mathbf{s}_T` with
    **pose attention** (:class:`~posegraph.nn.AttentionGRU`, eq. 6-12) gives the clip
    vector :math:`\mathbf{v}`, classified by a linear layer. A second linear layer classifies
    the frame-averaged :math:`\mathbf{s}_t` for the joints loss of eq. 18.

    Persons share all weights; their clip vectors are averaged over the persons present.
    Switches turn off DiffPool, joint attention (mean over nodes instead) and pose
    attention (last GRU state instead) for ablations.

    Args:
        layout: the skeleton layout of the input.
        in_channels: channels ``C`` of the input; the last one is the joint confidence
            (0 for a missing joint), as :class:`~posegraph.datasets.transforms.FormatStreams`
            makes it.
        num_classes: classes to predict.
        graph_channels: output channels of the graph convolutions before pooling.
            (default: ``(64, 64)``)
        pooled_channels: channels of the pooled graph's nodes (and of :math:`\mathbf{s}_t`).
            (default: ``128``)
        num_clusters: DiffPool clusters. (default: ``8``)
        gru_channels: GRU hidden size. (default: ``128``)
        attention_channels: size of the attention vectors. (default: ``64``)
        diffpool, joint_attention, pose_attention: the ablation switches. (default: ``True`` each)
        dropout: before both classifiers. (default: ``0.3``)
        frame_dropout: dropout of the frame vectors :math:`\mathbf{s}_t` on their way into
            the GRU, in training only (the joints loss sees them whole). (default: ``0.0``)
        label_smoothing: of both cross-entropy losses. (default: ``0.0``)
        loss_weights: weights of the losses ``pose`` (eq. 17), ``joints`` (eq. 18) and
            DiffPool's ``link`` and ``entropy`` regularisers. (default: ``None``)
        graph_partition: the skeleton graph convolutions' ``partition``, ``'uniform'`` (eq. 1)
            or ST-GCN's ``'spatial'`` (:class:`~posegraph.nn.SkeletonGraphConv`); one for
            all, or one per entry of ``graph_channels`` (the last also for the skeleton
            ``pooled_conv`` without DiffPool). (default: ``'uniform'``)

    Shapes:
        - input: :math:`(N, M, T, V, C)` (see :mod:`posegraph.datasets`)
        - output: a dict with ``logits`` :math:`(N, classes)`, ``joint_logits``,
          ``joint_weights`` :math:`(N, M, T, V)` (per joint, clusters mapped back to
          joints), ``frame_weights`` :math:`(N, M, T)` and the scalar ``link_loss`` and
          ``entropy_loss`` (zero without DiffPool, or when both their ``loss_weights`` are 0).
    """

    def __init__(self, layout: LayoutLike, in_channels: int, num_classes: int,
                 graph_channels: Sequence[int] = (64, 64), pooled_channels: int = 128,
                 num_clusters: int = 8, gru_channels: int = 128, attention_channels: int = 64,
                 diffpool: bool = True, joint_attention: bool = True,
                 pose_attention: bool = True, dropout: float = 0.3,
                 frame_dropout: float = 0.0, label_smoothing: float = 0.0,
                 loss_weights: Optional[Dict[str, float]] = None,
                 graph_partition: Union[str, Sequence[str]] = 'uniform'):
        super().__init__()
        layout = get_layout(layout)
        self.layout = layout.name
        self.num_joints = layout.num_joints
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.label_smoothing = label_smoothing
        self.loss_weights = {'pose': 1.0, 'joints': 0.5, 'link': 0.0, 'entropy': 0.0,
                             **(loss_weights or {})}
        self.data_bn = nn.BatchNorm1d(self.num_joints * in_channels)
        channels = (in_channels,) + tuple(graph_channels)
        partitions = ((graph_partition,) * len(graph_channels)
                      if isinstance(graph_partition, str) else tuple(graph_partition))
        if len(partitions) != len(graph_channels):
            raise ValueError(f'graph_partition needs one partition per graph convolution '
                             f'({len(graph_channels)}), got {graph_partition!r}')
        self.graph_convs = nn.ModuleList(
            SkeletonGraphConv(c_in, c_out, layout, partition=partition)
            for c_in, c_out, partition in zip(channels, channels[1:], partitions))
        self.graph_norms = nn.ModuleList(nn.BatchNorm1d(c) for c in channels[1:])
        if diffpool:
            self.pool = DiffPool(channels[-1], channels[-1], num_clusters)
            # The skeleton's GCN normalisation, computed once (not part of the weights).
            self.register_buffer('pool_adj', normalized_adjacency(layout), persistent=False)
            self.pooled_conv = DenseGCNConv(channels[-1], pooled_channels)
        else:
            self.pool = None
            self.pooled_conv = SkeletonGraphConv(channels[-1], pooled_channels, layout,
                                                 partition=partitions[-1])
        self.joint_attention = (JointAttention(pooled_channels, attention_channels)
                                if joint_attention else None)
        self.temporal = AttentionGRU(pooled_channels, gru_channels, attention_channels,
                                     attention=pose_attention)
        self.dropout = nn.Dropout(dropout)
        self.frame_dropout = nn.Dropout(frame_dropout)
        self.classifier = nn.Linear(gru_channels, num_classes)
        self.joint_classifier = nn.Linear(pooled_channels, num_classes)

    def frame_vectors(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        """Run the HGN and joint attention on every frame.

        Returns ``s`` :math:`(N M, T, F)`, joint weights :math:`(N, M, T, V)`, the joint
        mask :math:`(N, M, T, V)` and DiffPool's two losses.
        """
        n, m, t, v, c = x.shape
        if v != self.num_joints or c != self.in_channels:
            raise ValueError(f'{self.layout} network expects (N, M, T, {self.num_joints}, '
                             f'{self.in_channels}) inputs, got {tuple(x.shape)}')
        mask = x[..., -1] > 0
        h = normalize_input(self.data_bn, x, mask).reshape(n * m * t, v, c)
        flat_mask = mask.reshape(n * m * t, v)
        for conv, norm in zip(self.graph_convs, self.graph_norms):
            # Missing joints leave the convolution zeroed for the batch statistics; in
            # eval the mask after the ReLU zeroes them alike, so the convolution's own
            # mask (a broadcast product, slow in onnxruntime) is skipped.
            h = conv(h, flat_mask if self.training else None)
            # Rows of (graphs x joints) by channels: the same statistics as normalising
            # (graphs, channels, joints), without a strided copy each way.
            h = F.relu(norm(h.reshape(-1, h.shape[-1])).reshape(h.shape)) \
                * flat_mask.unsqueeze(-1)
        zero = h.new_zeros(())
        link_loss = entropy_loss = zero
        if self.pool is not None:
            # DiffPool's regularisers cost two products per graph: only when weighed.
            losses = bool(self.loss_weights['link'] or self.loss_weights['entropy'])
            h, adj, link, entropy, assignment = self.pool(
                h, self.graph_convs[0].adj, flat_mask, losses=losses,
                normalized_adj=self.pool_adj)
            if losses:
                link_loss, entropy_loss = link, entropy
            nodes = F.relu(self.pooled_conv(h, adj))
            node_mask = None
        else:
            nodes = F.relu(self.pooled_conv(h, flat_mask))
            node_mask = flat_mask
        if self.joint_attention is not None:
            s, node_weights = self.joint_attention(nodes, node_mask)
        else:
            node_mask = node_mask if node_mask is not None else torch.ones_like(nodes[..., 0],
                                                                                dtype=torch.bool)
            s = masked_mean(nodes, node_mask, dim=1)
            node_weights = node_mask.to(s.dtype) / node_mask.sum(1, keepdim=True).clamp(min=1)
        # Cluster weights spread back over the joints assigned to each cluster.
        joint_weights = (assignment @ node_weights.unsqueeze(-1)).squeeze(-1) \
            if self.pool is not None else node_weights
        return (s.reshape(n * m, t, -1), joint_weights.reshape(n, m, t, v), mask,
                link_loss, entropy_loss)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        n, m = x.shape[:2]
        s, joint_weights, mask, link_loss, entropy_loss = self.frame_vectors(x)
        frame_mask = mask.any(-1).reshape(n * m, -1)
        v, frame_weights, _ = self.temporal(self.frame_dropout(s), frame_mask)
        present = frame_mask.any(-1).reshape(n, m)
        clip = masked_mean(v.reshape(n, m, -1), present, dim=1)
        joints = masked_mean(masked_mean(s, frame_mask, dim=1).reshape(n, m, -1), present, 1)
        if frame_weights is None:
            frame_weights = torch.zeros_like(frame_mask, dtype=s.dtype)
            frame_weights[:, -1] = 1
        return {'logits': self.classifier(self.dropout(clip)),
                'joint_logits': self.joint_classifier(self.dropout(joints)),
                'joint_weights': joint_weights,
                'frame_weights': frame_weights.reshape(n, m, -1),
                'link_loss': link_loss, 'entropy_loss': entropy_loss}

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        """The weighted losses of eq. 16 (plus DiffPool's regularisers), as a dict."""
        w, smoothing = self.loss_weights, self.label_smoothing
        losses = {'loss_pose': w['pose'] * F.cross_entropy(
                      outputs['logits'], labels, label_smoothing=smoothing),
                  'loss_joints': w['joints'] * F.cross_entropy(
                      outputs['joint_logits'], labels, label_smoothing=smoothing)}
        if self.pool is not None and w['link']:
            losses['loss_link'] = w['link'] * outputs['link_loss']
        if self.pool is not None and w['entropy']:
            losses['loss_entropy'] = w['entropy'] * outputs['entropy_loss']
        return losses

    def initial_state(self, batch_size: int, num_person: int,
                      device: Optional[torch.device] = None) -> Tuple[Tensor, ...]:
        """Streaming state before the first frame: a tuple of tensors (see :meth:`step`)."""
        present = torch.zeros(batch_size, num_person, device=device)
        return self.temporal.initial_state(batch_size * num_person, device=device) + (present,)

    def step(self, frame: Tensor, state: Tuple[Tensor, ...]
             ) -> Tuple[Tensor, Tuple[Tensor, ...]]:
        r"""Online mode: fold one frame :math:`(N, M, V, C)` into ``state``.

        Returns ``(logits, state)``: the class logits for the action so far, with the GRU
        carried and causal pose attention over the frames seen. After a clip's last frame
        they equal :meth:`forward` on the whole clip (in eval mode). The state is a tuple of
        tensors (GRU and attention state, then which persons have appeared), so that it
        can travel through ONNX as it is.
        """
        n, m = frame.shape[:2]
        s, _, mask, _, _ = self.frame_vectors(frame.unsqueeze(2))
        seen = mask.any(-1).reshape(n * m)
        v, temporal = self.temporal.step(s[:, 0], state[:-1], seen)
        present = torch.maximum(state[-1], seen.reshape(n, m).to(state[-1].dtype))
        clip = masked_mean(v.reshape(n, m, -1), present > 0, dim=1)
        return self.classifier(clip), temporal + (present,)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(layout={self.layout!r}, in_channels={self.in_channels}, '
                f'num_classes={self.num_classes}, diffpool={self.pool is not None}, '
                f'joint_attention={self.joint_attention is not None}, '
                f'pose_attention={self.temporal.attention is not None})')
