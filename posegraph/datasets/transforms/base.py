"""What every skeleton transform shares: a readable repr."""


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
