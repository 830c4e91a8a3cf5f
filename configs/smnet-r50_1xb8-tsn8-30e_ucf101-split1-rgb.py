# SMNet on UCF101 split 1: 8 TSN segments of 224x224, ResNet-50 started from torchvision's
# ImageNet weights (downloaded once into torch.hub's cache as training starts; offline, put
# resnet50-0676ba61.pth there, or give model.network.pretrained=PATH).
_base_ = ['_base_/default_runtime.py', '_base_/datasets/ucf101_rgb.py']
num_segments = 8
train_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=num_segments, mode='segments'),
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224, random=True),
    dict(type='FlipFrames', prob=0.5),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=num_segments, mode='segments', test_mode=True),
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224),
    dict(type='PackVideoInputs'),
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
model = dict(
    type='VideoRecognizer',
    network=dict(type='SMNet', num_classes={{_base_.num_classes}}, num_segments=num_segments,
                 dropout=0.5, pretrained='torchvision://resnet50'))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=5e-4),
                     clip_grad=dict(max_norm=20.0))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[10, 20], gamma=0.1)]
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
auto_scale_lr = dict(enable=False, base_batch_size=8)
