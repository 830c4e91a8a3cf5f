# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['twostream-vgg16_1xb4-u17-flow4-30e_ucf101-split1-rgb-flow.py']
