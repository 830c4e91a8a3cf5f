# PYSKL's 2D skeletons of UCF101 (coco17, HRNet detections): data/skeleton/ucf101_2d.pkl,
# as published by PYSKL; splits train1..3 / test1..3.
layout = 'coco17'
ann_file = 'data/skeleton/ucf101_2d.pkl'
num_classes = 101
clip_len = 48
# As for JHMDB: joints, bones, their velocities at one and two frame steps, and DD-Net's
# per-joint distances to every other joint (17 channels), in the order of the student of
# bm2_branches, which then takes the input without a gather of its channels.
streams = ('joint', 'joint_motion', 'joint_motion2', 'bone', 'bone_motion', 'distance',
           'bone_motion2')
in_channels = 2 * (len(streams) - 1) + 17 + 1  # coordinate streams, distances, confidence

train_pipeline = [
    dict(type='SelectPersons', num_person=2),
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
    dict(type='SelectPersons', num_person=2),
    dict(type='PoseNormalize', layout=layout),
    # Ten clips of these long videos, as PYSKL tests them (JHMDB's short clips take one);
    # points between frames interpolated, as for JHMDB.
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10, test_mode=True,
         interpolate=True),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
dataset_defaults = dict(type='PoseDataset', ann_file=ann_file, layout=layout,
                        num_classes=num_classes)
train_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    worker_init_fn=dict(type='posegraph.seed_worker'),
    dataset=dict(dataset_defaults, split='train1', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='test1', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
