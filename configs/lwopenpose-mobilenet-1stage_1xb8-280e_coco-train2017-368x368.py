# Lightweight OpenPose (public configuration) trained on COCO person keypoints: bring
# data/coco/annotations/person_keypoints_train2017.json and data/coco/train2017/.
_base_ = ['_base_/default_runtime.py']

model = dict(type='PoseEstimatorModel',
             network=dict(width=1.0, num_refinement_stages=1, num_channels=128))
train_dataloader = dict(
    batch_size=8, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    worker_init_fn=dict(type='posegraph.seed_worker'),
    dataset=dict(type='CocoKeypointsDataset',
                 ann_file='data/coco/annotations/person_keypoints_train2017.json',
                 img_dir='data/coco/train2017/', input_size=(368, 368)))
# No validation loop: the keypoint AP of COCO needs its own evaluator.
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=280)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=4e-5), clip_grad=dict(max_norm=10.0))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[100, 200], gamma=0.333)]
default_hooks = dict(checkpoint=dict(save_best=None, rule=None, interval=5),
                     logger=dict(interval=50))
