# configs/pan_jhmdb.py's recipe (pan-spatial-bm2-3stream-distill_...) made robust to estimated
# joints as the shipped model's recipe before it (pan-3stream-distill_1xb16-...-halfjitter-...)
# was: joints jitter by 3 % of the body size in half of the training clips, and 10 % of the
# joints are dropped instead of 5 %. On the grouped folds (5 seeds x 2 folds): 78.6 % on clean
# joints and 78.7 % on joints moved by 3 % of the body with 10 % missing, against 74.9 % and
# 75.7 % for that recipe in the same session (+3.7 +- 0.9 and +2.9 +- 1.1 points run for
# run); pan_jhmdb.py itself scores 84.0 % and 30.0 %. configs/pan-robust_jhmdb.py, the
# shipped model, points here.
_base_ = ['pan-spatial-bm2-3stream-distill_1xb16-strongaug-interp-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
layout = {{_base_.layout}}
streams = {{_base_.streams}}
clip_len = {{_base_.clip_len}}
train_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='RandomTemporalCrop', ratio=(0.5, 1.0)),
    dict(type='UniformSampleFrames', clip_len=clip_len, interpolate=True),
    dict(type='RandomFlip', layout=layout),
    dict(type='RandomAffine', rotate=25, scale=(0.75, 1.25), shear=0.2),
    dict(type='RandomJitter', sigma=0.03, prob=0.5),
    dict(type='RandomJointDropout', prob=0.1),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
