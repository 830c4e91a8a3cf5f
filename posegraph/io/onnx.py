"""Writing a module to ONNX: the one call to ``torch.onnx.export`` every export goes through."""
import logging
import warnings
from typing import Any, Sequence

import torch
from torch import nn


def write_onnx(module: nn.Module, example: tuple, path: str, input_names: Sequence[str],
               output_names: Sequence[str], dynamic_shapes: Any, opset: int) -> None:
    """``torch.onnx.export`` with the dynamo exporter into one file (weights inside), its
    warnings about torch's own internals kept out of the user's console."""
    # torch's exporter swaps in a while-loop GRU (dynamic length) by setting the op's Python
    # kernel, but the op's dispatch cache keeps the kernel an earlier export resolved: from
    # the second export in a process on, every GRU's length came out fixed. Clearing the
    # cache restores the dynamic length (tested: two exports in a row).
    for rnn in (torch.ops.aten.gru.input, torch.ops.aten.lstm.input):
        rnn._dispatch_cache.clear()
    exporter_log = logging.getLogger('torch.onnx')
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.onnx.export(module, example, path, input_names=input_names,
                              output_names=output_names, dynamic_shapes=dynamic_shapes,
                              opset_version=opset, dynamo=True, external_data=False,
                              verbose=False)
    finally:
        exporter_log.setLevel(level)
