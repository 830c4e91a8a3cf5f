# Two-stream deep fusion on the synthetic motion videos (RGB + 4 stacked flows a step),
# scaled down: eighth-width VGG-16 streams with 256-wide fully connected layers, 8 steps
# of 56x56. The set's flow is computed on first use (OpenCV DIS, or TV-L1 if available).
_base_ = ['_base_/default_runtime.py', '_base_/datasets/synthetic_video.py',
          '_base_/schedules/adam_video.py']
flow_length = 4
flow = dict(type='LoadFlowStack', flow_dir='data/synthetic_video/flow', length=flow_length)
train_pipeline = [
    {{_base_.decode}},
    dict(type='SampleVideoFrames', clip_len={{_base_.clip_len}}),
    flow,
    dict(type='CropFrames', size={{_base_.crop_size}}, random=True),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    {{_base_.decode}},
    dict(type='SampleVideoFrames', clip_len={{_base_.clip_len}}, test_mode=True),
    flow,
    dict(type='CropFrames', size={{_base_.crop_size}}),
    dict(type='PackVideoInputs'),
]
train_dataloader = dict(dataset=dict(with_flow=True, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(with_flow=True, pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(with_flow=True, pipeline=test_pipeline))
model = dict(
    type='VideoRecognizer',
    # RGB with ImageNet statistics, then 2L flow channels quantised around 128.
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53] + [128.0] * 2 * flow_length,
                           std=[58.395, 57.12, 57.375] + [64.0] * 2 * flow_length),
    network=dict(type='TwoStreamFusion', num_classes={{_base_.num_classes}},
                 flow_length=flow_length, hidden_channels=101, fc_dropout=0.5,
                 lstm_dropout=0.25, width=0.125, fc_channels=256))
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
max_epochs = 30
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs, eta_min=1e-5,
         convert_to_iter_based=True),
]
