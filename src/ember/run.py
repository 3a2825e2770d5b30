"""``python -m ember.run script.py [args]``: run an unchanged PyTorch script on ember.

``import torch`` (and ``torch.xxx`` submodules) resolve to ``ember``; ``torchvision`` to
``ember.vision`` once that package exists."""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import types

_ALIASES = {'torch': 'ember', 'torchvision': 'ember.vision'}


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``torch.a.b`` as the already-imported module ``ember.a.b``."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split('.')[0]
        if top not in _ALIASES:
            return None
        real = _ALIASES[top] + fullname[len(top):]
        if real not in sys.modules and importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        top = spec.name.split('.')[0]
        module = importlib.import_module(_ALIASES[top] + spec.name[len(top):])
        spec.loader_state = module.__spec__        # the import system is about to overwrite it
        return module

    def exec_module(self, module):
        # keep the real ``__spec__`` (``ember.x``): relative imports in the module check it
        # against ``__package__`` (ImportWarning otherwise), and so do pickle, reload, spawn
        module.__spec__ = module.__spec__.loader_state


def install():
    """Make ``import torch`` give ember from now on in this process."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())


def _run_script(given):
    """Run a script file as ``python script.py`` does: in a fresh ``__main__`` with an
    absolute ``__file__``, ``sys.argv[0]`` left as given, and the script's own folder (not
    the current one) first on ``sys.path`` so that its sibling modules import."""
    path = given if os.path.isabs(given) else os.path.join(os.getcwd(), given)
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    with open(path, 'rb') as f:
        code = compile(f.read(), path, 'exec')
    main = types.ModuleType('__main__')
    main.__file__, main.__cached__ = path, None
    main.__loader__ = importlib.machinery.SourceFileLoader('__main__', path)
    saved = sys.modules.get('__main__')
    sys.modules['__main__'] = main
    try:
        exec(code, main.__dict__)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:          # the traceback python prints: from the script's frame on
        e.__traceback__ = e.__traceback__.tb_next
        sys.excepthook(type(e), e, e.__traceback__)
        sys.exit(1)
    finally:
        sys.modules['__main__'] = saved


def _children_too():
    """Processes this one starts with a fresh interpreter (spawn, forkserver, subprocesses) find
    ``torch`` in ember's shim folder first: their ``import torch`` is ember as well. (Here the alias
    finder answers first; multiprocessing hands this sys.path to its children, the environment
    reaches subprocesses.)"""
    shim = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_run_shim')
    rest = os.environ.get('PYTHONPATH')
    os.environ['PYTHONPATH'] = shim if not rest else shim + os.pathsep + rest
    sys.path.insert(1, shim)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print('usage: python -m ember.run script.py [args...]', file=sys.stderr)
        return 2
    install()
    _children_too()
    sys.argv = argv
    if argv[0] == '-m':
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
    elif os.path.isfile(argv[0]):
        _run_script(argv[0])
    else:
        runpy.run_path(argv[0], run_name='__main__')
    return 0


if __name__ == '__main__':
    sys.exit(main())
