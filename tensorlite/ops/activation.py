"""Activation functions beyond relu/sigmoid/tanh/gelu: elu, selu, celu, mish, softsign, hardswish,
hardsigmoid, logsigmoid, softmin, glu, prelu, threshold, tanhshrink (torch.nn.functional semantics).

Each one is composed from differentiable ops, with two rules that make the composition exact:

* a kink is decided by `where`, and the branch `where` picks AT the kink is the one whose gradient
  PyTorch's backward formula uses there (elu at 0 takes the exp branch: gradient alpha; hardswish
  at -3 and 3 takes the outer branches: 0 and 1; hardsigmoid at +-3 the constant branch: 0);
* a branch that would overflow where it is NOT picked gets a safe argument (`where(mask, 0, x)`),
  because `where` sends a zero gradient into the unpicked branch and 0 * inf is nan.
"""
import numbers

import numpy as np

from .. import dtypes
from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor, _wrap_dim
from ._helpers import as_tensor, float_operand
from .elementwise import where, exp, log1p, tanh, sigmoid, abs as _abs

__all__ = ["elu", "selu", "celu", "mish", "softsign", "hardswish", "hardsigmoid", "logsigmoid", "softmin",
           "glu", "prelu", "threshold", "tanhshrink", "hardshrink", "softshrink", "rrelu"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float_input(input, fname):
    x = as_tensor(input, fname)
    if x.dtype is dtypes.bool:
        raise TypeError(f"{fname}(): argument 'input' has dtype bool; bool tensors are not supported")
    return float_operand(x, fname)


def _number(v, fname, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' must be a number, got {v!r:.40}")
    return float(v)


def _elu(x, alpha, scale, input_scale):
    """scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)); gradient at 0 from the exp side."""
    pos = x > 0
    neg = alpha * (exp(where(pos, 0.0, x) * input_scale) - 1)
    out = where(pos, x, neg)
    return out if scale == 1.0 else out * scale


def elu(input, alpha=1.0, inplace=False):
    x = _float_input(input, "elu")
    return _elu(x, _number(alpha, "elu", "alpha"), 1.0, 1.0)


def selu(input, inplace=False):
    return _elu(_float_input(input, "selu"), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    x = _float_input(input, "celu")
    alpha = _number(alpha, "celu", "alpha")
    if alpha == 0:
        raise ValueError("celu(): argument 'alpha' must not be 0 (ZeroDivisionError), got 0.0")
    return _elu(x, alpha, 1.0, 1.0 / alpha)


def _softplus(x):
    """log(1 + exp(x)) without overflow; exact to float64 rounding (exp(-20) < eps for x > 20)."""
    big = x > 20
    return where(big, x, log1p(exp(where(big, 0.0, x))))


def mish(input, inplace=False):
    x = _float_input(input, "mish")
    return x * tanh(_softplus(x))


def softsign(input):
    x = _float_input(input, "softsign")
    return x / (1 + _abs(x))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6, with PyTorch's gradient: 0 for x <= -3, x / 3 + 0.5 on (-3, 3), 1 for x >= 3."""
    x = _float_input(input, "hardswish")
    return where(x <= -3, 0.0, where(x < 3, x * (x + 3) / 6, x))


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6, gradient 1/6 on (-3, 3) (open) and 0 elsewhere, as PyTorch."""
    x = _float_input(input, "hardsigmoid")
    return where(x <= -3, 0.0, where(x >= 3, 1.0, x / 6 + 0.5))


def logsigmoid(input):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), stable for any |x|."""
    x = _float_input(input, "logsigmoid")
    neg = x < 0
    return where(neg, x - log1p(exp(where(neg, x, 0.0))), -log1p(exp(-where(neg, 0.0, x))))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    from .reduction import softmax
    x = as_tensor(input, "softmin")
    if x.dtype is dtypes.bool:
        raise TypeError("softmin(): argument 'input' has dtype bool; bool tensors are not supported")
    if dim is not None:
        _wrap_dim(dim, x.ndim, "softmin")
    return softmax(-x, dim, dtype=dtype)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of `input` along `dim`."""
    x = _float_input(input, "glu")
    if x.ndim == 0:
        raise ShapeError("glu(): argument 'input' must have at least one dim; glu does not support 0-d "
                         "(scalar) tensors, got shape ()")
    if isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, np.integer)):
        raise TypeError(f"glu(): argument 'dim' must be an int, got {dim!r:.40}")
    d = _wrap_dim(int(dim), x.ndim, "glu")
    n = x.shape[d]
    if n % 2:
        raise ShapeError(f"glu(): halving dimension must be even, but argument 'dim' {dim} has size {n} "
                         f"(input of shape {tuple(x.shape)})")
    from .movement import narrow
    return narrow(x, d, 0, n // 2) * sigmoid(narrow(x, d, n // 2, n // 2))


def prelu(input, weight):
    """x if x > 0 else weight * x; weight has 1 element or one per channel (dim 1; a 0-d or 1-D input
    has one channel, as PyTorch)."""
    x = _float_input(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' must be a Tensor, not {type(weight).__name__}")
    if not weight.is_floating_point():
        raise TypeError(f"prelu(): argument 'weight' must be a floating point tensor, got {weight.dtype}")
    n = weight.numel()
    if weight.ndim > 1:
        raise ShapeError(f"prelu(): argument 'weight' must be 0-D or 1-D, got shape {tuple(weight.shape)}")
    if n != 1:
        C = x.shape[1] if x.ndim >= 2 else 1
        if n != C:
            raise ShapeError(f"prelu(): mismatch of parameter numbers and input channel size: argument 'weight' "
                             f"has {n} elements (shape {tuple(weight.shape)}), input of shape {tuple(x.shape)} "
                             f"has {C} channels")
        weight = weight.reshape((1, C) + (1,) * (x.ndim - 2))
    else:
        weight = weight.reshape(())
    if weight.dtype is not x.dtype:
        weight = weight.to(x.dtype)
    return where(x > 0, x, weight * x)


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value (gradient 0 at and below the threshold)."""
    x = as_tensor(input, "threshold")
    if x.dtype is dtypes.bool:
        raise TypeError("threshold(): argument 'input' has dtype bool; bool tensors are not supported")
    th = _number(threshold, "threshold", "threshold")
    val = _number(value, "threshold", "value")
    if not x.is_floating_point():
        return Tensor._wrap(np.where(x._data > th, x._data, val).astype(x._data.dtype))
    return where(x > th, x, val)


def tanhshrink(input):
    x = _float_input(input, "tanhshrink")
    return x - tanh(x)


# ------------------------------------------------------------------ shrinkage and randomized leaky relu
def _lambd(lambd, fname):
    lambd = _number(lambd, fname, "lambd")
    return lambd


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (gradient 1 outside [-lambd, lambd], 0 inside and at the ends)."""
    x = _float_input(input, "hardshrink")
    lambd = _lambd(lambd, "hardshrink")
    return where((x > lambd) | (x < -lambd), x, 0.0)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between; lambd must be >= 0, as torch."""
    x = _float_input(input, "softshrink")
    lambd = _lambd(lambd, "softshrink")
    if lambd < 0:
        raise ArgumentError(f"softshrink(): argument 'lambd' must be greater or equal to 0, but found to be {lambd}")
    return where(x > lambd, x - lambd, where(x < -lambd, x + lambd, 0.0))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky relu. training: each element x <= 0 is multiplied by its own slope drawn
    uniformly from [lower, upper] (tensorlite's generator); otherwise the fixed slope
    (lower + upper) / 2, as torch's eval mode."""
    from ..random import rng
    from .elementwise import leaky_relu
    x = _float_input(input, "rrelu")
    lower, upper = _number(lower, "rrelu", "lower"), _number(upper, "rrelu", "upper")
    if lower > upper:
        raise ArgumentError(f"rrelu(): argument 'lower' ({lower}) must be less than or equal to argument 'upper' "
                         f"({upper})")
    if not training:
        fn = lambda t: leaky_relu(t, (lower + upper) / 2)  # noqa: E731
    else:
        def fn(t):
            slopes = rng().uniform(lower, upper, size=t.shape)
            noise = np.where(t._data <= 0, slopes, 1.0).astype(t._data.dtype)
            return t * Tensor._wrap(noise)
    return x._inplace(fn) if inplace else fn(x)
