"""One contract for the model of every config (as timm tests every model): it builds, its
repr names it, a forward and a backward pass run on the config's input shape with finite
results and gradients reaching its parameters, reset_parameters starts it afresh,
reproducibly, and the skeleton network of each type exports to ONNX and agrees with
PyTorch there (the export's options are tested further in test_export.py and the runtime's
tests; each RGB network type's export in test_video_models.py, on scaled-down twins)."""
import glob
import os

import pytest
import torch

from posegraph.apis import load_config
from posegraph.export import export_onnx
from posegraph.registry import MODELS, register_all_modules
from posegraph.runtime.bundle import onnx_session
from posegraph.skeleton import get_layout
from posegraph.structures import ActionDataSample
from conftest import ROOT

CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '*.py')))
# Paper-size RGB models (ResNet-50, VGG-16, Xception at 224 px) are built and reset here;
# their forward and backward passes run on scaled-down twins in test_video_models.py.
FULL_SIZE_RGB = ('ucf101',)


def build(path):
    register_all_modules()
    cfg = load_config(path)
    return cfg, MODELS.build(cfg.model)


def network_of(model):
    return getattr(model, 'network', model)


def skeleton_input(cfg, network, batch=2, frames=8):
    persons = next((s.get('num_person', 1) for s in cfg.test_dataloader.dataset.pipeline
                    if s['type'] == 'SelectPersons'), 1)
    torch.manual_seed(0)
    x = torch.randn(batch, 1, persons, frames, get_layout(network.layout).num_joints,
                    network.in_channels)
    x[..., -1] = 1                                     # every joint seen
    return x


@pytest.mark.parametrize('path', CONFIGS, ids=[os.path.basename(p) for p in CONFIGS])
def test_every_configs_model_builds_resets_and_names_itself(path):
    _, model = build(path)
    network = network_of(model)
    assert repr(network).startswith(type(network).__name__ + '(')
    assert sum(p.numel() for p in network.parameters()) > 0
    first = [p.detach().clone() for p in network.parameters()]
    torch.manual_seed(1)
    network.reset_parameters()
    once = [p.detach().clone() for p in network.parameters()]
    torch.manual_seed(1)
    network.reset_parameters()
    assert all(torch.equal(a, p) for a, p in zip(once, network.parameters()))   # reproducible
    assert any(not torch.equal(a, b) for a, b in zip(first, once))              # afresh


SKELETON = [p for p in CONFIGS if 'keypoint' in os.path.basename(p)]


@pytest.mark.parametrize('path', SKELETON, ids=[os.path.basename(p) for p in SKELETON])
def test_every_skeleton_configs_model_runs_forward_and_backward(path):
    cfg, model = build(path)
    network = network_of(model)
    x = skeleton_input(cfg, network)
    samples = [ActionDataSample().set_gt_label(k) for k in range(len(x))]
    losses = model(x, samples, mode='loss')
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    grads = [p.grad for p in network.parameters() if p.requires_grad]
    reached = sum(g is not None and bool(g.abs().sum() > 0) for g in grads)
    assert reached >= 0.9 * len(grads), f'{reached} of {len(grads)} parameters get a gradient'
    assert all(torch.isfinite(g).all() for g in grads if g is not None)
    model.eval()
    with torch.no_grad():
        scores = model(x, mode='tensor')
    assert scores.shape == (2, network.num_classes)
    torch.testing.assert_close(scores.sum(-1), torch.ones(2))


VIDEO = [p for p in CONFIGS if 'rgb' in os.path.basename(p)
         and not any(name in os.path.basename(p) for name in FULL_SIZE_RGB)]


@pytest.mark.parametrize('path', VIDEO, ids=[os.path.basename(p) for p in VIDEO])
def test_every_small_rgb_configs_model_runs_forward_and_backward(path):
    cfg, model = build(path)
    network = network_of(model)
    channels = 3 + 2 * cfg.get('flow_length', 0)            # RGB, then stacked flows
    x = torch.rand(2, cfg.clip_len, channels, cfg.crop_size, cfg.crop_size) * 255
    samples = [ActionDataSample().set_gt_label(k) for k in range(2)]
    losses = model(model.data_preprocessor({'inputs': list(x), 'data_samples': samples})
                   ['inputs'], samples, mode='loss')
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert any(p.grad is not None for p in network.parameters())


def one_config_per_network_type(paths):
    """The first of ``paths`` for each network type: exporting is slow, and a type exports
    the same way whatever its sizes."""
    chosen = {}
    for path in paths:
        chosen.setdefault(load_config(path).model.network.type, path)
    return sorted(chosen.values())


EXPORTED = one_config_per_network_type(SKELETON)


@pytest.mark.parametrize('path', EXPORTED, ids=[os.path.basename(p) for p in EXPORTED])
def test_each_network_type_exports_to_onnx_and_agrees_with_pytorch(path, tmp_path):
    cfg, model = build(path)
    network = network_of(model).eval()
    onnx_path = str(tmp_path / 'model.onnx')
    x = skeleton_input(cfg, network, batch=1)[:, 0]
    export_onnx(network, onnx_path, num_person=x.shape[1], clip_len=x.shape[2])
    with torch.no_grad():
        expected = network(x)['logits']
    logits = onnx_session(onnx_path).run(['logits'], {'inputs': x.numpy()})[0]
    torch.testing.assert_close(torch.from_numpy(logits), expected, atol=1e-4, rtol=1e-4)
