"""Silence numpy's floating-point warnings around an op, as PyTorch computes inf/nan silently.

`np.errstate(all="ignore")` costs about 0.9 µs to enter and leave, more than a small op itself.
numpy 2 keeps the error state in a context variable; setting it to a prepared "ignore" state
and resetting the token afterwards does the same job in about 0.15 µs. Where that private
variable is missing (another numpy), `quiet()`/`restore()` fall back to np.errstate.
"""
import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar as _var, _make_extobj
except ImportError:       # pragma: no cover - numpy without the context variable
    _var = None

# [(the state it was built from, its "ignore" version)]; the pair is replaced whole, so threads
# never see a half-updated one
_cache = [(None, None)]


def quiet():
    """Enter the ignore-all state; return the token for restore()."""
    if _var is None:
        es = np.errstate(all="ignore")
        es.__enter__()
        return es
    cur, last = _var.get(), _cache[0]
    if cur is not last[0]:
        # built from the current state, so a user's bufsize and errcall carry over
        last = _cache[0] = (cur, _make_extobj(all="ignore"))
    return _var.set(last[1])


def restore(token):
    if _var is None:
        token.__exit__(None, None, None)
    else:
        _var.reset(token)
