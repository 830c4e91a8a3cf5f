"""mmengine's Runner loads every kind of checkpoint name through posegraph's weights-only
loader, and its log names the kind as mmengine's own loaders do."""
import torch
from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.engine import register_checkpoint_loader
from posegraph.io.checkpoint import STORAGE_SCHEMES, ZOO_SCHEMES


def test_every_kind_of_name_loads_through_posegraph_under_mmengines_name(tmp_path):
    register_checkpoint_loader()
    prefixes = ('', 'http://', 'https://', 'pavi://', 'cluster1:s3://') + ZOO_SCHEMES + tuple(
        pattern.split(')?')[-1] for pattern in STORAGE_SCHEMES)
    for prefix in prefixes:
        loader = CheckpointLoader._get_checkpoint_loader(f'{prefix}bucket/run.pth')
        assert loader.__module__ == 'posegraph.engine.checkpoint', prefix
    for name, kind in (('https://host/run.pth', 'http'), ('modelzoo://resnet50', 'torchvision'),
                       ('openmmlab://run', 'openmmlab'), ('petrel://b/run.pth', 'ceph')):
        assert CheckpointLoader._get_checkpoint_loader(name).__name__ == f'load_from_{kind}'
    torch.save({'state_dict': {'w': torch.ones(2)}}, tmp_path / 'run.pth')
    logger = MMLogger.get_instance('loader-test', log_file=str(tmp_path / 'run.log'))
    loaded = CheckpointLoader.load_checkpoint(str(tmp_path / 'run.pth'), logger=logger)
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))
    # mmengine's log takes the kind from the loader's name: 'point_file' it said before.
    assert f'Loads checkpoint by local backend from path: {tmp_path}/run.pth' in \
        (tmp_path / 'run.log').read_text()
