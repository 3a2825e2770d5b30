"""jit.save / jit.load / ScriptModule.save / save_to_buffer of scripted and traced modules: the
tutorial flow run as a file under torch and under ``python -m ember.run`` prints the same (the
loaded module's repr, training flags, values, _extra_files, errors). ember writes its own format."""
import io
import os
import subprocess
import sys
import textwrap

import pytest
import torch

import ember

FLOW = '''
import io
import torch
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.seq = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(2, 2))
    def forward(self, x):
        return self.seq(self.fc(x))
torch.manual_seed(0)
model = Net()
x = torch.randn(2, 3)
m = torch.jit.script(model)
m.save('s.pt')
m2 = torch.jit.load('s.pt')
print(m2.training, type(m2).__name__)
m2.eval()
print(m2)
print(torch.allclose(m2(x), model.eval()(x)))
t = torch.jit.trace(model, x)
t.eval()
t.save('t.pt')
t2 = torch.jit.load('t.pt', map_location='cpu')
print(t2.training, t2.seq.training, type(t2).__name__)
print(t2)
print(torch.allclose(t2(x), model(x)), next(t2.parameters()).device)
buf = io.BytesIO()
torch.jit.save(m, buf, _extra_files={'cfg.json': '{"a": 1}', 'raw': b'xy'})
buf.seek(0)
ex = {'cfg.json': '', 'raw': '', 'absent': 'kept'}
m3 = torch.jit.load(buf, _extra_files=ex)
print(ex)
print(type(m.save_to_buffer()).__name__, torch.jit.load(io.BytesIO(m.save_to_buffer())).original_name)
print(isinstance(m3, torch.jit.ScriptModule), isinstance(m3, torch.nn.Module), m3.fc.original_name)
print(sorted(m3.state_dict().keys()))
m3.train()
opt = torch.optim.SGD(m3.parameters(), lr=0.1)
m3(x).sum().backward()
opt.step()
print(m3.fc.weight.grad.shape)
torch.save(model.state_dict(), 'sd.pt')
for bad in (lambda: torch.jit.load('missing.pt'), lambda: torch.jit.load('sd.pt'), lambda: torch.jit.load('.'),
            lambda: torch.jit.save(model, 'x.pt'), lambda: torch.jit.save(model, io.BytesIO()),
            lambda: torch.jit.load('s.pt', map_location='cuda')):
    try:
        bad()
    except Exception as e:
        print(type(e).__name__, str(e).splitlines()[0])
'''


def test_jit_save_load_flow_like_torch(tmp_path):
    path = tmp_path / 'flow.py'
    path.write_text(textwrap.dedent(FLOW))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ember.__file__)))
    want = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    got = subprocess.run([sys.executable, '-m', 'ember.run', str(path)], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=300)
    assert want.returncode == 0 and got.returncode == 0, got.stderr + want.stderr
    assert got.stdout.splitlines() == want.stdout.replace('torch.', 'ember.').splitlines()


def test_torch_written_archive_refused_clearly(tmp_path):
    p = tmp_path / 'ts.pt'
    torch.jit.script(torch.nn.Linear(2, 2)).save(str(p))
    with pytest.raises(NotImplementedError, match='no TorchScript'):
        ember.jit.load(str(p))
    with open(p, 'rb') as fh, pytest.raises(NotImplementedError, match='no TorchScript'):
        ember.jit.load(fh)


def test_ir_still_refused_and_functions_unsaved():
    s = ember.jit.script(ember.nn.Linear(2, 2))
    for what in (lambda: s.code, lambda: s.graph, lambda: ember.jit.script(lambda x: x).save('f.pt')):
        with pytest.raises(NotImplementedError, match='no TorchScript'):
            what()


def test_shared_parameters_and_buffers_round_trip():
    net = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.BatchNorm1d(2))
    net[0].weight = net[0].weight           # (a parameter object kept once)
    s = ember.jit.script(net)
    buf = io.BytesIO(s.save_to_buffer())
    s2 = ember.jit.load(buf)
    sd, sd2 = s.state_dict(), s2.state_dict()
    assert list(sd) == list(sd2) and all(ember.equal(sd[k], sd2[k]) for k in sd)
    w = getattr(s2, '0').weight
    assert isinstance(w, ember.nn.Parameter) and w.requires_grad
