"""Differential helpers for the tensor-basics suites: run the same code on ember and torch and
compare what a user sees (the result in plain form, or the error type and message)."""
import warnings

import pytest
import torch

import ember



def error_text(e):
    """An exception's text as torch's reads in ember (``torch.`` -> ``ember.``); a CUDA tensor's type in
    brackets ([ember.cuda.FloatTensor [3]], as torch prints on CUDA) reads as the CPU reference's."""
    return str(e).replace('torch.', 'ember.').replace('[ember.cuda.', '[ember.')

def xfail(reason):
    return pytest.mark.xfail(reason=reason, strict=True)


def cases(**fns):
    return pytest.mark.parametrize('fn', list(fns.values()), ids=list(fns))


def comparers(plain):
    """``outcome(fn, T)`` and ``same(fn)`` for a suite whose results are reduced by ``plain``."""
    def outcome(fn, T):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try:
                return ('ok', plain(fn(T)))
            except Exception as e:      # noqa: BLE001 - the error is the result being compared
                return ('raised', type(e).__name__, error_text(e))

    def same(fn):
        got, want = outcome(fn, ember), outcome(fn, torch)
        assert got == want, f'\nember: {got}\ntorch: {want}'
        return got
    return outcome, same


def graph(fn):
    """grad_fn and everything below it, as nested names (``torch::`` read as ``ember::``)."""
    if fn is None:
        return None
    return (fn.name().replace('torch::', 'ember::'), tuple(graph(n) for n, _ in fn.next_functions))


def both(prog):
    """Run prog(T) on both libraries; returns (torch result, ember result)."""
    return prog(torch), prog(ember)


def script_output(script, T, **names):
    """What ``script`` prints when run with ``T`` as the library (``torch`` read as ``ember``), by line."""
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        exec(script, {'T': T, **names})
    return out.getvalue().replace('torch', 'ember').splitlines()


def assert_script_same(script, min_lines=1, **names):
    """The script prints the same lines with ember as with torch (compared line by line)."""
    got, want = script_output(script, ember, **names), script_output(script, torch, **names)
    assert len(got) == len(want) >= min_lines
    for g, w in zip(got, want):
        assert g == w


def _seen(T, fn):
    """What a user sees of ``fn(T)``: the repr of the result (of each item of a tuple or list), or the
    exception type and the first line of its message."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            r = fn(T)
        except Exception as e:          # noqa: BLE001 (the error is what is compared)
            return ('raises', type(e).__name__, str(e).split('\n')[0])
    if isinstance(r, (tuple, list)):
        return [repr(x) for x in r]
    return repr(r)


def same_seen(fn):
    """``fn`` on torch and on ember shows the same (``torch`` read as ``ember``)."""
    t, e = _seen(torch, fn), _seen(ember, fn)
    assert str(t).replace('torch', 'ember') == str(e), f'\ntorch: {t}\nember: {e}'
