# The robust recipe (jittered and dropped joints, as an estimator gives them) distilled like
# configs/pan_jhmdb.py: three branches trained, the first on every stream learning their
# averaged logits as well, and only it scoring. The packaged pretrained model
# (assets/pretrained/) is this config trained on all 433 clips.
_base_ = ['pan-3stream_1xb32-strongaug-jitter-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
model = dict(network=dict(
    branches=[['joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance'],
              ['bone', 'bone_motion', 'distance'],
              ['joint_motion', 'joint_motion2']],
    student=0, distill_weight=1.0, temperature=2.0))
