"""Training helpers for mmengine's Runner: hooks and functions named in configs."""
from .checkpoint import register_checkpoint_loader
from .curves import TrainingCurvesHook, plot_training_curves, read_scalars
from .memory import keep_freed_memory
from .seeding import EpochSeedHook, seed_worker

__all__ = ['register_checkpoint_loader', 'TrainingCurvesHook',
           'plot_training_curves', 'read_scalars', 'EpochSeedHook', 'seed_worker',
           'keep_freed_memory']
