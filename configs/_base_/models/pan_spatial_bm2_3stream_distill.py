# pan_spatial_3stream_distill.py with the bones' motion at two frame steps in the student and
# the bones branch (configs/pan_jhmdb.py's streams; last in each branch, as measured there).
# The dataset config's streams must hold `bone_motion2`.
_base_ = ['pan_spatial_3stream_distill.py']
model = dict(network=dict(branches=[
    ['joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance', 'bone_motion2'],
    ['bone', 'bone_motion', 'distance', 'bone_motion2'],
    ['joint_motion', 'joint_motion2']]))
