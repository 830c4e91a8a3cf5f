# PAN on the real JHMDB ground-truth joints in ../shared/data/jhmdb_gt (jhmdb15): two
# branches, one on joints and their motion, one on bones and their motion, trained
# together and averaged (an ensemble over input streams, as one model).
_base_ = ['_base_/default_runtime.py', '_base_/models/pan.py', '_base_/datasets/jhmdb15.py',
          '_base_/schedules/adamw_cosine.py']

model = dict(network=dict(
    type='StreamEnsemble',
    # Channels of ('joint', 'bone', 'joint_motion', 'bone_motion'), two each.
    branches=[[0, 1, 4, 5], [2, 3, 6, 7]],
    in_channels={{_base_.in_channels}},
    layout={{_base_.layout}}, num_classes={{_base_.num_classes}}, label_smoothing=0.1))
train_cfg = dict(max_epochs=120, val_interval=10)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=120, eta_min=1e-5,
         convert_to_iter_based=True),
]
default_hooks = dict(logger=dict(interval=10))
