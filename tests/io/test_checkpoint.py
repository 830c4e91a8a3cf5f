"""Weights-only checkpoint loading and the one state-dict unwrapper."""
import os
import threading
import time

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from posegraph.io.checkpoint import (
    CheckpointError,
    checkpoint_cache_dir,
    checkpoint_state_dict,
    download_checkpoint,
    load_checkpoint,
    load_checkpoint_file,
    zoo_checkpoint_url,
)
from posegraph.io.download import DownloadError
from file_server import OFFLINE, FileServer


class Payload:
    def __reduce__(self):
        return (print, ('payload ran',))


def save_run_and_payload(folder):
    """``run.pth``, a checkpoint as mmengine's Runner saves one (log history, numpy scalars),
    and ``evil.pth``, whose unpickling would run code."""
    history = HistoryBuffer()
    history.update(0.5)
    torch.save({'state_dict': {'w': torch.ones(3)}, 'message_hub': {'loss': history},
                'meta': {'epoch': np.int64(3), 'lr': np.float64(0.1)}}, folder / 'run.pth')
    torch.save({'state_dict': {'w': Payload()}}, folder / 'evil.pth')


def test_the_unwrapper_takes_mmengine_timm_and_bare_state_dicts():
    weights = {'conv.weight': torch.ones(2), 'conv.bias': torch.zeros(2)}
    for checkpoint in (weights, {'state_dict': weights, 'meta': {}}, {'model': weights},
                       {'state_dict': {f'module.{k}': v for k, v in weights.items()}}):
        assert checkpoint_state_dict(checkpoint, 'x.pth').keys() == weights.keys()
    # A prefix is removed only when every key carries it.
    mixed = {'module.a': torch.ones(1), 'b': torch.ones(1)}
    assert checkpoint_state_dict(mixed, 'x.pth').keys() == mixed.keys()
    trained = {'network.a': torch.ones(1), 'network.b': torch.ones(1)}
    assert set(checkpoint_state_dict(trained, 'x.pth', strip_prefixes=('module.', 'network.'))
               ) == {'a', 'b'}


@pytest.mark.parametrize('checkpoint', [[1, 2], {'state_dict': {'a': 'text'}}, 'weights'])
def test_what_holds_no_state_dict_is_named(checkpoint):
    with pytest.raises(ValueError, match='model.pth: not a state dict'):
        checkpoint_state_dict(checkpoint, 'model.pth')


def test_an_mmengine_checkpoint_loads_weights_only_and_code_does_not_run(tmp_path, capsys):
    save_run_and_payload(tmp_path)
    loaded = load_checkpoint_file(str(tmp_path / 'run.pth'))
    assert loaded['meta']['epoch'] == 3 and torch.equal(loaded['state_dict']['w'], torch.ones(3))
    with pytest.raises(CheckpointError, match=r'evil.pth: does not load as a checkpoint: it '
                       r'holds code or objects, not only weights \(.*print\); refused'):
        load_checkpoint_file(str(tmp_path / 'evil.pth'))
    assert 'payload ran' not in capsys.readouterr().out


