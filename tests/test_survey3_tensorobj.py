"""Survey 3, the Tensor object: to() parsing, casts, subclasses, copy/deepcopy/pickle, the
Python protocols (in, reversed, NumPy ufuncs, numpy()), autograd field setters, resize_ and
memory formats, legacy constructors. Each case runs on torch and on ember and compares what a
user sees (values, types, strides, exception type and first line, warnings)."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def _norm(v):
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        v = (type(v).__name__, tuple(v.shape), str(v.dtype), v.requires_grad, v.stride(),
             np.asarray(v.detach().resolve_conj().resolve_neg().float().numpy()
                        if v.dtype in (torch.bfloat16, ember.bfloat16) else
                        v.detach().resolve_conj().resolve_neg().numpy()).tolist())
    elif isinstance(v, (list, tuple)) and not isinstance(v, (torch.Size, ember.Size)):
        v = type(v)(_norm(x) for x in v)
    elif isinstance(v, (torch.Size, ember.Size)):
        v = tuple(v)
    return str(v).replace('torch', 'ember')


def outcome(fn, T):
    """(result or (exception type, first line), sorted warning messages) of fn(T)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            res = _norm(fn(T))
        except Exception as e:        # noqa: BLE001 - the exception is the result compared
            res = (type(e).__name__, str(e).strip().split('\n')[0].replace('torch', 'ember'))
    return res, sorted({str(x.message).split('\n')[0].replace('torch', 'ember') for x in w})


def same(fn):
    assert outcome(fn, ember) == outcome(fn, torch)


def _sub(T):
    class MyT(T.Tensor):
        pass
    return MyT


