# PAN on the real JHMDB ground-truth joints in ../shared/data/jhmdb_gt (jhmdb15): three
# branches on complementary streams, trained together and averaged, with strong spatial and
# temporal augmentation. Decided on the leakage-free folds grouped1 / grouped2, means over
# folds and seeds (benchmarks/jhmdb_accuracy.py), never on the leaky `val` split.
_base_ = ['_base_/default_runtime.py', '_base_/models/pan_3stream.py',
          '_base_/datasets/jhmdb15.py', '_base_/schedules/adamw_cosine_80e.py']

model = dict(network=dict(streams={{_base_.streams}}, in_channels={{_base_.in_channels}},
                          layout={{_base_.layout}}, num_classes={{_base_.num_classes}}))
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10))
