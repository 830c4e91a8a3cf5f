"""Randomness that an interrupted and resumed training run reproduces exactly."""
import contextlib
import random
from typing import Iterator

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from posegraph.registry import FUNCTIONS, HOOKS


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed Python, numpy and torch at the start of every training epoch.

    The seed is a function of the run's seed and the epoch alone, so a run resumed from
    an epoch's checkpoint draws the same augmentations, dropout masks and data-loader
    worker seeds as the run that never stopped. (mmengine reseeds once, at resume, with
    the run's initial seed.)
    """
    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner: Runner) -> None:
        seed = ((runner.seed or 0) + 1_000_003 * (runner.epoch + 1)) % 2**31
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)


@FUNCTIONS.register_module()
def seed_worker(worker_id: int, **_) -> None:
    """Seed a data-loader worker's numpy and ``random`` from its torch seed.

    PyTorch gives each worker a torch seed drawn from the main process at every epoch;
    numpy's would otherwise be the same in every epoch, repeating the augmentations.
    """
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)


@contextlib.contextmanager
def preserved_random_state() -> Iterator[None]:
    """Restore Python's, numpy's and torch's random states on exit: work done inside (such
    as building a dataset early) leaves the draws of what comes after as they were."""
    python, numpy_state, torch_state = random.getstate(), np.random.get_state(), \
        torch.get_rng_state()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy_state)
        torch.set_rng_state(torch_state)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)
