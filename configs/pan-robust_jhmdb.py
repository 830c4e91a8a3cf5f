# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['pan-spatial-bm2-3stream-distill_1xb16-strongaug-halfjitter-interp-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
