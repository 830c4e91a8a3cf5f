"""Keeping mmengine's notices about its own internals out of a run's log.

mmengine's ``CheckpointHook`` builds a ``FileClient`` at the start of every run, whatever the
config says, and the client warns that it is deprecated (twice: once for itself, once for
its disk back-end). Nothing in a config or on the command line can change that, so the two
lines only alarm; :class:`InternalNoticeFilter` drops exactly them and nothing else.
"""
import logging

#: The start of each notice dropped, as mmengine 0.10 words it.
INTERNAL_NOTICES = ('"FileClient" will be deprecated in future.',
                    '"HardDiskBackend" is the alias of "LocalBackend"')


class InternalNoticeFilter(logging.Filter):
    """A filter for a run's logger that drops mmengine's :data:`INTERNAL_NOTICES`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(INTERNAL_NOTICES)


def quiet_internal_notices(logger: logging.Logger) -> None:
    """Give ``logger`` (a run's ``MMLogger``) an :class:`InternalNoticeFilter`, once."""
    if not any(isinstance(f, InternalNoticeFilter) for f in logger.filters):
        logger.addFilter(InternalNoticeFilter())
