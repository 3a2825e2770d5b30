"""Survey-4 fixes in the nn.Module object, nn.utils and nn.init, each against PyTorch: the checks
of pack_padded_sequence (batch size, lengths tensor, empty input, their order), number arguments
of pad_sequence / pad_packed_sequence, PackedSequence.to(copy=), unpad_sequence lengths,
clip_grads_with_norm_ with a float norm, kaiming's mode-before-nonlinearity check, module full
backward (pre-)hooks returning gradients of another type / size, get_extra_state's message,
weight_norm of a 0-dim tensor and the repr of a Parameter subclass.

Each case is a snippet run with ``T`` bound to torch and to ember; what it prints, and the type and
first line of any exception it raises, must be the same (with 'torch' read as 'ember')."""
import contextlib
import io
import warnings

import pytest
import torch

import ember


def _run(lib, code):
    out = io.StringIO()
    ns = {'T': lib, 'nn': lib.nn}
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            exec(code, ns)
        except Exception as e:      # noqa: BLE001 - the exception is what is compared
            print(f'{type(e).__name__}: ' + str(e).split('\n')[0])
    return out.getvalue().replace('torch', 'ember')


PACK = 'P = nn.utils.rnn.pack_padded_sequence\n'
PAD = 'pp = nn.utils.rnn.pad_packed_sequence; p = nn.utils.rnn.pack_padded_sequence(T.arange(12.).reshape(4, 3), [4, 2, 1])\n'
HOOK = 'l = nn.Linear(2, 2); x = T.ones(1, 2, requires_grad=True)\n'
TWO = '''
class M(nn.Module):
    def forward(s, a, b): return a * b
m = M(); a = T.ones(2, requires_grad=True); b = T.ones(2)
'''

