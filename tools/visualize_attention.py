"""Draw which joints and frames a trained skeleton model attended to, clip by clip.

    python tools/visualize_attention.py CONFIG CHECKPOINT [--clips NAME ...] [--num 4]
                                        [--out-dir DIR] [--cfg-options K=V ...]

Uses the config's test set; writes one PNG per clip (frame attention over time, and the
most attended frames with joints sized by their attention).
"""
import argparse
import os
import sys
from typing import Optional, Sequence

import torch
from mmengine.registry import DATASETS

from posegraph.apis import USER_ERRORS, init_recognizer, parse_cfg_options
from posegraph.apis.config_check import did_you_mean
from posegraph.cli import refuse_below
from posegraph.io import make_folder
from posegraph.visualization import plot_attention


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='its checkpoint file')
    parser.add_argument('--clips', nargs='+', help='frame_dir names (default: the first --num)')
    parser.add_argument('--num', type=int, default=4, help='clips to plot without --clips')
    parser.add_argument('--out-dir', default='work_dirs/attention', help='folder for the plots')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='override config entries')
    args = parser.parse_args(argv)
    refuse_below(parser, args, dict(num=1))
    try:
        # init_recognizer refuses weights that do not fit the config's model, keys and shapes.
        model = init_recognizer(args.config, args.checkpoint, cfg_options=args.cfg_options)
        dataset_cfg = model.cfg.test_dataloader.dataset
        # One fixed clip per video, so the weights belong to one sequence of frames.
        for step in dataset_cfg.pipeline:
            if step['type'] == 'UniformSampleFrames':
                step['num_clips'] = 1
        dataset = DATASETS.build(dict(dataset_cfg, _scope_='posegraph'))
        make_folder(args.out_dir, 'the plots')
    except USER_ERRORS as e:
        sys.exit(f'error: {e}')
    names = [dataset.get_data_info(i)['frame_dir'] for i in range(len(dataset))]
    wanted = args.clips or names[:args.num]
    missing = [name for name in wanted if name not in names]
    if missing:
        sys.exit(f'error: not in the test set: {", ".join(missing)}'
                 f'{did_you_mean(missing[0], names)}')
    classes = dataset.metainfo.get('classes')

    def name_of(k: int) -> str:
        return classes[k] if classes else str(k)
    for name in wanted:
        sample = dataset[names.index(name)]
        inputs = sample['inputs'][:1]                            # (1, M, T, V, C)
        with torch.no_grad():
            outputs = model.network(inputs)
        person = int(inputs[0, :, :, :, -1].sum((1, 2)).argmax())
        label = sample['data_samples'].gt_label.item()
        pred = int(outputs['logits'][0].argmax())
        path = plot_attention(
            inputs[0, person, :, :, :2].numpy(), outputs['joint_weights'][0, person].numpy(),
            outputs['frame_weights'][0, person].numpy(), model.network.layout,
            os.path.join(args.out_dir, f'{name}.png'),
            title=f'{name}: true {name_of(label)}, predicted {name_of(pred)}')
        print(path)


if __name__ == '__main__':
    main()
