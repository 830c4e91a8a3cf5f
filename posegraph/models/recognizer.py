"""mmengine wrapper that trains and evaluates a skeleton network."""
import torch
from mmengine.model import BaseDataPreprocessor, BaseModel

from posegraph.registry import MODELS


@MODELS.register_module()
class SkeletonDataPreprocessor(BaseDataPreprocessor):
    """Stacks the samples' ``(K, M, T, V, C)`` inputs into ``(N, K, M, T, V, C)``."""

    def forward(self, data, training=False):
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(list(inputs))
        return {'inputs': inputs, 'data_samples': data.get('data_samples')}


@MODELS.register_module()
class SkeletonRecognizer(BaseModel):
    """Runs a skeleton ``network`` in mmengine's three modes.

    The network maps ``(N, M, T, V, C)`` to a dict with ``logits``, and has
    ``loss(outputs, labels)``. Inputs with ``K`` clips per video, ``(N, K, M, T, V, C)``,
    are scored clip by clip and the softmax scores averaged.

    Args:
        network: the network's config dict (or the module).
    """

    def __init__(self, network, data_preprocessor=None, init_cfg=None):
        if data_preprocessor is None or isinstance(data_preprocessor, dict):
            data_preprocessor = SkeletonDataPreprocessor(**{
                k: v for k, v in (data_preprocessor or {}).items() if k != 'type'})
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.network = MODELS.build(network) if isinstance(network, dict) else network

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if inputs.dim() == 5:
            inputs = inputs.unsqueeze(1)
        batch, clips = inputs.shape[:2]
        outputs = self.network(inputs.flatten(0, 1))
        if mode == 'loss':
            labels = torch.cat([sample.gt_label for sample in data_samples]).to(inputs.device)
            return self.network.loss(outputs, labels.repeat_interleave(clips))
        scores = outputs['logits'].softmax(-1).reshape(batch, clips, -1).mean(1)
        if mode == 'tensor':
            return scores
        if mode == 'predict':
            for sample, score in zip(data_samples, scores):
                sample.set_pred_score(score.detach())
            return data_samples
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")
