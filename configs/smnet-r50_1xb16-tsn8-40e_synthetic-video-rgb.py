# SMNet on the synthetic motion videos, scaled down: quarter-width ResNet with two blocks per
# stage, 8 TSN segments of 56x56.
_base_ = ['_base_/default_runtime.py', '_base_/datasets/synthetic_video.py',
          '_base_/schedules/adam_video.py']
train_pipeline = [
    {{_base_.decode}},
    dict(type='SampleVideoFrames', clip_len={{_base_.clip_len}}, mode='segments'),
    dict(type='CropFrames', size={{_base_.crop_size}}, random=True),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    {{_base_.decode}},
    dict(type='SampleVideoFrames', clip_len={{_base_.clip_len}}, mode='segments',
         test_mode=True),
    dict(type='CropFrames', size={{_base_.crop_size}}),
    dict(type='PackVideoInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
model = dict(
    type='VideoRecognizer',
    network=dict(type='SMNet', num_classes={{_base_.num_classes}},
                 num_segments={{_base_.clip_len}}, layers=(2, 2, 2, 2), width=0.25, dropout=0.5))
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
