"""``torch`` in a process started by a program that runs under ``python -m ember.run``.

Children that start a fresh interpreter (multiprocessing's spawn and forkserver, DataLoader workers on
macOS and Windows, subprocesses) do not inherit the parent's import alias; ember.run puts this folder
first on their PYTHONPATH, so their ``import torch`` lands here, installs the alias and becomes ember."""
import sys

from ember.run import install

install()
import ember  # noqa: E402

sys.modules[__name__] = ember
