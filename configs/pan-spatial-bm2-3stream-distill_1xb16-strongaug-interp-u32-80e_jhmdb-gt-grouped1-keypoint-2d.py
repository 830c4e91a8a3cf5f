# configs/pan-spatial-3stream-distill_1xb16-strongaug-interp-u32-80e_...'s recipe with the bones'
# motion at two frame steps as well (bm2: `bone_motion2`), as the joints already had it: in
# the student and in the bones branch. Two input channels more, only the first graph
# convolution grows. On the grouped folds (5 seeds x 2 folds, run for run): 84.0 % against
# 82.2 %, +1.7 +- 0.7 points, on both folds. configs/pan_jhmdb.py points here.
_base_ = ['pan-spatial-3stream-distill_1xb16-strongaug-interp-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py',
          '_base_/models/bm2_branches.py']
layout = {{_base_.layout}}
clip_len = {{_base_.clip_len}}
# In the student's order (the first of bm2_branches), so that the one branch that scores at
# inference takes the input as it is: a gather of the channels costs 40 us of a video's 3 ms.
streams = ('joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance',
           'bone_motion2')
in_channels = 2 * (len(streams) - 1) + 15 + 1  # coordinate streams, distances, confidence
train_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='RandomTemporalCrop', ratio=(0.5, 1.0)),
    dict(type='UniformSampleFrames', clip_len=clip_len, interpolate=True),
    dict(type='RandomFlip', layout=layout),
    dict(type='RandomAffine', rotate=25, scale=(0.75, 1.25), shear=0.2),
    dict(type='RandomJointDropout', prob=0.05),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True,
         interpolate=True),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
model = dict(network=dict(streams=streams, in_channels=in_channels,
                          branches={{_base_.bm2_branches}}))
