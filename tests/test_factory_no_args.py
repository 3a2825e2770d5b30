"""rand()/randn() called with nothing: torch's parser names no overload; with a keyword it reports the
missing size."""
import pytest
import torch

import ember


def _msg(fn):
    with pytest.raises(TypeError) as e:
        fn()
    return str(e.value).split('\n')[0].replace('ember', 'torch')


@pytest.mark.parametrize('name', ['rand', 'randn'])
def test_bare_call(name):
    assert _msg(lambda: getattr(ember, name)()) == _msg(lambda: getattr(torch, name)())


@pytest.mark.parametrize('name', ['rand', 'randn'])
@pytest.mark.parametrize('kw', [dict(dtype='float64'), dict(generator=None), dict(out=None), dict(requires_grad=True)])
def test_keyword_only_call(name, kw):
    te = {k: getattr(torch, v) if k == 'dtype' else v for k, v in kw.items()}
    ee = {k: getattr(ember, v) if k == 'dtype' else v for k, v in kw.items()}
    assert _msg(lambda: getattr(ember, name)(**ee)) == _msg(lambda: getattr(torch, name)(**te))
