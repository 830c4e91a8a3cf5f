# The JHMDB recipe made robust to a pose estimator's errors: on top of the strong
# augmentation, joints jitter by 3 % of the body size and 10 % of them are dropped, as
# estimated (not annotated) joints are off or missing. The packaged pretrained model
# (assets/pretrained/) is this recipe distilled into one branch
# (pan-3stream-distill_1xb32-strongaug-jitter-..., configs/pan-robust_jhmdb.py).
_base_ = ['pan-3stream_1xb32-strongaug-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']

layout = {{_base_.layout}}
streams = {{_base_.streams}}
clip_len = {{_base_.clip_len}}
train_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='RandomTemporalCrop', ratio=(0.5, 1.0)),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='RandomFlip', layout=layout),
    dict(type='RandomAffine', rotate=25, scale=(0.75, 1.25), shear=0.2),
    dict(type='RandomJitter', sigma=0.03),
    dict(type='RandomJointDropout', prob=0.1),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