CASES = {
    # pack_padded_sequence: every check, in PyTorch's order
    'pack_batch_mismatch': PACK + "P(T.zeros(3, 4), [4, 2], batch_first=True)",
    'pack_batch_mismatch_long': PACK + "P(T.zeros(3, 4), [4, 2, 1, 1], batch_first=True)",
    'pack_no_lengths': PACK + "P(T.zeros(3, 4), [], batch_first=True)",
    'pack_unsorted_mismatch': PACK + "print(P(T.arange(12.).reshape(3, 4), [4, 2], batch_first=True, "
                                     "enforce_sorted=False).batch_sizes)",
    'pack_lengths_2d': PACK + "P(T.zeros(3, 4), T.tensor([[4, 2, 1]]), batch_first=True)",
    'pack_lengths_2d_unsorted': PACK + "P(T.zeros(3, 4), T.tensor([[4, 2, 1]]), enforce_sorted=False)",
    'pack_lengths_0d': PACK + "P(T.zeros(4, 1), T.tensor(4))",
    'pack_lengths_0d_unsorted': PACK + "P(T.zeros(4, 1), T.tensor(4), enforce_sorted=False)",
    'pack_lengths_int': PACK + "P(T.zeros(4, 1), 3)",
    'pack_lengths_generator': PACK + "P(T.zeros(3, 4), (i for i in [4, 2, 1]), batch_first=True)",
    'pack_lengths_none': PACK + "P(T.zeros(3, 4), None, batch_first=True)",
    'pack_lengths_str': PACK + "P(T.zeros(3, 4), 'abc', batch_first=True)",
    'pack_lengths_float': PACK + "print(P(T.arange(12.).reshape(3, 4), [4.7, 2.2, 1.0], batch_first=True))",
    'pack_lengths_float_tensor': PACK + "print(P(T.arange(12.).reshape(3, 4), T.tensor([4., 2, 1]), "
                                        "batch_first=True))",
    'pack_lengths_mixed': PACK + "print(P(T.arange(12.).reshape(3, 4), [T.tensor(4), 2, 1], batch_first=True))",
    'pack_empty': PACK + "P(T.zeros(0, 4), [], batch_first=True)",
    'pack_empty_time': PACK + "P(T.zeros(3, 0), [2, 1], batch_first=True)",
    'pack_empty_before_lengths': PACK + "P(T.zeros(0, 4), T.tensor(3), batch_first=True)",
    'pack_empty_features': PACK + "P(T.zeros(4, 0, 2), [])",
    'pack_1d_batch_first': PACK + "P(T.arange(4.), [4], batch_first=True)",
    'pack_1d': PACK + "P(T.arange(4.), [4])",
    'pack_1d_lengths_2d': PACK + "P(T.ones(3), T.tensor([[1]]))",
    'pack_0d': PACK + "P(T.tensor(4.), [1])",
    'pack_0d_batch_first': PACK + "P(T.tensor(4.), [1], batch_first=True)",
    'pack_zero_last': PACK + "P(T.zeros(3, 4), [1, 2, 0], batch_first=True)",
    'pack_unsorted_zero': PACK + "P(T.zeros(3, 4), [1, 0, 2], batch_first=True)",
    'pack_unsorted': PACK + "P(T.zeros(3, 4), [1, 2, 2], batch_first=True)",
    'pack_ok': PACK + "print(P(T.arange(12.).reshape(3, 4), [4, 2, 1], batch_first=True))",
    'pack_ok_unsorted': PACK + "print(P(T.arange(12.).reshape(3, 4), T.tensor([1, 4, 2]), batch_first=True, "
                               "enforce_sorted=False))",
    'pack_ties': PACK + "print(P(T.zeros(8, 3, 1), [2, 3, 2, 3, 1, 2, 3, 2], batch_first=True, "
                        "enforce_sorted=False).sorted_indices)",
    'pack_int32_lengths': PACK + "print(P(T.arange(12.).reshape(3, 4), T.tensor([4, 2, 1], dtype=T.int32), "
                                 "batch_first=True).batch_sizes.dtype)",
    'pack_grad': PACK + '''
x = T.arange(12.).reshape(3, 4).requires_grad_()
o, n = nn.utils.rnn.pad_packed_sequence(P(x, [1, 4, 2], batch_first=True, enforce_sorted=False), batch_first=True)
(o * T.arange(12.).reshape(3, 4)).sum().backward(); print(o, n, x.grad)''',
    # pad_sequence / pad_packed_sequence number arguments
    'pad_pv_0d_tensor': "print(nn.utils.rnn.pad_sequence([T.ones(2), T.ones(3)], padding_value=T.tensor(2.)))",
    'pad_pv_0d_int_tensor': "print(nn.utils.rnn.pad_sequence([T.ones(2), T.ones(3)], padding_value=T.tensor(2)))",
    'pad_pv_numpy': "import numpy as np\n"
                    "print(nn.utils.rnn.pad_sequence([T.ones(2), T.ones(3)], padding_value=np.float32(2)))",
    'pad_pv_bool': "print(nn.utils.rnn.pad_sequence([T.ones(2), T.ones(3)], padding_value=True))",
    'pad_pv_1d_tensor': "nn.utils.rnn.pad_sequence([T.ones(2), T.ones(3)], padding_value=T.tensor([2.]))",
    'pad_pv_grad_tensor': "nn.utils.rnn.pad_sequence([T.ones(2)], padding_value=T.tensor(2., requires_grad=True))",
    'pad_pv_none': "nn.utils.rnn.pad_sequence([T.ones(2)], padding_value=None)",
    'pad_pv_complex': "nn.utils.rnn.pad_sequence([T.ones(2)], padding_value=2 + 1j)",
    'pad_pv_complex_tensor': "nn.utils.rnn.pad_sequence([T.ones(2)], padding_value=T.tensor(2 + 1j))",
    'pad_side_bad_type': "nn.utils.rnn.pad_sequence([T.ones(2)], padding_side=3)",
    'pp_total_float': PAD + "pp(p, total_length=5.0)",
    'pp_total_float_short': PAD + "pp(p, total_length=2.0)",
    'pp_total_numpy': PAD + "import numpy as np\nprint(pp(p, total_length=np.int64(5))[0].shape)",
    'pp_total_tensor': PAD + "print(pp(p, total_length=T.tensor(5))[0].shape)",
    'pp_pv_str': PAD + "pp(p, padding_value='a')",
    'pp_pv_none': PAD + "pp(p, padding_value=None)",
    'pp_pv_1d_tensor': PAD + "pp(p, padding_value=T.tensor([2.]))",
    'pp_pv_complex': PAD + "pp(p, padding_value=1 + 1j)",
    'pp_pv_tensor': PAD + "print(pp(p, padding_value=T.tensor(2.))[0])",
    'pp_pv_numpy': PAD + "import numpy as np\nprint(pp(p, padding_value=np.float32(2))[0])",
    # PackedSequence.to and unpad_sequence
    'packed_to_copy_kw': PAD + "p.to(T.float64, copy=True)",
    'packed_to_copy_false': PAD + "p.to(T.float64, copy=False)",
    'packed_to_copy_positional': PAD + "p.to(T.float64, False, True)",
    'packed_to_copy_device': PAD + "p.to('cpu', copy=True)",
    'packed_to_ok': PAD + "print(p.to(T.float64, non_blocking=True).data.dtype, p.to('cpu', T.float16).data.dtype, "
                          "p.to(T.float32) is p)",
    'unpad_list_lengths': "nn.utils.rnn.unpad_sequence(T.ones(2, 3), [3, 1], batch_first=True)",
    'unpad_ok': "print(nn.utils.rnn.unpad_sequence(T.arange(6.).reshape(2, 3), T.tensor([3, 1]), batch_first=True))",
    # clip_grads_with_norm_
    'clip_with_float_norm': "p = nn.Parameter(T.ones(2)); p.grad = T.ones(2); nn.utils.clip_grads_with_norm_([p], 1., 10.)",
    'clip_with_float_norm_no_grad': "p = nn.Parameter(T.ones(2)); print(nn.utils.clip_grads_with_norm_([p], 1., 10.))",
    'clip_with_tensor_norm': "p = nn.Parameter(T.ones(2)); p.grad = T.ones(2); "
                             "nn.utils.clip_grads_with_norm_([p], 1., T.tensor(10.)); print(p.grad)",
    # nn.init: the mode is checked before the nonlinearity
    'kaiming_uniform_bad_both': "nn.init.kaiming_uniform_(T.empty(3, 4), mode='foo', nonlinearity='bar')",
    'kaiming_normal_bad_both': "nn.init.kaiming_normal_(T.empty(3, 4), mode='foo', nonlinearity='bar')",
    'kaiming_bad_nonlinearity': "nn.init.kaiming_normal_(T.empty(3, 4), nonlinearity='bar')",
    'kaiming_bad_mode': "nn.init.kaiming_uniform_(T.empty(3, 4), mode='fanin')",
    # full backward (pre-)hooks: the gradients they hand back are checked
    'hook_size': HOOK + "l.register_full_backward_hook(lambda m, gi, go: (T.ones(3),)); l(x).sum().backward()",
    'hook_size_tensor': HOOK + "l.register_full_backward_hook(lambda m, gi, go: T.ones(1, 2)); l(x).sum().backward()",
    'hook_type': HOOK + "l.register_full_backward_hook(lambda m, gi, go: (T.ones(1, 2, dtype=T.float64),))\n"
                        "l(x).sum().backward()",
    'hook_type_first': HOOK + "l.register_full_backward_hook(lambda m, gi, go: (T.ones(3, dtype=T.float64),))\n"
                              "l(x).sum().backward()",
    'hook_not_tensor': HOOK + "l.register_full_backward_hook(lambda m, gi, go: (3,)); l(x).sum().backward()",
    'hook_same': HOOK + "l.register_full_backward_hook(lambda m, gi, go: (T.ones(1, 2) * 5,)); "
                        "l(x).sum().backward(); print(x.grad)",
    'pre_hook_size': HOOK + "l.register_full_backward_pre_hook(lambda m, go: (T.ones(3),)); l(x).sum().backward()",
    'pre_hook_size_tensor': HOOK + "l.register_full_backward_pre_hook(lambda m, go: T.ones(1, 2)); "
                                   "l(x).sum().backward()",
    'pre_hook_type': HOOK + "l.register_full_backward_pre_hook(lambda m, go: (T.ones(1, 2, dtype=T.float64),))\n"
                            "l(x).sum().backward()",
    'pre_hook_not_tensor': HOOK + "l.register_full_backward_pre_hook(lambda m, go: (3,)); l(x).sum().backward()",
    'hook_no_grad_input_size': TWO + "m.register_full_backward_hook(lambda mm, gi, go: (gi[0], T.ones(5)))\n"
                                     "m(a, b).sum().backward()",
    'hook_no_grad_input_type': TWO + "m.register_full_backward_hook(lambda mm, gi, go: (gi[0], 3))\n"
                                     "m(a, b).sum().backward()",
    'hook_none_ok': TWO + "m.register_full_backward_hook(lambda mm, gi, go: (gi[0], None))\n"
                          "m(a, b).sum().backward(); print(a.grad)",
    'hook_replace_ok': TWO + "m.register_full_backward_hook(lambda mm, gi, go: (gi[0] * 3, T.ones(2)))\n"
                             "m(a, b).sum().backward(); print(a.grad)",
    # messages of Module / weight_norm / Parameter
    'get_extra_state': "nn.Linear(1, 1).get_extra_state()",
    'set_extra_state': "nn.Linear(1, 1).set_extra_state({})",
    'weight_norm_0d': "m = nn.Module(); m.w = nn.Parameter(T.tensor(3.)); nn.utils.weight_norm(m, 'w')",
    'weight_norm_0d_dim_none': "m = nn.Module(); m.w = nn.Parameter(T.tensor(3.)); nn.utils.weight_norm(m, 'w', "
                               "dim=None); print(m.w_g, m.w_v)",
    'weight_norm_1d_bad_dim': "m = nn.Module(); m.w = nn.Parameter(T.ones(2)); nn.utils.weight_norm(m, 'w', dim=1)",
    'weight_norm_2d_bad_dim': "m = nn.Module(); m.w = nn.Parameter(T.ones(2, 3)); nn.utils.weight_norm(m, 'w', dim=2)",
    'weight_norm_2d_dim1': "m = nn.Module(); m.w = nn.Parameter(T.ones(2, 3)); nn.utils.weight_norm(m, 'w', dim=1); "
                           "print(m.w_g)",
    'param_subclass_repr': "class MyP(nn.Parameter): pass\nprint(repr(MyP(T.ones(2, 2))))\n"
                           "print(str(MyP(T.ones(2), requires_grad=False)))",
    'param_repr': "print(nn.Parameter(T.ones(2)), repr(nn.Parameter(T.ones(1), requires_grad=False)))",
}


@pytest.mark.parametrize('name', list(CASES))
def test_same_as_torch(name):
    code = CASES[name]
    assert _run(ember, code) == _run(torch, code)


@pytest.mark.parametrize('v,g,dim', [((), (), -1), ((), (), 0), ((2,), (), -1), ((2, 3), (2, 1), 0),
                                     ((2, 3), (1, 3), 1), ((2, 3), (2, 1), 2), ((2, 3), (2, 1), -2)])
def test_weight_norm_primitive(v, g, dim):
    code = f"from {{mod}} import _weight_norm\nprint(_weight_norm(T.ones({v}) * 2, T.ones({g}) * 3, {dim}))"
    assert _run(ember, code.format(mod='ember.nn.utils.weight_norm')) == \
        _run(torch, code.format(mod='torch'))
