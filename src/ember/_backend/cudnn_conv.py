"""Convolutions on the GPU through NVIDIA's cuDNN frontend (pip package ``nvidia-cudnn-frontend``,
module ``cudnn``), executed on CuPy memory.

Each direction of a convolution (``fprop`` y = conv(x, w), ``dgrad`` dx, ``wgrad`` dw) is one
cuDNN graph. A graph is built once per (direction, shapes, padding, stride, dilation, dtype,
device, math flags) and cached; a later call only binds the arrays' pointers and executes.
Anything cuDNN cannot serve (no frontend installed, a dtype or geometry no engine supports, a
failed build) returns None, and the caller (``im2col.py``) runs its own GEMM path instead; the
reason is warned once.

Layout: channels-first (NCHW / NCDHW), contiguous. cuDNN needs at least two spatial dims, so a
1-d convolution runs as a 2-d one over a height of 1. The flags of ``ember.backends.cudnn``
(``enabled``, ``allow_tf32``, ``deterministic``, ``benchmark``) are read on each call and are
part of the key. Without ``benchmark`` the plan is cuDNN's heuristic choice; with it every plan
of a new key is built and timed once, and the fastest is kept (PyTorch's autotuning).
"""
import functools
import warnings

import numpy as np

_graphs = {}           # key -> _Graph, or None where cuDNN cannot serve the key
_handles = {}          # device id -> [cuDNN handle, the stream it was last set to]
_warned = set()
stats = {'built': 0, 'executed': 0, 'declined': 0}      # read by tests and benchmarks


@functools.lru_cache(maxsize=1)
def frontend():
    """The ``cudnn`` module, or None when the frontend (or the cuDNN library) cannot be loaded."""
    try:
        import cudnn
    except Exception as e:  # noqa: BLE001 - any failure to load means "no cuDNN"
        _warn('import', 'ember: the cuDNN frontend (pip install nvidia-cudnn-frontend) could not be loaded '
                        f'({e.__class__.__name__}: {e}); CUDA convolutions use the slower im2col + cuBLAS path')
        return None
    return cudnn


def _warn(key, message):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def _flags():
    from ..backends import cudnn as flags
    return flags


def _dtypes(cudnn, dt):
    """(io type, compute type) for a NumPy dtype, or None when cuDNN has no convolution for it."""
    name = dt.name
    if name == 'float32':
        return cudnn.data_type.FLOAT, cudnn.data_type.FLOAT
    if name == 'float16':
        return cudnn.data_type.HALF, cudnn.data_type.FLOAT
    if name == 'bfloat16':
        return cudnn.data_type.BFLOAT16, cudnn.data_type.FLOAT
    if name == 'float64':
        return cudnn.data_type.DOUBLE, cudnn.data_type.DOUBLE
    return None


def _strides(shape):
    out, step = [], 1
    for s in reversed(shape):
        out.append(step)
        step *= max(int(s), 1)
    return out[::-1]


def geometry(xshape, wshape, yshape, stride, pads, dil):
    """The shapes and parameters handed to cuDNN: 1-d problems lifted to 2-d (a height of 1)."""
    pre = [lo for lo, _ in pads]
    post = [hi for _, hi in pads]
    stride, dil = list(stride), list(dil)
    xshape, wshape, yshape = list(xshape), list(wshape), list(yshape)
    if len(xshape) == 3:
        xshape.insert(2, 1)
        wshape.insert(2, 1)
        yshape.insert(2, 1)
        pre, post, stride, dil = [0] + pre, [0] + post, [1] + stride, [1] + dil
    return xshape, wshape, yshape, pre, post, stride, dil


class _Graph:
    """One built cuDNN graph: its three tensors (two inputs, one output) and workspace size."""
    __slots__ = ('graph', 'ports', 'workspace', 'plan')

    def __init__(self, graph, ports, workspace, plan=None):
        self.graph, self.ports, self.workspace, self.plan = graph, ports, workspace, plan

    def execute(self, pointers, work, handle):
        """Run the graph on device pointers (in port order); the autotuned plan if there is one."""
        pack = dict(zip(self.ports, pointers))
        if self.plan is None:
            self.graph.execute(pack, work, handle=handle)
        else:
            self.graph.execute_plan_at_index(pack, work, self.plan, handle=handle)


