"""Liu Er course survey: where PyTorch's uint8-mask deprecation warnings point (the user's line, as
PyTorch's), and how often: ``where`` warns once per process, indexing with a uint8 mask every time."""
import warnings

import torch

import ember
from ember.ops import from_data


def _record(T, src, times=2):
    c = T.tensor([1, 0], dtype=T.uint8)
    code = compile(src, 'user_line.py', 'exec')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        for _ in range(times):
            exec(code, {'T': T, 'c': c})
    return [(x.filename, x.lineno, str(x.message).split(' (Triggered')[0].replace('torch.', 'ember.'))
            for x in w]


def test_uint8_index_warning_points_at_user_line():
    for src in ('y = T.ones(2)[c]', 'y = T.ones(2, 2)[c, 1]', 'y = T.ones(2, 2)[:, c]'):
        got, want = _record(ember, src), _record(torch, src)
        assert got == want and len(got) == 2, (src, got, want)


def test_uint8_where_warning_once_at_user_line():
    msg = ('where received a uint8 condition tensor. This behavior is deprecated and will be removed in a '
           'future version of PyTorch. Use a boolean condition instead.')
    from_data._ONCE.discard(msg)
    got = _record(ember, 'y = T.where(c, T.ones(2), T.zeros(2))')
    assert got == [('user_line.py', 1, msg)], got
    assert _record(ember, 'y = T.where(c, T.ones(2), T.zeros(2))') == []
    assert ember.equal(ember.where(ember.tensor([1, 0], dtype=ember.uint8), ember.ones(2), ember.zeros(2)),
                       ember.tensor([1., 0.]))
