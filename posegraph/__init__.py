"""posegraph: skeleton-first human action recognition.

Skeleton tensors use one layout throughout the package, ``(N, M, T, V, C)``:
batch, persons, frames, joints, channels. ``posegraph.datasets`` documents it in full.
"""
__version__ = '0.1.0'
