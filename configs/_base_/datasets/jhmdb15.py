# Real ground-truth JHMDB joints (jhmdb15) from ../shared/data/jhmdb_gt.
layout = 'jhmdb15'
data_root = '../shared/data/jhmdb_gt/'
ann_file = data_root + 'jhmdb_gt_dev.pkl'
label_map = data_root + 'label_map.txt'
num_classes = 14
clip_len = 32
streams = ('joint', 'bone', 'joint_motion', 'bone_motion')
in_channels = 2 * len(streams) + 1  # two coordinates a stream, then the confidence

train_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='RandomTemporalCrop', ratio=(0.8, 1.0)),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='RandomFlip', layout=layout),
    dict(type='RandomAffine', rotate=10, scale=(0.9, 1.1), shear=0.1),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='SelectPersons', num_person=1),
    dict(type='PoseNormalize', layout=layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=5, test_mode=True),
    dict(type='AddFlippedClips', layout=layout),
    dict(type='FormatStreams', layout=layout, streams=streams),
    dict(type='PackSkeletonInputs'),
]
dataset_defaults = dict(type='PoseDataset', ann_file=ann_file, layout=layout,
                        label_map=label_map)
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
    dataset=dict(dataset_defaults, split='val', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
