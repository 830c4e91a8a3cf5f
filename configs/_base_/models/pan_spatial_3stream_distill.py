# pan_3stream_distill.py with ST-GCN's spatial partition in the graph convolutions: the
# configs/pan_jhmdb.py recipe's model, as the UCF101 and HMDB51 configs take it. The
# experiment config sets streams, layout, in_channels and num_classes.
_base_ = ['pan_3stream_distill.py']
model = dict(network=dict(graph_partition='spatial'))
