"""What every skeleton transform shares: the missing-joint mask and a readable repr."""
import numpy as np


def mask_missing(keypoint, keypoint_score):
    """Mark joints with a score of 0 or a non-finite coordinate as missing.

    Returns copies of ``keypoint`` ``(..., V, 2)`` and ``keypoint_score`` ``(..., V)``
    in which every missing joint has coordinates 0 and score 0, so no NaN travels on.
    """
    visible = np.isfinite(keypoint).all(axis=-1) & np.isfinite(keypoint_score)
    visible &= keypoint_score > 0
    keypoint = np.where(visible[..., None], keypoint, 0).astype(np.float32)
    keypoint_score = np.where(visible, keypoint_score, 0).astype(np.float32)
    return keypoint, keypoint_score


class SkeletonTransform:
    """Base of the skeleton transforms: a callable on the results dict.

    Subclasses implement :meth:`transform`; their constructor arguments, stored as
    attributes of the same names, make up the repr.
    """

    def __call__(self, results):
        return self.transform(results)

    def transform(self, results):
        raise NotImplementedError

    def __repr__(self):
        args = ', '.join(f'{key}={value!r}' for key, value in vars(self).items()
                         if not key.startswith('_'))
        return f'{type(self).__name__}({args})'
