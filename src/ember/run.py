"""``python -m ember.run script.py [args]``: run an unchanged PyTorch script on ember.

``import torch`` (and ``torch.xxx`` submodules) resolve to ``ember``; ``torchvision`` to
``ember.vision`` once that package exists."""
import importlib
import importlib.abc
import importlib.util
import runpy
import sys

_ALIASES = {'torch': 'ember', 'torchvision': 'ember.vision'}


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``torch.a.b`` as the already-imported module ``ember.a.b``."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split('.')[0]
        if top not in _ALIASES:
            return None
        real = _ALIASES[top] + fullname[len(top):]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        top = spec.name.split('.')[0]
        return importlib.import_module(_ALIASES[top] + spec.name[len(top):])

    def exec_module(self, module):
        pass


def install():
    """Make ``import torch`` give ember from now on in this process."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print('usage: python -m ember.run script.py [args...]', file=sys.stderr)
        return 2
    install()
    sys.argv = argv
    if argv[0] == '-m':
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
    else:
        runpy.run_path(argv[0], run_name='__main__')
    return 0


if __name__ == '__main__':
    sys.exit(main())
