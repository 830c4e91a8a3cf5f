# configs/pan-3stream_...'s three branches, trained as before, distilled online into the first,
# which alone scores at test time, in the online step and in export: one branch's inference
# cost for what the ensemble learnt. The student sees every coordinate stream (joints, bones,
# their motion, distances): on the grouped folds (3 seeds x 2 folds) 76.2 % against 74.6 %
# for a student on the joint streams alone and 77.1 % for the three branches averaged.
_base_ = ['pan-3stream_1xb32-strongaug-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py',
          '_base_/models/distill_branches.py']
model = dict(network={{_base_.distill_network}})