def test_a_file_that_is_no_checkpoint_is_named_with_why_in_one_line(tmp_path):
    torch.save({'state_dict': {'w': torch.ones(3)}}, tmp_path / 'whole.pth')
    whole = (tmp_path / 'whole.pth').read_bytes()
    (tmp_path / 'cut.pth').write_bytes(whole[:len(whole) // 2])
    (tmp_path / 'empty.pth').write_bytes(b'')
    (tmp_path / 'notes.pth').write_text('epoch 80, top1 0.84\n')
    for name, why in [('cut.pth', r'a damaged torch.save archive \(.*failed reading zip archive'),
                      ('empty.pth', r'the file ends early \(empty or cut short\)'),
                      ('notes.pth', r'not a file torch.save wrote \(')]:
        with pytest.raises(CheckpointError, match=f'{name}: does not load as a checkpoint: {why}'
                           ) as error:
            load_checkpoint_file(str(tmp_path / name))
        assert '\n' not in str(error.value) and len(str(error.value)) < 200 + len(str(tmp_path))
    with pytest.raises(FileNotFoundError):
        load_checkpoint_file(str(tmp_path / 'none.pth'))


def test_loads_in_two_threads_do_not_withdraw_each_others_types(tmp_path, monkeypatch):
    # Thread A's load lets thread B start its own, then returns; B's load reads the file
    # only after A has left torch's safe_globals context, which removes the types it added.
    history = HistoryBuffer()
    history.update(1.0)
    path = str(tmp_path / 'run.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}, 'message_hub': {'loss': history}}, path)
    real_load, calls = torch.load, []
    b_loading, a_done = threading.Event(), threading.Event()

    def interleaved_load(*args, **kwargs):
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            b_loading.wait(timeout=0.5)  # only a load that B may start beside A's
        else:
            b_loading.set()
            a_done.wait(timeout=5)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', interleaved_load)
    errors = []

    def load(then=None):
        try:
            assert torch.equal(load_checkpoint_file(path)['state_dict']['w'], torch.ones(2))
        except Exception as error:  # reported by the main thread below
            errors.append(error)
        finally:
            if then is not None:
                then.set()

    a = threading.Thread(target=load, args=(a_done,), name='A')
    a.start()
    while not calls:
        time.sleep(0.001)
    b = threading.Thread(target=load, name='B')
    b.start()
    a.join()
    b.join()
    assert calls == ['A', 'B'] and not errors, errors


def test_a_checkpoint_named_by_url_is_downloaded_once_and_only_if_it_holds_weights_only(
        tmp_path, capfd, monkeypatch):
    save_run_and_payload(tmp_path)
    cache = tmp_path / 'cache'
    with FileServer({'/models/run.pth': (tmp_path / 'run.pth').read_bytes(),
                     '/evil.pth': (tmp_path / 'evil.pth').read_bytes(),
                     '/login': b'<html>sign in</html>'}) as server:
        path = download_checkpoint(server.url + '/models/run.pth?download=1', str(cache))
        assert path == str(cache / 'run.pth')
        assert torch.equal(load_checkpoint_file(path)['state_dict']['w'], torch.ones(3))
        assert download_checkpoint(server.url + '/models/run.pth', str(cache)) == path
        assert len(server.requests) == 1
        with pytest.raises(DownloadError, match=r'evil.pth gave a file that is not a checkpoint '
                                                r'\(.*it holds code or objects, not only weights'):
            download_checkpoint(server.url + '/evil.pth', str(cache))
        with pytest.raises(DownloadError, match=r'/login gave a file that is not a checkpoint '
                                                r'\(.*not a file torch.save wrote'):
            download_checkpoint(server.url + '/login', str(cache))
        # By default into torch.hub's cache, where mmengine and torchvision keep theirs.
        monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
        assert checkpoint_cache_dir() == str(tmp_path / 'hub' / 'checkpoints')
        assert download_checkpoint(server.url + '/models/run.pth') == \
            str(tmp_path / 'hub' / 'checkpoints' / 'run.pth')
    assert sorted(os.listdir(cache)) == ['run.pth', 'run.pth.url']
    assert 'payload ran' not in capfd.readouterr().out


def _download_in_rank(rank: int, store: str, url: str, folder: str, out: str) -> None:
    os.environ['LOCAL_RANK'] = str(rank)
    torch.distributed.init_process_group('gloo', init_method=f'file://{store}', rank=rank,
                                         world_size=2)
    try:
        result = download_checkpoint(url, folder)
    except DownloadError as e:
        result = f'DownloadError: {e}'
    with open(f'{out}.{rank}', 'w') as f:
        f.write(result)
    torch.distributed.destroy_process_group()


def test_in_a_distributed_run_one_process_downloads_and_a_failure_hangs_none(tmp_path):
    torch.save({'state_dict': {'w': torch.ones(3)}}, tmp_path / 'run.pth')
    with FileServer({'/run.pth': (tmp_path / 'run.pth').read_bytes()}) as server:
        for name, url in (('served', server.url + '/run.pth'), ('offline', OFFLINE + '/x.pth')):
            out = str(tmp_path / name)
            torch.multiprocessing.spawn(_download_in_rank, nprocs=2, args=(
                str(tmp_path / f'{name}.store'), url, str(tmp_path / 'cache'), out))
            results = [open(f'{out}.{rank}').read() for rank in (0, 1)]
            if name == 'served':
                assert results == [str(tmp_path / 'cache' / 'run.pth')] * 2
                assert server.requests == [('/run.pth', None)]
            else:
                assert results[0].startswith(f'DownloadError: cannot download {url}')
                assert results[1] == (f'DownloadError: {url}: the first process on this machine '
                                      f'could not download it; see its error')


def test_model_zoo_names_resolve_through_mmengines_tables_and_load_weights_only(
        tmp_path, monkeypatch, capfd):
    from mmengine.runner import checkpoint as mm
    from mmengine.runner.checkpoint import CheckpointLoader

    from posegraph.engine import register_checkpoint_loader

    # torchvision:// works without torchvision (none imports here): mmengine's table of
    # torchvision 0.12's files has the plain names; mmengine's own loader needs torchvision.
    assert zoo_checkpoint_url('torchvision://resnet50') == \
        'https://download.pytorch.org/models/resnet50-0676ba61.pth'
    assert zoo_checkpoint_url('modelzoo://vgg16') == \
        'https://download.pytorch.org/models/vgg16-397923af.pth'
    with pytest.raises(CheckpointError, match=r"torchvision://resnet5: .* has no 'resnet5'; "
                       r"closest: resnet50, .*; give the checkpoint's URL or path instead"):
        zoo_checkpoint_url('torchvision://resnet5')
    with monkeypatch.context() as patch:   # where torchvision imports, its list decides
        patch.setattr(mm, 'get_torchvision_models',
                      lambda: {'resnet50.imagenet1k_v2': 'https://host/r50-v2.pth'})
        assert zoo_checkpoint_url('torchvision://resnet50.imagenet1k_v2') == \
            'https://host/r50-v2.pth'
    # open-mmlab:// takes the user's own entries ($MMENGINE_HOME/open_mmlab.json), URLs or
    # files under that home, as mmengine does; each loads weights-only.
    monkeypatch.setenv('MMENGINE_HOME', str(tmp_path / 'mmengine'))
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    (tmp_path / 'mmengine' / 'mine').mkdir(parents=True)
    torch.save({'state_dict': {'w': torch.ones(3)}}, tmp_path / 'mmengine' / 'mine' / 'run.pth')
    torch.save({'state_dict': {'w': Payload()}}, tmp_path / 'evil.pth')
    register_checkpoint_loader()
    with FileServer({'/run.pth': (tmp_path / 'mmengine' / 'mine' / 'run.pth').read_bytes(),
                     '/evil.pth': (tmp_path / 'evil.pth').read_bytes()}) as server:
        (tmp_path / 'mmengine' / 'open_mmlab.json').write_text(
            f'{{"mine/run": "{server.url}/run.pth", "mine/evil": "{server.url}/evil.pth", '
            f'"mine/local": "mine/run.pth"}}')
        for name in ('open-mmlab://mine/run', 'openmmlab://mine/local'):
            loaded = CheckpointLoader.load_checkpoint(name)
            assert torch.equal(loaded['state_dict']['w'], torch.ones(3)), name
        assert (tmp_path / 'hub' / 'checkpoints' / 'run.pth').is_file()
        # mmengine's loader (torch.hub's) would unpickle it, payload and all.
        with pytest.raises(DownloadError, match='evil.pth gave a file that is not a checkpoint'):
            CheckpointLoader.load_checkpoint('open-mmlab://mine/evil')
    assert 'payload ran' not in capfd.readouterr().out
    # mmcls:// gives the classifier's backbone alone, as mmengine's loader does.
    file_name = zoo_checkpoint_url('mmcls://resnet50').split('/')[-1]
    torch.save({'state_dict': {'backbone.conv1.weight': torch.ones(2),
                               'head.fc.weight': torch.zeros(2)}},
               tmp_path / 'hub' / 'checkpoints' / file_name)
    assert list(load_checkpoint('mmcls://resnet50')['state_dict']) == ['conv1.weight']
    assert list(CheckpointLoader.load_checkpoint('mmcls://resnet50')['state_dict']) == \
        ['conv1.weight']


def test_object_storage_names_load_weights_only_with_mmengines_log_types(tmp_path, monkeypatch,
                                                                         capsys):
    from mmengine.fileio import BaseStorageBackend
    from mmengine.fileio.backends import registry_utils
    from mmengine.runner.checkpoint import CheckpointLoader

    from posegraph.engine import register_checkpoint_loader

    save_run_and_payload(tmp_path)

    class Bucket(BaseStorageBackend):
        """mmengine's petrel backend, with the bucket in tmp_path."""
        def get(self, filepath):
            return (tmp_path / filepath.rsplit('/', 1)[1]).read_bytes()

        def get_text(self, filepath, encoding='utf-8'):
            return self.get(filepath).decode(encoding)

    monkeypatch.setitem(registry_utils.backends, 'petrel', Bucket)
    register_checkpoint_loader()
    # mmengine's own loader reads the same bytes, but refuses the history buffers.
    for name in ('s3://bucket/run.pth', 'cluster1:s3://bucket/run.pth', 'petrel://b/run.pth'):
        loaded = CheckpointLoader.load_checkpoint(name)
        assert torch.equal(loaded['state_dict']['w'], torch.ones(3)), name
        assert loaded['message_hub']['loss'].current() == 0.5
    with pytest.raises(CheckpointError, match='s3://bucket/evil.pth: does not load as a '
                       'checkpoint: it holds code or objects'):
        CheckpointLoader.load_checkpoint('s3://bucket/evil.pth')
    assert 'payload ran' not in capsys.readouterr().out


def test_pavi_names_load_weights_only_and_need_the_pavi_package(tmp_path, monkeypatch):
    import sys
    import types

    from mmengine.runner.checkpoint import CheckpointLoader

    from posegraph.engine import register_checkpoint_loader

    register_checkpoint_loader()
    with pytest.raises(CheckpointError, match='^pavi://runs/7: pavi:// names need the pavi '):
        CheckpointLoader.load_checkpoint('pavi://runs/7')
    save_run_and_payload(tmp_path)

    class Model:   # the model cloud's entry: its file name, and a download to a path
        def __init__(self, key):
            self.name = f'{key.split("/")[-1]}.pth'

        def download(self, path):
            with open(path, 'wb') as f:
                f.write((tmp_path / self.name).read_bytes())

    pavi = types.ModuleType('pavi')
    pavi.modelcloud = types.SimpleNamespace(get=Model)
    monkeypatch.setitem(sys.modules, 'pavi', pavi)
    loaded = CheckpointLoader.load_checkpoint('pavi://runs/run')
    assert torch.equal(loaded['state_dict']['w'], torch.ones(3))
    assert loaded['message_hub']['loss'].current() == 0.5
    with pytest.raises(CheckpointError, match='^pavi://runs/evil: does not load as a '
                       'checkpoint: it holds code or objects'):
        CheckpointLoader.load_checkpoint('pavi://runs/evil')
