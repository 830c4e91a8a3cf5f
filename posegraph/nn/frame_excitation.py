r"""What the excitation layers over a clip's frames share."""
from torch import nn


class FrameExcitation(nn.Module):
    r"""Base of the channel-reweighting layers over the frames of clips
    (:class:`ChannelExcitation`, :class:`MotionExcitation`): a squeeze of :math:`C`
    channels to :math:`C / r`, something temporal, an expansion back to :math:`C`.

    Args:
        channels: :math:`C`.
        num_frames: frames ``T`` of each clip in the batch.
        reduction: squeeze ratio :math:`r` (16). (default: ``16``)

    Shapes:
        - input: :math:`(N T, C, H, W)`, the frames of each clip consecutive
        - output: same as input

    Subclasses build their layers (:attr:`hidden` channels wide) and then call
    :meth:`reset_parameters`, which resets every child.
    """

    def __init__(self, channels: int, num_frames: int, reduction: int = 16):
        super().__init__()
        self.channels, self.num_frames, self.reduction = channels, num_frames, reduction
        self.hidden = max(1, channels // reduction)

    def reset_parameters(self) -> None:
        for layer in self.children():
            layer.reset_parameters()

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.channels}, num_frames={self.num_frames}, '
                f'reduction={self.reduction})')
