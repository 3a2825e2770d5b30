"""Survey 3 fixes: t[key] = value (value types, leading 1s, dtypes, overlap, bools), fill_ ranges,
out= (resize warning, dtype rules), bool floor division, signed zeros of remainder. Each case runs
the same function on torch and ember and compares what a user sees: values, dtype, shape, or the
exception type and first line, and the warnings."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _run(T, fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn(T)
        except Exception as e:         # noqa: BLE001 (the exception is what is compared)
            r = ('raised', type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))
    msgs = [str(x.message).split(' (Triggered internally')[0].replace('torch.', 'ember.') for x in w
            if x.category is UserWarning]
    return _plain(r), msgs


def _plain(r):
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        a = r.detach().cpu()
        if a.dtype in (torch.bfloat16, ember.bfloat16):
            a = a.float()
        arr = np.asarray(a.numpy())
        signs = None
        if arr.dtype.kind == 'f':          # NaNs compare as 'nan'; zeros by their sign (NaN signs ignored)
            signs = (np.signbit(arr) & ~np.isnan(arr)).tolist()
            arr = np.where(np.isnan(arr), None, arr)
        return ('tensor', str(r.dtype).split('.')[-1], tuple(r.shape), arr.tolist(), signs)
    if isinstance(r, tuple) and r and r[0] == 'raised':
        return r
    if isinstance(r, (tuple, list)):
        return (type(r).__name__,) + tuple(_plain(x) for x in r)
    return r.replace('torch', 'ember') if isinstance(r, str) else r


def same(fn):
    t, e = _run(torch, fn), _run(ember, fn)
    assert e == t, f'\nember: {e}\ntorch: {t}'


def sett(shape, key, value, dtype='float32'):
    """``x = zeros(shape, dtype); x[key] = value; x`` (key / value: callables of the module, or plain)."""
    def f(T):
        x = T.zeros(*shape, dtype=getattr(T, dtype))
        x[key(T) if callable(key) else key] = value(T) if callable(value) else value
        return x
    return f


def overlap(key, value, n=5):
    def f(T):
        x = T.arange(float(n))
        x[key] = value(x)
        return x
    return f


M = lambda T: T.tensor([True, False])              # noqa: E731
M3 = lambda T: T.tensor([True, False, True])       # noqa: E731
F2 = lambda T: T.tensor([1.5, 2.5])                # noqa: E731
E = lambda T, dt, *s: T.empty(*s, dtype=getattr(T, dt))   # noqa: E731

CASES = [
    # 5: a value with leading size-1 dims fills a smaller target
    ('lead1', sett((2, 3), 0, lambda T: T.ones(1, 3))),
    ('lead1x2', sett((2, 3), 0, lambda T: T.ones(1, 1, 3))),
    ('lead1-slice', sett((2, 3), slice(0, 1), lambda T: T.ones(1, 1, 1, 3))),
    ('lead1-whole', sett((2, 3), slice(None), lambda T: T.ones(1, 2, 3))),
    ('lead1-none', sett((2, 3), None, lambda T: T.ones(1, 1, 2, 3))),
    ('lead1-elem', sett((2, 3), (0, 0), lambda T: T.ones(1, 1))),
    ('lead1-bad', sett((2, 3), slice(0, 1), lambda T: T.ones(1, 2))),
    ('lead1-adv-bad', sett((2, 3), [0], lambda T: T.ones(1, 2))),
    ('lead1-grad', lambda T: (lambda v: (lambda x: (x.__setitem__(0, v), x.sum().backward(),
                                                    v.grad, x.grad_fn.next_functions[1][0].name())[2:])(
        T.zeros(2, 3)))(T.ones(1, 3, requires_grad=True))),
    # 7 / 12: numbers out of the dtype's range
    ('u8 fill -1', lambda T: T.zeros(2, dtype=T.uint8).fill_(-1)),
    ('u8 fill -255', lambda T: T.zeros(2, dtype=T.uint8).fill_(-255)),
    ('u8 fill -256', lambda T: T.zeros(2, dtype=T.uint8).fill_(-256)),
    ('u8 fill 256', lambda T: T.zeros(2, dtype=T.uint8).fill_(256)),
    ('u8 fill -1.', lambda T: T.zeros(2, dtype=T.uint8).fill_(-1.0)),
    ('i8 fill 300', lambda T: T.zeros(2, dtype=T.int8).fill_(300)),
    ('i8 fill -129', lambda T: T.zeros(2, dtype=T.int8).fill_(-129)),
    ('i32 fill nan', lambda T: T.zeros(2, dtype=T.int32).fill_(float('nan'))),
    ('f32 fill 1e300', lambda T: T.zeros(2).fill_(1e300)),
    ('f16 fill 7e4', lambda T: T.zeros(2, dtype=T.float16).fill_(70000)),
    ('bool fill 1j', lambda T: T.zeros(2, dtype=T.bool).fill_(1j)),
    ('f32 fill 1+0j', lambda T: T.zeros(2).fill_(1 + 0j)),
    ('u8 x[0]=-1', sett((2,), 0, -1, 'uint8')),
    ('u8 x[:]=-129', sett((2,), slice(None), -129, 'uint8')),
    ('u8 x[[0]]=-1', sett((2,), [0], -1, 'uint8')),
    ('u8 x[m]=300', sett((2,), M, 300, 'uint8')),
    ('i8 x[0]=1000', sett((2,), 0, 1000, 'int8')),
    ('i32 x[0]=inf', sett((2,), 0, float('inf'), 'int32')),
    ('i64 x[[0]]=nan', sett((2,), [0], float('nan'), 'int64')),
    ('i64 x[0]=2**63', sett((2,), 0, 2 ** 63, 'int64')),
    ('f16 x[0]=7e4', sett((2,), 0, 70000, 'float16')),
    ('bf16 x[m]=1e300', sett((2,), M, 1e300, 'bfloat16')),
    ('f32 x[0]=1e300', sett((2,), 0, 1e300)),
    ('f32 x[0]=1j', sett((2,), 0, 1j)),
    ('f32 x[[0]]=1j', sett((2,), [0], 1j)),
    ('f32 x[0]=1+0j', sett((2,), 0, 1 + 0j)),
    ('f16 x[0]=1+2j', sett((2,), 0, 1 + 2j, 'float16')),
    ('bf16 x[[0]]=1+0j', sett((2,), [0], 1 + 0j, 'bfloat16')),
    ('long fill np.float32', lambda T: T.zeros(2, dtype=T.long).fill_(np.float32(2.5))),
    ('i8 index_fill 300', lambda T: T.zeros(2, dtype=T.int8).index_fill(0, T.tensor([0]), 300)),
    ('i32 index_fill_ nan', lambda T: T.zeros(2, dtype=T.int32).index_fill_(0, T.tensor([0]), float('nan'))),
    ('f32 index_fill 1+0j', lambda T: T.zeros(2).index_fill(0, T.tensor([0]), 1 + 0j)),
    ('i8 index_fill t300', lambda T: T.zeros(2, dtype=T.int8).index_fill(0, T.tensor([0]), T.tensor(300))),
    ('u8 index_fill -1', lambda T: T.zeros(2, dtype=T.uint8).index_fill(0, T.tensor([0]), -1)),
    # 8: advanced-index writes need the value's dtype to match (one-element values into a mask excepted)
    ('put (:,l) f', sett((2, 3), (slice(None), [0, 2]), F2, 'long')),
    ('put (...,l) f0d', sett((2, 3), (Ellipsis, [0, 2]), lambda T: T.tensor(1.5), 'long')),
    ('put (t,0) b0d', sett((2, 3), lambda T: (T.tensor([0, 1]), 0), lambda T: T.tensor(True), 'long')),
    ('put (0,l) l', sett((2, 3), (0, [0, 2]), lambda T: T.tensor([1, 2]))),
    ('put (m,l) f', sett((2, 3), lambda T: (M(T), [0, 2]), F2, 'long')),
    ('put l 0d', sett((2, 3), [0, 1], lambda T: T.tensor(3))),
    ('put l py', sett((2, 3), [0, 1], 1.5, 'long')),
    ('put l same', sett((2, 3), [0, 1], lambda T: T.tensor(3.))),
    ('put shape first', sett((2, 3), [0, 1], F2, 'long')),
    ('put dtype before bounds', sett((2, 3), [5], lambda T: T.tensor([1.5]), 'long')),
    ('put (0,[0]) shape', sett((2, 3), lambda T: (T.tensor(0), [0]), F2, 'long')),
    ('mask f0d', sett((2, 3), M, lambda T: T.tensor(1.5), 'long')),
    ('mask f[1]', sett((2, 3), M, lambda T: T.tensor([1.5]), 'long')),
    ('(:,mask) f0d', sett((2, 3), lambda T: (slice(None), M3(T)), lambda T: T.tensor(1.5), 'long')),
    ('(m,m) f0d', sett((2, 3), lambda T: (M(T), M3(T)), lambda T: T.tensor(1.5), 'long')),
    ('0d mask f0d', sett((2, 3), lambda T: T.tensor(True), lambda T: T.tensor(1.5), 'long')),
    ('mask i8 t300', sett((2, 3), M, lambda T: T.tensor(300), 'int8')),
    ('mask f c0d', sett((2, 3), M, lambda T: T.tensor(1 + 1j))),
    ('mask f64 grad', lambda T: (lambda v: (lambda x: (x.__setitem__(M(T), v), x.sum().backward(), v.grad)[2])(
        T.zeros(2, 3)))(T.tensor(1.5, dtype=T.float64, requires_grad=True))),
    ('u8mask,: 0d', sett((2, 3), lambda T: (T.tensor([1, 0], dtype=T.uint8), slice(None)), lambda T: T.tensor(1.))),
    ('u8mask,: py', sett((2, 3), lambda T: (T.tensor([1, 0], dtype=T.uint8), slice(None)), 1.)),
    ('u8mask v', sett((2, 3), lambda T: T.tensor([1, 0], dtype=T.uint8), lambda T: T.tensor([1., 2, 3]))),
    # 18c: values that are not tensors or numbers
    ('None', sett((2,), 0, None)),
    ('None long', sett((2,), [0], None, 'long')),
    ('str', sett((2,), 0, 'a')),
    ('dict', sett((2,), 0, {})),
    ('list', sett((2,), 0, [1.])),
    ('ndarray', sett((2, 3), 0, np.array([1.5, 2, 3]))),
    ('ndarray long', sett((2, 3), [0], np.array([1, 2, 3]), 'long')),
    ('np.float32', sett((2,), 0, np.float32(1.5))),
    ('np.bool', sett((2,), 0, np.bool_(True))),
    ('np.float64', sett((2,), 0, np.float64(1.5))),
    ('np.int64 u8', sett((2,), 0, np.int64(-1), 'uint8')),
    ('np.complex128', sett((2,), 0, np.complex128(1))),
    # 19: Python bools as keys
    ('x[False]=v', sett((2, 3), False, lambda T: T.tensor([5., 6]))),
    ('x[False]=4x4', sett((2, 3), False, lambda T: T.ones(4, 4))),
    ('x[False]=None', sett((2, 3), False, None)),
    ('x[True]=v', sett((2, 3), True, lambda T: T.tensor([5., 6, 7]))),
    ('x[True]=bad', sett((2, 3), True, lambda T: T.tensor([5., 6]))),
    ('x[False,0]=v', sett((2, 3), (False, 0), lambda T: T.tensor([5., 6]))),
    ('x[True,0]=v', sett((2, 3), (True, 0), lambda T: T.tensor([5., 6, 7]))),
    ('x[False] grad', lambda T: (lambda x: (x.__setitem__(False, T.ones(3, requires_grad=True)), x.grad_fn)[1])(
        T.zeros(2, 3))),
    ('x[True] grad_fn', lambda T: (lambda x: (x.__setitem__(True, T.ones(3, requires_grad=True)),
                                              x.grad_fn.name())[1])(T.zeros(2, 3))),
    ('get [False,0]', lambda T: T.arange(6.).reshape(2, 3)[False, 0]),
    ('get [True,:,1]', lambda T: T.arange(6.).reshape(2, 3)[True, :, 1]),
    ('get [0,False,[1]]', lambda T: T.arange(6.).reshape(2, 3)[0, False, [1]]),
    # 22: writes from memory that overlaps the written memory
    ('x[1:]=x[:-1]', overlap(slice(1, None), lambda x: x[:-1])),
    ('x[:-1]=x[1:]', overlap(slice(None, -1), lambda x: x[1:])),
    ('x[:]=x', overlap(slice(None), lambda x: x)),
    ('x[0:2]=x[2:4]', overlap(slice(0, 2), lambda x: x[2:4])),
    ('x[::2]=x[:3]', overlap(slice(None, None, 2), lambda x: x[:3], 6)),
    ('x[:]=x[0]', overlap(slice(None), lambda x: x[0])),
    ('x[:]=x[0:1]', overlap(slice(None), lambda x: x[0:1])),
    ('x[[1,2]]=x[:2]', overlap([1, 2], lambda x: x[:2])),
    ('x[[0..4]]=x', overlap([0, 1, 2, 3, 4], lambda x: x)),
    ('x[[0]]=x[0]', overlap([0], lambda x: x[0])),
    ('x[mask]=x[0]', overlap(np.array([1, 1, 1, 0, 0], bool).tolist(), lambda x: x[0])),
    ('copy_ x[0]', lambda T: (lambda x: x.copy_(x[0]))(T.arange(5.))),
    ('copy_ flip', lambda T: (lambda x: x.copy_(x.flip(0)))(T.arange(5.))),
    ('copy_ shifted', lambda T: (lambda x: (x[1:].copy_(x[:-1]), x)[1])(T.arange(5.))),
    ('x[:]=x.t()', lambda T: (lambda x: (x.__setitem__(slice(None), x.t()), x)[1])(T.arange(9.).reshape(3, 3))),
    ('x[0]=x[:,0]', lambda T: (lambda x: (x.__setitem__(0, x[:, 0]), x)[1])(T.arange(9.).reshape(3, 3))),
    # 11: floor division of bools
    ('bool//bool', lambda T: T.tensor([True, False]) // T.tensor([True, True])),
    ('bool//True', lambda T: T.tensor([True, False]) // True),
    ('bool floor_divide_', lambda T: T.tensor([True, False]).floor_divide_(T.tensor([True, True]))),
    ('div trunc bool', lambda T: T.div(T.tensor([True]), T.tensor([True]), rounding_mode='trunc')),
    ('empty bool//', lambda T: T.tensor([], dtype=T.bool) // T.tensor([], dtype=T.bool)),
    ('bool//2', lambda T: T.tensor([True, False]) // 2),
]

for _dt in ('float32', 'float64', 'float16', 'bfloat16'):   # 15: remainder's signed zeros
    CASES += [
        (f'rem neg {_dt}', lambda T, d=_dt: T.tensor([0., 3., -0., -3., 5., -5., float('inf'), float('nan')],
                                                       dtype=getattr(T, d)) % -3),
        (f'rem pos {_dt}', lambda T, d=_dt: T.tensor([-4., 4., 0., -0., 5., -5.], dtype=getattr(T, d)) % 2),
        (f'rem tensor {_dt}', lambda T, d=_dt: T.remainder(T.tensor([-4., 4., 0., -0., 5., -5.], dtype=getattr(T, d)),
                                                             T.tensor([2., -2., -2., 2., float('inf'), float('-inf')],
                                                                      dtype=getattr(T, d)))),
        (f'rem number self {_dt}', lambda T, d=_dt: T.remainder(-4., T.tensor([2., -2., 3., -3.],
                                                                                 dtype=getattr(T, d)))),
        (f'rem_ {_dt}', lambda T, d=_dt: T.tensor([-4., 4., 0.], dtype=getattr(T, d)).remainder_(-2)),
    ]
CASES += [
    ('rem 0d', lambda T: T.tensor(-4.) % 2),
    ('rem int', lambda T: T.tensor([-4, 4, 0, 5]) % -3),
    ('rem int by float', lambda T: T.tensor([-4, 4]) % -2.),
    ('rem by zero', lambda T: T.tensor([-4., 4., 0.]) % 0),
]

# 9 / 10: out= resized with a warning; dtype rules per op
for _name, _fn in [
    ('add', lambda T, o: T.add(T.ones(2), 1, out=o)),
    ('mul', lambda T, o: T.mul(T.ones(2), T.ones(2), out=o)),
    ('remainder', lambda T, o: T.remainder(T.ones(2), 2, out=o)),
    ('maximum', lambda T, o: T.maximum(T.ones(2), T.ones(2), out=o)),
    ('cat', lambda T, o: T.cat([T.ones(1), T.ones(1)], out=o)),
    ('stack', lambda T, o: T.stack([T.ones(()), T.ones(())], out=o)),
    ('mm', lambda T, o: T.mm(T.ones(1, 2), T.ones(2, 2), out=o).reshape(2)),
    ('matmul', lambda T, o: T.matmul(T.ones(1, 2), T.ones(2, 2), out=o).reshape(2)),
    ('matmul mv', lambda T, o: T.matmul(T.ones(2, 2), T.ones(2), out=o)),
    ('bmm', lambda T, o: T.bmm(T.ones(1, 1, 2), T.ones(1, 2, 2), out=o).reshape(2)),
    ('mv', lambda T, o: T.mv(T.ones(2, 2), T.ones(2), out=o)),
    ('addmm', lambda T, o: T.addmm(T.ones(1, 2), T.ones(1, 2), T.ones(2, 2), out=o).reshape(2)),
    ('addmv', lambda T, o: T.addmv(T.ones(2), T.ones(2, 2), T.ones(2), out=o)),
    ('baddbmm', lambda T, o: T.baddbmm(T.ones(1, 1, 2), T.ones(1, 1, 2), T.ones(1, 2, 2), out=o).reshape(2)),
    ('addbmm', lambda T, o: T.addbmm(T.ones(1, 2), T.ones(1, 1, 2), T.ones(1, 2, 2), out=o).reshape(2)),
    ('addr', lambda T, o: T.addr(T.ones(1, 2), T.ones(1), T.ones(2), out=o).reshape(2)),
    ('amax', lambda T, o: T.amax(T.ones(2, 3), 1, out=o)),
    ('amin', lambda T, o: T.amin(T.ones(2, 3), 1, out=o)),
]:
    CASES += [(f'out resize {_name}', lambda T, f=_fn: f(T, T.empty(3))),
              (f'out empty {_name}', lambda T, f=_fn: f(T, T.empty(0))),
              (f'out f64 {_name}', lambda T, f=_fn: f(T, E(T, 'float64', 2))),
              (f'out long {_name}', lambda T, f=_fn: f(T, E(T, 'long', 2)))]
CASES += [
    ('out dot resize', lambda T: T.dot(T.ones(2), T.ones(2), out=T.empty(3))),
    ('out dot f64', lambda T: T.dot(T.ones(2), T.ones(2), out=E(T, 'float64'))),
    ('out matmul 1d f64', lambda T: T.matmul(T.ones(2), T.ones(2), out=E(T, 'float64'))),
    ('out vdot c', lambda T: T.vdot(T.ones(2, dtype=T.complex64), T.ones(2, dtype=T.complex64), out=T.empty(()))),
    ('out dot grad', lambda T: T.dot(T.ones(2, requires_grad=True), T.ones(2), out=T.empty(()))),
    ('out mv d f', lambda T: T.mv(T.ones(2, 2, dtype=T.float64), T.ones(2, dtype=T.float64), out=T.empty(2))),
    ('out mm long long', lambda T: T.mm(T.ones(2, 2, dtype=T.long), T.ones(2, 2, dtype=T.long), out=T.empty(2, 2))),
    ('out cat int->f', lambda T: T.cat([T.ones(2, dtype=T.int32)], out=T.empty(2))),
    ('out cat f->bool', lambda T: T.cat([T.ones(2)], out=E(T, 'bool', 2))),
    ('out max', lambda T: (lambda o: (T.max(T.arange(6.).reshape(2, 3), 1, out=o), o))((T.empty(3), E(T, 'long', 3)))),
    ('out max type', lambda T: type(T.max(T.ones(2, 3), 1, out=(T.empty(2), E(T, 'long', 2)))).__name__),
    ('out min kd', lambda T: T.min(T.arange(6.).reshape(2, 3), 1, True, out=(T.empty(0), E(T, 'long', 0)))),
    ('out max values f64', lambda T: T.max(T.ones(2, 3), 1, out=(E(T, 'float64', 2), E(T, 'long', 2)))),
    ('out max idx i32', lambda T: T.max(T.ones(2, 3), 1, out=(T.empty(2), E(T, 'int32', 2)))),
    ('out max 3', lambda T: T.max(T.ones(2, 3), 1, out=(T.empty(2),) * 3)),
    ('out max grad', lambda T: T.max(T.ones(2, 2, requires_grad=True), 1, out=(T.empty(2), E(T, 'long', 2)))),
    ('out max all', lambda T: (lambda o: (T.max(T.arange(6.), out=o), o))(T.empty(2))),
    ('out max binary', lambda T: (lambda o: (T.max(T.arange(3.), T.ones(3), out=o), o))(T.empty(3))),
    ('out argmax', lambda T: (lambda o: (T.argmax(T.arange(6.).reshape(2, 3), 1, out=o), o))(E(T, 'long', 3))),
    ('out argmin f', lambda T: T.argmin(T.ones(2, 3), 1, out=T.empty(2))),
    ('out argmax i32', lambda T: T.argmax(T.ones(2, 3), 1, out=E(T, 'int32', 2))),
]


@pytest.mark.parametrize('fn', [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_survey3_index(fn):
    same(fn)


def test_failed_writes_change_nothing():
    x = ember.zeros(2, 3, dtype=ember.long)
    for key, value in [((slice(None), [0, 2]), ember.tensor([1.5, 2.5])), (0, None), (0, 'a'),
                       ([0], ember.tensor([1.5])), (0, 2 ** 63)]:
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            x[key] = value
    y = ember.arange(5.)
    with pytest.raises(RuntimeError):
        y[1:] = y[:-1]
    with pytest.raises(RuntimeError):
        ember.zeros(2, dtype=ember.uint8).fill_(300)
    assert x.tolist() == [[0, 0, 0], [0, 0, 0]] and y.tolist() == [0., 1., 2., 3., 4.]


def _masked(dtype, value, inplace=False):
    def f(T):
        x = T.zeros(3, dtype=getattr(T, dtype))
        m = T.tensor([True, False, True])
        v = value(T) if callable(value) else value
        return x.masked_fill_(m, v) if inplace else T.masked_fill(x, m, v)
    return f


@pytest.mark.parametrize('dtype,value', [('int8', 300), ('int8', float('nan')), ('int8', -1.0), ('uint8', -1),
                                         ('uint8', -1.0), ('uint8', 1j), ('int8', lambda T: T.tensor(300)),
                                         ('int8', lambda T: T.tensor(7)), ('float32', 1j), ('int64', 5)])
@pytest.mark.parametrize('inplace', [False, True])
def test_masked_fill_value_checks(dtype, value, inplace):
    same(_masked(dtype, value, inplace))


@pytest.mark.parametrize('fn', [lambda T, a, b: T.stack([a, b]), lambda T, a, b: T.cat([a, b]),
                                lambda T, a, b: T.cat([a, b], 1), lambda T, a, b: T.stack([a, b], 2),
                                lambda T, a, b: T.cat([a, b.double()])])
def test_cat_stack_results_are_contiguous(fn):
    got = []
    for T in (torch, ember):
        a = T.arange(6.).reshape(2, 3).t()
        out = fn(T, a, a + 10)
        got.append((out.stride(), out.is_contiguous(), out.view(-1).tolist()))
    assert got[0] == got[1]


def test_collate_of_fortran_arrays_is_viewable():
    imgs = [np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))] * 4
    got = [next(iter(T.utils.data.DataLoader(imgs, batch_size=4))).view(4, -1).tolist() for T in (torch, ember)]
    assert got[0] == got[1]
    with pytest.raises(TypeError, match='but got numpy.ndarray$'):
        ember.stack([ember.ones(2), np.ones(2)])
