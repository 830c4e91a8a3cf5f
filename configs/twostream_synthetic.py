# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['twostream-vgg16_1xb16-u8-flow4-30e_synthetic-video-rgb-flow.py']
