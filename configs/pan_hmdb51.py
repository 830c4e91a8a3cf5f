# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['pan-spatial-bm2-3stream-distill_1xb32-strongaug-interp-u48-80e_hmdb51-split1-keypoint-2d.py']
