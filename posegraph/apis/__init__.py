"""Building mmengine Runners from posegraph configs, as the tools do."""
from .runner import build_runner, load_config, parse_cfg_options, report_test_metrics

__all__ = ['build_runner', 'load_config', 'parse_cfg_options', 'report_test_metrics']