def _build(cudnn, handle, kind, xs, ws, ys, pre, post, stride, dil, io, compute, tf32, deterministic, bench, dtype):
    g = cudnn.pygraph(io_data_type=io, intermediate_data_type=compute, compute_data_type=compute,
                      handle=handle)

    def tensor(name, shape):
        return g.tensor(name=name, dim=list(shape), stride=_strides(shape), data_type=io)

    conv_kw = dict(pre_padding=pre, post_padding=post, stride=stride, dilation=dil, compute_data_type=compute)
    if kind == 'fprop':
        a, b = tensor('X', xs), tensor('W', ws)
        out, out_shape = g.conv_fprop(image=a, weight=b, **conv_kw), ys
    elif kind == 'dgrad':
        a, b = tensor('DY', ys), tensor('W', ws)
        out, out_shape = g.conv_dgrad(loss=a, filter=b, **conv_kw), xs
    else:
        a, b = tensor('X', xs), tensor('DY', ys)
        out, out_shape = g.conv_wgrad(image=a, loss=b, **conv_kw), ws
    out.set_output(True).set_dim(list(out_shape)).set_stride(_strides(out_shape)).set_data_type(io)
    g.validate()
    g.build_operation_graph()
    g.create_execution_plans([cudnn.heur_mode.A, cudnn.heur_mode.FALLBACK])
    if io == cudnn.data_type.FLOAT and not tf32:
        g.deselect_numeric_notes([cudnn.numerical_note.TENSOR_CORE])     # TF32 runs on tensor cores
    if deterministic:
        g.deselect_numeric_notes([cudnn.numerical_note.NONDETERMINISTIC])
    g.check_support()
    if bench:                              # cudnn.benchmark: time every plan once, keep the fastest
        g.build_plans(cudnn.build_plan_policy.ALL)
        return _fastest(g, (a, b, out), [xs, ws, ys], kind, dtype, handle)
    g.build_plans()
    return _Graph(g, (a, b, out), int(g.get_workspace_size()))


def _fastest(g, ports, shapes, kind, dtype, handle):
    import cupy
    order = {'fprop': (0, 1, 2), 'dgrad': (2, 1, 0), 'wgrad': (0, 2, 1)}[kind]      # the ports' shapes
    arrays = [cupy.zeros(shapes[i], dtype) for i in order]
    pointers = [a.data.ptr for a in arrays]
    best = None
    for i in range(g.get_execution_plan_count()):
        try:
            size = int(g.get_workspace_size_plan_at_index(i))
            work = cupy.empty(max(size, 1), cupy.uint8)
            plan = _Graph(g, ports, size, i)
            plan.execute(pointers, work.data.ptr, handle)          # warm-up (and: does it run?)
            start, stop = cupy.cuda.Event(), cupy.cuda.Event()
            start.record()
            for _ in range(3):
                plan.execute(pointers, work.data.ptr, handle)
            stop.record()
            stop.synchronize()
            ms = cupy.cuda.get_elapsed_time(start, stop)
        except Exception:  # noqa: BLE001 - a plan that did not build or run is not a candidate
            continue
        if best is None or ms < best[0]:
            best = (ms, plan)
    if best is None:
        raise RuntimeError('no execution plan ran')
    return best[1]


def _handle(cudnn, cupy, dev):
    """The device's cuDNN handle, set to CuPy's current stream (None when none can be made)."""
    entry = _handles.get(dev)
    if entry is None:
        try:
            entry = [cudnn.create_handle(), None]
        except Exception as e:  # noqa: BLE001 - e.g. the frontend loaded but no cuDNN library
            entry = [None, None]
            _warn(('handle', dev), f'ember: no cuDNN handle on cuda:{dev} ({e.__class__.__name__}: {e}); '
                                   'CUDA convolutions use the slower im2col + cuBLAS path')
        _handles[dev] = entry
    if entry[0] is None:
        return None
    stream = cupy.cuda.get_current_stream().ptr
    if entry[1] != stream:
        cudnn.set_stream(handle=entry[0], stream=stream)
        entry[1] = stream
    return entry[0]


