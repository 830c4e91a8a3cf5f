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


@pytest.fixture(scope='module')
def exported(network, tmp_path_factory):
    """The whole-clip graph twice, then the streaming step, exported in one process.

    The repetition is the test: torch's exporter left ``aten.gru``'s dispatch cache on the
    kernel of the first export, which fixed every later export's clip length to its
    example's (posegraph clears the cache)."""
    folder = tmp_path_factory.mktemp('export')
    paths = {name: str(folder / f'{name}.onnx') for name in ('first_clip', 'clip', 'step')}
    export_onnx(network, paths['first_clip'], clip_len=32)
    export_onnx(network, paths['clip'], clip_len=32)
    export_onnx(network, paths['step'], streaming=True)
    return paths


@pytest.mark.parametrize('graph', ['first_clip', 'clip'])
def test_offline_onnx_matches_pytorch_for_other_batch_and_length(network, exported, graph):
    session = ort.InferenceSession(exported[graph], providers=['CPUExecutionProvider'])
    for n, m, t in ((1, 2, 32), (3, 2, 47), (2, 1, 20), (1, 3, 16), (1, 2, 21)):
        x = clip(n, t, seed=t, persons=m)
        with torch.no_grad():
            expected = network(x)['logits'].numpy()
        got = session.run(['logits'], {'inputs': x.numpy()})[0]
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0)


def test_streaming_onnx_step_matches_pytorch(network, exported):
    for persons in (2, 1, 3):  # traced with 2 persons; the persons axis is dynamic
        x = clip(1, 20, seed=5, persons=persons)
        with torch.no_grad():
            expected = network(x)['logits'].numpy()
        np.testing.assert_allclose(run_streaming(exported['step'], network, x), expected,
                                   atol=1e-4, rtol=0)


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


def test_spatial_partition_network_exports_for_other_lengths(tmp_path):
    torch.manual_seed(2)
    net = PoseAttentionNetwork('coco17', 7, 5, graph_partition='spatial').eval()
    path = str(tmp_path / 'spatial.onnx')
    export_onnx(net, path, clip_len=32)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    for n, t in ((1, 32), (2, 19)):
        x = clip(n, t, seed=t)
        with torch.no_grad():
            expected = net(x)['logits'].numpy()
        np.testing.assert_allclose(session.run(['logits'], {'inputs': x.numpy()})[0], expected,
                                   atol=1e-4, rtol=0)


@pytest.mark.parametrize('num_person,num_clips,interpolate', [(2, 2, True), (1, 3, False)])
def test_keypoints_graph_scores_raw_videos_as_the_recognizer_does(tmp_path, num_person,
                                                                  num_clips, interpolate):
    """One graph from raw keypoints to scores: the same scores as the numpy test pipeline
    and the recognizer, for videos of other lengths and numbers of persons."""
    from mmengine.dataset import Compose

    from posegraph.export import export_keypoints_onnx
    from posegraph.models import SkeletonRecognizer
    from posegraph.registry import TRANSFORMS, register_all_modules
    from posegraph.skeleton import mask_missing
    register_all_modules()
    streams = ('joint', 'bone', 'joint_motion', 'distance')
    pipeline = [dict(type='SelectPersons', num_person=num_person),
                dict(type='PoseNormalize', layout='coco17'),
                dict(type='UniformSampleFrames', clip_len=12, num_clips=num_clips,
                     test_mode=True, interpolate=interpolate),
                dict(type='FormatStreams', layout='coco17', streams=streams),
                dict(type='PackSkeletonInputs')]
    torch.manual_seed(3)
    net = PoseAttentionNetwork('coco17', 24, 6, graph_partition='spatial').eval()
    recognizer = SkeletonRecognizer(net).eval()
    path = str(tmp_path / 'keypoints.onnx')
    export_keypoints_onnx(net, pipeline, path)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    transforms = Compose([TRANSFORMS.build(t) for t in pipeline])
    rng = np.random.default_rng(0)
    for persons, frames in ((1, 40), (3, 7), (2, 90)):
        keypoint = rng.uniform(0, 500, (persons, frames, 17, 2)).astype(np.float32)
        score = rng.uniform(0, 1, (persons, frames, 17)).astype(np.float32)
        score[score < 0.2] = 0
        keypoint[score == 0] = np.nan
        loaded = dict(zip(('keypoint', 'keypoint_score'), mask_missing(keypoint, score)))
        with torch.no_grad():
            expected = recognizer(transforms(loaded)['inputs'][None], mode='tensor').numpy()
        got = session.run(['scores'], {'keypoint': keypoint, 'keypoint_score': score})[0]
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)
    pipeline[3]['streams'] = ('joint', 'bone', 'joint_motion')
    with pytest.raises(ValueError, match='17 joints x 7 channels .* takes 17 x 24'):
        export_keypoints_onnx(net, pipeline, str(tmp_path / 'wrong.onnx'))


def test_keypoints_graph_of_a_distilled_ensemble_runs_the_student_alone(tmp_path):
    """The student reads its streams in its own order: the graph makes them so, and
    scores as the whole ensemble does in eval mode, without the ensemble's gather."""
    from posegraph.export import KeypointScores, export_keypoints_onnx
    from posegraph.models import StreamEnsemble, TensorTestPipeline
    streams = ('joint', 'bone', 'joint_motion', 'distance')
    pipeline = TensorTestPipeline('jhmdb15', 10, streams, interpolate=True)
    torch.manual_seed(4)
    ens = StreamEnsemble([['joint_motion', 'distance', 'joint'], ['bone']], streams=streams,
                         student=0, layout='jhmdb15', num_classes=5).eval()
    video = KeypointScores(pipeline, ens)
    assert video.network is ens.branches[0]
    assert video.pipeline.streams == ('joint_motion', 'distance', 'joint')
    rng = np.random.default_rng(1)
    keypoint = torch.from_numpy(rng.uniform(0, 300, (2, 30, 15, 2)).astype(np.float32))
    score = torch.from_numpy(rng.uniform(0.1, 1, (2, 30, 15)).astype(np.float32))
    with torch.no_grad():
        expected = ens(pipeline(keypoint, score))['logits'].softmax(-1).mean(0, keepdim=True)
        torch.testing.assert_close(video(keypoint, score), expected, rtol=0, atol=1e-6)
    path = str(tmp_path / 'student.onnx')
    export_keypoints_onnx(ens, pipeline, path)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    got = session.run(['scores'], {'keypoint': keypoint.numpy(), 'keypoint_score': score.numpy()})
    np.testing.assert_allclose(got[0], expected.numpy(), atol=1e-5, rtol=0)
    # An ensemble whose branches all score keeps them all.
    averaged = StreamEnsemble([['joint'], ['bone']], streams=streams, layout='jhmdb15',
                              num_classes=5).eval()
    assert KeypointScores(pipeline, averaged).network is averaged
