import json
import warnings
import os

import pytest
import torch

from posegraph.pose import (LightweightOpenPose, lightweight_openpose, load_pretrained,
                            pose_attention_openpose)

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
    assert load_pretrained(model, path) == ([], [])
    torch.testing.assert_close(model.initial_stage.heatmaps[1][0].weight,
                               source.initial_stage.heatmaps[1][0].weight)
    # DataParallel's 'module.' prefix is stripped.
    torch.save({'module.' + k: v for k, v in source.state_dict().items()}, path)
    assert load_pretrained(lightweight_openpose(), path) == ([], [])


def test_loading_never_runs_code_from_the_checkpoint(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {tmp_path / "ran"}',))
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload()}, path)
    with pytest.raises(Exception, match='[Ww]eights only load failed|Unsupported global'):
        load_pretrained(lightweight_openpose(), path)
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
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': source.state_dict()}, path)
    eager = LightweightOpenPoseBackend(str(path), height=64)
    onnx = LightweightOpenPoseBackend(str(path), height=64, runtime='onnx')
    frame = np.random.default_rng(0).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    batch, scale = eager.preprocess(frame)
    assert batch.shape == (3, 64, 120) and scale == pytest.approx(64 / 90)  # 114 -> 120
    for a, b in zip(eager.maps(batch[None]), onnx.maps(batch[None])):
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
        assert load_pretrained(demo, path) == ([], [])
    image = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        full = published.eval()(image)
        torch.testing.assert_close(demo.eval()(image)[-1][0], full[1][0])   # its stage 2 maps
        every = lightweight_openpose(num_refinement_stages=3).eval()
        with warnings.catch_warnings():
            warnings.simplefilter('error')           # all stages used: nothing to report
            assert load_pretrained(every, path) == ([], [])
        torch.testing.assert_close(every(image)[-1][1], full[-1][1])
    with pytest.raises(RuntimeError, match='Missing key.*refinement_stages.3'):
        load_pretrained(lightweight_openpose(num_refinement_stages=4), path)
