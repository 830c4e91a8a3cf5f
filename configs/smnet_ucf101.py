# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['smnet-r50_1xb8-tsn8-30e_ucf101-split1-rgb.py']
