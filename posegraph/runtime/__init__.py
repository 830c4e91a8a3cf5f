"""Running posegraph without torch: numpy, OpenCV, SciPy (tracking) and onnxruntime.

A bundle written by ``tools/export_onnx.py`` (the pose estimator and the recognizer as ONNX
graphs, and a manifest) runs on frames through :func:`load_bundle`; importing this package
never imports torch.
"""
from .bundle import Bundle, BundleError, load_bundle
from .pipeline import VideoActionRecognizer
from .streaming import Person, PersonStreams, PersonWindows, TrackedPersons

__all__ = ['Bundle', 'BundleError', 'load_bundle', 'VideoActionRecognizer', 'Person',
           'PersonStreams', 'PersonWindows', 'TrackedPersons']
