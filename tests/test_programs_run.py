"""``python -m ember.run script.py`` runs a script as ``python script.py`` does: its folder (not
the current one) on sys.path, an absolute ``__file__``, ``sys.argv[0]`` as given, a traceback
that starts at the script, anomaly-mode forward stacks without the launcher's frames, and the
aliased modules keep their own ``__spec__`` (no ImportWarning from their relative imports)."""
import os
import subprocess
import sys
import textwrap

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'src')


def _run(args, cwd, python=False):
    env = dict(os.environ, PYTHONPATH=SRC)
    cmd = [sys.executable] + (args if python else ['-m', 'ember.run'] + args)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def _both(tmp_path, script, args=()):
    """(python's result, ember.run's result) for the script run from tmp_path's parent."""
    cwd = str(tmp_path.parent)
    rel = os.path.join(tmp_path.name, script)
    return _run([rel, *args], cwd, python=True), _run([rel, *args], cwd)


def test_script_folder_on_path_file_and_argv(tmp_path):
    (tmp_path / 'helper_mod_x.py').write_text('VALUE = 41\n')
    (tmp_path / 's.py').write_text(textwrap.dedent('''
        import os, sys
        import helper_mod_x
        print(helper_mod_x.VALUE + 1, __file__, sys.argv, __name__)
        print(sys.path[0] == os.path.dirname(os.path.realpath(__file__)))
    '''))
    py, em = _both(tmp_path, 's.py', ['--x', '1'])
    assert py.returncode == em.returncode == 0, em.stderr
    assert em.stdout == py.stdout
    assert os.path.isabs(em.stdout.split()[1])


def test_traceback_starts_at_the_script(tmp_path):
    (tmp_path / 'boom.py').write_text('def f():\n    raise ValueError("boom")\nf()\n')
    py, em = _both(tmp_path, 'boom.py')
    assert em.returncode == py.returncode == 1
    assert em.stderr == py.stderr


def test_aliased_modules_keep_their_spec(tmp_path):
    (tmp_path / 'spec.py').write_text(textwrap.dedent('''
        import warnings
        warnings.simplefilter('error', ImportWarning)
        import torch, torch.nn, torch.autograd
        print(torch.__spec__.name, torch.autograd.__spec__.name, torch.nn.__spec__.name)
        a = torch.tensor([1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', UserWarning)
            print((a * 2).grad)
        torch.autograd.grad((a * 3).sum(), a)
    '''))
    r = _run([str(tmp_path / 'spec.py')], str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ['ember ember.autograd ember.nn', 'None']


def test_anomaly_stack_has_no_launcher_frames(tmp_path):
    (tmp_path / 'an.py').write_text(textwrap.dedent('''
        import torch
        a = torch.tensor([-1.0, 1.0], requires_grad=True)
        with torch.autograd.set_detect_anomaly(True):
            try:
                torch.sqrt(a).sum().backward()
            except RuntimeError:
                pass
    '''))
    r = _run([str(tmp_path / 'an.py')], str(tmp_path))
    assert 'Traceback of forward call' in r.stderr
    frames = [ln for ln in r.stderr.splitlines() if ln.startswith('  File ')]
    assert frames == [f'  File "{tmp_path / "an.py"}", line 6, in <module>'], r.stderr
