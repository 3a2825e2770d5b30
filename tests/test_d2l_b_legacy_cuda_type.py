"""``Tensor.type()`` to a legacy CUDA type without CUDA (old tutorials' ``x.type(torch.cuda.FloatTensor)``):
PyTorch's CPU wheel raises its lazy CUDA init's RuntimeError, not ``.cuda()``'s AssertionError."""
import os
import subprocess
import sys

import pytest
import torch

CODE = '''
import ember
for target in (ember.cuda.FloatTensor, ember.cuda.LongTensor, 'torch.cuda.DoubleTensor',
               'ember.cuda.ComplexFloatTensor'):
    x = ember.ones(2)
    try:
        x.type(target)
    except Exception as e:
        print(type(e).__name__, str(e).splitlines()[0], x.dtype, x.device)
'''


def _run_without_cuda(code):
    src = os.path.join(os.path.dirname(__file__), '..', 'src')
    env = dict(os.environ, PYTHONPATH=src, CUDA_VISIBLE_DEVICES='')
    env.pop('EMBER_FAKE_CUDA', None)
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.mark.skipif(torch.cuda.is_available(), reason='compares with a PyTorch that has no CUDA')
def test_type_to_cuda_class_or_name_fails_as_torch_cpu_wheel():
    want = []
    for target in (torch.cuda.FloatTensor, torch.cuda.LongTensor, 'torch.cuda.DoubleTensor',
                   'torch.cuda.ComplexFloatTensor'):
        x = torch.ones(2)
        with pytest.raises(Exception) as info:
            x.type(target)
        want.append(f'{type(info.value).__name__} {str(info.value).splitlines()[0]} ember.float32 cpu')
    assert _run_without_cuda(CODE) == want