CASES = {
    # 1, 9: to() parsing
    'to-None': lambda T: (lambda x: (x.to(None) is x, x.to(None, None) is x, x.to(None, T.float64).dtype,
                                     x.to('cpu', None).dtype))(T.arange(3.)),
    'module-to-None': lambda T: T.nn.Linear(2, 2).to(None).weight.dtype,
    'to-pos-copy': lambda T: (lambda x: (x.to(T.float32, False, True) is x, x.to(T.float64, True).dtype,
                                         x.to('cpu', T.float32, False, True) is x, x.to(x, False, True) is x,
                                         x.to(T.float32, False, False) is x))(T.arange(3.)),
    'to-too-many': lambda T: T.arange(3.).to(T.float32, True, True, True),
    'to-int-flag': lambda T: T.arange(3.).to(T.float32, 1),
    'to-dtype-None': lambda T: T.arange(3.).to(T.float32, None),
    # 18: casts with a memory format
    'cast-channels-last': lambda T: [getattr(T.zeros(2, 3, 4, 5), n)(memory_format=T.channels_last).stride()
                                     for n in ('double', 'half', 'float', 'bfloat16', 'long', 'int', 'bool',
                                               'short', 'char', 'byte')],
    'cast-channels-last-rank': lambda T: T.arange(3.).double(memory_format=T.channels_last),
    'cpu-channels-last': lambda T: T.zeros(2, 3, 4, 5).cpu(memory_format=T.channels_last).stride(),
    'cast-contiguous-self': lambda T: (lambda y: y.float(memory_format=T.contiguous_format) is y)(T.zeros(2, 3)),
    # 10: quiet casts
    'cast-nan-long': lambda T: T.tensor([float('nan')]).long().dtype,
    'cast-half-overflow': lambda T: T.tensor([7e4]).half(),
    'cast-f64-f32-overflow': lambda T: T.tensor([1e300], dtype=T.float64).float(),
    'cast-inf-int': lambda T: T.tensor([float('inf')]).int().dtype,
    # 19: channels-last bookkeeping
    'cl-size1': lambda T: [(t.contiguous(memory_format=T.channels_last) is t,
                            t.contiguous(memory_format=T.channels_last).stride(),
                            t.to(memory_format=T.channels_last) is t, t.to(memory_format=T.channels_last).stride(),
                            t.clone(memory_format=T.channels_last).stride(), t.clone().stride())
                           for t in (T.zeros(1, 1, 4, 5), T.zeros(2, 1, 4, 5), T.zeros(2, 3, 1, 1),
                                     T.zeros(2, 3, 4, 5).contiguous(memory_format=T.channels_last))],
    'clone-keeps-strides': lambda T: [(t.clone().stride(), t.clone(memory_format=T.contiguous_format).stride())
                                      for t in (T.arange(2.).reshape(1, 2).t(), T.zeros(3, 1).t(),
                                                T.zeros(1, 3).t(), T.arange(6.).reshape(3, 1, 2).permute(2, 1, 0),
                                                T.arange(12.).reshape(3, 4)[:, ::2],
                                                T.arange(3.)[:, None].expand(3, 2))],
    # 17: resize_
    'resize-same-shape': lambda T: (T.arange(6.).reshape(2, 3).t().resize_(3, 2).stride(),
                                    T.arange(10.)[2:].reshape(2, 4)[:, ::2].resize_(2, 2).stride()),
    'resize-other-shape': lambda T: (T.arange(6.).reshape(2, 3).t().resize_(2, 3),
                                     T.arange(6.).reshape(2, 3).t().resize_(6)),
    'resize-channels-last': lambda T: (T.zeros(2, 3, 4, 5).resize_(2, 3, 4, 5, memory_format=T.channels_last).stride(),
                                       T.zeros(2, 3, 4, 5).resize_(1, 2, 3, 4, memory_format=T.channels_last).stride(),
                                       T.zeros(2, 3, 4, 5).resize_(2, 3, 4, 5, 6,
                                                                   memory_format=T.channels_last_3d).stride()),
    'resize-cl-to-contig': lambda T: T.zeros(2, 3, 4, 5).contiguous(memory_format=T.channels_last).resize_(
        2, 3, 4, 5, memory_format=T.contiguous_format).stride(),
    'resize-cl-rank': lambda T: T.zeros(3).resize_(1, 2, 3, memory_format=T.channels_last),
    'resize-preserve': lambda T: T.zeros(2).resize_(2, memory_format=T.preserve_format),
    'resize-as-cl': lambda T: T.arange(4.).resize_as_(T.ones(2, 2, 1, 1), memory_format=T.channels_last).stride(),
    # 8: in
    'contains-row': lambda T: T.tensor([0., 1.]) in T.arange(4.).reshape(2, 2),
    'contains-scalars': lambda T: (1 in T.arange(3.), 1.5 in T.arange(3.), True in T.ones(2),
                                   np.float64(1.) in T.arange(3.), (1 + 0j) in T.arange(3.)),
    'contains-str': lambda T: 'a' in T.ones(2),
    'contains-None': lambda T: None in T.ones(2),
    # 11-14: autograd fields
    'rg-set-nonleaf-true': lambda T: setattr(T.ones(3, requires_grad=True) * 2, 'requires_grad', True),
    'rg-set-nonleaf-false': lambda T: setattr(T.ones(3, requires_grad=True) * 2, 'requires_grad', False),
    'rg-nonleaf-method': lambda T: (lambda y: y.requires_grad_(True) is y)(T.ones(3, requires_grad=True) * 2),
    'data-int-on-rg': lambda T: setattr(T.ones(3, requires_grad=True), 'data', T.zeros(2, dtype=T.int64)),
    'data-int-on-nonleaf': lambda T: setattr(T.ones(3, requires_grad=True) * 1, 'data', T.zeros(2, dtype=T.int64)),
    'data-int-plain': lambda T: (lambda p: (setattr(p, 'data', T.zeros(2, dtype=T.int64)), p.dtype, p.shape))(
        T.ones(3)),
    'data-complex-on-rg': lambda T: (lambda p: (setattr(p, 'data', T.zeros(2, dtype=T.complex64)), p.dtype))(
        T.ones(3, requires_grad=True)),
    'grad-self': lambda T: (lambda q: setattr(q, 'grad', q))(T.ones(3, requires_grad=True)),
    'grad-nonleaf-defined': lambda T: (lambda z: (setattr(z, 'grad', T.zeros(3)), z.grad))(
        T.ones(3, requires_grad=True) * 2),
    # 15: NumPy ufuncs, reversed
    'np-sin': lambda T: np.sin(T.arange(3.)),
    'np-add-scalar': lambda T: np.add(T.arange(3.), 1),
    'np-greater': lambda T: np.greater(T.arange(3.), 1),
    'np-divmod': lambda T: np.divmod(T.arange(3.), 2),
    'np-0d': lambda T: np.sin(T.tensor(1.)),
    'np-requires-grad': lambda T: np.sin(T.ones(2, requires_grad=True)),
    'array-wrap': lambda T: T.arange(3.).__array_wrap__(np.ones(2)),
    'array-wrap-args': lambda T: T.arange(3.).__array_wrap__(np.ones(2), None, True),
    'reversed': lambda T: (reversed(T.arange(3.)), reversed(T.arange(4.).reshape(2, 2))),
    'reversed-0d': lambda T: (lambda t: reversed(t) is t)(T.tensor(1.)),
    'reversed-grad': lambda T: reversed(T.ones(2, requires_grad=True)).grad_fn.name(),
    # 20, 21: numpy()
    'numpy-expanded': lambda T: (lambda n: (n.flags.writeable, n.strides))(
        T.arange(3.).reshape(3, 1).expand(3, 3).numpy()),
    'numpy-conj': lambda T: T.tensor([1 + 2j]).conj().numpy(),
    'numpy-neg': lambda T: T.tensor([1 + 2j]).conj().imag.numpy(),
    'asarray-conj': lambda T: np.asarray(T.tensor([1 + 2j]).conj()),
    'numpy-conj-force': lambda T: (T.tensor([1 + 2j]).conj().numpy(force=True).tolist(),
                                   T.tensor([1 + 2j]).conj().imag.numpy(force=True).tolist()),
    'numpy-resolved': lambda T: T.tensor([1 + 2j]).conj().resolve_conj().numpy().tolist(),
    'numpy-bf16': lambda T: T.ones(2, dtype=T.bfloat16).numpy(),
    # 24: legacy constructors refuse keywords other than device
    'legacy-dtype': lambda T: T.Tensor([1], dtype=T.int64),
    'legacy-typed-dtype': lambda T: T.FloatTensor([1], dtype=T.int64),
    'legacy-rg': lambda T: T.Tensor([1.], requires_grad=True),
    'legacy-shape-dtype': lambda T: T.Tensor(2, 3, dtype=T.int64),
    'legacy-kw-only': lambda T: T.Tensor(foo=1),
    'legacy-long-rg': lambda T: T.LongTensor([1], requires_grad=True),
    'legacy-device': lambda T: T.Tensor([1.], device='cpu'),
    'legacy-int-tensor': lambda T: T.Tensor(T.ones(2, dtype=T.int64)),
}


