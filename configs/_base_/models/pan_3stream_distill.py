# pan_3stream.py's three stream branches distilled online into the first
# (distill_branches.py). The experiment config sets streams, layout, in_channels and
# num_classes.
_base_ = ['pan_3stream.py', 'distill_branches.py']
model = dict(network={{_base_.distill_network}})
