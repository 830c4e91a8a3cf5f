# configs/pan_jhmdb.py's model: the three stream branches of pan_3stream.py distilled online
# into the first, which sees every stream and alone scores, with ST-GCN's spatial partition in
# the graph convolutions. The experiment config sets streams, layout, in_channels and
# num_classes.
_base_ = ['pan_3stream.py']
model = dict(network=dict(
    branches=[['joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance'],
              ['bone', 'bone_motion', 'distance'],
              ['joint_motion', 'joint_motion2']],
    student=0, distill_weight=1.0, temperature=2.0, graph_partition='spatial'))
