"""The estimator's training data (COCO keypoints and their targets), and training the
estimator (:class:`~posegraph.models.PoseEstimatorModel`) on it from the CLI."""
import json

import cv2
import numpy as np
import pytest
import torch

from posegraph.datasets import CocoKeypointsDataset
from posegraph.pose import LightweightOpenPose, load_openpose_checkpoint
from posegraph.skeleton import OPENPOSE18


def coco_person(cx, cy, scale):
    """COCO-17 keypoints (x, y, v) of an upright person."""
    template = [(0, -1.6), (0.12, -1.7), (-0.12, -1.7), (0.25, -1.65), (-0.25, -1.65),
                (0.4, -1.2), (-0.4, -1.2), (0.5, -0.6), (-0.5, -0.6), (0.55, 0), (-0.55, 0),
                (0.25, 0), (-0.25, 0), (0.3, 0.8), (-0.3, 0.8), (0.3, 1.6), (-0.3, 1.6)]
    return [v for x, y in template for v in (cx + scale * x, cy + scale * y, 2)]


@pytest.fixture
def tiny_coco(tmp_path):
    images, annotations = [], []
    rng = np.random.default_rng(0)
    for k in range(4):
        name = f'{k:012d}.jpg'
        cv2.imwrite(str(tmp_path / name), rng.integers(0, 255, (96, 128, 3), dtype=np.uint8))
        images.append({'id': k, 'file_name': name, 'height': 96, 'width': 128})
        annotations.append({'id': 10 * k, 'image_id': k, 'category_id': 1, 'iscrowd': 0,
                            'num_keypoints': 17, 'bbox': [30, 10, 40, 80],
                            'keypoints': coco_person(50 + 5 * k, 48, 25)})
    annotations.append({'id': 99, 'image_id': 0, 'category_id': 1, 'iscrowd': 1,
                        'num_keypoints': 0, 'bbox': [96, 0, 32, 40], 'keypoints': [0] * 51})
    path = tmp_path / 'person_keypoints_tiny.json'
    path.write_text(json.dumps({'images': images, 'annotations': annotations,
                                'categories': [{'id': 1, 'name': 'person'}]}))
    return str(path), str(tmp_path)


def test_coco_targets_masks_and_flip(tiny_coco):
    ann_file, img_dir = tiny_coco
    dataset = CocoKeypointsDataset(ann_file, img_dir, input_size=(96, 128), test_mode=True)
    assert len(dataset) == 4
    sample = dataset[0]
    assert sample['inputs'].shape == (3, 96, 128)
    targets = sample['data_samples']
    assert targets.heatmaps.shape == (19, 12, 16) and targets.pafs.shape == (38, 12, 16)
    # The neck (mean of the shoulders) peaks in the cell that holds it.
    neck = np.array(coco_person(50, 48, 25)).reshape(17, 3)[[5, 6], :2].mean(0)
    row, col = divmod(int(targets.heatmaps[1].argmax()), 16)
    assert (row, col) == (int(neck[1] // 8), int(neck[0] // 8))
    assert targets.mask[0, 15] == 0 and targets.mask[8, 4] == 1       # crowd box masked
    flipped = CocoKeypointsDataset(ann_file, img_dir, input_size=(96, 128), flip_prob=1.0,
                                   scale_range=(1, 1))
    mirrored = flipped[0]['data_samples']
    left_wrist, right_wrist = OPENPOSE18.index('left_wrist'), OPENPOSE18.index('right_wrist')
    torch.testing.assert_close(mirrored.heatmaps[left_wrist],
                               targets.heatmaps[right_wrist].flip(-1), atol=0.05, rtol=0)
    with pytest.raises(ValueError, match='multiples of 8'):
        CocoKeypointsDataset(ann_file, img_dir, input_size=(90, 128))


def test_train_the_estimator_end_to_end_and_load_its_weights(tiny_coco, tmp_path, run_tool):
    ann_file, img_dir = tiny_coco
    work_dir = tmp_path / 'run'
    options = [f'train_dataloader.dataset.ann_file={ann_file}',
               f'train_dataloader.dataset.img_dir={img_dir}',
               'train_dataloader.dataset.input_size=(64,96)', 'train_dataloader.batch_size=2',
               'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
               'model.network.width=0.25', 'model.network.num_channels=16',
               'train_cfg.max_epochs=2', 'default_hooks.checkpoint.interval=1',
               'default_hooks.logger.interval=1', 'optim_wrapper.optimizer.lr=1e-3']
    result = run_tool('train', 'configs/lwopenpose_coco.py', '--work-dir', work_dir,
                      '--cfg-options', *options)
    assert result.returncode == 0, result.stderr[-3000:]
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'loss_heatmaps_1' in log and 'loss_pafs_0' in log
    model = LightweightOpenPose(width=0.25, num_channels=16)
    assert load_openpose_checkpoint(model, work_dir / 'epoch_2.pth') == ([], [])
