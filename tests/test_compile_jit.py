"""torch.compile / torch.compiler / torch._dynamo / torch.jit / torch.version, against torch 2.13.

ember compiles nothing: these check that what a user can see of compiling (wrappers, printing,
state_dict keys, errors, decorators) matches PyTorch, and that compiled or scripted models compute
and train exactly as the eager ones."""
import os
import re
import subprocess
import sys
import textwrap

import pytest
import torch

import ember
from compare import assert_script_same



@pytest.fixture(autouse=True)
def _keep_torch_validation():
    """Running a torch-compiled module turns torch.distributions' argument validation off for the
    whole process (dynamo does that); later tests compare validation errors, so restore it."""
    saved = torch.distributions.Distribution._validate_args
    yield
    torch.distributions.Distribution.set_default_validate_args(saved)


COMPILE_SCRIPTS = {
    'module_wrapper': '''
m = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU())
c = T.compile(m, backend='eager')
print(type(c).__name__, type(c).__module__)
print(c)
print(list(c.state_dict().keys()))
print(c._orig_mod is m, c.training, c.eval() is c, c.training, m.training)
print(len(list(c.parameters())), list(c.children())[0] is m)
print(isinstance(c, T._dynamo.eval_frame.OptimizedModule), isinstance(c, T.nn.Module))
''',
    'attributes_forwarded': '''
l = T.nn.Linear(2, 3)
c = T.compile(l, backend='eager')
print(c.weight is l.weight, c.in_features, c.bias.shape)
c.foo = 5
print(l.foo, hasattr(c, 'nothing_here'))
''',
    'state_dict_round_trip': '''
T.manual_seed(0)
a = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU())
b = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU())
ca, cb = T.compile(a, backend='eager'), T.compile(b, backend='eager')
print(cb.load_state_dict(ca.state_dict()))
print(T.equal(b[0].weight, a[0].weight))
try:
    b.load_state_dict(ca.state_dict())
except RuntimeError as e:
    print(str(e).splitlines()[0])
''',
    'function': '''
def f(x):
    return x.sin() + 1
cf = T.compile(f, backend='eager')
print(cf is f, cf.__wrapped__ is f, cf.__name__, cf(T.zeros(2)))
deco = T.compile(backend='eager', fullgraph=True)
g = deco(lambda x: x * 2)
print(g(T.ones(2)))
print(T.compile(f, disable=True) is f)
''',
    'errors': '''
m = T.nn.Linear(2, 2)
for kw in [dict(mode='bad'), dict(mode='default', options={'a': 1}), dict(backend='nonexistent')]:
    try:
        T.compile(m, **kw)
    except Exception as e:
        print(type(e).__name__, e)
for bad in (5, [1]):
    try:
        T.compile(bad)
    except Exception as e:
        print(type(e).__name__, e)
''',
    'compiler_api': '''
print(T.compiler.is_compiling(), T.compiler.is_dynamo_compiling(), T.compiler.is_exporting())
print(T._dynamo.list_backends(), T.compiler.list_backends())
print(T._dynamo.config.cache_size_limit, T._dynamo.config.suppress_errors)
T._dynamo.config.cache_size_limit = 64
print(T._dynamo.config.cache_size_limit)
T._dynamo.config.cache_size_limit = 8
try:
    T._dynamo.config.foo_bar = 1
except AttributeError as e:
    print(e)
x = T.ones(3)
print(T._dynamo.mark_dynamic(x, 0), T._dynamo.mark_static(x), T._dynamo.reset())
h = T.compiler.disable(lambda v: v + 1)
print(h(1), T.compiler.allow_in_graph(len) is len)
l = T.nn.Linear(2, 2)
print(l.compile(), l)
''',
    'train_compiled': '''
import copy
T.manual_seed(0)
m = T.nn.Sequential(T.nn.Linear(4, 8), T.nn.Tanh(), T.nn.Linear(8, 2))
plain = copy.deepcopy(m)
c = T.compile(m, backend='eager')
x, y = T.randn(16, 4), T.randint(0, 2, (16,))
for model in (c, plain):
    opt = T.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss = T.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
print([T.equal(p, q) for p, q in zip(m.parameters(), plain.parameters())])
print(c(x).grad_fn.name())
''',
}


@pytest.mark.parametrize('name', sorted(COMPILE_SCRIPTS))
def test_compile_like_torch(name):
    assert_script_same(COMPILE_SCRIPTS[name])


def test_compile_default_backend_runs_eagerly():
    m = ember.nn.Linear(3, 2)
    c = ember.compile(m)                      # inductor by default: ember runs the same ops
    x = ember.randn(4, 3)
    assert ember.equal(c(x), m(x))
    cf = ember.compile(lambda t: t * 3, mode='max-autotune')
    assert ember.equal(cf(x), x * 3)


def test_callable_backend_warns_once_and_runs_eagerly():
    ember.compiler._state['warned_callable'] = False
    with pytest.warns(UserWarning, match='no graph capture'):
        f = ember.compile(lambda t: t + 1, backend=lambda gm, ex: gm)
    assert ember.equal(f(ember.zeros(2)), ember.ones(2))


def test_set_stance_restores():
    with ember.compiler.set_stance('force_eager'):
        assert ember.compiler._state['stance'] == 'force_eager'
    assert ember.compiler._state['stance'] == 'default'
    with pytest.raises(RuntimeError):
        ember.compiler.set_stance('bogus')


