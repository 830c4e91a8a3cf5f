"""Per-video inference time on JHMDB clips: raw keypoints in, class scores out.

Everything a deployed model does per video is timed: the test pipeline (normalisation,
frame sampling, test-time clips, input streams) and the network, batch 1, one thread,
median over the clips (the models taking turns, block by block of clips, so that a machine
that speeds up or slows down moves them alike), in eager PyTorch, with the networks
compiled by ``torch.compile`` (``posegraph.apis.compile_for_inference``; compiling is done
before the timing starts) and with the networks in onnxruntime (the numpy pipeline around
them). The config's own test pipeline is timed, then the same pipeline as tensor operations
inside the network's graph (one call from raw keypoints to scores,
``posegraph.export.KeypointScores``), and the same model with test-time augmentation (5
clips x flip) for contrast; DD-Net (benchmarks/ddnet.py, its preprocessing + network, 1.79 M
parameters) is timed in the same run, the same runtime, on the same clips, its numpy
features as its authors' code computes them (the reference of the ratios; the cubic
spline's resampling one cached matrix per clip length) and as tensor operations in its
graph too, as PAN's pipeline is in its row of that name.

    python benchmarks/jhmdb_latency.py [--config configs/pan_jhmdb.py] [--videos 100]
        [--runtimes PyTorch compiled onnxruntime]
"""
import argparse
import os
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import onnxruntime as ort
import torch
from jhmdb_accuracy import TTA, test_pipeline
from mmengine.config import Config

from posegraph.apis import compile_for_inference
from posegraph.io.onnx import write_onnx
from common import ROOT, inference_parameters, machine_line, markdown_header, markdown_row, run_main
from ddnet import DDNetFromJoints, FeatureDDNet, ddnet_features

RUNTIMES = ('PyTorch', 'compiled', 'onnxruntime')
# A record in, its class scores out (one video, batch 1).
Predictor = Callable[[dict], object]


def median_per_video(predictors: Dict[str, Predictor], records: Sequence[dict], repeats: int = 3,
                     rounds: int = 5) -> Dict[str, float]:
    """Median milliseconds of each ``predictors[name](record)`` over the records, each run
    ``repeats`` times. The records are taken in ``rounds`` blocks and every predictor runs a
    block (after one untimed call) before the next block, so that a machine speeding up or
    slowing down during the run moves every model's time alike, not the ratios."""
    for predict in predictors.values():
        for record in records[:10]:
            predict(record)
    times = {name: [] for name in predictors}
    for block in range(min(rounds, len(records))):
        chunk = records[block::rounds]
        for name, predict in predictors.items():
            predict(chunk[0])
            for record in chunk:
                for _ in range(repeats):
                    start = time.perf_counter()
                    predict(record)
                    times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def ort_session(path: str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


def pan_predictor(cfg: Config, pipeline: List[dict], folder: Optional[str] = None,
                  in_graph: bool = False, compile: bool = False) -> Tuple[Predictor, int]:
    """Test pipeline + network in PyTorch (with ``compile``, the network compiled), or (with
    ``folder``) the network exported to ONNX and run by onnxruntime. With ``in_graph``, the
    pipeline runs as tensor operations in the network's graph
    (``posegraph.export.KeypointScores``): one call per video."""
    from mmengine.dataset import Compose

    from posegraph.export import KeypointScores, export_keypoints_onnx, export_onnx
    from posegraph.models import TensorTestPipeline
    from posegraph.registry import MODELS, TRANSFORMS
    model = MODELS.build(cfg.model).eval()
    params = inference_parameters(model.network)
    if in_graph and folder is None:
        graph = KeypointScores(TensorTestPipeline.from_transforms(pipeline), model.network)
        if compile:
            graph = compile_for_inference(graph, dynamic=True)   # videos of any length

        def predict_in_graph(record):
            with torch.inference_mode():
                return graph(torch.from_numpy(record['keypoint']),
                             torch.from_numpy(record['keypoint_score']))
        return predict_in_graph, params
    if in_graph:
        path = os.path.join(folder, 'pan_keypoints.onnx')
        export_keypoints_onnx(model.network, pipeline, path)
        keypoint_session = ort_session(path)

        def predict_ort_in_graph(record):
            return keypoint_session.run(['scores'], {'keypoint': record['keypoint'],
                                                     'keypoint_score': record['keypoint_score']})
        return predict_ort_in_graph, params
    transforms = Compose([TRANSFORMS.build(t) for t in pipeline])
    if folder is None:
        if compile:
            compile_for_inference(model.network)

        def predict(record):
            sample = transforms(dict(record))
            with torch.inference_mode():
                return model(sample['inputs'][None], mode='tensor')
        return predict, params
    path = os.path.join(folder, 'pan.onnx')
    export_onnx(model.network, path, num_person=1, clip_len=cfg.clip_len)
    session = ort_session(path)

    def predict_ort(record):
        inputs = transforms(dict(record))['inputs'].numpy()  # (K clips, M, T, V, C)
        logits = session.run(['logits'], {'inputs': inputs})[0]
        scores = np.exp(logits - logits.max(-1, keepdims=True))
        return (scores / scores.sum(-1, keepdims=True)).mean(0)
    return predict_ort, params


def ddnet_predictor(layout: str, num_joints: int, num_classes: int, folder: Optional[str] = None,
                    in_graph: bool = False, compile: bool = False) -> Tuple[Predictor, int]:
    """DD-Net's numpy features + network in PyTorch (with ``compile``, the network
    compiled), or (with ``folder``) the network in onnxruntime; with ``in_graph``, the
    features as tensor operations in the network's graph (``DDNetFromJoints``), as PAN's
    pipeline is in its row of that name."""
    model = FeatureDDNet(layout, 3, num_classes).eval()
    params = sum(p.numel() for p in model.parameters())
    if in_graph:
        graph = DDNetFromJoints(model).eval()
        if folder is None:
            if compile:
                graph = compile_for_inference(graph, dynamic=True)

            def predict_in_graph(record):
                with torch.inference_mode():
                    return graph(torch.from_numpy(record['keypoint'][0]))
            return predict_in_graph, params
        path = os.path.join(folder, 'ddnet_joints.onnx')
        example = torch.rand(40, num_joints, 2)
        write_onnx(graph, (example,), path, ['keypoint'], ['logits'],
                   ({0: torch.export.Dim('frames', min=1, max=1_000_000)},), 18)
        joint_session = ort_session(path)

        def predict_ort_in_graph(record):
            return joint_session.run(['logits'], {'keypoint': record['keypoint'][0]})[0]
        return predict_ort_in_graph, params
    if folder is None:
        if compile:
            compile_for_inference(model)

        def predict(record):
            jcd, joints = ddnet_features(record['keypoint'][0])
            with torch.inference_mode():
                return model(torch.from_numpy(jcd)[None], torch.from_numpy(joints)[None])
        return predict, params
    path = os.path.join(folder, 'ddnet.onnx')
    jcd, joints = ddnet_features(np.zeros((32, num_joints, 2), np.float32) + 1e-3 *
                                 np.arange(num_joints)[:, None])
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(jcd)[None], torch.from_numpy(joints)[None]),
                          path, input_names=['jcd', 'joints'], output_names=['logits'],
                          dynamo=True, verbose=False)
    session = ort_session(path)

    def predict_ort(record):
        jcd, joints = ddnet_features(record['keypoint'][0])
        return session.run(['logits'], {'jcd': jcd[None], 'joints': joints[None]})[0]
    return predict_ort, params


