# Two-stream deep fusion on UCF101 split 1: 17 steps of 224x224 RGB + 4 stacked flows
# (compute them first: python tools/extract_flow.py data/ucf101/videos --out data/ucf101/flow).
# Both streams start from torchvision's ImageNet VGG-16 (downloaded once into torch.hub's
# cache as training starts; offline, put vgg16-397923af.pth there, or give
# model.network.pretrained=PATH).
_base_ = ['_base_/default_runtime.py', '_base_/datasets/ucf101_rgb.py']
clip_len, flow_length = 17, 4
flow = dict(type='LoadFlowStack', flow_dir={{_base_.flow_dir}}, length=flow_length)
train_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=clip_len),
    flow,
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224, random=True),
    dict(type='FlipFrames', prob=0.5),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=clip_len, test_mode=True),
    flow,
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224),
    dict(type='PackVideoInputs'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
model = dict(
    type='VideoRecognizer',
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53] + [128.0] * 2 * flow_length,
                           std=[58.395, 57.12, 57.375] + [64.0] * 2 * flow_length),
    network=dict(type='TwoStreamFusion', num_classes={{_base_.num_classes}},
                 flow_length=flow_length, hidden_channels=101, fc_dropout=0.5,
                 lstm_dropout=0.25, pretrained='torchvision://vgg16'))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
                     clip_grad=dict(max_norm=20.0))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[15, 25], gamma=0.1)]
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
auto_scale_lr = dict(enable=False, base_batch_size=4)
