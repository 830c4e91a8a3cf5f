# PYSKL's 2D skeletons of HMDB51 (coco17, HRNet detections): data/skeleton/hmdb51_2d.pkl,
# as published by PYSKL; splits train1..3 / test1..3. Everything else as for UCF101.
_base_ = ['ucf101_2d.py']

ann_file = 'data/skeleton/hmdb51_2d.pkl'
num_classes = 51
train_dataloader = dict(dataset=dict(ann_file=ann_file, num_classes=num_classes))
val_dataloader = dict(dataset=dict(ann_file=ann_file, num_classes=num_classes))
test_dataloader = val_dataloader
