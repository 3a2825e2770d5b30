"""``torchvision`` in a child of a program under ``python -m ember.run``: ember.vision (see ../torch)."""
import sys

from ember.run import install

install()
import ember.vision  # noqa: E402

sys.modules[__name__] = ember.vision
