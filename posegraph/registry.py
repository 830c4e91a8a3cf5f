"""posegraph's registries, children of mmengine's root registries.

Configs name components by ``type``; building with these registries (or with mmengine's
Runner, once ``default_scope='posegraph'``) imports the modules listed in ``locations``
so every component registers itself before it is looked up.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='posegraph',
                    locations=['posegraph.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='posegraph',
                      locations=['posegraph.datasets.transforms'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='posegraph',
                   locations=['posegraph.evaluation'])
MODELS = Registry('model', parent=MMENGINE_MODELS, scope='posegraph',
                  locations=['posegraph.models'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='posegraph',
                 locations=['posegraph.engine'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, scope='posegraph',
                     locations=['posegraph.engine'])


def register_all_modules():
    """Import every module that registers components, so configs can name them."""
    import posegraph.datasets  # noqa: F401
    import posegraph.engine  # noqa: F401
    import posegraph.evaluation  # noqa: F401
    import posegraph.models  # noqa: F401
    import posegraph.pose.training  # noqa: F401  (its dataset and model)
