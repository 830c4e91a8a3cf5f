# ConvGRU + SC-Xception + MCAM-AFF on the synthetic motion videos, scaled down to train on
# a laptop CPU in minutes: quarter-width Xception with 2 middle blocks, 8 frames of 56x56.
_base_ = ['_base_/default_runtime.py', '_base_/datasets/synthetic_video.py',
          '_base_/schedules/adam_video.py']
model = dict(
    type='VideoRecognizer',
    network=dict(type='ConvGRUXception', num_classes={{_base_.num_classes}},
                 num_frames={{_base_.clip_len}}, temporal='convgru', hidden_channels=40,
                 excitation=True, fusion='mcam_aff', fc_channels=64, dropout=0.5,
                 width=0.25, middle_blocks=2))
default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))
