# AdamW with a 5-epoch warm-up and a cosine decay over 80 epochs, validating once at the end.
_base_ = ['adamw_cosine.py']
max_epochs = 80
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=max_epochs, eta_min=1e-5,
         convert_to_iter_based=True),
]
