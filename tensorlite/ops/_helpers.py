"""Argument handling shared by the ops: operand promotion, dims, gradient unbroadcasting."""
import numbers

import numpy as np

from .. import dtypes
from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor, _wrap_dim


def as_tensor(x, fname="op", argname="input"):
    """A Tensor from a Tensor, numpy array or Python scalar (no copy for tensors)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        dtypes.from_numpy(x.dtype)
        return Tensor._wrap(x)
    if isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, complex):
        d = dtypes.default_float if isinstance(x, float) else (
            dtypes.bool if isinstance(x, bool) else dtypes.int64)
        if isinstance(x, np.generic):
            return Tensor._wrap(np.asarray(x))
        return Tensor._wrap(np.asarray(x, dtype=d.np))
    if isinstance(x, (list, tuple)):
        from ..creation import _tensor
        return _tensor(x, fname=fname, argname=argname)
    raise TypeError(f"{fname}(): argument '{argname}' must be a Tensor or a number, not {type(x).__name__}")


def _is_scalar(x):
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, (complex, np.complexfloating)) \
        and not isinstance(x, (np.str_, np.bytes_))


def operands(a, b, fname, names=("input", "other"), broadcast=False):
    """Two Tensors of one dtype, promoted as PyTorch does (Python scalars are weakly typed).
    broadcast=True (elementwise ops) also checks that the two shapes broadcast together."""
    if type(b) in (float, int) and isinstance(a, Tensor) and a._data.dtype.kind == "f":
        return a, Tensor._wrap(np.asarray(b, dtype=a._data.dtype))   # the common `t * 0.5`: t's dtype
    a_scalar = not isinstance(a, (Tensor, np.ndarray))
    b_scalar = not isinstance(b, (Tensor, np.ndarray))
    if a_scalar and b_scalar:
        a = as_tensor(a, fname, names[0])
        a_scalar = False
    if b_scalar:
        a = as_tensor(a, fname, names[0])
        if not _is_scalar(b):
            raise TypeError(f"{fname}(): argument '{names[1]}' must be a Tensor or a number, not "
                            f"{type(b).__name__}")
        d = dtypes.scalar_dtype(b, a.dtype)
        return _cast(a, d), Tensor._wrap(np.asarray(b, dtype=d.np))
    if a_scalar:
        b = as_tensor(b, fname, names[1])
        if not _is_scalar(a):
            raise TypeError(f"{fname}(): argument '{names[0]}' must be a Tensor or a number, not "
                            f"{type(a).__name__}")
        d = dtypes.scalar_dtype(a, b.dtype)
        return Tensor._wrap(np.asarray(a, dtype=d.np)), _cast(b, d)
    a, b = as_tensor(a, fname, names[0]), as_tensor(b, fname, names[1])
    if broadcast and a._data.shape != b._data.shape and a._data.ndim and b._data.ndim:  # 0-d always broadcasts
        check_broadcast(a, b, fname, names)
    if a.dtype is b.dtype:
        return a, b
    d = _result_dtype(a, b)
    return _cast(a, d), _cast(b, d)


def check_broadcast(a, b, fname, names=("input", "other")):
    """ShapeError naming both arguments unless the shapes of a and b broadcast together."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{fname}(): argument '{names[1]}' of shape {tuple(b.shape)} cannot be broadcast "
                         f"with argument '{names[0]}' of shape {tuple(a.shape)} (the size of a "
                         f"non-singleton dimension differs)") from None


def _result_dtype(a, b):
    """PyTorch's rule: the highest category (bool < int < float) wins; within it, dimensioned
    tensors outrank 0-dim ones."""
    cat = max(dtypes.category(a.dtype), dtypes.category(b.dtype))
    for group in ([t for t in (a, b) if t.ndim > 0], [t for t in (a, b) if t.ndim == 0]):
        ds = [t.dtype for t in group if dtypes.category(t.dtype) == cat]
        if ds:
            return ds[0] if len(ds) == 1 else dtypes.promote(*ds)
    raise AssertionError("unreachable")


def _cast(t, d):
    return t if t.dtype is d else t.to(d)


def float_operand(x, fname):
    """Ops like exp/log/sqrt promote integer inputs to the default float dtype, as PyTorch does."""
    x = as_tensor(x, fname)
    return x if x.is_floating_point() else x.to(dtypes.default_float)


def unbroadcast(g, shape):
    """Sum a gradient of a broadcast result back to the operand's shape."""
    shape = tuple(shape)
    if g._data.shape == shape:
        return g
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    if dims:
        g = g.sum(dim=dims, keepdim=True)
    return g.reshape(shape)


def dims_arg(dim, ndim, fname, argname="dim"):
    """Normalize `dim` (None, int or sequence) to a sorted tuple of non-negative axes."""
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return tuple(range(ndim))
    if ndim == 0:   # a 0-d tensor accepts dim 0 / -1 (as PyTorch); there is no axis to reduce
        for d in (dim if isinstance(dim, (list, tuple)) else (dim,)):
            _wrap_dim(d, 0, fname, argname)
        return ()
    if isinstance(dim, (list, tuple)):
        out = tuple(sorted({_wrap_dim(d, ndim, fname, argname) for d in dim}))
        if len(out) != len(dim):
            raise ArgumentError(f"{fname}(): argument '{argname}': dim {tuple(dim)} appears multiple times in "
                                f"the list of dims")
        return out
    return (_wrap_dim(dim, ndim, fname, argname),)


def check_float(t, fname, argname="input"):
    if not t.is_floating_point():
        raise TypeError(f"{fname}(): argument '{argname}' must be a floating point tensor, got {t.dtype}")
