"""Draw the pose tracks of an annotation file on their video, as an MP4 or a GIF.

    python tools/visualize.py VIDEO ANN.pkl [--frame-dir NAME] --out OUT.mp4|OUT.gif
        [--layout coco17] [--label TEXT] [--config CFG --checkpoint CKPT [--cfg-options ...]]
        [--width 640]
        [--frame K --frame-out FRAME.png]

With a skeleton model's --config and --checkpoint, its predicted action is written on the
frames. --frame writes one drawn frame as a picture as well.
"""
import argparse
import os
import sys
from typing import Optional, Sequence

import cv2

from posegraph.apis import (
    USER_ERRORS,
    class_name,
    inference_record,
    init_recognizer,
    parse_cfg_options,
)
from posegraph.cli import refuse_below
from posegraph.drawing import draw_tracks
from posegraph.io import (
    AtomicVideoWriter,
    OutputPathError,
    atomic_open,
    load_annotations,
    make_folder_for,
)
from posegraph.io.video import VideoReadError, read_video, video_fps
from posegraph.skeleton import check_num_joints


def predict_label(record: dict, config: str, checkpoint: str,
                  cfg_options: Optional[dict] = None) -> str:
    """The skeleton model's top class for one record, as text ("name (score %)")."""
    model = init_recognizer(config, checkpoint, cfg_options=cfg_options)
    result = inference_record(model, record)
    top = int(result.pred_label)
    return f'{class_name(model, top)} ({100 * float(result.pred_score[top]):.0f} %)'


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('video', help='the video file (or folder of frames) the poses are of')
    parser.add_argument('annotations', help='a PYSKL-format annotation file holding its record '
                        '(tools/extract_pose.py writes one)')
    parser.add_argument('--frame-dir', help='which record (default: the video file name)')
    parser.add_argument('--out', required=True, help='.mp4 or .gif')
    parser.add_argument('--layout', default='coco17', help="the annotations' skeleton layout")
    parser.add_argument('--label', help='text to write on the frames')
    parser.add_argument('--config', help='a skeleton model config, to write its top class')
    parser.add_argument('--checkpoint', help='its weights')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='overrides of the skeleton model config')
    parser.add_argument('--width', type=int, default=640, help='output width in pixels')
    parser.add_argument('--frame', type=int, help='also save this frame as a picture')
    parser.add_argument('--frame-out', help='where to save --frame (PNG)')
    args = parser.parse_args(argv)
    refuse_below(parser, args, dict(width=8, frame=0))
    # An option that would be dropped without a word: a label from untrained weights, or a
    # frame file for no frame.
    if bool(args.config) != bool(args.checkpoint):
        parser.error('--config and --checkpoint go together: the model writes its top class '
                     'only with its trained weights')
    if args.frame_out and args.frame is None:
        parser.error('--frame-out names where --frame K goes: give --frame too')
    try:
        draw(args)
    except USER_ERRORS + (VideoReadError, ValueError) as e:
        sys.exit(f'error: {e}')


def draw(args: argparse.Namespace) -> None:
    """Write the drawing ``main``'s arguments ask for."""
    name = args.frame_dir or os.path.splitext(os.path.basename(args.video))[0]
    records = {r['frame_dir']: r for r in load_annotations(args.annotations)}
    if name not in records:
        sys.exit(f'error: {args.annotations}: no record {name!r} (use --frame-dir)')
    record = records[name]
    check_num_joints(record['keypoint'].shape[2], args.layout, f'{args.annotations}: {name}')
    if args.frame is not None and args.frame >= record['total_frames']:
        sys.exit(f'error: --frame {args.frame}: {name} has {record["total_frames"]} frames '
                 f'(0 to {record["total_frames"] - 1})')
    # Before the video is read and drawn: where the drawing and the frame cannot go.
    gif = args.out.lower().endswith('.gif')
    if gif:
        make_folder_for(args.out, 'the drawing')
    else:
        AtomicVideoWriter(args.out, 25.0, 'the drawing').check()
    frame_out = args.frame_out or os.path.splitext(args.out)[0] + '.png'
    if args.frame is not None:
        if not cv2.haveImageWriter(frame_out):
            raise OutputPathError(f'{frame_out}: OpenCV cannot write this picture format '
                                  '(use .png or .jpg)')
        make_folder_for(frame_out, 'the frame')
    frames = read_video(args.video)
    if len(frames) != record['total_frames']:
        sys.exit(f'error: {args.video} has {len(frames)} frames, the record '
                 f'{record["total_frames"]}')
    label = args.label
    if args.config:
        label = predict_label(record, args.config, args.checkpoint, args.cfg_options)
        print(f'predicted: {label}')
    scale = args.width / frames[0].shape[1]
    size = (args.width, round(frames[0].shape[0] * scale))
    drawn = [cv2.resize(draw_tracks(frame, record['keypoint'][:, t], record['keypoint_score'][:, t],
                                    args.layout, label), size, interpolation=cv2.INTER_AREA)
             for t, frame in enumerate(frames)]
    fps = video_fps(args.video)   # the source's rate, so the drawing plays at its speed
    if gif:
        from PIL import Image
        images = [Image.fromarray(cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in drawn]
        with atomic_open(args.out) as f:
            images[0].save(f, format='GIF', save_all=True, append_images=images[1:],
                           duration=round(1000 / fps), loop=0)
    else:
        with AtomicVideoWriter(args.out, fps, 'the drawing') as writer:
            for frame in drawn:
                writer.write(frame)
    if args.frame is not None:
        if not cv2.imwrite(frame_out, drawn[args.frame]):
            raise OutputPathError(f'{frame_out}: OpenCV could not write the frame')
        print(f'wrote {frame_out}')
    print(f'wrote {args.out} ({len(drawn)} frames)')


if __name__ == '__main__':
    main()
