"""Argument checks and expanders shared by the layer constructors of tensorlite.nn.

Each raises with the layer's name (`owner`) first, as the constructors' own errors do.
(torch's unchecked expanders _single, _pair, _ntuple ... are in nn/modules/utils.py, for user layers.)"""
import numbers

from .module import _device_type


def _check_device(device, owner):
    """device=None or any spelling of the CPU; the constructors take no other device."""
    if device is not None:
        _device_type(device, owner)


def _check_positive_int(v, name, owner):
    """ValueError "Linear: in_features must be a positive int" unless v is an int > 0 (bool is no int)."""
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {v!r}")


def _positive_int(v, name, owner):
    """int(v) for any integral v > 0 (a numpy integer too); ValueError "argument 'name'" otherwise."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
        raise ValueError(f"{owner}: argument '{name}' must be a positive int, got {v!r}")
    return int(v)


def _ntuple(v, n, name, owner):
    """v as an n-tuple: an int repeated n times, or a tuple/list of exactly n entries."""
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            what = "a pair" if n == 2 else f"a tuple of {n}"
            raise ValueError(f"{owner}: {name} must be an int or {what}, got {v!r}")
        return tuple(v)
    return (v,) * n
