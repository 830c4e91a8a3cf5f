# PAN on PYSKL's HMDB51 2D skeletons (bring data/skeleton/hmdb51_2d.pkl), split 1: the JHMDB
# recipe (configs/pan_jhmdb.py: three stream branches trained and distilled into the first,
# which sees every stream and alone scores; ST-GCN's spatial partition in the graph
# convolutions; bone motion at two frame steps among the streams; strong augmentation; clips
# resampled between frames; 80 epochs) on coco17 joints of up to two persons, on batches of
# 32: JHMDB's 16 doubles the 10 steps an epoch of its 300-clip folds; an epoch here has over
# a hundred (neither batches of 16, the partition nor the bones' motion at two steps measured
# on this data).
_base_ = ['_base_/default_runtime.py', '_base_/models/pan_spatial_3stream_distill.py',
          '_base_/models/bm2_branches.py',
          '_base_/datasets/hmdb51_2d.py', '_base_/schedules/adamw_cosine_80e.py']

model = dict(network=dict(
    streams={{_base_.streams}}, in_channels={{_base_.in_channels}}, layout={{_base_.layout}},
    num_classes={{_base_.num_classes}}, branches={{_base_.bm2_branches}}))
train_cfg = dict(val_interval=10)
