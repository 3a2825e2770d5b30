"""The tutorial scripts in examples/tutorials are plain PyTorch programs. Each must run unchanged
under ``python -m ember.run``; those that need only torch must also print exactly what real
PyTorch prints for them (the scripts print only deterministic things: values built from fixed
numbers, shapes, dtypes, grad_fn names, reprs, losses from fixed weights)."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, 'examples', 'tutorials')
SCRIPTS = sorted(name for name in os.listdir(FOLDER) if name.endswith('.py'))
USES_TORCHVISION = {name for name in SCRIPTS if 'torchvision' in open(os.path.join(FOLDER, name)).read()}
TORCH_ONLY = [name for name in SCRIPTS if name not in USES_TORCHVISION]


def start(name, on_ember):
    """Start the script in a subprocess: ``python -m ember.run script`` or plain ``python script``."""
    env = dict(os.environ)
    if on_ember:
        env['PYTHONPATH'] = os.pathsep.join(p for p in (os.path.join(ROOT, 'src'), env.get('PYTHONPATH')) if p)
        command = [sys.executable, '-m', 'ember.run', name]
    else:
        env.pop('PYTHONPATH', None)
        command = [sys.executable, name]
    return subprocess.Popen(command, cwd=FOLDER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out, err


def normalise(text):
    # ember prints its own name where PyTorch prints "torch." (ember.float64, ember.Size([...]))
    # by design; and object addresses in reprs like <AddmmBackward0 object at 0x7f...> differ per run
    text = text.replace('ember.', 'torch.')
    return re.sub(r' object at 0x[0-9a-fA-F]+>', ' object at 0x...>', text)


def warnings_in(stderr):
    """(category, message) of each warning printed; PyTorch's C++ suffix "(Triggered internally
    at ...)" is dropped, since ember has no C++ source location to name."""
    found = re.findall(r'^\S+:\d+: (\w+Warning): (.*)$', stderr, re.M)
    return [(kind, re.sub(r' \(Triggered internally at .*\)$', '', msg)) for kind, msg in found]


def test_there_are_tutorials():
    assert 4 <= len(SCRIPTS) <= 6 and TORCH_ONLY and USES_TORCHVISION


@pytest.mark.parametrize('name', TORCH_ONLY)
def test_tutorial_prints_the_same_as_pytorch(name):
    pytest.importorskip('torch')
    ember_run, torch_run = start(name, on_ember=True), start(name, on_ember=False)
    (ember_out, ember_err), (torch_out, torch_err) = finish(ember_run), finish(torch_run)
    assert ember_out.strip(), 'the tutorial printed nothing'
    ember_lines, torch_lines = normalise(ember_out).splitlines(), normalise(torch_out).splitlines()
    for i, (mine, theirs) in enumerate(zip(ember_lines, torch_lines)):
        assert mine == theirs, f'{name}, output line {i + 1} differs'
    assert len(ember_lines) == len(torch_lines)
    assert warnings_in(ember_err) == warnings_in(torch_err)


# torchvision cannot be installed next to torch 2.13 here, so 05's output is checked against
# torchvision's known facts: resnet18 has 11,689,512 parameters, these children, these reprs.
FINETUNE_OUTPUT = """\
Linear(in_features=512, out_features=1000, bias=True)
11689512 parameters
['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc']
torch.Size([2, 1000]) AddmmBackward0
torch.Size([64, 3, 7, 7]) torch.Size([1000])
Linear(in_features=512, out_features=10, bias=True)
trainable: ['fc.weight', 'fc.bias']
5130 trainable parameters
step 0: loss is finite: True
step 1: loss is finite: True
step 2: loss is finite: True
conv1 grad: None
conv1 unchanged: True
fc changed: True
torch.Size([2, 10]) False True
"""


def test_finetune_tutorial_on_ember():
    assert '05_finetune_resnet.py' in USES_TORCHVISION
    out, err = finish(start('05_finetune_resnet.py', on_ember=True))
    assert normalise(out) == FINETUNE_OUTPUT
    assert 'Warning' not in err
