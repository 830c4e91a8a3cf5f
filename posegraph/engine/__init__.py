"""Training helpers for mmengine's Runner: hooks and functions named in configs."""
from .checkpoint import load_checkpoint_file
from .curves import TrainingCurvesHook, plot_training_curves, read_scalars
from .seeding import EpochSeedHook, seed_worker

__all__ = ['load_checkpoint_file', 'TrainingCurvesHook', 'plot_training_curves', 'read_scalars', 'EpochSeedHook',
           'seed_worker']
