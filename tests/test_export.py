import numpy as np
import onnxruntime as ort
import pytest
import torch

from posegraph.export import StreamingStep, export_onnx
from posegraph.models import PoseAttentionNetwork


@pytest.fixture(scope='module')
def network():
    torch.manual_seed(0)
    net = PoseAttentionNetwork('coco17', 7, 9).eval()
    # Move batch-norm statistics off their defaults so the export has real work to do.
    with torch.no_grad():
        net.data_bn.running_mean.uniform_(-0.5, 0.5)
        net.data_bn.running_var.uniform_(0.5, 2)
    return net


def clip(n, t, seed, persons=2):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, persons, t, 17, 7, generator=g)
    visible = (torch.rand(n, persons, t, 17, generator=g) > 0.2).float()
    x[..., :-1] *= visible.unsqueeze(-1)
    x[..., -1] = visible
    return x


def run_streaming(path, network, x):
    """Feed ``x`` frame by frame through the exported step; the last logits."""
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    step = StreamingStep(network)
    state = [t.numpy() for t in step.initial_state(1, x.shape[1])]
    for t in range(x.shape[2]):
        outputs = session.run(None, {'frame': x[:, :, t].numpy(),
                                     **dict(zip(step.state_names, state))})
        state = outputs[1:]
    return outputs[0]


def test_offline_onnx_matches_pytorch_for_other_batch_and_length(network, tmp_path):
    path = str(tmp_path / 'pan.onnx')
    export_onnx(network, path, clip_len=32)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    for n, m, t in ((1, 2, 32), (3, 2, 47), (2, 1, 20), (1, 3, 16)):
        x = clip(n, t, seed=t, persons=m)
        with torch.no_grad():
            expected = network(x)['logits'].numpy()
        got = session.run(['logits'], {'inputs': x.numpy()})[0]
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0)


def test_streaming_onnx_step_matches_pytorch(network, tmp_path):
    path = str(tmp_path / 'pan_step.onnx')
    export_onnx(network, path, streaming=True)
    for persons in (2, 1, 3):  # traced with 2 persons; the persons axis is dynamic
        x = clip(1, 20, seed=5, persons=persons)
        with torch.no_grad():
            expected = network(x)['logits'].numpy()
        np.testing.assert_allclose(run_streaming(path, network, x), expected, atol=1e-4,
                                   rtol=0)


def test_ensemble_streaming_onnx_matches_pytorch(tmp_path):
    from posegraph.models import StreamEnsemble
    torch.manual_seed(1)
    ens = StreamEnsemble([[0, 1], [2, 3, 4, 5]], layout='coco17', num_classes=5).eval()
    path = str(tmp_path / 'ens_step.onnx')
    export_onnx(ens, path, streaming=True)
    x = clip(1, 8, seed=2)
    with torch.no_grad():
        expected = ens(x)['logits'].numpy()
    np.testing.assert_allclose(run_streaming(path, ens, x), expected, atol=1e-4, rtol=0)


def test_pose_estimator_onnx_matches_pytorch(tmp_path):
    from posegraph.export import export_pose_onnx
    from posegraph.pose import LightweightOpenPose
    torch.manual_seed(0)
    net = LightweightOpenPose(width=0.5, num_channels=32).eval()
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    path = str(tmp_path / 'pose.onnx')
    export_pose_onnx(net, path, height=64, width=96)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    images = torch.randn(2, 3, 48, 80)            # another batch and size than exported
    with torch.no_grad():
        heatmaps, pafs = net(images)[-1]
    got_heatmaps, got_pafs = session.run(['heatmaps', 'pafs'], {'images': images.numpy()})
    assert got_heatmaps.shape == (2, 19, 6, 10) and got_pafs.shape == (2, 38, 6, 10)
    np.testing.assert_allclose(got_heatmaps, heatmaps.numpy(), atol=1e-4, rtol=0)
    np.testing.assert_allclose(got_pafs, pafs.numpy(), atol=1e-4, rtol=0)


def test_offline_export_after_a_streaming_export_keeps_dynamic_frames(network, tmp_path):
    # A one-frame nn.GRU export used to make every later torch.export fix the frame count.
    export_onnx(network, str(tmp_path / 'step.onnx'), streaming=True)
    path = str(tmp_path / 'clip.onnx')
    export_onnx(network, path, clip_len=32)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    x = clip(1, 21, seed=3)
    with torch.no_grad():
        expected = network(x)['logits'].numpy()
    np.testing.assert_allclose(session.run(['logits'], {'inputs': x.numpy()})[0], expected,
                               atol=1e-4, rtol=0)


def test_a_second_export_in_the_process_keeps_the_frame_axis_dynamic(tmp_path):
    """torch's exporter left aten.gru's dispatch cache on the kernel of the first export,
    which fixed every later export's clip length to its example's (posegraph clears it)."""
    from posegraph.models import PoseAttentionNetwork
    for k in range(2):
        network = PoseAttentionNetwork('coco17', 7, 5, diffpool=False).eval()
        path = str(tmp_path / f'pan{k}.onnx')
        export_onnx(network, path, clip_len=32)
        x = clip(3, 47, seed=k, persons=2)      # another batch and length than traced
        got = ort.InferenceSession(path, providers=['CPUExecutionProvider']).run(
            ['logits'], {'inputs': x.numpy()})[0]
        with torch.no_grad():
            np.testing.assert_allclose(got, network(x)['logits'].numpy(), atol=1e-4, rtol=0)
