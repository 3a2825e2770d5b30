"""torch.nn._reduction, which older custom losses import: names and numbers for reductions and for
the deprecated size_average / reduce pair, with PyTorch's warnings and errors."""
import warnings

import pytest
import torch.nn._reduction as tr

import ember
import ember.nn._reduction as er


def _run(mod, name, *args, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            out = getattr(mod, name)(*args, **kw)
        except Exception as e:          # noqa: BLE001 (the error is compared)
            out = (type(e).__name__, str(e))
    return out, [(x.category.__name__, str(x.message)) for x in w]


PAIRS = [(None, None), (True, True), (False, True), (True, False), (None, False), (False, None), (0, 1)]


@pytest.mark.parametrize('name', ['legacy_get_string', 'legacy_get_enum'])
@pytest.mark.parametrize('pair', PAIRS)
@pytest.mark.parametrize('emit', [True, False])
def test_legacy_pair(name, pair, emit):
    assert _run(er, name, *pair, emit_warning=emit) == _run(tr, name, *pair, emit_warning=emit)


@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum', 'elementwise_mean', 'bad', 'Mean'])
def test_get_enum(reduction):
    assert _run(er, 'get_enum', reduction) == _run(tr, 'get_enum', reduction)


def test_reachable_as_torch_names():
    assert ember.nn._reduction.get_enum('sum') == 2
