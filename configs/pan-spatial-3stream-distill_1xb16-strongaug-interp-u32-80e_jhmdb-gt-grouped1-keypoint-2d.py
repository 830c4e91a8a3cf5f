# configs/pan-3stream-distill_1xb16-strongaug-interp-u32-80e_...'s recipe with ST-GCN's spatial
# partition in every skeleton graph convolution: a joint, its neighbours nearer the body centre
# and those farther out each get their own weight, where the paper's convolution averages them
# with one. On the grouped folds (5 seeds x 2 folds, run for run, three sessions): 82.2 %,
# +2.0 +- 0.7, +1.5 +- 1.1 and +1.7 +- 0.8 points over the paper's graph, mostly on grouped2.
# It trains 1.12x as long from the CLI (4.0 min against 3.6 min on all 433 clips, alone; 1.25x
# on a busier day), and its student runs 1-7 % longer a video in PyTorch, 18 % in onnxruntime.
# configs/pan_jhmdb.py pointed here until bone motion at two steps joined the streams
# (pan-spatial-bm2-3stream-distill_...).
_base_ = ['pan-3stream-distill_1xb16-strongaug-interp-u32-80e_jhmdb-gt-grouped1-keypoint-2d.py']
model = dict(network=dict(graph_partition='spatial'))
