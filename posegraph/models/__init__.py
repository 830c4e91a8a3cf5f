"""Action recognition models, registered in ``posegraph.registry.MODELS``."""
from .ensemble import StreamEnsemble
from .pan import PoseAttentionNetwork
from .recognizer import SkeletonDataPreprocessor, SkeletonRecognizer

__all__ = ['StreamEnsemble', 'PoseAttentionNetwork', 'SkeletonDataPreprocessor', 'SkeletonRecognizer']
