"""Export a skeleton model (and a pose estimator) as a bundle for the torch-free runtime.

    python tools/export_onnx.py [CONFIG CHECKPOINT] --out DIR
        [--pose-checkpoint lwopenpose|FILE [--pose-arch lwopenpose] [--refinement-stages 1]
         [--pose-height 256]] [--int8 [--calibration-video VIDEO]] [--cfg-options ...]

Without CONFIG and CHECKPOINT the pretrained JHMDB model that ships with posegraph is
exported. The bundle (DIR) holds the recognizer's streaming step, whole-clip and
whole-video graphs (the last: raw joints through the test pipeline to scores in one call),
the estimator's graph with --pose-checkpoint, and manifest.json (layout, classes,
normalisation, streams, input size, opset, SHA-256 of each file). onnxruntime is checked
against PyTorch first; a bundle that disagrees is not written. --int8 quantises the
recognizer's step (calibrated on the config's training clips; left in float32, with a line
that says so, where they are not on this machine) and the estimator (on the frames of
--calibration-video) and keeps each int8 graph only if it runs faster. Run it with
`python tools/demo.py INPUT --bundle DIR` (no torch needed there).
"""
import argparse
import sys
from typing import Optional, Sequence

from posegraph.apis import USER_ERRORS, init_recognizer, parse_cfg_options
from posegraph.apis.bundle import export_bundle
from posegraph.cli import refuse_below
from posegraph.errors import MissingWeightsError
from posegraph.io import VideoReadError, VideoSource
from posegraph.runtime import BundleError


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', help='skeleton model config (default: shipped)')
    parser.add_argument('checkpoint', nargs='?', help='its weights')
    parser.add_argument('--out', required=True, help='the bundle folder')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='overrides of the skeleton model config')
    parser.add_argument('--pose-checkpoint',
                        help="the estimator's weights: a file, an http(s):// URL, or "
                             "'lwopenpose' for the published checkpoint (downloaded once); "
                             'none: no estimator')
    parser.add_argument('--pose-arch', default='lwopenpose',
                        choices=('lwopenpose', 'pose_attention'),
                        help="the estimator's network: the public configuration, or the "
                        "pose-attention paper's")
    parser.add_argument('--refinement-stages', type=int, default=1, choices=[1, 2, 3],
                        help='refinement stages of the lwopenpose network: 1 as the public '
                        'demo, 3 to use all the published checkpoint holds')
    parser.add_argument('--pose-height', type=int, default=256,
                        help='estimator input height in pixels')
    parser.add_argument('--int8', action='store_true',
                        help='static int8 where it is measured faster')
    parser.add_argument('--calibration-video',
                        help="frames that calibrate the estimator's int8 activations")
    args = parser.parse_args(argv)
    refuse_below(parser, args, dict(pose_height=8))
    if bool(args.config) != bool(args.checkpoint):
        parser.error('give CONFIG and CHECKPOINT together (neither: the shipped model)')
    # Said before anything is exported: the estimator's int8 needs its calibration frames,
    # and frames given without it would be read for nothing.
    if args.int8 and args.pose_checkpoint and not args.calibration_video:
        parser.error("--int8 with an estimator needs --calibration-video: frames that "
                     "calibrate the estimator's int8 activations")
    if args.calibration_video and not (args.int8 and args.pose_checkpoint):
        parser.error('--calibration-video calibrates the int8 estimator: give it with --int8 '
                     'and --pose-checkpoint')
    try:
        model = init_recognizer(args.config, args.checkpoint, cfg_options=args.cfg_options)
        pose_network = None
        if args.pose_checkpoint:
            from posegraph.pose.backends import LightweightOpenPoseBackend
            pose_network = LightweightOpenPoseBackend(
                args.pose_checkpoint, arch=args.pose_arch, height=args.pose_height,
                refinement_stages=args.refinement_stages).network
        frames = list(VideoSource(args.calibration_video)) if args.calibration_video else None
        manifest = export_bundle(model, args.out, pose_network, args.pose_height,
                                 {'arch': args.pose_arch,
                                  'refinement_stages': args.refinement_stages},
                                 int8=args.int8, calibration_frames=frames,
                                 progress=lambda line: print(f'{line}...', flush=True))
    except MissingWeightsError as e:
        sys.exit(f'error: --pose-checkpoint: {e}')
    except (BundleError, ValueError, TypeError, VideoReadError, *USER_ERRORS) as e:
        sys.exit(f'error: {e}')
    checks = manifest['checks']['max_abs_difference']
    print('onnxruntime vs PyTorch, largest difference: '
          + ', '.join(f'{k} {v:.1e}' for k, v in checks.items()))
    for name, report in manifest.get('quantization', {}).items():
        if 'skipped' in report:
            print(f'int8 {name}: not quantised, float32 kept: {report["skipped"]}')
            continue
        speed = ', '.join(f'{t} thread(s) {r:.2f}x' for t, r in report['speedup'].items())
        print(f'int8 {name}: {speed} vs float32, {report["bytes"][1] / 1e6:.2f} MB '
              f'(float32 {report["bytes"][0] / 1e6:.2f}); outputs differ by at most '
              f'{report["max_abs_difference"]:.3g} (mean {report["mean_abs_difference"]:.3g}); '
              + ('kept' if report['kept'] else 'not kept: float32 is faster'))
    for name, entry in manifest['files'].items():
        print(f'{args.out}/{name}: {entry["bytes"] / 1e6:.2f} MB')
    print(f'wrote {args.out} ({len(manifest["recognizer"]["classes"])} classes, '
          f'{manifest["recognizer"]["layout"]} joints'
          + (', with the pose estimator)' if 'pose' in manifest else ')')
          + ('' if manifest['recognizer']['step'] else
             '; its network has no streaming step: tools/demo.py runs it with --window'))


if __name__ == '__main__':
    main()
