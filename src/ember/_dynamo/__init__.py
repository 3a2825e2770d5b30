"""``ember._dynamo``: the names of ``torch._dynamo`` that user code touches (resetting, config
knobs, marking dynamic dimensions, unwrapping ``OptimizedModule``). ember compiles nothing, so these
record what they are told and change no results."""
from ..compiler import (reset, list_backends, disable, allow_in_graph, assume_constant_result,  # noqa: F401
                        is_compiling, substitute_in_graph, set_stance, OptimizedModule)
from . import config, eval_frame  # noqa: F401

__all__ = ['reset', 'list_backends', 'disable', 'allow_in_graph', 'assume_constant_result', 'is_compiling',
           'substitute_in_graph', 'set_stance', 'OptimizedModule', 'config', 'eval_frame', 'mark_dynamic',
           'maybe_mark_dynamic', 'mark_static', 'mark_static_address', 'optimize', 'explain', 'graph_break']


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    """Hint that dimension(s) ``index`` of ``t`` vary between calls (no effect without a compiler)."""


def maybe_mark_dynamic(t, index):
    """Like ``mark_dynamic``, as a soft hint."""


def mark_static(t, index=None):
    """Hint that ``t`` (or dimension ``index``) keeps its size."""


def mark_static_address(t, guard=True):
    """Hint that ``t`` keeps its memory address between calls."""


def graph_break(msg=''):
    """A forced graph break: eager code has no graph to break."""


def optimize(backend='inductor', *, nopython=False, dynamic=None, disable=False, **kwargs):
    """The older decorator form of ``compile``."""
    from ..compiler import compile
    return compile(fullgraph=nopython, dynamic=dynamic, backend=backend, disable=disable)
