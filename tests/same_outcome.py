"""One callable run on torch and on ember, and what came back compared: tensors (values, dtype,
shape, grad_fn name), sizes, dtypes, nested tuples/lists, plain values, or the exception (type and
first line, ``torch.`` read as ``ember.``). Warnings are ignored here."""
import warnings

import numpy as np
import torch

import ember


def outcome(fn, lib):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return fn(lib)
        except Exception as e:          # noqa: BLE001 - compared by assert_same
            return (type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))


def assert_same(e, t):
    """``e`` (ember's result) equals ``t`` (torch's)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), (e, t)
        assert str(e.dtype).replace('ember.', '') == str(t.dtype).replace('torch.', ''), (e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
        tn, en = (None if x.grad_fn is None else x.grad_fn.name() for x in (t, e))
        assert en == tn, (en, tn)
        tv = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
        ev = e.detach().float().numpy() if e.dtype == ember.bfloat16 else e.detach().numpy()
        np.testing.assert_allclose(ev, tv, rtol=1e-5, atol=1e-6, equal_nan=True)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            assert_same(a, b)
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t), (e, t)
    elif isinstance(t, torch.dtype):
        assert str(e).replace('ember.', '') == str(t).replace('torch.', ''), (e, t)
    else:
        assert e == t, (e, t)


def same(fn):
    """fn(T) gives the same outcome with T=ember as with T=torch."""
    assert_same(outcome(fn, ember), outcome(fn, torch))


def source_outcome(T, src, values=True):
    """``src`` (an expression over T, nn, F, np) evaluated with library T: the result's shapes,
    dtypes (and values), or the exception's type and first line; with the warnings it gave."""
    import re
    env = {'T': T, 'nn': T.nn, 'F': T.nn.functional, 'np': np}
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        try:
            r = eval(src, env)
        except Exception as e:          # noqa: BLE001 - compared by same_source
            res = (type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember'))
        else:
            outs = r if isinstance(r, tuple) else (r,)
            res = tuple((tuple(o.shape), str(o.dtype).split('.')[-1], o.tolist() if values else None)
                        if hasattr(o, 'dtype') else str(o).replace('torch', 'ember') for o in outs)
    warned = [(w.category.__name__, re.sub(r' \(Triggered internally at [^)]*\)$', '', str(w.message)))
              for w in rec if 'is in beta' not in str(w.message)]
    return res, warned


def same_source(src, values=True):
    """``src`` gives the same outcome and warnings with ember as with torch."""
    got, want = source_outcome(ember, src, values), source_outcome(torch, src, values)
    assert got == want, f'{src}\nember: {got}\ntorch: {want}'