@pytest.mark.parametrize('name', list(CASES))
def test_same_as_torch(name):
    same(CASES[name])


def test_cast_quiet_under_user_filter():
    """A user's 'always' filter in front of ember's: casts still warn nothing, as in PyTorch."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        ember.tensor([float('nan')]).long()
        ember.tensor([7e4]).half()
        ember.tensor([1e300], dtype=ember.float64).float()
    assert [str(x.message) for x in w] == []


def test_nonleaf_grad_warns_only_when_undefined():
    counts = []
    for T in (torch, ember):
        z = T.ones(3, requires_grad=True) * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            z.grad
            z.grad = T.zeros(3)
            z.grad
        counts.append(len(w))
    assert counts == [1, 1]


def test_numpy_expanded_write_through():
    e = ember.arange(3.).reshape(3, 1).expand(3, 3)
    e.numpy()[0, 0] = 7
    assert e[0].tolist() == [7., 7., 7.]


def test_dim_order():
    from ember.ops.strided import dim_order
    for t, kw in [((2, 3), {}), ((2, 3), {'ambiguity_check': True}), ((2, 1), {'ambiguity_check': True}),
                  ((2, 3), {'ambiguity_check': ['contiguous_format', 'channels_last']}),
                  ((2, 3, 1, 1), {'ambiguity_check': ['contiguous_format', 'channels_last']}),
                  ((1, 3, 4, 4), {'ambiguity_check': True}), ((2, 3), {'ambiguity_check': 3})]:
        def run(T, fn):
            args = {k: [getattr(T, f) for f in v] if isinstance(v, list) else v for k, v in kw.items()}
            return fn(T.ones(*t), **args)
        got = outcome(lambda T: run(T, dim_order), ember)
        want = outcome(lambda T: run(T, lambda x, **k: x.dim_order(**k)), torch)
        assert got == want, (t, kw)
    cl = ember.ones(2, 3, 4, 4).contiguous(memory_format=ember.channels_last)
    assert dim_order(cl, ambiguity_check=[ember.channels_last]) == (0, 2, 3, 1)
