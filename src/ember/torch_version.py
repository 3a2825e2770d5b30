"""``TorchVersion``: the type of ``ember.__version__`` — a str that also compares as a version with
strings and tuples (``ember.__version__ >= (2, 0)``, ``>= '1.10'``), as ``torch.__version__`` does."""
import re

__all__ = ['TorchVersion']

_RELEASE = re.compile(r'v?(\d+(?:\.\d+)*)')


def _key(text):
    """(release numbers without trailing zeros, local label) or None when ``text`` is no version."""
    main, _, local = text.partition('+')
    m = _RELEASE.fullmatch(main.strip())
    if m is None:
        return None
    nums = [int(p) for p in m.group(1).split('.')]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    return tuple(nums), local


def _other_key(other):
    if isinstance(other, tuple) and all(isinstance(p, int) for p in other):
        return _key('.'.join(map(str, other)))
    if isinstance(other, str):
        return _key(other)
    return None


class TorchVersion(str):
    """A version string comparable with version strings and tuples of ints."""

    def _cmp(self, other, op, name):
        mine, theirs = _key(str(self)), _other_key(other)
        if mine is None or theirs is None:
            if isinstance(other, str):
                return op(str(self), other)
            raise TypeError(f"'{name}' not supported between instances of 'TorchVersion' and "
                            f"'{type(other).__name__}'")
        return op(mine, theirs)

    def __lt__(self, other):
        return self._cmp(other, lambda a, b: a < b, '<')

    def __le__(self, other):
        return self._cmp(other, lambda a, b: a <= b, '<=')

    def __gt__(self, other):
        return self._cmp(other, lambda a, b: a > b, '>')

    def __ge__(self, other):
        return self._cmp(other, lambda a, b: a >= b, '>=')

    def __eq__(self, other):
        if isinstance(other, (str, tuple)):
            theirs = _other_key(other)
            mine = _key(str(self))
            if mine is not None and theirs is not None:
                return mine == theirs
        return str.__eq__(self, other) if isinstance(other, str) else False

    __ne__ = str.__ne__          # (as torch's: != stays the plain string comparison)
    __hash__ = str.__hash__
