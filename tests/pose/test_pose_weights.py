"""Published weights by name: downloaded once from a local HTTP server into a cache,
continued after a break, checked, and named clearly when they cannot be had."""
import os

import pytest
import torch

from posegraph.pose.backends import LightweightOpenPoseBackend, MissingWeightsError
from posegraph.pose.lwopenpose import lightweight_openpose
from posegraph.pose.weights import (
    PublishedCheckpoint,
    WeightsError,
    fetch_checkpoint,
    resolve_checkpoint,
)
from file_server import OFFLINE, FileServer


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp('served')
    published = lightweight_openpose(num_refinement_stages=3)
    torch.save({'state_dict': published.state_dict(), 'iter': 370000}, folder / 'good.pth')
    torch.save({'state_dict': lightweight_openpose().state_dict()}, folder / 'one_stage.pth')
    with FileServer({'/good.pth': (folder / 'good.pth').read_bytes(),
                     '/one_stage.pth': (folder / 'one_stage.pth').read_bytes(),
                     '/moved.html': b'<html><body>This file has moved.</body></html>\n'}
                    ) as served:
        yield served


def published(url, name='checkpoint_iter_370000.pth'):
    return PublishedCheckpoint(url, name, lambda: lightweight_openpose(3).state_dict())


def test_download_once_into_the_cache_then_use_it(server, tmp_path, capfd):
    server.requests.clear()
    path = fetch_checkpoint(published(server.url + '/good.pth'), str(tmp_path))
    assert path == str(tmp_path / 'checkpoint_iter_370000.pth')
    assert open(path, 'rb').read() == server.files['/good.pth']
    assert not os.path.exists(path + '.part')
    assert fetch_checkpoint(published(server.url + '/good.pth'), str(tmp_path)) == path
    assert server.requests == [('/good.pth', None)]                 # fetched once
    assert 'checkpoint_iter_370000.pth' in capfd.readouterr().out   # the progress bar


def test_a_broken_download_is_continued(server, tmp_path):
    server.requests.clear()
    half = len(server.files['/good.pth']) // 2
    (tmp_path / 'checkpoint_iter_370000.pth.part').write_bytes(server.files['/good.pth'][:half])
    path = fetch_checkpoint(published(server.url + '/good.pth'), str(tmp_path))
    assert server.requests == [('/good.pth', f'bytes={half}-')]
    assert open(path, 'rb').read() == server.files['/good.pth']


def test_a_file_of_another_layout_is_refused_and_not_kept(server, tmp_path):
    with pytest.raises(WeightsError, match=r'one_stage.pth gave a file that is not the '
                                           r'expected checkpoint \(176 expected entries '
                                           r"missing, 0 of another shape, first "
                                           r"'refinement_stages.1"):
        fetch_checkpoint(published(server.url + '/one_stage.pth'), str(tmp_path))
    assert os.listdir(tmp_path) == []
    # A web page served in the checkpoint's place (a moved file, a login wall).
    with pytest.raises(WeightsError, match=r'moved.html gave a file that is not the expected '
                                           r'checkpoint \(.*part: does not load as a '
                                           r'checkpoint: not a file torch.save wrote'):
        fetch_checkpoint(published(server.url + '/moved.html'), str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_offline_names_the_url_and_where_to_put_the_file(tmp_path):
    url = OFFLINE + '/checkpoint_iter_370000.pth'
    with pytest.raises(WeightsError, match=r'cannot download http://127.0.0.1:9/checkpoint_'
                                           r'iter_370000.pth .*put it at .*checkpoint_iter_'
                                           r'370000.pth, or give its path as the checkpoint\.$'):
        fetch_checkpoint(published(url), str(tmp_path))


def test_the_backend_takes_a_name(server, tmp_path, monkeypatch):
    from posegraph.pose import weights
    monkeypatch.setitem(weights.PUBLISHED, 'lwopenpose', published(server.url + '/good.pth'))
    monkeypatch.setenv('POSEGRAPH_CACHE', str(tmp_path))
    with pytest.warns(UserWarning, match='refinement stage'):
        backend = LightweightOpenPoseBackend('lwopenpose', height=64)
    assert len(backend.network.refinement_stages) == 1
    assert resolve_checkpoint('lwopenpose') == str(tmp_path / 'checkpoint_iter_370000.pth')
    assert resolve_checkpoint(str(tmp_path / 'x.pth')) == str(tmp_path / 'x.pth')  # a path
    # A URL: into torch.hub's cache, as any checkpoint named by URL.
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    with pytest.warns(UserWarning, match='refinement stage'):
        LightweightOpenPoseBackend(server.url + '/good.pth?raw=1', height=64)
    assert os.path.isfile(tmp_path / 'hub' / 'checkpoints' / 'good.pth')
    with pytest.raises(MissingWeightsError, match=r'moved.html gave a file that is not a '
                                                  r'checkpoint'):
        LightweightOpenPoseBackend(server.url + '/moved.html', height=64)
    monkeypatch.setitem(weights.PUBLISHED, 'lwopenpose', published(OFFLINE + '/x'))
    monkeypatch.setenv('POSEGRAPH_CACHE', str(tmp_path / 'empty'))
    with pytest.raises(MissingWeightsError, match='cannot download http://127.0.0.1:9/x'):
        LightweightOpenPoseBackend('lwopenpose', height=64)
