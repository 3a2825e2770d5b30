"""`python -m ember.run script.py` runs an unchanged PyTorch script on ember."""
import subprocess
import sys
import textwrap


def test_run_maps_torch_to_ember(tmp_path):
    script = tmp_path / 'train.py'
    script.write_text(textwrap.dedent('''
        import sys
        import torch
        from torch.autograd import Variable
        x = Variable(torch.ones(2, 2), requires_grad=True)
        out = ((x + 2) * (x + 2) * 3).mean()
        out.backward()
        print(torch.__name__, type(x).__module__)
        print(x.grad)
        print(sys.argv[1:])
    '''))
    r = subprocess.run([sys.executable, '-m', 'ember.run', str(script), '--lr', '0.1'],
                       capture_output=True, text=True, check=True)
    lines = r.stdout.splitlines()
    assert lines[0] == 'ember ember'
    assert lines[1:3] == ['tensor([[4.5000, 4.5000],', '        [4.5000, 4.5000]])']
    assert lines[3] == "['--lr', '0.1']"


def test_run_without_script_prints_usage():
    r = subprocess.run([sys.executable, '-m', 'ember.run'], capture_output=True, text=True)
    assert r.returncode == 2 and 'usage' in r.stderr
