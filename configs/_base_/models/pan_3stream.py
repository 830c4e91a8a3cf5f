# Three PAN branches on complementary input streams, trained together (each by its own
# losses) and averaged: joints with their motion and distances; bones with their motion and
# distances; motion alone. The dataset config names `streams` (containing these) and the
# experiment config sets `streams`, layout, in_channels and num_classes.
_base_ = ['pan.py']
model = dict(network=dict(
    type='StreamEnsemble',
    branches=[['joint', 'joint_motion', 'joint_motion2', 'distance'],
              ['bone', 'bone_motion', 'distance'],
              ['joint_motion', 'joint_motion2']],
    label_smoothing=0.1))
