"""Several skeleton networks, each on its own input streams, scored together."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn.reset import ResetParameters
from posegraph.registry import MODELS
from posegraph.skeleton import LayoutLike, get_layout, stream_channel_index


def branch_channel_index(channels: Sequence[Union[int, str]], streams: Optional[Sequence[str]],
                         layout: LayoutLike, coords: int = 2) -> List[int]:
    """A branch's input channels: given as indices, or as stream names looked up in
    ``streams`` (the input's streams, in channel order)."""
    if not all(isinstance(c, str) for c in channels):
        return [int(c) for c in channels]
    if streams is None:
        raise ValueError(f"branch {list(channels)} names streams: give the ensemble the "
                         f"input's `streams` too")
    return stream_channel_index(streams, channels, get_layout(layout).num_joints, coords)


@MODELS.register_module()
class StreamEnsemble(ResetParameters, nn.Module):
    r"""An ensemble of networks over different input streams, as one model.

    Branch ``k`` sees the input channels ``branches[k]`` plus the confidence (the last
    channel) and is trained by its own losses, as if alone; the ensemble's logits are the
    mean of the branches' logits. Online mode and export work as for a single network.
    Branches may be of other types (e.g. a :class:`~posegraph.models.DDNet` as a teacher
    unlike the others); one without an online ``step`` cannot score online.

    With a ``student``, the ensemble is distilled online into that one branch, which alone
    scores at inference (eval mode, :meth:`step`, export): while training, the student's
    losses gain the distillation term

    .. math::
        \mathcal{L}_{KD} = w\,\tau^2\,\mathrm{KL}\big(\mathrm{softmax}(\bar{\mathbf{z}}/\tau)
        \,\big\|\,\mathrm{softmax}(\mathbf{z}_s/\tau)\big),

    :math:`\bar{\mathbf{z}}` the mean of all branches' logits (held constant),
    :math:`\mathbf{z}_s` the student's. Training costs what the ensemble costs; inference
    costs one branch.

    Args:
        branches: per branch, the input channel indices it sees (confidence excluded), or
            the names of its streams (then ``streams`` is needed); or a dict with these as
            ``streams`` and the branch's own ``type`` and arguments, which shares only
            ``layout``, ``num_classes`` and ``label_smoothing`` with the others.
        in_channels: channels of the input, the last being the confidence (default: just
            enough for the branches' channels).
        streams: the input's streams in channel order, as
            :class:`~posegraph.datasets.transforms.FormatStreams` built it; lets
            ``branches`` name streams (e.g. ``[['joint', 'distance'], ['bone']]``).
            (default: ``None``)
        coords: coordinates per joint in the input streams (2, or 3 for 3D skeletons).
            (default: ``2``)
        branch_type: the registered network class of every branch.
            (default: ``'PoseAttentionNetwork'``)
        student: the branch the ensemble is distilled into, the only one that scores at
            inference; ``None`` averages all branches. (default: ``None``)
        distill_weight: :math:`w`, the distillation term's weight. (default: ``1.0``)
        temperature: :math:`\tau`, the softmax temperature of the distillation term.
            (default: ``2.0``)
        **branch_args: the branches' arguments (``in_channels`` is set per branch), so a
            config can turn a single network into an ensemble by adding ``branches``.

    Shapes:
        - input: :math:`(N, M, T, V, C)` (see :mod:`posegraph.datasets`)
        - output: the outputs of the branches that run (all while training, the
          inference branches otherwise) averaged (``logits``, ``joint_logits``,
          ``joint_weights``, ``frame_weights``, the DiffPool losses), and ``branches``,
          the list of each one's own outputs
    """

    def __init__(self, branches: Sequence[Union[Sequence[Union[int, str]], Dict]],
                 in_channels: Optional[int] = None, branch_type: str = 'PoseAttentionNetwork',
                 streams: Optional[Sequence[str]] = None, coords: int = 2,
                 student: Optional[int] = None, distill_weight: float = 1.0,
                 temperature: float = 2.0, **branch_args):
        super().__init__()
        if student is not None and not 0 <= student < len(branches):
            raise ValueError(f'student must index one of the {len(branches)} branches, '
                             f'got {student}')
        self.student, self.distill_weight, self.temperature = \
            student, distill_weight, temperature
        specs = [dict(branch) if isinstance(branch, dict) else None for branch in branches]
        self.branch_channels = [
            branch_channel_index(spec.pop('streams') if spec else branch, streams,
                                 branch_args['layout'], coords)
            for branch, spec in zip(branches, specs)]
        needed = max(max(c) for c in self.branch_channels) + 2
        if in_channels is not None and in_channels < needed:
            raise ValueError(f'branches use channel {needed - 2}, so the input needs at least '
                             f'{needed} channels (with the confidence), not {in_channels}')
        shared = {key: branch_args[key] for key in ('layout', 'num_classes', 'label_smoothing')
                  if key in branch_args}
        self.branches = nn.ModuleList(
            MODELS.build(dict(shared, **spec, in_channels=len(channels) + 1) if spec else
                         dict(branch_args, type=branch_type, in_channels=len(channels) + 1))
            for channels, spec in zip(self.branch_channels, specs))
        first = self.branches[0]
        self.layout, self.num_joints = first.layout, first.num_joints
        self.num_classes = first.num_classes
        self.in_channels = in_channels or needed
        # Each branch's input channels, its confidence (the last input channel) included.
        self._takes_all = []
        for k, channels in enumerate(self.branch_channels):
            index = channels + [self.in_channels - 1]
            self._takes_all.append(index == list(range(self.in_channels)))
            self.register_buffer(f'input_index_{k}', torch.tensor(index), persistent=False)
        self._state_sizes = [len(b.initial_state(1, 1)) if hasattr(b, 'step') else 0
                             for b in self.branches]

    @property
    def inference_branches(self) -> List[int]:
        """The branches that score at inference: the student alone, or all."""
        return list(range(len(self.branches))) if self.student is None else [self.student]

    def _inputs(self, x: Tensor, k: int) -> Tensor:
        if self._takes_all[k]:
            return x
        # One gather on the channel axis: a list index exports as two transposes around
        # a GatherND.
        return x.index_select(-1, getattr(self, f'input_index_{k}'))

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        if x.shape[-1] != self.in_channels:
            raise ValueError(f'the ensemble expects {self.in_channels} input channels, '
                             f'got {x.shape[-1]}')
        active = range(len(self.branches)) if self.training else self.inference_branches
        outputs = [self.branches[k](self._inputs(x, k)) for k in active]
        if len(outputs) == 1:
            # The student alone at inference: its outputs as they are (a mean of one is
            # the same numbers, at a dozen operations' cost).
            merged = dict(outputs[0])
        else:
            # Branches of other types may lack outputs the others have: only shared ones
            # merge.
            merged = {key: torch.stack([out[key] for out in outputs]).mean(0)
                      for key in outputs[0] if all(key in out for out in outputs)}
        merged['branches'] = outputs
        return merged

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        """The sum over branches of each branch's own losses, and the student's
        distillation term (``loss_distill``)."""
        losses = {}
        for branch, branch_outputs in zip(self.branches, outputs['branches']):
            for key, value in branch.loss(branch_outputs, labels).items():
                losses[key] = losses.get(key, 0) + value
        if self.student is not None:
            tau = self.temperature
            target = (outputs['logits'].detach() / tau).log_softmax(-1)
            student = (outputs['branches'][self.student]['logits'] / tau).log_softmax(-1)
            losses['loss_distill'] = self.distill_weight * tau ** 2 * F.kl_div(
                student, target, reduction='batchmean', log_target=True)
        return losses

    def _online_branches(self) -> List[int]:
        offline = [f'{k} ({type(self.branches[k]).__name__})' for k in self.inference_branches
                   if not hasattr(self.branches[k], 'step')]
        if offline:
            raise TypeError(f'branch {", ".join(offline)} has no online step: make an online '
                            f'branch the student, or score whole clips')
        return self.inference_branches

    def initial_state(self, batch_size: int, num_person: int,
                      device: Optional[torch.device] = None) -> Tuple[Tensor, ...]:
        """The inference branches' states, one after the other."""
        return sum((self.branches[k].initial_state(batch_size, num_person, device)
                    for k in self._online_branches()), ())

    def step(self, frame: Tensor, state: Tuple[Tensor, ...]
             ) -> Tuple[Tensor, Tuple[Tensor, ...]]:
        """Online mode: every inference branch steps on its own slice of ``state``."""
        logits, new_state, start = [], (), 0
        for k in self._online_branches():
            size = self._state_sizes[k]
            branch_logits, branch_state = self.branches[k].step(self._inputs(frame, k),
                                                                state[start:start + size])
            logits.append(branch_logits)
            new_state += branch_state
            start += size
        return torch.stack(logits).mean(0), new_state
