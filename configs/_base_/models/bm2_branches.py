# The three stream branches with the bones' motion at two frame steps in the student and the
# bones branch (configs/pan_jhmdb.py's streams; last in each branch, the order measured there):
# a network setting, not a model of its own, so that configs whose model comes from elsewhere
# can take it (`model = dict(network=dict(branches={{_base_.bm2_branches}}))`). The dataset
# config's streams must hold `bone_motion2`.
bm2_branches = [
    ['joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance', 'bone_motion2'],
    ['bone', 'bone_motion', 'distance', 'bone_motion2'],
    ['joint_motion', 'joint_motion2']]
