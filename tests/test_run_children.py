"""Under ``python -m ember.run``, processes the script starts with a fresh interpreter import ember as
``torch`` too: DataLoader workers started with 'spawn' (the default on macOS and Windows) and plain
subprocesses. Before, they imported the real torch (or failed where it is not installed)."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent('''
    import subprocess
    import sys

    import torch
    from torch.utils.data import DataLoader, Dataset


    class Squares(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return torch.tensor([float(i * i)]), type(torch.ones(1)).__module__


    if __name__ == '__main__':
        loader = DataLoader(Squares(), batch_size=2, num_workers=1, multiprocessing_context='spawn')
        for x, where in loader:
            print(x.view(-1).tolist(), sorted(set(where)))
        child = 'import torch, torch.nn; print(torch.__name__, torch.nn.Linear.__module__)'
        print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True).stdout.strip())
''')


def test_spawned_workers_and_subprocesses_get_ember(tmp_path):
    script = tmp_path / 'children.py'
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'src'))
    done = subprocess.run([sys.executable, '-m', 'ember.run', str(script)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["[0.0, 1.0] ['ember']", "[4.0, 9.0] ['ember']",
                                        'ember ember.nn.modules.linear']
