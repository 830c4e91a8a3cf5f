default_scope = 'posegraph'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                    save_best='acc/top1', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
# EpochSeedHook makes a resumed run draw what the uninterrupted run would have drawn.
custom_hooks = [dict(type='EpochSeedHook'), dict(type='TrainingCurvesHook')]

env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo without CUDA

vis_backends = [dict(type='LocalVisBackend')]
# 'auto': also log to TensorBoard when the tensorboard package is installed; True / False.
tensorboard = 'auto'
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
