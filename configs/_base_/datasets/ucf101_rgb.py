# UCF101 videos for the RGB models: bring the tree (class folders of .avi files and the
# official ucfTrainTestlist/ with classInd.txt, trainlist01..03, testlist01..03) to
# data/ucf101/videos. Split 1; for HMDB51 point video_root at its tree (class folders and
# the *_test_splitN.txt files) and set num_classes=51. Model configs add the pipelines.
video_root = 'data/ucf101/videos/'
flow_dir = 'data/ucf101/flow/'  # tools/extract_flow.py data/ucf101/videos --out ...
num_classes = 101
dataset_defaults = dict(type='VideoDataset', video_root=video_root, num_classes=num_classes)
train_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    worker_init_fn=dict(type='posegraph.seed_worker'),
    dataset=dict(dataset_defaults, split='train1'))
val_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset_defaults, split='test1', test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
