"""Drawing skeleton clips with matplotlib."""
import os

import matplotlib

matplotlib.use('Agg')  # draw to files; no display is needed or assumed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from posegraph.skeleton import get_layout  # noqa: E402


def plot_skeleton_strips(records, layout, path, titles=None, num_frames=6):
    """Draw each record's most confident person at ``num_frames`` moments, a row a clip.

    Args:
        records: annotation records (``keypoint`` ``(M, T, V, 2)``, ``keypoint_score``).
        layout: their skeleton layout.
        path: the PNG to write.
        titles: a row label per record; ``frame_dir`` by default.
    """
    layout = get_layout(layout)
    left = np.array(['left' in name for name in layout.joint_names])
    fig, axes = plt.subplots(len(records), num_frames, squeeze=False,
                             figsize=(1.6 * num_frames, 2.0 * len(records)))
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
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