def latency_records(cfg: Config, videos: int = 100) -> List[dict]:
    """The first ``videos`` clips of the config's test annotation file, as the pipelines
    take them."""
    from posegraph.io import load_annotations
    records = load_annotations(cfg.test_dataloader.dataset.ann_file)[:videos]
    for record in records:
        record.setdefault('keypoint_score', np.ones(record['keypoint'].shape[:3], np.float32))
        record['total_frames'] = record['keypoint'].shape[1]
    return records


def measure_latency(cfg: Config, records: Sequence[dict], tta: bool = True,
                    runtimes: Sequence[str] = RUNTIMES) -> List[dict]:
    """Per-video milliseconds of the config's model and of DD-Net, each of ``runtimes``
    (from :data:`RUNTIMES`) in turn: a list of ``{'runtime', 'model', 'parameters', 'ms',
    'ratio'}`` (ratio to DD-Net as its authors' code runs it, same runtime). A test pipeline
    that cannot run as tensors leaves its in-graph row out."""
    unknown = set(runtimes) - set(RUNTIMES)
    if unknown:
        raise ValueError(f'unknown runtimes {sorted(unknown)}: choose from {RUNTIMES}')
    from posegraph.models import TensorTestPipeline
    from posegraph.registry import register_all_modules
    register_all_modules()
    torch.set_num_threads(1)
    num_joints = records[0]['keypoint'].shape[2]
    try:
        TensorTestPipeline.from_transforms(test_pipeline(cfg))
        in_graph = True
    except ValueError as e:
        print(f'no in-graph row: {e}')
        in_graph = False
    table = []
    with tempfile.TemporaryDirectory() as folder:
        for runtime in runtimes:
            where = folder if runtime == 'onnxruntime' else None
            options = {'compile': runtime == 'compiled'}
            rows = [('PAN, config test pipeline',
                     *pan_predictor(cfg, test_pipeline(cfg), where, **options))]
            if in_graph:
                rows.append(('PAN, config test pipeline in the graph',
                             *pan_predictor(cfg, test_pipeline(cfg), where, in_graph=True,
                                            **options)))
            if tta:
                rows.append(('PAN, 5 clips x flip',
                             *pan_predictor(cfg, test_pipeline(cfg, **TTA), where, **options)))
            rows += [('DD-Net (reference)',
                      *ddnet_predictor(cfg.layout, num_joints, cfg.num_classes, where,
                                       **options)),
                     ('DD-Net, features in the graph',
                      *ddnet_predictor(cfg.layout, num_joints, cfg.num_classes, where,
                                       in_graph=True, **options))]
            times = median_per_video({name: predict for name, predict, _ in rows}, records)
            table += [{'runtime': runtime, 'model': name, 'parameters': params,
                       'ms': times[name], 'ratio': times[name] / times['DD-Net (reference)']}
                      for name, _, params in rows]
    return table


def print_latency(table: List[dict]) -> None:
    print(markdown_header(['runtime', 'model', 'parameters', 'ms per video', 'ratio to DD-Net']))
    for row in table:
        print(markdown_row([row['runtime'], row['model'], f'{row["parameters"] / 1e6:.2f} M',
                            f'{row["ms"]:.2f}', f'{row["ratio"]:.2f}']), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--videos', type=int, default=100)
    parser.add_argument('--runtimes', nargs='+', choices=RUNTIMES, default=list(RUNTIMES),
                        help='eager PyTorch, PyTorch with the networks compiled '
                             '(torch.compile, C++ compiler needed), onnxruntime')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    records = latency_records(cfg, args.videos)
    print(f'{args.config}, {len(records)} videos, batch 1, 1 thread, median per video')
    print(machine_line(), flush=True)
    print_latency(measure_latency(cfg, records, runtimes=args.runtimes))


if __name__ == '__main__':
    run_main(main)
