# configs/pan_jhmdb.py's three branches, trained as before, distilled online into the first
# (joints + motion + distances), which alone scores at test time and in the online step:
# one branch's inference cost for what the ensemble learnt.
_base_ = ['pan-3stream_1xb32-strongaug-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
model = dict(network=dict(student=0, distill_weight=1.0, temperature=2.0))
