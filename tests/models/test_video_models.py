"""The RGB companion models: shapes, ablation switches, use of time, bad input, ONNX."""
import itertools

import numpy as np
import onnxruntime as ort
import pytest
import torch

from posegraph.export import export_video_onnx
from posegraph.models import ConvGRUXception, SMNet, TwoStreamFusion

TINY = dict(width=0.125, middle_blocks=1)


def tiny_models():
    return {'convgru': (ConvGRUXception(5, num_frames=4, fc_channels=16, **TINY), 3),
            'smnet': (SMNet(5, num_segments=4, layers=(1, 1, 1, 1), width=0.125), 3),
            'twostream': (TwoStreamFusion(5, flow_length=2, width=0.125, fc_channels=32,
                                          hidden_channels=12), 7)}


@pytest.mark.parametrize('temporal, excitation, fusion',
                         list(itertools.product(('convgru', 'lstm'), (True, False),
                                                ('none', 'aff', 'mcam_aff'))))
def test_every_ablation_row_builds_trains_and_differs(temporal, excitation, fusion):
    torch.manual_seed(0)
    model = ConvGRUXception(6, num_frames=4, temporal=temporal, excitation=excitation,
                            fusion=fusion, hidden_channels=8, fc_channels=16, **TINY)
    assert (model.excitation is not None) == excitation
    assert (model.aff is None) == (fusion == 'none')
    if fusion != 'none':
        assert (model.aff.attention.scales is not None) == (fusion == 'mcam_aff')
    x = torch.randn(2, 4, 3, 40, 40)
    out = model(x)['logits']
    assert out.shape == (2, 6)
    loss = model.loss({'logits': out}, torch.tensor([0, 5]))['loss_cls']
    loss.backward()
    assert all(p.grad is not None for p in model.recurrent.parameters())


def test_table2_filter_counts_set_the_recurrent_width():
    for filters in (20, 40, 60):
        model = ConvGRUXception(3, num_frames=4, hidden_channels=filters, **TINY)
        assert model.recurrent.hidden_channels == filters
        assert model.branches[0][0].in_channels == filters


@pytest.mark.parametrize('name', ['convgru', 'smnet', 'twostream'])
def test_models_see_the_order_of_frames(name):
    torch.manual_seed(0)
    model, channels = tiny_models()[name]
    model.eval()
    x = torch.randn(2, 4, channels, 48, 48)
    with torch.no_grad():
        out = model(x)['logits']
        reversed_out = model(x.flip(1))['logits']
        other = x.clone()
        other[1] = torch.randn_like(other[1])
        assert out.shape == (2, 5)
        torch.testing.assert_close(model(other)['logits'][0], out[0])  # clips stay apart
    assert (out - reversed_out).abs().max() > 1e-4


def test_bad_clip_shapes_are_named():
    models = tiny_models()
    with pytest.raises(ValueError, match='6 frames; this model was built for num_frames=4'):
        models['convgru'][0](torch.randn(1, 6, 3, 40, 40))
    with pytest.raises(ValueError, match='num_segments=4'):
        models['smnet'][0](torch.randn(1, 6, 3, 40, 40))
    with pytest.raises(ValueError, match='3 channels; this model takes RGB \\+ 2 flows = 7'):
        models['twostream'][0](torch.randn(1, 4, 3, 40, 40))
    with pytest.raises(ValueError, match="temporal must be 'convgru' or 'lstm'"):
        ConvGRUXception(3, temporal='tcn')
    with pytest.raises(ValueError, match='fusion must be one of'):
        ConvGRUXception(3, fusion='concat')


@pytest.mark.parametrize('name', ['convgru', 'smnet', 'twostream'])
def test_onnx_export_matches_pytorch(name, tmp_path):
    torch.manual_seed(0)
    model, channels = tiny_models()[name]
    model.eval()
    path = str(tmp_path / f'{name}.onnx')
    export_video_onnx(model, path, clip_len=4, channels=channels, size=48)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    x = torch.randn(3, 4, channels, 48, 48)  # another batch size than traced
    expected = model(x)['logits'].detach().numpy()
    got = session.run(None, {'inputs': x.numpy()})[0]
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)
