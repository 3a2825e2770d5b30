"""The legacy tensor types of the seeds' dtype table: ``ember.FloatTensor`` on the CPU and
``ember.cuda.FloatTensor`` on the GPU, compared with PyTorch's classes (its CPU wheel has both;
it cannot create CUDA tensors, so the CUDA-side expectations are written out)."""
import os
import subprocess
import sys

import pytest
import torch

import ember

NAMES = ['FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor',
         'ShortTensor', 'IntTensor', 'LongTensor', 'BoolTensor']
needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')


@pytest.fixture(autouse=True)
def _cpu_default():
    ember.set_default_device(None)      # these tests name every device they use
    yield


@pytest.mark.parametrize('name', NAMES)
def test_classes_match_torch(name):
    for mod, tmod, prefix in ((ember, torch, 'ember'), (ember.cuda, torch.cuda, 'ember.cuda')):
        cls, tcls = getattr(mod, name), getattr(tmod, name)
        assert cls.is_cuda == tcls.is_cuda and cls.is_sparse == tcls.is_sparse
        assert str(cls.dtype) == str(tcls.dtype).replace('torch.', 'ember.')
        assert cls.__name__ == tcls.__name__ == name
        assert repr(cls) == repr(tcls).replace('torch', prefix.split('.')[0]) == f"<class '{prefix}.{name}'>"


def test_cuda_names_are_torchs():
    assert sorted(n for n in dir(ember.cuda) if n.endswith('Tensor')) == \
        sorted(n for n in dir(torch.cuda) if n.endswith('Tensor'))


def test_isinstance_checks_dtype_and_device_type():
    for T in (ember, torch):
        t = T.ones(2)
        assert isinstance(t, T.FloatTensor) and not isinstance(t, T.cuda.FloatTensor)
        assert not isinstance(t, T.DoubleTensor) and isinstance(t.long(), T.LongTensor)


@pytest.mark.parametrize('name', ['FloatTensor', 'cuda.Float', 'torch.Float', 'torch.Floats', 'torch.cuda.FloatTensr',
                                  'torch.cuda.Floa', 'ember.cuda.ComplexHalfTensor'])
def test_type_rejects_bad_names_as_torch(name):
    # (torch's CPU wheel fails on CUDA initialisation for 'torch.cuda.*' names; ember checks the name)
    with pytest.raises(ValueError, match=f"^invalid type: '{name}'$"):
        ember.ones(2).type(name)
    if not name.startswith(('torch.cuda', 'ember')):
        with pytest.raises(ValueError, match=f"^invalid type: '{name}'$"):
            torch.ones(2).type(name)


def test_type_by_class_string_and_dtype_on_the_cpu():
    for T in (ember, torch):
        x = T.tensor([1.5, -2.0])
        assert x.type(T.FloatTensor) is x and x.type(f'{T.__name__}.FloatTensor') is x
        assert x.type(T.IntTensor).tolist() == [1, -2] and x.type(T.IntTensor).dtype == T.int32
        assert x.type('torch.DoubleTensor').dtype == T.float64
        with pytest.raises(TypeError, match='^dtype must be a type, str, or dtype object$'):
            x.type(5)
    assert ember.ones(1).type('ember.BoolTensor').dtype == ember.bool


def test_without_cuda_the_cuda_types_refuse_as_torch():
    code = ('import ember\ntry:\n    ember.cuda.FloatTensor(2, 3)\nexcept TypeError as e:\n    print(e)\n'
            'try:\n    ember.ones(2).type(ember.cuda.FloatTensor)\nexcept RuntimeError as e:\n'
            '    print(str(e).splitlines()[0])\n')
    src = os.path.join(os.path.dirname(__file__), '..', 'src')
    env = dict(os.environ, PYTHONPATH=src, CUDA_VISIBLE_DEVICES='')
    env.pop('EMBER_FAKE_CUDA', None)
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    with pytest.raises(TypeError) as info:
        torch.cuda.FloatTensor(2, 3)
    with pytest.raises(RuntimeError) as moved:      # (its CPU wheel: CUDA's lazy init fails)
        torch.ones(2).type(torch.cuda.FloatTensor)
    assert out.stdout.splitlines() == [str(info.value).replace('torch.', 'ember.'),
                                       str(moved.value).splitlines()[0]]


@needs_cuda
def test_cuda_types_create_check_and_convert():
    x = ember.cuda.FloatTensor(2, 3)
    assert x.is_cuda and x.shape == (2, 3) and x.dtype == ember.float32 and not x.any()
    assert isinstance(x, ember.cuda.FloatTensor) and not isinstance(x, ember.FloatTensor)
    y = ember.cuda.LongTensor([1, 2])
    assert y.is_cuda and y.dtype == ember.int64 and y.cpu().tolist() == [1, 2]
    assert x.type() == 'ember.cuda.FloatTensor'
    h = x.type(ember.DoubleTensor)                   # a CPU class moves the tensor to the host
    assert not h.is_cuda and h.dtype == ember.float64
    d = ember.tensor([1.5]).type('torch.cuda.HalfTensor')
    assert d.is_cuda and d.dtype == ember.float16 and d.cpu().tolist() == [1.5]
    assert x.type(ember.float64).is_cuda            # a dtype keeps the device
    assert x.type(ember.cuda.FloatTensor) is x
