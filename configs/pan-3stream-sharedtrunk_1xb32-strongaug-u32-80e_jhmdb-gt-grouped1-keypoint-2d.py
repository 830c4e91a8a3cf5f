# configs/pan_jhmdb.py's recipe with the three branches sharing one trunk
# (SharedTrunkEnsemble): each branch keeps its input normalisation and first graph
# convolution; the rest of the network (graph convolution, DiffPool, joint attention, the
# pose-attention GRU) runs once on the branches stacked along the batch, so one clip costs
# about one network instead of three. Measured against the three separate branches on the
# grouped folds (docs/jhmdb.md).
_base_ = ['pan-3stream_1xb32-strongaug-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']

model = dict(network=dict(type='SharedTrunkEnsemble'))
