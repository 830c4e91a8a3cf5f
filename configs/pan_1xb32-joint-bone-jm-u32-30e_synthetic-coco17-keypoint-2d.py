# PAN on the embedded synthetic set (the quick start's main job).
_base_ = ['_base_/default_runtime.py', '_base_/models/pan.py',
          '_base_/datasets/synthetic_coco17.py', '_base_/schedules/adamw_cosine.py']

model = dict(network=dict(layout={{_base_.layout}}, in_channels={{_base_.in_channels}},
                          num_classes={{_base_.num_classes}}))
train_cfg = dict(max_epochs=30, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, end=30, eta_min=1e-5,
         convert_to_iter_based=True),
]
