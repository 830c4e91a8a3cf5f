# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['convgru-xception-mcam-aff_1xb16-u8-40e_synthetic-video-rgb.py']
