# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['convgru-xception-mcam-aff_1xb32-u40-50e_ucf101-split1-rgb.py']
