# PAN on PYSKL's UCF101 2D skeletons (bring data/skeleton/ucf101_2d.pkl), split 1.
_base_ = ['_base_/default_runtime.py', '_base_/models/pan.py', '_base_/datasets/ucf101_2d.py',
          '_base_/schedules/adamw_cosine.py']

model = dict(network=dict(layout={{_base_.layout}}, in_channels={{_base_.in_channels}},
                          num_classes={{_base_.num_classes}}))
train_cfg = dict(max_epochs=60, val_interval=5)
