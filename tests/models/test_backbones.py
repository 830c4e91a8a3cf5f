"""The backbones carry the public checkpoints' names and shapes, and load them."""
import pytest
import torch

from posegraph.io.checkpoint import CheckpointError
from posegraph.models import SMNet, TwoStreamFusion, load_pretrained
from posegraph.models.backbones import resnet50, vgg16, xception

# Parameter counts of the published ImageNet models (torchvision, timm legacy_xception).
PUBLISHED_PARAMETERS = {'resnet50': 25_557_032, 'vgg16': 138_357_544, 'xception': 22_855_952}


def bn(prefix, c):
    return {f'{prefix}.weight': (c,), f'{prefix}.bias': (c,), f'{prefix}.running_mean': (c,),
            f'{prefix}.running_var': (c,), f'{prefix}.num_batches_tracked': ()}


def torchvision_resnet50_keys():
    """Keys and shapes of torchvision's resnet50 state dict, from its architecture."""
    keys = {'conv1.weight': (64, 3, 7, 7), **bn('bn1', 64), 'fc.weight': (1000, 2048),
            'fc.bias': (1000,)}
    inplanes = 64
    for stage, blocks in enumerate((3, 4, 6, 3), 1):
        planes = 64 * 2 ** (stage - 1)
        for b in range(blocks):
            p = f'layer{stage}.{b}'
            keys.update({f'{p}.conv1.weight': (planes, inplanes, 1, 1), **bn(f'{p}.bn1', planes),
                         f'{p}.conv2.weight': (planes, planes, 3, 3), **bn(f'{p}.bn2', planes),
                         f'{p}.conv3.weight': (planes * 4, planes, 1, 1),
                         **bn(f'{p}.bn3', planes * 4)})
            if b == 0:
                keys.update({f'{p}.downsample.0.weight': (planes * 4, inplanes, 1, 1),
                             **bn(f'{p}.downsample.1', planes * 4)})
            inplanes = planes * 4
    return keys


def torchvision_vgg16_keys():
    convs = [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256),
             (12, 256, 256), (14, 256, 256), (17, 256, 512), (19, 512, 512), (21, 512, 512),
             (24, 512, 512), (26, 512, 512), (28, 512, 512)]
    keys = {}
    for index, cin, cout in convs:
        keys[f'features.{index}.weight'] = (cout, cin, 3, 3)
        keys[f'features.{index}.bias'] = (cout,)
    for index, cin, cout in ((0, 25088, 4096), (3, 4096, 4096), (6, 4096, 1000)):
        keys[f'classifier.{index}.weight'] = (cout, cin)
        keys[f'classifier.{index}.bias'] = (cout,)
    return keys


def timm_xception_keys():
    keys = {'conv1.weight': (32, 3, 3, 3), **bn('bn1', 32), 'conv2.weight': (64, 32, 3, 3),
            **bn('bn2', 64), 'fc.weight': (1000, 2048), 'fc.bias': (1000,)}

    def sep(prefix, cin, cout):
        return {f'{prefix}.conv1.weight': (cin, 1, 3, 3),
                f'{prefix}.pointwise.weight': (cout, cin, 1, 1)}

    blocks = [(64, 128, 2, False, True), (128, 256, 2, True, True), (256, 728, 2, True, True)]
    blocks += [(728, 728, 3, True, True)] * 8 + [(728, 1024, 2, True, False)]
    for number, (cin, cout, reps, relu_first, grow_first) in enumerate(blocks, 1):
        p = f'block{number}'
        if cin != cout or number in (1, 2, 3, 12):
            keys.update({f'{p}.skip.weight': (cout, cin, 1, 1), **bn(f'{p}.skipbn', cout)})
        index = 0 if not relu_first else 1  # [ReLU, SeparableConv2d, BatchNorm2d] repeated
        for r in range(reps):
            if grow_first:
                a, b = (cin if r == 0 else cout), cout
            else:
                a, b = cin, (cout if r == reps - 1 else cin)
            keys.update({**sep(f'{p}.rep.{index}', a, b), **bn(f'{p}.rep.{index + 1}', b)})
            index += 3
    keys.update({**sep('conv3', 1024, 1536), **bn('bn3', 1536), **sep('conv4', 1536, 2048),
                 **bn('bn4', 2048)})
    return keys


REFERENCES = {'resnet50': (resnet50, torchvision_resnet50_keys),
              'vgg16': (vgg16, torchvision_vgg16_keys),
              'xception': (xception, timm_xception_keys)}


@pytest.mark.parametrize('name', sorted(REFERENCES))
def test_default_backbones_have_the_checkpoint_keys_and_shapes(name, tmp_path):
    build, reference = REFERENCES[name]
    model = build()
    expected = reference()
    own = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert own == expected
    assert sum(p.numel() for p in model.parameters()) == PUBLISHED_PARAMETERS[name]
    # A checkpoint file with exactly those keys loads strictly, values and all.
    torch.manual_seed(0)
    state = {k: (torch.randn(s) if s else torch.tensor(7)) for k, s in expected.items()}
    torch.save({'state_dict': {f'module.{k}': v for k, v in state.items()}}, tmp_path / 'ckpt.pth')
    report = load_pretrained(model, str(tmp_path / 'ckpt.pth'), strict=True)
    assert report.missing == report.unexpected == report.mismatched == report.adapted == []
    for key in list(expected)[:3] + list(expected)[-3:]:
        torch.testing.assert_close(model.state_dict()[key], state[key])


