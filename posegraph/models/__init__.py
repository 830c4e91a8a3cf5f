"""Action recognition models, registered in ``posegraph.registry.MODELS``.

Skeleton: :class:`PoseAttentionNetwork` (and :class:`StreamEnsemble` of several, or
:class:`SharedTrunkEnsemble` of branches sharing one trunk), and the :class:`STGCN` and
:class:`DDNet` baselines, in a :class:`SkeletonRecognizer`; :class:`TensorTestPipeline` runs
their test pipeline as tensors, for one graph from raw keypoints to scores. RGB companions:
:class:`ConvGRUXception`, :class:`SMNet` and :class:`TwoStreamFusion` in a
:class:`VideoRecognizer`; their backbones live in
:mod:`posegraph.models.backbones` and load downloaded checkpoints with
:func:`load_pretrained`.
"""
from .blending import MixupBlending, TemporalCutmixBlending
from .convgru_xception import ConvGRUXception
from .data_preprocessors import SkeletonDataPreprocessor, VideoDataPreprocessor
from .ddnet import DDNet
from .ensemble import StreamEnsemble
from .pan import PoseAttentionNetwork
from .pose_estimator import PoseEstimatorModel
from .pretrained import load_pretrained
from .recognizer import BaseRecognizer, SkeletonRecognizer, VideoRecognizer
from .shared_trunk import SharedTrunkEnsemble, StreamStem
from .smnet import SMNet
from .stgcn import STGCN, STGCN_BLOCKS, stgcn_small
from .tensor_pipeline import TensorTestPipeline
from .two_stream_fusion import TwoStreamFusion

__all__ = ['BaseRecognizer', 'ConvGRUXception', 'DDNet', 'StreamEnsemble', 'PoseAttentionNetwork',
           'load_pretrained', 'MixupBlending', 'PoseEstimatorModel', 'SkeletonDataPreprocessor',
           'SkeletonRecognizer',
           'SharedTrunkEnsemble', 'StreamStem', 'SMNet', 'STGCN', 'STGCN_BLOCKS', 'stgcn_small',
           'TemporalCutmixBlending', 'TensorTestPipeline', 'TwoStreamFusion',
           'VideoDataPreprocessor', 'VideoRecognizer']
