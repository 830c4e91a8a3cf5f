# The three stream branches of pan_3stream.py distilled online into the first, which sees
# every stream and alone scores (StreamEnsemble(student=0)): a network's settings, not a
# model of its own, so that a config that has its model from elsewhere can take them too
# (`model = dict(network={{_base_.distill_network}})`).
distill_network = dict(
    branches=[['joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance'],
              ['bone', 'bone_motion', 'distance'],
              ['joint_motion', 'joint_motion2']],
    student=0, distill_weight=1.0, temperature=2.0)
