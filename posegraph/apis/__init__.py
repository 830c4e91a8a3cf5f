"""Building mmengine Runners from posegraph configs, as the tools do."""
from .runner import (IncompatibleError, PoseGraphRunner, build_runner, load_config,
                     USER_ERRORS, apply_train_flags, parse_cfg_options, report_test_metrics,
                     show_predictions)

__all__ = ['IncompatibleError', 'PoseGraphRunner', 'build_runner', 'load_config',
           'parse_cfg_options', 'report_test_metrics', 'USER_ERRORS', 'apply_train_flags',
           'show_predictions']
