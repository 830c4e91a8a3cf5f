# PAN on PYSKL's HMDB51 2D skeletons (bring data/skeleton/hmdb51_2d.pkl), split 1: the JHMDB
# recipe (configs/pan_jhmdb.py: three stream branches, strong augmentation, 80 epochs) on
# coco17 joints of up to two persons.
_base_ = ['_base_/default_runtime.py', '_base_/models/pan_3stream.py',
          '_base_/datasets/hmdb51_2d.py', '_base_/schedules/adamw_cosine_80e.py']

model = dict(network=dict(streams={{_base_.streams}}, in_channels={{_base_.in_channels}},
                          layout={{_base_.layout}}, num_classes={{_base_.num_classes}}))
train_cfg = dict(val_interval=10)
