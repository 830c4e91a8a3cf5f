# ConvGRU + SC-Xception + MCAM-AFF on UCF101 split 1 as the paper trains it: 40 frames of
# 224x224, Adam 1e-4, batch 32, dropout 0.5, 50 epochs; the backbone starts from timm's
# ImageNet Xception (downloaded once into torch.hub's cache as training starts; offline,
# put xception-43020ad28.pth there, or give model.network.pretrained=PATH).
_base_ = ['_base_/default_runtime.py', '_base_/datasets/ucf101_rgb.py']
clip_len = 40
train_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=clip_len),
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224, random=True),
    dict(type='FlipFrames', prob=0.5),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    dict(type='DecodeVideo'),
    dict(type='SampleVideoFrames', clip_len=clip_len, test_mode=True),
    dict(type='ResizeFrames', scale=256),
    dict(type='CropFrames', size=224),
    dict(type='PackVideoInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
model = dict(
    type='VideoRecognizer',
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),  # Xception's normalisation
    network=dict(type='ConvGRUXception', num_classes={{_base_.num_classes}}, num_frames=clip_len,
                 temporal='convgru', hidden_channels=40, excitation=True, fusion='mcam_aff',
                 fc_channels=256, dropout=0.5,
                 pretrained='https://github.com/rwightman/pytorch-image-models/releases/'
                            'download/v0.1-cadene/xception-43020ad28.pth'))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4), clip_grad=dict(max_norm=20.0))
param_scheduler = []
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
auto_scale_lr = dict(enable=False, base_batch_size=32)
