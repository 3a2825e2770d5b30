"""Differential helpers for the tensor-basics suites: run the same code on ember and torch and
compare what a user sees (the result in plain form, or the error type and message)."""
import warnings

import pytest
import torch

import ember


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
                return ('raised', type(e).__name__, str(e).replace('torch.', 'ember.'))

    def same(fn):
        got, want = outcome(fn, ember), outcome(fn, torch)
        assert got == want, f'\nember: {got}\ntorch: {want}'
        return got
    return outcome, same