def test_version_module():
    assert ember.version.__version__ == ember.__version__
    assert ember.version.hip is None and ember.version.debug is False
    # torch's CPU build says None; ember says None without CuPy/GPU, else CuPy's runtime as 'major.minor'
    if ember._backend.cuda_reason() is not None:
        assert ember.version.cuda is None
    else:
        assert re.fullmatch(r'\d+\.\d+', ember.version.cuda)
    assert torch.version.hip is None


JIT_SCRIPT = '''
import torch, torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.seq = nn.Sequential(nn.ReLU(), nn.Dropout(0.5))
        self.hidden = 7
    def forward(self, x):
        return self.seq(self.fc(x))
torch.manual_seed(0)
m = Net()
s = torch.jit.script(m)
print(s)
print(type(s).__name__, type(s.fc).__name__, s.fc)
print(s.fc.weight is m.fc.weight, list(s.state_dict()))
print(s.original_name, s.training, s.hidden)
s.eval()
print(s.training, m.training)
x = torch.ones(1, 2)
print(torch.equal(s(x), s(x)), torch.equal(s(x), m.eval()(x)))
s.train(); m.train()
t = torch.jit.trace(m, torch.ones(1, 2), check_trace=False)
print(t)
print(type(t).__name__, t.fc.weight is m.fc.weight)
def f(x): return x * 2
tf = torch.jit.trace(f, torch.ones(2)); print(type(tf).__name__, tf(torch.ones(2)))
sf = torch.jit.script(f); print(type(sf).__name__, sf(torch.ones(2)))
print(isinstance(s, nn.Module), isinstance(s, torch.jit.ScriptModule), len(list(s.parameters())))
opt = torch.optim.SGD(s.parameters(), lr=0.1)
s(x).sum().backward(); opt.step(); print(m.fc.weight.grad.shape)
try: torch.jit.script(5)
except Exception as e: print(type(e).__name__, e)
try: torch.jit.save(m, 'x.pt')
except Exception as e: print(type(e).__name__, e)
print(torch.jit.is_scripting(), torch.jit.is_tracing(), torch.jit.annotate(int, 3))
print(torch.jit.wait(torch.jit.fork(lambda a: a * 2, torch.ones(1))))
@torch.jit.ignore
def helper(x): return x
@torch.jit.unused
def helper2(x): return x
@torch.jit.ignore(drop=True)
def helper3(x): return x
print(helper(1), helper2(2), helper3(3))
'''


def test_jit_script_and_trace_like_torch(tmp_path):
    """Scripted/traced modules print, compute, train and share parameters as torch's (run as files:
    TorchScript needs the source)."""
    path = tmp_path / 'jit_user.py'
    path.write_text(textwrap.dedent(JIT_SCRIPT))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ember.__file__)))
    want = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path)
    got = subprocess.run([sys.executable, '-m', 'ember.run', str(path)], capture_output=True, text=True,
                         cwd=tmp_path, env=env)
    assert want.returncode == 0 and got.returncode == 0, got.stderr
    want_lines = want.stdout.replace('torch', 'ember').splitlines()
    assert got.stdout.splitlines() == want_lines


def test_jit_ir_and_archives_refused_clearly():
    s = ember.jit.script(ember.nn.Linear(2, 2))
    for what in (lambda: s.code, lambda: s.graph):       # (save/load: tests/test_api_s24_jit.py)
        with pytest.raises(NotImplementedError, match='no TorchScript'):
            what()


def test_jit_trace_needs_inputs_and_runs_them():
    with pytest.raises(RuntimeError, match='example_kwarg_inputs or example_inputs'):
        ember.jit.trace(lambda x: x)
    with pytest.raises(RuntimeError):                 # the example call itself fails: shapes
        ember.jit.trace(ember.nn.Linear(2, 3), ember.ones(1, 5))


VERSIONS = ['2.13.0+cpu', '0.1.0', '1.10.2', '2.0']
OTHERS = ['2.1', '2.13.0', '2.13.0+cpu', (2, 13), (2, 13, 1), '0.1', (0, 1, 0), '1.9', '1.10', (1, 10, 2),
          '0.1.0+cpu', '2', (2,)]


@pytest.mark.parametrize('text', VERSIONS)
def test_version_compares_like_torch_version(text):
    from torch.torch_version import TorchVersion as TV
    from ember.torch_version import TorchVersion as EV
    for other in OTHERS:
        t, e = TV(text), EV(text)
        assert [e >= other, e < other, e == other, e > other, e <= other, e != other] == \
            [t >= other, t < other, t == other, t > other, t <= other, t != other], other
    with pytest.raises(TypeError, match="'>=' not supported between instances of 'TorchVersion' and 'int'"):
        EV(text) >= 5
    assert isinstance(ember.__version__, EV) and ember.__version__ == '2.13.0+ember.0.1.0'


def test_version_reports_the_torch_api_it_follows():
    from packaging.version import Version
    v = ember.__version__
    assert v >= '2.0' and v >= (2, 13) and v < '2.14' and v > '1.13.1'
    assert Version(v) == Version(torch.__version__.split('+')[0] + '+ember.0.1.0')
    assert Version(v).local == 'ember.0.1.0' and ember.version.EMBER_VERSION == '0.1.0'
