"""Building mmengine Runners from posegraph configs, as the tools do, and inference."""
from posegraph.runtime import VideoActionRecognizer
from .config_check import ConfigError, check_config, read_config
from .inference import (
                        class_name,
                        compile_for_inference,
                        inference_pose,
                        inference_record,
                        inference_records,
                        inference_skeleton,
                        init_pose_estimator,
                        init_recognizer,
                        model_layout,
                        pose_results_to_record,
)
from .online import OnlineRecognizer, SlidingWindowRecognizer
from .runner import (
                        USER_ERRORS,
                        IncompatibleError,
                        LaunchError,
                        PoseGraphRunner,
                        apply_tensorboard,
                        apply_train_flags,
                        build_runner,
                        last_checkpoint,
                        load_config,
                        parse_cfg_options,
                        parse_options,
                        report_test_metrics,
                        show_predictions,
)

__all__ = ['IncompatibleError', 'LaunchError', 'PoseGraphRunner', 'build_runner', 'load_config',
           'ConfigError', 'check_config', 'read_config', 'parse_cfg_options',
           'parse_options',
           'report_test_metrics', 'last_checkpoint', 'USER_ERRORS', 'apply_train_flags',
           'show_predictions', 'apply_tensorboard', 'init_recognizer', 'inference_skeleton',
           'init_pose_estimator', 'inference_pose', 'pose_results_to_record', 'class_name',
           'inference_record', 'inference_records', 'model_layout', 'OnlineRecognizer',
           'SlidingWindowRecognizer', 'VideoActionRecognizer', 'compile_for_inference']
