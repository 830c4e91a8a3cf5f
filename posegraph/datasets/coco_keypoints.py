"""COCO person keypoints with Lightweight OpenPose's training targets, for training the
pose estimator with mmengine's Runner (``configs/lwopenpose_coco.py``)."""
import json
import os
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from posegraph.pose.targets import keypoint_heatmaps, part_affinity_fields
from posegraph.registry import DATASETS
from posegraph.skeleton import OPENPOSE18, convert_keypoints


@DATASETS.register_module()
class CocoKeypointsDataset(BaseDataset):
    """COCO person-keypoint images with Lightweight OpenPose training targets.

    Each image is scaled to fit ``input_size`` (by a random factor in ``scale_range`` when
    training), randomly mirrored, padded, normalised as ``(img - 128) / 256`` (BGR), and
    given its targets at ``stride``: Gaussian heatmaps (``sigma`` pixels) with the
    background map, part affinity fields, and a mask that is 0 over crowd regions and over
    people without labelled keypoints, so that the loss ignores what was not annotated.

    Args:
        ann_file: a COCO ``person_keypoints_*.json``.
        img_dir: the folder of its images.
        input_size: ``(height, width)`` of the network input, multiples of ``stride``.
            (default: ``(368, 368)``)
        test_mode: no random scaling or mirroring. (default: ``False``)
    """

    def __init__(self, ann_file: str, img_dir: str, input_size: Sequence[int] = (368, 368),
                 stride: int = 8, sigma: float = 7.0,
                 scale_range: Sequence[float] = (0.7, 1.3), flip_prob: float = 0.5,
                 test_mode: bool = False, **kwargs):
        self.img_dir = img_dir
        self.input_size = tuple(input_size)
        self.stride, self.sigma = stride, sigma
        self.scale_range, self.flip_prob = scale_range, flip_prob
        if any(side % stride for side in self.input_size):
            raise ValueError(f'input_size {input_size} must be multiples of {stride}')
        if not os.path.isfile(ann_file):
            raise FileNotFoundError(f'{ann_file}: no such COCO annotation file')
        super().__init__(ann_file=ann_file, test_mode=test_mode, serialize_data=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        try:
            with open(self.ann_file) as f:
                coco = json.load(f)
            images = {image['id']: image for image in coco['images']}
            annotations = coco['annotations']
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f'{self.ann_file}: not a COCO keypoint file ({e})') from None
        by_image = {}
        for ann in annotations:
            if ann.get('category_id', 1) == 1:
                by_image.setdefault(ann['image_id'], []).append(ann)
        data = []
        for image_id, anns in sorted(by_image.items()):
            if not any(a.get('num_keypoints', 0) > 0 for a in anns):
                continue
            image = images[image_id]
            data.append({'img_path': os.path.join(self.img_dir, image['file_name']),
                         'height': image['height'], 'width': image['width'], 'anns': anns})
        return data

    @staticmethod
    def to_openpose18(anns: List[dict]) -> np.ndarray:
        """``(P, 18, 3)`` openpose18 keypoints (x, y, labelled) of the labelled people."""
        people = [np.asarray(a['keypoints'], np.float32).reshape(17, 3) for a in anns
                  if a.get('num_keypoints', 0) > 0 and not a.get('iscrowd', 0)]
        if not people:
            return np.zeros((0, 18, 3), np.float32)
        people = np.stack(people)
        xy, labelled = convert_keypoints(people[..., :2], (people[..., 2] > 0).astype(np.float32),
                                         'coco17', 'openpose18')
        return np.concatenate([xy, labelled[..., None]], axis=-1)

    def unlabelled_mask(self, info: dict, shape: Tuple[int, int]) -> np.ndarray:
        """1 where the loss counts, 0 over crowds and people without keypoints."""
        mask = np.ones(shape, np.uint8)
        for ann in info['anns']:
            if ann.get('iscrowd', 0) or ann.get('num_keypoints', 0) == 0:
                x, y, w, h = (int(round(v)) for v in ann.get('bbox', (0, 0, 0, 0)))
                mask[max(y, 0):y + h, max(x, 0):x + w] = 0
        return mask

    def prepare_data(self, idx: int) -> Dict[str, object]:
        info = self.get_data_info(idx)
        image = cv2.imread(info['img_path'])
        if image is None:
            raise FileNotFoundError(f"{info['img_path']}: cannot read the image")
        people = self.to_openpose18(info['anns'])
        mask = self.unlabelled_mask(info, image.shape[:2])
        height, width = self.input_size
        scale = min(height / image.shape[0], width / image.shape[1])
        if not self.test_mode:
            scale *= np.random.uniform(*self.scale_range)
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        mask = cv2.resize(mask, (image.shape[1], image.shape[0]),
                          interpolation=cv2.INTER_NEAREST)
        people[..., :2] *= scale
        if not self.test_mode and np.random.rand() < self.flip_prob:
            image, mask = image[:, ::-1], mask[:, ::-1]
            people = people[:, OPENPOSE18.flip_index]
            people[..., 0] = image.shape[1] - 1 - people[..., 0]
        canvas = np.full((height, width, 3), 128, np.uint8)   # grey: 0 once normalised
        mask_canvas = np.zeros((height, width), np.uint8)
        h, w = min(height, image.shape[0]), min(width, image.shape[1])
        canvas[:h, :w], mask_canvas[:h, :w] = image[:h, :w], mask[:h, :w]
        map_shape = (height // self.stride, width // self.stride)
        sample = BaseDataElement(
            heatmaps=torch.from_numpy(keypoint_heatmaps(people, map_shape, self.stride,
                                                        self.sigma)),
            pafs=torch.from_numpy(part_affinity_fields(people, map_shape, self.stride)),
            mask=torch.from_numpy(cv2.resize(mask_canvas, map_shape[::-1],
                                             interpolation=cv2.INTER_AREA).astype(np.float32)))
        inputs = (canvas.astype(np.float32) - 128) / 256
        return {'inputs': torch.from_numpy(inputs.transpose(2, 0, 1).copy()),
                'data_samples': sample}