def _aligned(xp, a):
    """``a`` contiguous and 16-byte aligned (what every cuDNN engine may assume)."""
    a = xp.ascontiguousarray(a)
    return a if a.data.ptr % 16 == 0 else a.copy()


def run(kind, a, b, out_shape, xs, ws, ys, stride, pads, dil):
    """One convolution direction on device arrays ``a``, ``b`` (fprop: x, w; dgrad: dy, w;
    wgrad: x, dy), or None when cuDNN cannot serve it."""
    flags = _flags()
    if not flags.enabled or a.dtype != b.dtype or 0 in xs or 0 in ws or 0 in ys:
        return None
    cudnn = frontend()
    if cudnn is None:
        return None
    types = _dtypes(cudnn, a.dtype)
    if types is None:
        return None
    import cupy
    dev = a.device.id
    tf32, det, bench = bool(flags.allow_tf32), bool(flags.deterministic), bool(flags.benchmark)
    key = (kind, tuple(xs), tuple(ws), tuple(ys), tuple(stride), tuple(pads), tuple(dil), a.dtype.char, dev,
           tf32, det, bench)
    with cupy.cuda.Device(dev):
        handle = _handle(cudnn, cupy, dev)
        if handle is None:
            return None
        built = _graphs.get(key, False)
        if built is False:
            built = _graphs[key] = _try_build(cudnn, handle, key, *types)
        if built is None:
            return None
        x4, w4, y4, *_ = geometry(xs, ws, ys, stride, pads, dil)
        shapes = {'fprop': (x4, w4, y4), 'dgrad': (y4, w4, x4), 'wgrad': (x4, y4, w4)}[kind]
        a = _aligned(cupy, a).reshape(shapes[0])
        b = _aligned(cupy, b).reshape(shapes[1])
        out = cupy.empty(shapes[2], a.dtype)
        work = cupy.empty(max(built.workspace, 1), cupy.uint8)
        try:
            built.execute((a.data.ptr, b.data.ptr, out.data.ptr), work.data.ptr, handle)
        except Exception as e:  # noqa: BLE001 - a plan that fails to launch: the GEMM path takes the key
            _graphs[key] = None
            _warn(('execute', kind), f'ember: a cuDNN {kind} convolution failed to run ({e.__class__.__name__}: '
                                     f'{e}); using the im2col + cuBLAS path for it')
            return None
        stats['executed'] += 1
    return out.reshape(out_shape)


def _try_build(cudnn, handle, key, io, compute):
    kind, xs, ws, ys, stride, pads, dil, char, dev, tf32, det, bench = key
    x4, w4, y4, pre, post, st, dl = geometry(xs, ws, ys, stride, pads, dil)
    try:
        built = _build(cudnn, handle, kind, x4, w4, y4, pre, post, st, dl, io, compute, tf32, det, bench, np.dtype(char))
    except Exception as e:  # noqa: BLE001 - cuDNN declines: the GEMM path serves this geometry
        stats['declined'] += 1
        _warn(('build', kind, np.dtype(char).name),
              f'ember: cuDNN has no {kind} convolution for {np.dtype(char).name} x{list(xs)} w{list(ws)} '
              f'({e.__class__.__name__}: {str(e).splitlines()[0] if str(e) else ""}); '
              'using the im2col + cuBLAS path')
        return None
    stats['built'] += 1
    return built


def conv(x, w, out, stride, pads, dil):
    """y (N, O, *out) = conv(x, w); ``out`` is the output's spatial size."""
    ys = (x.shape[0], w.shape[0]) + tuple(out)
    return run('fprop', x, w, ys, x.shape, w.shape, ys, stride, pads, dil)


def conv_input(g, w, xshape, stride, pads, dil):
    return run('dgrad', g, w, tuple(xshape), tuple(xshape), w.shape, g.shape, stride, pads, dil)


def conv_weight(x, g, kshape, stride, pads, dil, groups):
    ws = (g.shape[1], x.shape[1] // groups) + tuple(kshape)
    return run('wgrad', x, g, ws, x.shape, ws, g.shape, stride, pads, dil)

