"""Helpers shared by the MPI scenario scripts (importable: a script's folder is on sys.path)."""


def raises(exc, text, fn):
    """Run ``fn``; it must raise ``exc`` with ``text`` in its message (returned)."""
    try:
        fn()
    except exc as e:
        assert text in str(e), (text, str(e))
        return str(e)
    raise AssertionError(f'expected {exc.__name__}: {text}')
