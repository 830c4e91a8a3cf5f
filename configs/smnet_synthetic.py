# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['smnet-r50_1xb16-tsn8-40e_synthetic-video-rgb.py']
