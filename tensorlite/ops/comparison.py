"""Comparisons of whole tensors, without gradients: isclose (elementwise), allclose and equal (a
Python bool)."""
import numpy as np

from ..tensor import Tensor
from ..errors import DTypeError
from ._helpers import as_tensor, check_broadcast, _is_scalar
from .elementwise import _nograd

__all__ = ["isclose", "allclose", "equal"]


def _close_operands(input, other, rtol, atol, fname):
    a, b = as_tensor(input, fname), as_tensor(other, fname, "other")
    if a.dtype is not b.dtype:
        raise DTypeError(f"{fname}(): arguments 'input' and 'other' must have the same dtype, got "
                         f"{a.dtype.name} and {b.dtype.name}")
    check_broadcast(a, b, fname)
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not _is_scalar(v) or isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{fname}(): argument '{name}' must be a number, got {v!r:.40}")
        if v < 0:
            raise ValueError(f"{fname}(): argument '{name}' must be greater than or equal to zero, got {v}")
    return a._data, b._data


def _isclose(input, other, rtol, atol, equal_nan, fname):
    a, b = _close_operands(input, other, rtol, atol, fname)
    if a.dtype == np.bool_:
        return np.broadcast_arrays(a == b, b)[0].copy()
    with np.errstate(all="ignore"):
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=bool(equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (infinities equal only to themselves)."""
    return _nograd(_isclose(input, other, rtol, atol, equal_nan, "isclose"))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when isclose holds everywhere (a Python bool)."""
    return bool(np.all(_isclose(input, other, rtol, atol, equal_nan, "allclose")))


def equal(input, other):
    """True when the tensors have the same shape and the same values (a Python bool)."""
    a, b = as_tensor(input, "equal"), as_tensor(other, "equal", "other")
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"equal(): arguments 'input' and 'other' must be Tensors, got "
                        f"{type(input).__name__} and {type(other).__name__}")
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))
