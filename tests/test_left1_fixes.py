"""What PyTorch's argument parser refuses or reads for clamp/clip bounds, where's operands,
masked_fill / fill_ / index_fill values, comparison operands (listed by position or by keyword, as
the call wrote them) and dims given as tensors (squeeze, cumsum, unsqueeze, size): each case runs on
torch and on ember and compares what a user sees (repr, exception type + first line)."""
import numpy as np
import pytest

from compare import same_seen as same


VALUES = {'list': [1., 2.], 'nd': np.ones(2), 'str': 'a', 'tuple': (1, 2), 'none': None,
          'np64': np.float64(0.5), 'int': 2}


def t(T):
    return T.tensor([0.5, 2.])


def m(T):
    return T.tensor([True, False])


def ix(T):
    return T.tensor([0])


FORMS = {
    'clamp_min': lambda T, v: T.clamp(t(T), v),
    'clamp_max': lambda T, v: T.clamp(t(T), 0, v),
    'clamp_kw': lambda T, v: T.clamp(t(T), min=v),
    'clamp_kw2': lambda T, v: T.clamp(t(T), min=v, max=1),
    'clamp_none': lambda T, v: T.clamp(t(T), None, v),
    'clamp_out': lambda T, v: T.clamp(t(T), min=v, max=None, out=t(T)),
    'clamp_tensor_mix': lambda T, v: T.clamp(t(T), min=t(T), max=v),
    'clamp_m': lambda T, v: t(T).clamp(v),
    'clamp_m_kw': lambda T, v: t(T).clamp(max=v),
    'clamp_m_': lambda T, v: t(T).clamp_(0, v),
    'clip': lambda T, v: T.clip(t(T), v),
    'clip_m': lambda T, v: t(T).clip(max=v),
    'clip_m_': lambda T, v: t(T).clip_(v),
    'where_in': lambda T, v: T.where(m(T), v, t(T)),
    'where_other': lambda T, v: T.where(m(T), t(T), v),
    'where_both': lambda T, v: T.where(m(T), v, v),
    'where_kw': lambda T, v: T.where(m(T), input=t(T), other=v),
    'where_one': lambda T, v: T.where(m(T), v),
    'where_out': lambda T, v: T.where(m(T), v, 1.5, out=t(T)),
    'where_m': lambda T, v: t(T).where(m(T), v),
    'where_m_kw': lambda T, v: t(T).where(condition=m(T), other=v),
    'masked_fill': lambda T, v: t(T).masked_fill(m(T), v),
    'masked_fill_f': lambda T, v: T.masked_fill(t(T), m(T), v),
    'masked_fill_kw': lambda T, v: t(T).masked_fill(m(T), value=v),
    'masked_fill_': lambda T, v: t(T).masked_fill_(m(T), v),
    'fill_': lambda T, v: t(T).fill_(v),
    'fill_f': lambda T, v: T.fill_(t(T), v),
    'index_fill': lambda T, v: t(T).index_fill(0, ix(T), v),
    'index_fill_f': lambda T, v: T.index_fill(t(T), 0, ix(T), v),
    'index_fill_': lambda T, v: t(T).index_fill_(0, ix(T), v),
    'eq': lambda T, v: t(T).eq(v),
    'eq_kw': lambda T, v: T.eq(t(T), other=v),
    'ge_f': lambda T, v: T.ge(t(T), v),
    'ne_': lambda T, v: t(T).ne_(v),
}


@pytest.mark.parametrize('value', VALUES)
@pytest.mark.parametrize('form', FORMS)
def test_parser_operands(form, value):
    same(lambda T: FORMS[form](T, VALUES[value]))


def test_where_none_none_is_no_nonzero():
    same(lambda T: T.where(m(T), None, None))
    same(lambda T: T.where(m(T)))


def test_clamp_keeps_working():
    same(lambda T: T.clamp(t(T), np.float32(1.), T.tensor(1.5)))
    same(lambda T: t(T).clamp(T.tensor(0.7), 1))
    same(lambda T: T.where(m(T), 1, 2.5))


DIMS = {'i0': lambda T: T.tensor(1), 'i1d': lambda T: T.tensor([1]), 'b0': lambda T: T.tensor(True),
        'b1d': lambda T: T.tensor([True]), 'u8': lambda T: T.tensor(1, dtype=T.uint8),
        'f0': lambda T: T.tensor(1.), 'i2': lambda T: T.tensor([0, 1]), 'np': lambda T: np.int64(1)}


def y(T):
    return T.ones(2, 1, 3)


DIM_FORMS = {
    'squeeze': lambda T, d: y(T).squeeze(d),
    'squeeze_kw': lambda T, d: y(T).squeeze(dim=d),
    'squeeze_f': lambda T, d: T.squeeze(y(T), d),
    'cumsum': lambda T, d: y(T).cumsum(d),
    'cumsum_f': lambda T, d: T.cumsum(y(T), d),
    'cumsum_kw': lambda T, d: y(T).cumsum(dim=d),
    'cumprod': lambda T, d: y(T).cumprod(d),
    'logcumsumexp_f': lambda T, d: T.logcumsumexp(y(T), d),
    'unsqueeze': lambda T, d: y(T).unsqueeze(d),
    'unsqueeze_f': lambda T, d: T.unsqueeze(y(T), d),
    'unsqueeze_kw': lambda T, d: y(T).unsqueeze(dim=d),
    'size': lambda T, d: y(T).size(d),
    'size_kw': lambda T, d: y(T).size(dim=d),
}


@pytest.mark.parametrize('dim', DIMS)
@pytest.mark.parametrize('form', DIM_FORMS)
def test_tensor_dims(form, dim):
    same(lambda T: DIM_FORMS[form](T, DIMS[dim](T)))


def test_size_plain():
    same(lambda T: y(T).size(-1))
    same(lambda T: y(T).size(3))
    same(lambda T: y(T).size(True))
