"""Shared machinery of the hostile-input tables (tests/test_hostile_inputs*.py).

A row is ``C(fn, *args, **kwargs).raises(Exc, fname, argname, value, ...)``: calling
``fn(*args, **kwargs)`` must raise ``Exc`` (one of ValueError, TypeError, IndexError or a
subclass) whose message contains every needle, by convention the function's name, the
argument's name and the offending value or shape. ``covers=`` names the public object a row
exercises when ``fn`` is a lambda (the exhaustiveness test counts rows by that object)."""
import signal

import pytest

# What a hostile argument may raise. Two further builtins are accepted where Python and PyTorch
# themselves raise them: FileNotFoundError for a missing checkpoint file, ZeroDivisionError for
# integer division by zero, KeyError for an invalid parameter / buffer / submodule name.
ALLOWED = (ValueError, TypeError, IndexError)
ALSO_ALLOWED = (FileNotFoundError, ZeroDivisionError, KeyError)


class C:
    def __init__(self, fn, *args, covers=None, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.covers = fn if covers is None else covers
        self.exc, self.needles = None, ()

    def raises(self, exc, *needles):
        self.exc, self.needles = exc, needles
        return self

    def name(self):
        c = self.covers
        return getattr(c, "__qualname__", None) or type(c).__name__

    def run(self):
        return self.fn(*self.args, **self.kwargs)


def params(rows):
    seen = {}
    out = []
    for r in rows:
        n = r.name()
        seen[n] = seen.get(n, 0) + 1
        out.append(pytest.param(r, id=f"{n}-{seen[n]}"))
    return out


def _alarm(signum, frame):
    raise TimeoutError("hostile call did not return within 20 s (hang)")


def check_row(row):
    """Run one row in-process (a segfault in a kernel takes pytest down, which is the point)."""
    assert row.exc is not None, "row without .raises(...)"
    assert issubclass(row.exc, ALLOWED + ALSO_ALLOWED), row.exc
    assert len(row.needles) >= 3, "a row names the function, the argument and the value"
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        with pytest.raises(row.exc) as info:
            out = row.run()
            pytest.fail(f"returned {out!r:.200} instead of raising {row.exc.__name__}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    msg = str(info.value)
    if isinstance(info.value, KeyError):      # KeyError's str() is the repr of its argument
        msg = str(info.value.args[0])
    missing = [n for n in row.needles if n not in msg]
    assert not missing, f"{type(info.value).__name__} message lacks {missing}: {msg!r}"
