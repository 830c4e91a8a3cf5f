"""Action recognition models, registered in ``posegraph.registry.MODELS``."""
from .pan import PoseAttentionNetwork
from .recognizer import SkeletonDataPreprocessor, SkeletonRecognizer

__all__ = ['PoseAttentionNetwork', 'SkeletonDataPreprocessor', 'SkeletonRecognizer']
