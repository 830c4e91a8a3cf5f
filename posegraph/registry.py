"""posegraph's registries, children of mmengine's root registries.

Configs name components by ``type``; building with these registries (or with mmengine's
Runner, once ``default_scope='posegraph'``) imports the modules listed in ``locations``
so every component registers itself before it is looked up. A name MMAction2 or PYSKL uses
for something posegraph calls otherwise is answered with what to write instead
(:data:`MMACTION2_NAMES`); names whose meaning is the same here (``PreNormalize2D``,
``PoseDecode``, layout ``'coco'``...) are simply accepted.
"""
from typing import Optional

from mmengine import registry as mmengine_registry
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

# MMAction2 / PYSKL names that posegraph does not take as they are, and what to write instead.
MMACTION2_NAMES = {
    'GenSkeFeat': "FormatStreams(layout=..., streams=(...)), after UniformSampleFrames; "
                  "GenSkeFeat's feats 'j', 'b', 'jm', 'bm' are the streams 'joint', 'bone', "
                  "'joint_motion', 'bone_motion'",
    'FormatGCNInput': 'SelectPersons(num_person=M) first in the pipeline, and FormatStreams, '
                      'which builds the (K, M, T, V, C) input',
    'PackActionInputs': 'PackSkeletonInputs (skeletons) or PackVideoInputs (RGB frames)',
    'RecognizerGCN': "SkeletonRecognizer, with backbone and head as one network: "
                     "network=dict(type='STGCN' or 'PoseAttentionNetwork', num_classes=...)",
    'Recognizer2D': 'VideoRecognizer, with the backbone and head as one network',
    'Recognizer3D': 'VideoRecognizer, with the backbone and head as one network',
    'GCNHead': 'the classifier inside the network: set network.num_classes',
    'ActionDataPreprocessor': 'SkeletonDataPreprocessor (skeletons, with the same blending=) '
                              'or VideoDataPreprocessor',
    'PreNormalize3D': "PoseNormalize(layout=...) with PoseDataset(coords=3): centres on the "
                      "layout's centre joints and scales by body size",
    'DecompressPose': 'nothing: decompress the Kinetics-400 file into one annotation file '
                      'first (loading it says how)',
}


class ForeignNameError(KeyError):
    """A config names a component by MMAction2's name; the message says posegraph's."""

    def __str__(self) -> str:
        return str(self.args[0])


class PosegraphRegistry(Registry):
    """A registry that answers an MMAction2 name with posegraph's, instead of a bare miss."""

    def get(self, key: str) -> Optional[type]:
        found = super().get(key)
        if found is None and key in MMACTION2_NAMES:
            raise ForeignNameError(f"'{key}' is MMAction2's name; in posegraph write "
                           f'{MMACTION2_NAMES[key]} (README: "Coming from MMAction2 / PYSKL")')
        return found


def _registry(name: str, parent: Registry, location: str,
              kind: type = PosegraphRegistry) -> Registry:
    """A registry in posegraph's scope under mmengine's ``parent``, filled by importing
    ``location``."""
    return kind(name, parent=parent, scope='posegraph', locations=[location])


DATASETS = _registry('dataset', MMENGINE_DATASETS, 'posegraph.datasets')
TRANSFORMS = _registry('transform', MMENGINE_TRANSFORMS, 'posegraph.datasets.transforms')
METRICS = _registry('metric', MMENGINE_METRICS, 'posegraph.evaluation')
MODELS = _registry('model', MMENGINE_MODELS, 'posegraph.models')
HOOKS = _registry('hook', MMENGINE_HOOKS, 'posegraph.engine', kind=Registry)
FUNCTIONS = _registry('function', MMENGINE_FUNCTIONS, 'posegraph.engine', kind=Registry)
# Pose estimators by name (tools/extract_pose.py --backend, tools/demo.py --pose-backend).
POSE_BACKENDS = Registry('pose backend', scope='posegraph', locations=['posegraph.pose.backends'])


# The rest of mmengine's registries, as children in posegraph's scope, so that a Runner with
# ``default_scope='posegraph'`` finds mmengine's loops, optimizers, schedulers, samplers and
# visualizers there instead of warning, once per registry, that the scope has none.
LOOPS = Registry('loop', parent=mmengine_registry.LOOPS, scope='posegraph')
DATA_SAMPLERS = Registry('data sampler', parent=mmengine_registry.DATA_SAMPLERS,
                         scope='posegraph')
OPTIMIZERS = Registry('optimizer', parent=mmengine_registry.OPTIMIZERS, scope='posegraph')
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=mmengine_registry.OPTIM_WRAPPERS,
                          scope='posegraph')
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=mmengine_registry.OPTIM_WRAPPER_CONSTRUCTORS,
    scope='posegraph')
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=mmengine_registry.PARAM_SCHEDULERS,
                            scope='posegraph')
EVALUATOR = Registry('evaluator', parent=mmengine_registry.EVALUATOR, scope='posegraph')
VISUALIZERS = Registry('visualizer', parent=mmengine_registry.VISUALIZERS, scope='posegraph')
VISBACKENDS = Registry('vis_backend', parent=mmengine_registry.VISBACKENDS, scope='posegraph')
LOG_PROCESSORS = Registry('log_processor', parent=mmengine_registry.LOG_PROCESSORS,
                          scope='posegraph')
WEIGHT_INITIALIZERS = Registry('weight initializer',
                               parent=mmengine_registry.WEIGHT_INITIALIZERS, scope='posegraph')
MODEL_WRAPPERS = Registry('model_wrapper', parent=mmengine_registry.MODEL_WRAPPERS,
                          scope='posegraph')


def register_all_modules() -> None:
    """Import every module that registers components, so configs can name them."""
    import posegraph.datasets  # noqa: F401
    import posegraph.engine  # noqa: F401
    import posegraph.evaluation  # noqa: F401
    import posegraph.models  # noqa: F401
