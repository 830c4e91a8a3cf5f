import os

import pytest

SHARED = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'shared'))
JHMDB_DIR = os.path.join(SHARED, 'data', 'jhmdb_gt')


@pytest.fixture(scope='session')
def jhmdb_dir():
    if not os.path.isfile(os.path.join(JHMDB_DIR, 'jhmdb_gt_dev.pkl')):
        pytest.skip('../shared/data/jhmdb_gt is not present')
    return JHMDB_DIR


@pytest.fixture(scope='session')
def synthetic_file(tmp_path_factory):
    """A small synthetic set written once per test session."""
    from posegraph.datasets.synthetic import write_synthetic
    path = tmp_path_factory.mktemp('synthetic') / 'synthetic_coco17.pkl'
    write_synthetic(path, clips_per_class=8, seed=3)
    return str(path)
