# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['pan_1xb32-joint-bone-jm-u32-30e_synthetic-coco17-keypoint-2d.py']
