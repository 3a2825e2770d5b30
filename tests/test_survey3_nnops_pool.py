"""Pooling argument checks, dtypes, max_unpool output sizes and adaptive pooling's empty
gradients against PyTorch (the third survey's pooling findings; helpers in test_survey3_nnops)."""
import pytest

from test_survey3_nnops import _bw, same_outcome


def _pool_cases():
    cases = []
    shapes = {1: (1, 2, 6), 2: (1, 2, 6, 6), 3: (1, 2, 6, 6, 6)}
    for kind in ('max', 'avg'):
        for d in (1, 2, 3):
            f = (lambda T, kind=kind, d=d: getattr(T.nn.functional, f'{kind}_pool{d}d'))
            x = (lambda T, d=d: T.ones(*shapes[d]))
            for args, kw in (((2,), dict(padding=-1)), ((2,), dict(stride=0)), ((2,), dict(stride=-1)), ((0,), {}),
                             ((-1,), {}), (((2,) * (d + 1),), {}), ((2,), dict(stride=(2,) * (d + 1))),
                             ((2,), dict(padding=(1,) * (d + 1))), ((7,), {}), ((2,), dict(padding=2)),
                             ((-1,), dict(padding=1)), ((2.0,), {}), ((3,), dict(padding=1, ceil_mode=True))):
                cases.append(lambda T, f=f, x=x, args=args, kw=kw: f(T)(x(T), *args, **kw))
            for shp in ((0,) * 0 + (6,), (1,) + shapes[d], (1, 2, 0) + (6,) * (d - 1), (0, 2) + (6,) * d,
                        (2, 0) + (6,) * d):
                cases.append(lambda T, f=f, shp=shp: f(T)(T.ones(*shp), 2))
            if kind == 'max':
                for kw in (dict(dilation=0), dict(dilation=(1,) * (d + 1)), dict(padding=2, dilation=2),
                           dict(return_indices=True, padding=-1)):
                    cases.append(lambda T, f=f, x=x, kw=kw: f(T)(x(T), 3, **kw))
                cases.append(lambda T, f=f: f(T)(T.ones(6), 2, return_indices=True))
            elif d > 1:
                cases.append(lambda T, f=f, x=x: f(T)(x(T), 2, divisor_override=0))
                cases.append(lambda T, f=f: f(T)(T.ones(6, 6), 2, divisor_override=0))
    for kind in ('adaptive_avg', 'adaptive_max'):
        for d in (1, 2, 3):
            f = (lambda T, kind=kind, d=d: getattr(T.nn.functional, f'{kind}_pool{d}d'))
            x = (lambda T, d=d: T.ones(*shapes[d]))
            for size in ((2,) * (d + 1), (2,) * (d - 1), (2,), -1, 0, None, 1):
                cases.append(lambda T, f=f, x=x, size=size: f(T)(x(T), size))
            for shp in ((1, 2, 0) + (6,) * (d - 1), (2, 0) + (6,) * (d - 1), (0, 2) + (6,) * d, (2, 0) + (6,) * d,
                        (6,), (1, 1, 2) + (6,) * d):
                cases.append(lambda T, f=f, shp=shp: f(T)(T.ones(*shp), 2))
    return cases


@pytest.mark.parametrize('fn', _pool_cases())
def test_pool_argument_errors(fn):
    same_outcome(fn)


POOL_DTYPES = ['int64', 'int8', 'uint8', 'bool', 'int32', 'float16', 'bfloat16', 'complex64']
POOL_FNS = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'adaptive_avg_pool1d',
            'adaptive_avg_pool2d', 'adaptive_avg_pool3d', 'adaptive_max_pool1d', 'adaptive_max_pool2d',
            'adaptive_max_pool3d']


@pytest.mark.parametrize('dtype', POOL_DTYPES)
@pytest.mark.parametrize('name', POOL_FNS)
def test_pool_dtypes(name, dtype):
    d = int(name[-2])
    for shape in ((1, 1) + (4,) * d, (1,) + (4,) * d):
        same_outcome(lambda T: getattr(T.nn.functional, name)(T.ones(*shape, dtype=getattr(T, dtype)), 2))
    if name.startswith('adaptive_avg'):
        same_outcome(lambda T: getattr(T.nn.functional, name)(T.ones(*shape, dtype=getattr(T, dtype)), 1))
    if name.startswith('max_pool2'):
        same_outcome(lambda T: T.nn.functional.max_pool2d(T.ones(1, 4, 4, dtype=getattr(T, dtype)), 2,
                                                          return_indices=True))


def _unpool(T, osz, nd=2, **kw):
    y, i = getattr(T.nn.functional, f'max_pool{nd}d')(T.ones(*((1, 2) + (4,) * nd)), 2, return_indices=True)
    return getattr(T.nn.functional, f'max_unpool{nd}d')(y, i, 2, output_size=osz, **kw)


@pytest.mark.parametrize('osz,nd,kw', [((9, 9), 2, {}), ((1, 2, 5, 5), 2, {}), ((5, 5, 5), 2, {}), ((3, 4), 2, {}),
                                       ((9,), 1, {}), ([9], 1, {}), ([5], 1, {}), ((9, 4, 4), 3, {}),
                                       ((9, 9), 2, dict(stride=3)), ([5, 5], 2, {})])
def test_max_unpool_output_size(osz, nd, kw):
    same_outcome(lambda T: _unpool(T, T.Size(osz) if isinstance(osz, tuple) and len(osz) == 2 and nd == 2 and kw
                                   else osz, nd, **kw))


ADAPTIVE_EMPTY_GRAD = [
    _bw(lambda T: lambda x: T.nn.functional.adaptive_max_pool1d(x, 0), 1, 2, 5),
    _bw(lambda T: lambda x: T.nn.functional.adaptive_max_pool3d(x, (2, 0, 2)), 2, 5, 5, 5),
    _bw(lambda T: lambda x: T.nn.functional.adaptive_avg_pool2d(x, (0, 2)), 1, 2, 5, 5),
    _bw(lambda T: lambda x: T.nn.functional.adaptive_avg_pool1d(x, 0), 1, 2, 5),
    _bw(lambda T: lambda x: T.nn.functional.adaptive_max_pool2d(x, 2), 0, 2, 5, 5),
    lambda T: T.nn.EmbeddingBag(3, 2, mode='max')(T.zeros(0, dtype=T.int64), T.tensor([0, 0])),
]


@pytest.mark.parametrize('fn', ADAPTIVE_EMPTY_GRAD)
def test_adaptive_empty_grad_and_empty_bags(fn):
    same_outcome(fn)
