"""More pointwise math: exp2/log2/log10, hyperbolic and inverse trigonometric functions, atan2, hypot,
logaddexp, lerp, fmod, nan_to_num. Forward on numpy, backward in tensor ops (so create_graph works),
PyTorch's formulas."""
import math as _m

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ..errors import DTypeError
from ._helpers import as_tensor, operands, float_operand, unbroadcast, check_broadcast, _is_scalar
from .elementwise import exp, sqrt, where, _nograd

__all__ = ["exp2", "log2", "log10", "sinh", "cosh", "asin", "acos", "atan", "atan2", "arctan2", "hypot",
           "logaddexp", "lerp", "fmod", "nan_to_num"]


# ---------------------------------------------------------------- unary
def _unary(name, np_fn, grad):
    """A one-input Function: forward np_fn(x); backward g * grad(x, out) (tensor ops)."""
    def forward(ctx, x):
        out = np_fn(x)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * grad(x, out)

    fn_cls = type(name.capitalize(), (Function,), {"forward": staticmethod(forward),
                                                   "backward": staticmethod(backward)})

    def op(input):
        return fn_cls.apply(float_operand(input, name))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} (integer inputs promote to the default float dtype)."
    return op


_LN2, _LN10 = _m.log(2.0), _m.log(10.0)
exp2 = _unary("exp2", np.exp2, lambda x, out: out * _LN2)
log2 = _unary("log2", np.log2, lambda x, out: 1 / (x * _LN2))
log10 = _unary("log10", np.log10, lambda x, out: 1 / (x * _LN10))
sinh = _unary("sinh", np.sinh, lambda x, out: cosh(x))
cosh = _unary("cosh", np.cosh, lambda x, out: sinh(x))
asin = _unary("asin", np.arcsin, lambda x, out: 1 / sqrt(1 - x * x))
acos = _unary("acos", np.arccos, lambda x, out: -1 / sqrt(1 - x * x))
atan = _unary("atan", np.arctan, lambda x, out: 1 / (1 + x * x))


# ---------------------------------------------------------------- binary
def _float_operands(input, other, fname, names=("input", "other")):
    a, b = operands(input, other, fname, names, broadcast=True)
    if not a.is_floating_point():
        a, b = a.to(dtypes.default_float), b.to(dtypes.default_float)
    return a, b


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r2 = a * a + b * b               # 0 at (0, 0): nan gradient there, as PyTorch
        ga = unbroadcast(g * b / r2, a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * -a / r2, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = unbroadcast(g * a / out, a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * b / out, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class Logaddexp(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = np.logaddexp(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = unbroadcast(g * exp(a - out), a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * exp(b - out), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class Fmod(Function):
    """C's fmod (the remainder has the sign of the dividend). d/da = 1, d/db = -trunc(a / b)."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        ga = unbroadcast(g, a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * Tensor._wrap(-np.trunc(a / b)), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


def atan2(input, other):
    return Atan2.apply(*_float_operands(input, other, "atan2"))


arctan2 = atan2


def hypot(input, other):
    a, b = operands(input, other, "hypot", broadcast=True)
    if not a.is_floating_point():
        raise DTypeError(f"hypot(): arguments 'input' and 'other' must be floating point tensors, got "
                         f"{a.dtype.name}")
    return Hypot.apply(a, b)


def logaddexp(input, other):
    a, b = operands(input, other, "logaddexp", broadcast=True)
    if not a.is_floating_point():
        raise DTypeError(f"logaddexp(): arguments 'input' and 'other' must be floating point tensors, got "
                         f"{a.dtype.name}")
    return Logaddexp.apply(a, b)


def fmod(input, other):
    a, b = operands(input, other, "fmod", broadcast=True)
    if not a.is_floating_point():
        if (b._data == 0).any():
            raise ZeroDivisionError("fmod(): integer division by zero (argument 'other' holds a zero)")
        return _nograd(np.fmod(a._data, b._data))
    return Fmod.apply(a, b)


def lerp(input, end, weight):
    """input + weight * (end - input). input, end (and a tensor weight) must have one floating dtype,
    as PyTorch."""
    s, e = as_tensor(input, "lerp"), as_tensor(end, "lerp", "end")
    if not s.is_floating_point():
        raise DTypeError(f"lerp(): argument 'input' must be a floating point tensor, got {s.dtype.name}")
    if e.dtype is not s.dtype:
        raise DTypeError(f"lerp(): expected dtype {s.dtype.name} for argument 'end' but got dtype {e.dtype.name}")
    check_broadcast(s, e, "lerp", ("input", "end"))
    if isinstance(weight, Tensor):
        if weight.dtype is not s.dtype:
            raise DTypeError(f"lerp(): expected dtype {s.dtype.name} for argument 'weight' but got dtype "
                             f"{weight.dtype.name}")
        check_broadcast(s, weight, "lerp", ("input", "weight"))
    elif not _is_scalar(weight) or isinstance(weight, (bool, np.bool_)):
        raise TypeError(f"lerp(): argument 'weight' must be a number or a Tensor, got {weight!r:.40}")
    # PyTorch's two-sided formula (exact at weight 0 and 1); both branches have the same derivative
    d = e - s
    if not isinstance(weight, Tensor):
        return s + weight * d if abs(weight) < 0.5 else e - d * (1 - weight)
    return where(weight.abs() < 0.5, s + weight * d, e - d * (1 - weight))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, +inf -> posinf (default: the dtype's largest finite value), -inf -> neginf.
    The gradient passes where the input is finite and is 0 elsewhere, as PyTorch."""
    x = as_tensor(input, "nan_to_num")
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and (not _is_scalar(v) or isinstance(v, (bool, np.bool_))):
            raise TypeError(f"nan_to_num(): argument '{name}' must be a number or None, got {v!r:.40}")
    if not x.is_floating_point():
        return x.clone()
    info = np.finfo(x._data.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    d = x._data
    with np.errstate(all="ignore"):
        fill = np.where(np.isnan(d), nan, np.where(d > 0, posinf, neginf)).astype(d.dtype)
    return where(Tensor._wrap(np.isfinite(d)), x, Tensor._wrap(fill))
