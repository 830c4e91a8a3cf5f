"""mmengine's notices about its own FileClient are dropped, and nothing else."""
import logging

from posegraph.engine.notices import quiet_internal_notices


def test_only_mmengines_internal_notices_are_dropped(caplog):
    logger = logging.getLogger('posegraph-test-notices')
    quiet_internal_notices(logger)
    quiet_internal_notices(logger)
    assert len(logger.filters) == 1
    with caplog.at_level(logging.WARNING, logger=logger.name):
        logger.warning('"FileClient" will be deprecated in future. Please use io functions')
        logger.warning('"HardDiskBackend" is the alias of "LocalBackend" and the former will '
                       'be deprecated in future.')
        logger.warning('"file_client_args" will be deprecated in future.')  # a user's setting
        logger.warning('The model and loaded state dict do not match exactly')
    assert [r.getMessage()[:20] for r in caplog.records] == [
        '"file_client_args" w', 'The model and loaded']
