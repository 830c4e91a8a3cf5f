"""What the command-line tools share that needs neither torch nor mmengine (the demo runs
on the edge install)."""
import argparse
from typing import Mapping


def refuse_below(parser: argparse.ArgumentParser, args: argparse.Namespace,
                 least: Mapping[str, int]) -> None:
    """Stop with argparse's usage error for the first option of ``args`` (by its ``dest``)
    below its least value in ``least``; options left unset (``None``) pass."""
    for dest, minimum in least.items():
        value = getattr(args, dest)
        if value is not None and value < minimum:
            parser.error(f"--{dest.replace('_', '-')} must be {minimum} or more, got {value}")
