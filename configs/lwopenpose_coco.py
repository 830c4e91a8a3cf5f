# Short for the config named after what it runs, MMAction2-style
# (model_settings_dataset-split-modality):
_base_ = ['lwopenpose-mobilenet-1stage_1xb8-280e_coco-train2017-368x368.py']
