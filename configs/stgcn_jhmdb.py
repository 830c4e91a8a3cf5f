# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['stgcn-small_1xb32-joint-u32-60e_jhmdb-gt-grouped1-keypoint-2d.py']
