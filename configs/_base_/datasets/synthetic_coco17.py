# The synthetic skeleton-action set (coco17), written by tools/make_synthetic.py.
layout = 'coco17'
data_root = 'data/synthetic/'
ann_file = data_root + 'synthetic_coco17.pkl'
num_classes = 14
clip_len = 32
streams = ('joint', 'bone', 'joint_motion')
in_channels = 2 * len(streams) + 1  # two coordinates a stream, then the confidence

train_pipeline = [
    dict(type='SelectPersons', num_person=2),
    dict(type='PoseNormalize', layout=layout),
    dict(type='RandomTemporalCrop', ratio=(0.8, 1.0)),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='RandomFlip', layout=layout),
    dict(type='RandomAffine', rotate=10, scale=(0.9, 1.1), shear=0.1),
    dict(type='RandomJointDropout', prob=0.03),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='SelectPersons', num_person=2),
    dict(type='PoseNormalize', layout=layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=5, test_mode=True),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
# Written on first use if absent, so the quick start needs no separate step.
dataset_defaults = dict(type='SyntheticPoseDataset', ann_file=ann_file, layout=layout)
train_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    worker_init_fn=dict(type='posegraph.seed_worker'),
    dataset=dict(dataset_defaults, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=64, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
