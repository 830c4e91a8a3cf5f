"""Drawing skeleton clips with matplotlib.

Figures are :class:`matplotlib.figure.Figure` objects written straight to files: no pyplot,
no global back-end switched, so importing posegraph leaves a user's matplotlib as it was.
"""
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from posegraph.io import atomic_open
from posegraph.skeleton import LayoutLike, get_layout


def save_figure(fig: Figure, path: str, dpi: int = 90) -> str:
    """Lay out ``fig`` and write it to ``path`` whole or not at all (making its folder); the
    format follows the file's extension (``.png``, ``.pdf``, ``.svg``...)."""
    fig.tight_layout()
    kind = os.path.splitext(path)[1][1:].lower() or 'png'
    with atomic_open(path) as f:
        fig.savefig(f, dpi=dpi, format=kind)
    return path


def plot_skeleton_strips(records: Sequence[dict], layout: LayoutLike, path: str,
                         titles: Optional[Sequence[str]] = None, num_frames: int = 6) -> str:
    """Draw each record's most confident person at ``num_frames`` moments, a row a clip.

    Args:
        records: annotation records (``keypoint`` ``(M, T, V, 2)``, ``keypoint_score``).
        layout: their skeleton layout.
        path: the PNG to write.
        titles: a row label per record; ``frame_dir`` by default.
    """
    layout = get_layout(layout)
    left = np.array(['left' in name for name in layout.joint_names])
    fig = Figure(figsize=(1.6 * num_frames, 2.0 * len(records)))
    axes = fig.subplots(len(records), num_frames, squeeze=False)
    for row, record in enumerate(records):
        score_all = record['keypoint_score']
        person = int(np.argmax(score_all.sum(axis=(1, 2))))
        keypoint, score = record['keypoint'][person], score_all[person]
        visible = score > 0
        xs, ys = keypoint[..., 0][visible], keypoint[..., 1][visible]
        for col, frame in enumerate(np.linspace(0, len(keypoint) - 1, num_frames).astype(int)):
            ax = axes[row, col]
            for child, parent in layout.bones:
                if visible[frame, child] and visible[frame, parent]:
                    ax.plot(keypoint[frame, [child, parent], 0],
                            keypoint[frame, [child, parent], 1],
                            color='tab:blue' if left[child] else 'tab:red', lw=2)
            if len(xs):
                pad = 0.05 * max(np.ptp(xs), np.ptp(ys), 1)
                ax.set_xlim(xs.min() - pad, xs.max() + pad)
                ax.set_ylim(ys.max() + pad, ys.min() - pad)  # image y points down
            ax.set_aspect('equal')
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f't={frame}', fontsize=7)
        label = titles[row] if titles is not None else record.get('frame_dir', '')
        axes[row, 0].set_ylabel(label, fontsize=8)
    return save_figure(fig, path, dpi=80)


def plot_attention(keypoint: np.ndarray, joint_weights: np.ndarray, frame_weights: np.ndarray,
                   layout: LayoutLike, path: str, title: Optional[str] = None,
                   num_frames: int = 5) -> str:
    """Draw which frames and joints a model attended to in one person's clip.

    Args:
        keypoint: the person's joints ``(T, V, 2)`` (image or normalised coordinates,
            y pointing down).
        joint_weights: attention over joints in every frame, ``(T, V)``.
        frame_weights: attention over frames, ``(T,)``.
        layout: the skeleton layout.
        path: the PNG to write.
        title: a heading, e.g. the true and predicted class.
        num_frames: how many of the most attended frames to draw.
    """
    layout = get_layout(layout)
    keypoint, joint_weights = np.asarray(keypoint), np.asarray(joint_weights)
    frame_weights = np.asarray(frame_weights)
    top = np.sort(np.argsort(-frame_weights)[:num_frames])
    fig = Figure(figsize=(2.4 * num_frames, 5.2))
    grid = fig.add_gridspec(2, num_frames, height_ratios=[1, 2.2])
    ax_time = fig.add_subplot(grid[0, :])
    ax_time.bar(np.arange(len(frame_weights)), frame_weights, color='tab:gray')
    ax_time.bar(top, frame_weights[top], color='tab:orange')
    ax_time.set_xlabel('frame')
    ax_time.set_ylabel('frame attention')
    ax_time.set_xlim(-0.5, len(frame_weights) - 0.5)
    lo, hi = keypoint.reshape(-1, 2).min(0), keypoint.reshape(-1, 2).max(0)
    pad = 0.05 * max(*(hi - lo), 1e-6)
    scale = 400 / max(joint_weights.max(), 1e-6)
    for col, frame in enumerate(top):
        ax = fig.add_subplot(grid[1, col])
        for child, parent in layout.bones:
            ax.plot(keypoint[frame, [child, parent], 0], keypoint[frame, [child, parent], 1],
                    color='tab:gray', lw=1.5, zorder=1)
        ax.scatter(keypoint[frame, :, 0], keypoint[frame, :, 1], zorder=2,
                   s=10 + scale * joint_weights[frame], c=joint_weights[frame],
                   cmap='inferno_r', vmin=0, vmax=joint_weights.max())
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(hi[1] + pad, lo[1] - pad)
        ax.set_aspect('equal')
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f'frame {frame}', fontsize=9)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_action_timeline(timeline: Sequence[dict], class_names: Sequence[str], fps: float,
                         path: str, max_tracks: int = 8) -> str:
    """Draw each person's top class over time, a row per track: the class as the colour
    of the band, its probability as the line over it.

    Args:
        timeline: per frame, ``{'frame': t, 'persons': [{'id', 'label', 'score'}, ...]}``
            (``label`` an index, as ``tools/demo.py`` writes its JSON).
        class_names: a name per class.
        fps: the video's rate, for the time axis.
        path: the PNG to write.
        max_tracks: the most-seen tracks drawn (default 8).
    """
    tracks: Dict[int, List[tuple]] = {}
    for entry in timeline:
        for person in entry['persons']:
            if person.get('label') is not None:
                tracks.setdefault(person['id'], []).append(
                    (entry['frame'] / fps, person['label'], person['score']))
    shown = sorted(sorted(tracks, key=lambda k: -len(tracks[k]))[:max_tracks])
    fig = Figure(figsize=(10, 0.9 + 1.1 * max(len(shown), 1)))
    axes = fig.subplots(max(len(shown), 1), 1, squeeze=False, sharex=True)[:, 0]
    palette = colormaps['tab20'].resampled(max(len(class_names), 1))
    used = set()
    for ax, track in zip(axes, shown):
        times, labels, scores = map(np.asarray, zip(*tracks[track]))
        step = 1 / fps
        for time, label in zip(times, labels):
            ax.axvspan(time, time + step, color=palette(int(label)), alpha=0.5, lw=0)
            used.add(int(label))
        ax.plot(times + step / 2, scores, color='black', lw=1)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f'#{track}', rotation=0, ha='right', va='center')
        ax.set_yticks([0, 1])
    if not shown:
        axes[0].text(0.5, 0.5, 'no person was recognised', ha='center', va='center',
                     transform=axes[0].transAxes)
    axes[-1].set_xlabel('time (s)')
    handles = [Patch(color=palette(k), alpha=0.5, label=class_names[k]) for k in sorted(used)]
    if handles:
        axes[0].legend(handles=handles, loc='upper left', bbox_to_anchor=(1.01, 1),
                       fontsize='small', frameon=False)
    axes[0].set_title('top class per person (band) and its probability (line)')
    return save_figure(fig, path)
