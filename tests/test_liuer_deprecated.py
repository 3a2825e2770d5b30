"""Liu Er course survey: PyTorch's deprecated number-first overloads (``p.data.add_(-lr, d_p)``,
``exp_avg_sq.addcmul_(1 - beta2, grad, grad)``, ``torch.add(input, alpha, other)``) that old
hand-written optimizers use: the values, the gradients, the errors where the arguments fit no form,
the aliases that have no such overload, and the once-per-process warning's text."""
import subprocess
import sys
import warnings

import pytest

import ember
from same_outcome import same
from ember.ops import number_first as nf

A = 'T.tensor([1., -2., 3.])'
B = 'T.tensor([2., .5, -1.])'

CALLS = [
    'a.clone().add_(3, b)', 'a.clone().add_(-0.1, b)', 'a.add(3, b)', 'T.add(a, 3, b)', 'a.clone().sub_(2, b)',
    'a.sub(3, b)', 'T.sub(a, 3, b)', 'a.clone().addcmul_(3, b, b)', 'a.addcmul(0.5, b, a)',
    'T.addcmul(a, 3, b, b)', 'a.clone().addcdiv_(-2, a, b)', 'a.addcdiv(3, b, a)', 'T.addcdiv(a, 3, b, b)',
    'T.add(a, 3, b, out=T.empty(3))', 'T.addcdiv(a, 2, b, b, out=T.empty(3))', 'a.add(3, 4)',
    'T.add(3, 4, a)', 'T.add(a, 3, 4)', 'a.clone().add_(T.tensor(3.), b)', 'a.long().add_(2, b.long())',
    # errors: no form fits
    'a.add_(b, b)', 'a.add(b, b)', 'T.add(a, b, b)', 'a.sub_(b, b)', 'T.sub(a, b, b)', 'a.addcmul_(b, b, b)',
    'a.addcmul(b, b, b)', 'T.addcmul(a, b, b, b)', 'a.add_(3, b, alpha=2)', 'T.add(a, 3, b, alpha=2)',
    'a.addcmul_(3, b, b, value=2)', 'a.add_(3, [1.0, 2.0])', 'a.add_(2.5j, b)', 'a.long().add_(2.5, b.long())',
    'a.clone().sub_(True, b)', 'T.add(a, a, 3)',
    # the aliases have no deprecated overload
    'a.subtract(3, b)', 'T.subtract(a, 3, b)', 'a.clone().subtract_(3, b)', 'a.multiply(3, b)',
    'T.divide(a, b, "floor")',
]


@pytest.mark.parametrize('src', CALLS)
def test_number_first_values_and_errors(src):
    same(lambda T: eval(src, {'T': T, 'a': eval(A, {'T': T}), 'b': eval(B, {'T': T})}))


def test_number_first_grad():
    def fn(T):
        a = T.tensor([1., -2., 3.], requires_grad=True)
        b = T.tensor([2., .5, -1.], requires_grad=True)
        c = T.addcmul(a, 0.5, b, a) + a.add(3, b) + T.sub(b, 2, a)
        d = c.clone().addcdiv_(2, a, b)
        d.sum().backward()
        return d, a.grad, b.grad
    same(fn)


def test_old_optimizer_step_matches():
    def fn(T):
        T.manual_seed(0)
        m = T.nn.Linear(4, 3)
        x, y = T.randn(8, 4), T.randn(8, 3)
        st = {}
        for step in range(1, 4):
            m.zero_grad()
            T.nn.functional.mse_loss(m(x), y).backward()
            for p in m.parameters():
                s = st.setdefault(p, [T.zeros_like(p), T.zeros_like(p)])
                s[0].mul_(0.9).add_(1 - 0.9, p.grad.data)
                s[1].mul_(0.999).addcmul_(1 - 0.999, p.grad.data, p.grad.data)
                denom = s[1].sqrt().add_(1e-8)
                p.data.addcdiv_(-0.01 * (1 - 0.999 ** step) ** 0.5 / (1 - 0.9 ** step), s[0], denom)
        return m.weight.detach(), m.bias.detach()
    same(fn)


def _torch_warning(call):
    code = ('import warnings, torch\nwarnings.simplefilter("always")\n'
            'a = torch.ones(2); b = torch.ones(2)\n'
            'with warnings.catch_warnings(record=True) as w:\n'
            '    warnings.simplefilter("always")\n'
            f'    {call}; {call}\n'
            'print(repr([str(x.message).split(" (Triggered")[0] for x in w]))')
    return eval(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout)


def _ember_warning(call):
    nf._WARNED[0] = False
    a, b = ember.ones(2), ember.ones(2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        eval(call, {'torch': ember, 'a': a, 'b': b})
        eval(call, {'torch': ember, 'a': a, 'b': b})
    assert all(x.filename == '<string>' for x in w), [x.filename for x in w]   # the caller's line
    return [str(x.message) for x in w]


@pytest.mark.parametrize('call', ['a.add_(-0.5, b)', 'a.addcmul(2, b, b)', 'torch.sub(a, 3, b)'])
def test_number_first_warning_once(call):
    assert _ember_warning(call) == _torch_warning(call)
