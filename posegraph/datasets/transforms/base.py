"""What every transform shares (skeleton and video alike): a readable repr."""
from typing import Any, Dict


class BaseTransform:
    """Base of the data transforms (mmcv's name): a callable on the results dict.

    Subclasses implement :meth:`transform`; their constructor arguments, stored as
    attributes of the same names, make up the repr.
    """

    def __call__(self, results: Dict[str, Any]) -> Dict[str, Any]:
        return self.transform(results)

    def transform(self, results: Dict[str, Any]) -> Dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{key}={value!r}' for key, value in vars(self).items()
                         if not key.startswith('_'))
        return f'{type(self).__name__}({args})'
