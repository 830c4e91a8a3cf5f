"""Parameters, multiply-adds and latency of PoseAttentionNetwork on one 32-frame clip.

Latency is batch 1, one thread, the median of many runs, in PyTorch and in onnxruntime,
for the whole clip and for one online (streaming) step.

    python benchmarks/pan_cost.py [--config configs/pan_jhmdb.py] [--persons 1] [--runs 300]
"""
import argparse
import os
import tempfile

import onnxruntime as ort
import torch
from mmengine.config import Config

from posegraph.export import StreamingStep, export_onnx
from posegraph.nn import AttentionGRU
from posegraph.registry import MODELS, register_all_modules
from common import (
    inference_parameters,
    machine_line,
    markdown_table,
    median_ms,
    multiply_adds,
    run_main,
)


def clip_multiply_adds(network: torch.nn.Module, clip: torch.Tensor) -> int:
    """Multiply-adds of one forward: PyTorch's FLOP counter plus the GRUs that run (an
    ensemble at inference runs its student's alone), whose fused kernel the counter does
    not see."""
    gru_macs = []

    def count(module, inputs, _):
        # Counted on the AttentionGRU, whose inference runs the GRU's kernel without
        # calling the nn.GRU module.
        gru, steps = module.gru, inputs[0].shape[0] * inputs[0].shape[1]  # (N, T, F)
        gru_macs.append(steps * 3 * gru.hidden_size * (gru.input_size + gru.hidden_size))
    hooks = [m.register_forward_hook(count) for m in network.modules()
             if isinstance(m, AttentionGRU)]
    try:
        counted = multiply_adds(lambda: network(clip))
    finally:
        for hook in hooks:
            hook.remove()
    return counted + sum(gru_macs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default='configs/pan_jhmdb.py')
    parser.add_argument('--persons', type=int, default=1)
    parser.add_argument('--frames', type=int, default=32)
    parser.add_argument('--runs', type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    register_all_modules()
    network = MODELS.build(Config.fromfile(args.config).model).network.eval()
    clip = torch.randn(1, args.persons, args.frames, network.num_joints, network.in_channels)
    clip[..., -1] = 1
    params = sum(p.numel() for p in network.parameters())
    inference_params = inference_parameters(network)
    macs = clip_multiply_adds(network, clip)
    with torch.inference_mode():
        torch_ms = median_ms(lambda: network(clip), args.runs, warmup=20)
        step = StreamingStep(network)
        state = step.initial_state(1, args.persons)
        frame = clip[:, :, 0]
        torch_step_ms = median_ms(lambda: step(frame, *state), args.runs, warmup=20)
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    with tempfile.TemporaryDirectory() as folder:
        export_onnx(network, os.path.join(folder, 'clip.onnx'), args.persons, args.frames)
        export_onnx(network, os.path.join(folder, 'step.onnx'), args.persons, streaming=True)
        session = ort.InferenceSession(os.path.join(folder, 'clip.onnx'), options)
        step_session = ort.InferenceSession(os.path.join(folder, 'step.onnx'), options)
    feed = {'inputs': clip.numpy()}
    ort_ms = median_ms(lambda: session.run(None, feed), args.runs, warmup=20)
    step_feed = {'frame': frame.numpy(), **{name: t.numpy() for name, t in
                                             zip(step.state_names, state)}}
    ort_step_ms = median_ms(lambda: step_session.run(None, step_feed), args.runs, warmup=20)
    print(f'config {args.config}, {args.persons} person(s), {args.frames} frames, '
          f'{network.num_joints} joints, {network.in_channels} channels, 1 thread')
    print(machine_line())
    print(markdown_table(
        ['parameters (at inference)', 'multiply-adds', 'clip, PyTorch', 'clip, onnxruntime',
         'online step, PyTorch', 'online step, onnxruntime'],
        [[f'{params / 1e6:.3f} M ({inference_params / 1e6:.3f} M)', f'{macs / 1e6:.1f} M',
          f'{torch_ms:.2f} ms', f'{ort_ms:.2f} ms', f'{torch_step_ms:.2f} ms',
          f'{ort_step_ms:.2f} ms']]))


if __name__ == '__main__':
    run_main(main)
