"""Building mmengine Runners from posegraph configs, as the tools do."""
from .runner import (USER_ERRORS, IncompatibleError, PoseGraphRunner, apply_tensorboard,
                     apply_train_flags, build_runner, load_config, parse_cfg_options,
                     report_test_metrics, show_predictions)

__all__ = ['IncompatibleError', 'PoseGraphRunner', 'build_runner', 'load_config',
           'parse_cfg_options', 'report_test_metrics', 'USER_ERRORS', 'apply_train_flags',
           'show_predictions', 'apply_tensorboard']