def test_flow_stream_and_other_classifiers_are_adapted_and_reported(tmp_path):
    state = {k: torch.randn(s) for k, s in torchvision_vgg16_keys().items()}
    torch.save(state, tmp_path / 'vgg16.pth')
    flow_stream = vgg16(in_channels=8, num_classes=101)
    # Only the backbone's metadata names what may differ: the first convolution and the
    # classifier.
    assert flow_stream.pretrained_cfg['first_conv'] == 'features.0'
    assert flow_stream.pretrained_cfg['classifier'] == 'classifier.6'
    report = load_pretrained(flow_stream, str(tmp_path / 'vgg16.pth'))
    assert report.adapted == ['features.0.weight']
    assert report.mismatched == ['classifier.6.bias', 'classifier.6.weight']
    assert report.missing == report.unexpected == []
    first = flow_stream.features[0].weight
    averaged = state['features.0.weight'].mean(1, keepdim=True)
    torch.testing.assert_close(first, averaged.expand(-1, 8, -1, -1))
    torch.testing.assert_close(flow_stream.features[28].weight, state['features.28.weight'])
    # A backbone without a classifier takes the file too: its fc8 entries are expected.
    report = load_pretrained(vgg16(num_classes=0), str(tmp_path / 'vgg16.pth'))
    assert report.missing == report.unexpected == report.adapted == []
    # The models take the same file for their backbones.
    model = TwoStreamFusion(num_classes=5, pretrained=str(tmp_path / 'vgg16.pth'))
    model.init_weights()
    torch.testing.assert_close(model.temporal.features[2].weight, state['features.2.weight'])
    torch.testing.assert_close(model.spatial.features[0].weight, state['features.0.weight'])


def test_a_difference_outside_the_first_conv_and_classifier_is_an_error(tmp_path):
    state = {k: torch.randn(s) for k, s in torchvision_vgg16_keys().items()}
    state['features.2.weight'] = torch.randn(64, 32, 3, 3)  # input channels, not the first conv
    del state['features.28.bias']
    torch.save(state, tmp_path / 'other.pth')
    with pytest.raises(CheckpointError, match=r"other.pth is not a VGG checkpoint: missing "
                                       r"\['features.28.bias'\].*'features.2.weight'"):
        load_pretrained(vgg16(), str(tmp_path / 'other.pth'))
    report = load_pretrained(vgg16(), str(tmp_path / 'other.pth'), strict=False)
    assert report.missing == ['features.28.bias']
    assert report.mismatched == ['features.2.weight'] and report.adapted == []
    with pytest.raises(TypeError, match='no pretrained_cfg'):
        load_pretrained(torch.nn.Linear(2, 2), str(tmp_path / 'other.pth'))


def test_models_take_pretrained_resnet(tmp_path, monkeypatch):
    state = {k: (torch.randn(s) if s else torch.tensor(1))
             for k, s in torchvision_resnet50_keys().items()}
    torch.save(state, tmp_path / 'resnet50.pth')
    model = SMNet(num_classes=4, pretrained=str(tmp_path / 'resnet50.pth'))
    # Loaded by init_weights (the Runner calls it as training starts), not when built: a
    # trained model under test or inference never reads the ImageNet file.
    assert not torch.equal(model.backbone.layer3[2].conv2.weight, state['layer3.2.conv2.weight'])
    model.init_weights()
    torch.testing.assert_close(model.backbone.layer3[2].conv2.weight,
                               state['layer3.2.conv2.weight'])
    # MMAction2's name for it, with no torchvision installed: the file torchvision
    # publishes, from torch.hub's cache (downloaded there once).
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    model = SMNet(num_classes=4, pretrained='torchvision://resnet50')   # fetches nothing
    (tmp_path / 'hub' / 'checkpoints').mkdir(parents=True)
    torch.save(state, tmp_path / 'hub' / 'checkpoints' / 'resnet50-0676ba61.pth')
    model.init_weights()
    torch.testing.assert_close(model.backbone.layer1[0].conv1.weight,
                               state['layer1.0.conv1.weight'])


def test_pickled_payloads_and_non_checkpoints_are_refused(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ('payload ran',))

    torch.save({'state_dict': {'x': Payload()}}, tmp_path / 'evil.pth')
    with pytest.raises(Exception, match='(?i)weights only|unsupported|not allowed'):
        load_pretrained(resnet50(), str(tmp_path / 'evil.pth'))
    torch.save([1, 2, 3], tmp_path / 'list.pth')
    with pytest.raises(ValueError, match='not a state dict'):
        load_pretrained(resnet50(), str(tmp_path / 'list.pth'))


@pytest.mark.parametrize('build', [resnet50, vgg16, xception])
def test_every_backbone_chains_features_and_head(build):
    torch.manual_seed(0)
    model = build(width=0.125, num_classes=7, **({'fc_channels': 32} if build is vgg16 else {}))
    model.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        features = model.forward_features(x)
        assert features.dim() == 4 and features.shape[0] == 2
        logits = model.forward_head(features)
        torch.testing.assert_close(model(x), logits)
        assert logits.shape == (2, 7)
        pooled = model.forward_head(features, pre_logits=True)
    assert pooled.shape[0] == 2 and pooled.shape[1] != 7
    assert model.pretrained_cfg['file'].endswith('.pth')
