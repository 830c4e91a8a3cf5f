# configs/pan-3stream-distill_1xb32-strongaug-halfjitter-interp-u32-80e_...'s robust recipe on
# batches of 16, as configs/pan_jhmdb.py is. On the grouped folds (5 seeds x 2 folds, run for
# run against batches of 32): 74.7 % against 72.3 % on clean joints (+2.4 +- 1.2 points) and
# 76.3 % against 73.5 % on joints moved by 3 % of the body with 10 % missing (+2.9 +- 0.9).
_base_ = ['pan-3stream-distill_1xb32-strongaug-halfjitter-interp-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
train_dataloader = dict(batch_size=16)
