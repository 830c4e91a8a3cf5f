"""One contract for the model of every config, and for every registered network no config
uses (as timm tests every model): it builds, its repr names it, a forward and a backward
pass run on the config's input shape with finite results and gradients reaching its
parameters, reset_parameters starts it afresh, reproducibly, and the skeleton network of
each type exports to ONNX and agrees with PyTorch there (the export's options are tested
further in test_export.py and the runtime's tests; each RGB network type's export in
test_video_models.py, on scaled-down twins)."""
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
# A short config name (pan_jhmdb.py) builds the model of the config it names: one test each.
DISTINCT = sorted({str(load_config(path).model.to_dict()): path
                   for path in CONFIGS[::-1]}.values())
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


def check_builds_resets_and_names_itself(network):
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


def check_forward_and_backward(model, x):
    network = network_of(model)
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
    assert scores.shape == (len(x), network.num_classes)
    torch.testing.assert_close(scores.sum(-1), torch.ones(len(x)))


@pytest.mark.parametrize('path', DISTINCT, ids=[os.path.basename(p) for p in DISTINCT])
def test_every_configs_model_builds_resets_and_names_itself(path):
    _, model = build(path)
    check_builds_resets_and_names_itself(network_of(model))


SKELETON = [p for p in CONFIGS if 'keypoint' in os.path.basename(p)]


@pytest.mark.parametrize('path', SKELETON, ids=[os.path.basename(p) for p in SKELETON])
def test_every_skeleton_configs_model_runs_forward_and_backward(path):
    cfg, model = build(path)
    check_forward_and_backward(model, skeleton_input(cfg, network_of(model)))


# Registered networks that no config uses, with what it takes to build one; the wrappers and
# preprocessors and their batch blendings (tested in test_blending.py) are not networks.
UNCONFIGURED = {
    'STGCN': dict(layout='coco17', in_channels=3, num_classes=5),
    'DDNet': dict(layout='coco17', in_channels=3, num_classes=5, filters=8),
}
NOT_NETWORKS = {'SkeletonRecognizer', 'VideoRecognizer', 'SkeletonDataPreprocessor',
                'VideoDataPreprocessor', 'MixupBlending', 'TemporalCutmixBlending'}


def test_every_registered_network_is_under_the_contract():
    register_all_modules()
    configured = set()
    for path in CONFIGS:
        model = load_config(path).model
        configured |= {model.type, model.get('network', {}).get('type')}
    registered = set(MODELS.module_dict) - NOT_NETWORKS
    assert registered <= configured | set(UNCONFIGURED), registered - configured


@pytest.mark.parametrize('name', sorted(UNCONFIGURED))
def test_registered_networks_without_a_config_keep_the_contract(name):
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(dict(type='SkeletonRecognizer',
                              network=dict(type=name, **UNCONFIGURED[name])))
    check_builds_resets_and_names_itself(model.network)
    x = torch.randn(2, 1, 1, 8, 17, UNCONFIGURED[name]['in_channels'])
    x[..., -1] = 1
    check_forward_and_backward(model, x)


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


# StreamEnsemble's whole-clip graph is exported and checked against PyTorch where the
# bundle is built (tests/runtime), and its step in test_export.py: not again here (slow).
EXPORTED = [path for path in one_config_per_network_type(SKELETON)
            if load_config(path).model.network.type != 'StreamEnsemble']


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
