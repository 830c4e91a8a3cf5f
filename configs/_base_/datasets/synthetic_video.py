# The synthetic motion video set (posegraph.datasets.synthetic_video), written on first use:
# 8 motions in time-reversed pairs, 64x64 clips of 16 frames. Models see 56x56 crops.
data_root = 'data/synthetic_video/'
num_classes = 8
clip_len = 8
crop_size = 56
# 'DecodeVideo' keeps decoded clips in memory (196 kB each) so each is decoded once per process.
decode = dict(type='DecodeVideo', cache_mb=600)
train_pipeline = [
    decode,
    dict(type='SampleVideoFrames', clip_len=clip_len),
    dict(type='CropFrames', size=crop_size, random=True),
    dict(type='PackVideoInputs'),
]
test_pipeline = [
    decode,
    dict(type='SampleVideoFrames', clip_len=clip_len, test_mode=True),
    dict(type='CropFrames', size=crop_size),
    dict(type='PackVideoInputs'),
]
dataset_defaults = dict(type='SyntheticVideoDataset', root=data_root, clips_per_class=150)
train_dataloader = dict(
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    worker_init_fn=dict(type='posegraph.seed_worker'),
    dataset=dict(dataset_defaults, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
