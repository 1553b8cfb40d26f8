"""More elementwise math ported programs call: addcmul/addcdiv, addmv/addr/addbmm, xlogy, sinc, logit,
frac, sgn/signbit, heaviside, tan, lgamma/digamma/polygamma, erfinv, clamp_min/clamp_max, renorm, ...
Composed from differentiable ops where that is exact; the special functions are Functions whose
backward is written in tensor ops (so double backward works)."""
import math as _m

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ..errors import ShapeError, DTypeError, ArgumentError
from ._helpers import as_tensor, operands, float_operand, _is_scalar
from .elementwise import (where, clamp, sin, log, exp, sqrt, trunc, sign, mul, div, abs as _abs, neg, _nograd,
                          isnan)
from .pointwise import _unary, _float_operands
from .contraction import _scaled_sum, _product
from .products import _matmul

__all__ = ["addcmul", "addcdiv", "addmv", "addr", "addbmm", "xlogy", "sinc", "logit", "frac", "sgn", "signbit",
           "heaviside", "tan", "true_divide", "absolute", "negative", "lgamma", "digamma", "polygamma", "erfinv",
           "clamp_min", "clamp_max", "renorm", "expm1", "erfc", "rad2deg", "deg2rad", "fix", "float_power",
           "copysign", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "asinh", "acosh", "atanh"]


def _deprecated_value(fname, tensor1, tensor2, rest, value):
    """torch still accepts the deprecated overload op(input, value, tensor1, tensor2), with a warning."""
    if not rest:
        return tensor1, tensor2, value
    if len(rest) != 1 or not _is_scalar(tensor1):
        raise TypeError(f"{fname}() takes 3 positional arguments (input, tensor1, tensor2) but {3 + len(rest)} "
                        f"were given")
    import warnings
    warnings.warn(f"This overload of {fname} is deprecated:\n\t{fname}(Number value, Tensor tensor1, Tensor "
                  f"tensor2)\nConsider using one of the following signatures instead:\n\t{fname}(Tensor tensor1, "
                  f"Tensor tensor2, *, Number value = 1)", UserWarning, stacklevel=3)
    return tensor2, rest[0], tensor1


def addcmul(input, tensor1, tensor2, *deprecated, value=1):
    """input + value * tensor1 * tensor2 (broadcast together)."""
    tensor1, tensor2, value = _deprecated_value("addcmul", tensor1, tensor2, deprecated, value)
    x = as_tensor(input, "addcmul")
    prod = mul(as_tensor(tensor1, "addcmul", "tensor1"), as_tensor(tensor2, "addcmul", "tensor2"))
    if isinstance(value, float) and not x.is_floating_point() and not prod.is_floating_point():
        raise TypeError(f"addcmul(): argument 'value' must be an int for integer inputs, got {value!r}")
    return x + (prod if value == 1 else prod * value)


def addcdiv(input, tensor1, tensor2, *deprecated, value=1):
    """input + value * tensor1 / tensor2 (true division; integer tensor1/tensor2 are rejected, as torch)."""
    tensor1, tensor2, value = _deprecated_value("addcdiv", tensor1, tensor2, deprecated, value)
    x = as_tensor(input, "addcdiv")
    t1, t2 = as_tensor(tensor1, "addcdiv", "tensor1"), as_tensor(tensor2, "addcdiv", "tensor2")
    if not t1.is_floating_point() and not t2.is_floating_point():
        raise RuntimeError("addcdiv(): Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2. Use "
                           "addcmul(input, tensor1, 1 / tensor2) or an explicit floor division instead.")
    q = div(t1, t2)
    return x + (q if value == 1 else q * value)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    x = as_tensor(input, "addmv")
    m, v = as_tensor(mat, "addmv", "mat"), as_tensor(vec, "addmv", "vec")
    if m.ndim != 2 or v.ndim != 1:
        raise ShapeError(f"addmv(): expected argument 'mat' to be 2-D and argument 'vec' 1-D, got shapes "
                         f"{tuple(m.shape)} and {tuple(v.shape)}")
    return _scaled_sum(x, _matmul(m, v, "addmv", ("mat", "vec")), beta, alpha, "addmv")


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2)."""
    x = as_tensor(input, "addr")
    a, b = as_tensor(vec1, "addr", "vec1"), as_tensor(vec2, "addr", "vec2")
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"addr(): expected 1-D arguments 'vec1' and 'vec2', got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    return _scaled_sum(x, mul(a.unsqueeze(1), b.unsqueeze(0)), beta, alpha, "addr")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    x = as_tensor(input, "addbmm")
    prod = _product(batch1, batch2, "addbmm", ("batch1", "batch2"), 3).sum(0)
    return _scaled_sum(x, prod, beta, alpha, "addbmm")


def xlogy(input, other):
    """input * log(other), 0 where input == 0 (unless other is NaN)."""
    a, b = _float_operands(input, other, "xlogy")
    zero = (a == 0) & ~isnan(b)
    return where(zero, 0.0, a * log(where(zero, 1.0, b)))     # safe log: no NaN gradient through 0 * log(b < 0)


def sinc(input):
    """sin(pi x) / (pi x), 1 at 0 (with gradient 0 there)."""
    x = float_operand(input, "sinc")
    zero = x == 0
    px = where(zero, 1.0, x) * _m.pi
    return where(zero, 1.0, sin(px) / px)


def logit(input, eps=None):
    """log(p / (1 - p)); with eps, p is clamped to [eps, 1 - eps] first."""
    x = float_operand(input, "logit")
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return log(x / (1 - x))


def frac(input):
    x = as_tensor(input, "frac")
    if not x.is_floating_point():
        raise DTypeError(f"frac(): argument 'input' must be a floating point tensor (\"frac_cpu\" not "
                        f"implemented for '{x.dtype}'), got {x.dtype}")
    return x - trunc(x)


def sgn(input):
    """sign, which torch also names sgn (the complex generalization)."""
    return sign(input)


def signbit(input):
    x = as_tensor(input, "signbit")
    return _nograd(np.signbit(x._data))


def heaviside(input, values):
    """0 where input < 0, values where input == 0, 1 where input > 0 (not differentiable, as torch)."""
    x, v = as_tensor(input, "heaviside"), as_tensor(values, "heaviside", "values")
    if x.dtype is not v.dtype:
        raise DTypeError(f"heaviside(): argument 'input' (dtype {x.dtype.name}) and argument 'values' (dtype "
                         f"{v.dtype.name}) must have the same dtype (heaviside is not yet implemented for "
                         f"tensors with different dtypes)")
    shape = np.broadcast_shapes(x.shape, v.shape)
    xd = x._data
    return _nograd(np.broadcast_to(np.where(xd == 0, v._data, (xd > 0).astype(xd.dtype)), shape).copy())


tan = _unary("tan", np.tan, lambda x, out: 1 + out * out)
expm1 = _unary("expm1", np.expm1, lambda x, out: out + 1)
asinh = _unary("asinh", np.arcsinh, lambda x, out: 1 / sqrt(x * x + 1))
acosh = _unary("acosh", np.arccosh, lambda x, out: 1 / sqrt(x * x - 1))
atanh = _unary("atanh", np.arctanh, lambda x, out: 1 / (1 - x * x))
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def _arc(name):
    def op(input):
        from . import pointwise
        return getattr(pointwise, name)(input)
    op.__name__ = "arc" + name[1:]
    return op


arcsin, arccos, arctan = _arc("asin"), _arc("acos"), _arc("atan")


def erfc(input):
    from .elementwise import erf
    return 1 - erf(float_operand(input, "erfc"))


def true_divide(dividend, divisor):
    return div(dividend, divisor)


def absolute(input):
    return _abs(input)


def negative(input):
    return neg(input)


def fix(input):
    return trunc(input)


def rad2deg(input):
    return float_operand(input, "rad2deg") * (180.0 / _m.pi)


def deg2rad(input):
    return float_operand(input, "deg2rad") * (_m.pi / 180.0)


def float_power(input, exponent):
    """input ** exponent in float64 (torch's float_power)."""
    if isinstance(input, Tensor):
        a = input.to(dtypes.float64)
        b = exponent.to(dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    else:
        a = float(input)
        b = as_tensor(exponent, "float_power", "exponent").to(dtypes.float64)
    from .elementwise import pow as _pow
    return _pow(a, b)


def copysign(input, other):
    """|input| with the sign of other (float result)."""
    a, b = _float_operands(input, other, "copysign")
    s = Tensor._wrap(np.where(np.signbit(b._data), -1.0, 1.0).astype(a._data.dtype))
    return _abs(a) * s


def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


def renorm(input, p, dim, maxnorm):
    """Each slice along dim whose p-norm exceeds maxnorm is rescaled to norm maxnorm."""
    x = as_tensor(input, "renorm")
    if not x.is_floating_point():
        raise DTypeError(f"renorm(): argument 'input' must be a floating point tensor, got {x.dtype}")
    if x.ndim <= 1:
        raise ShapeError(f"renorm(): argument 'input' needs at least 2 dimensions, got {x.ndim} dimensions")
    if not p > 0:
        raise ArgumentError(f"renorm(): argument 'p' must be positive, got p={p}")
    if not maxnorm >= 0:
        raise ArgumentError(f"renorm(): argument 'maxnorm' must be non-negative, got maxnorm={maxnorm}")
    d = _wrap_dim(dim, x.ndim, "renorm")
    others = tuple(i for i in range(x.ndim) if i != d)
    if p == float("inf"):
        norm = _abs(x).amax(dim=others, keepdim=True)
    else:
        norm = (_abs(x) ** p).sum(dim=others, keepdim=True) ** (1.0 / p)
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return x * factor


# ---------------------------------------------------------------- special functions (numpy forward)
_lgamma_np = np.frompyfunc(lambda v: _m.lgamma(v) if not (v <= 0 and v == _m.floor(v)) else _m.inf, 1, 1)


def _digamma_np(x):
    """psi(x): reflection for x < 0.5, upward recurrence to x >= 6, then the asymptotic series."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    neg_int = (x <= 0) & (x == np.floor(x))
    refl = (x < 0.5) & ~neg_int
    y = np.where(refl, 1 - x, x)
    acc = np.zeros_like(y)
    for _ in range(10):
        small = y < 10
        acc = np.where(small, acc - 1 / np.where(small, y, 1), acc)
        y = np.where(small, y + 1, y)
    inv2 = 1 / (y * y)
    series = np.log(y) - 0.5 / y - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))))
    res = acc + series
    with np.errstate(all="ignore"):
        res = np.where(refl, res - np.pi / np.tan(np.pi * x), res)
    out[...] = res
    out[neg_int] = np.nan
    out[x == 0] = -np.inf          # torch: digamma(0) = -inf (it does not tell -0 from 0)
    return out


def _polygamma_np(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x) for n >= 1 (recurrence, then Euler-Maclaurin)."""
    x = np.asarray(x, dtype=np.float64)
    s = n + 1
    acc = np.zeros_like(x)
    y = x.copy()
    for _ in range(12):
        small = y < 12
        acc = acc + np.where(small, np.where(small, y, 1) ** -s, 0.0)
        y = np.where(small, y + 1, y)
    # zeta(s, y) ~ y^(1-s)/(s-1) + y^-s/2 + sum_k B2k/(2k)! * s(s+1)...(s+2k-2) y^(-s-2k+1)
    tail = y ** (1 - s) / (s - 1) + 0.5 * y ** -s
    bern = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
    rising, fact = float(s), 2.0
    for k, b in enumerate(bern, start=1):
        tail = tail + b / fact * rising * y ** (-s - 2 * k + 1)
        rising *= (s + 2 * k - 1) * (s + 2 * k)
        fact *= (2 * k + 1) * (2 * k + 2)
    out = (-1.0) ** (n + 1) * _m.factorial(n) * (acc + tail)
    bad = (x <= 0) & (x == np.floor(x))
    return np.where(bad, np.inf if n % 2 else -np.inf, out)


class Lgamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(_lgamma_np(x), dtype=np.float64).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Digamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _digamma_np(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(1, x)


class Polygamma(Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma_np(n, x).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x), None


def lgamma(input):
    return Lgamma.apply(float_operand(input, "lgamma"))


def digamma(input):
    return Digamma.apply(float_operand(input, "digamma"))


def polygamma(n, input):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' must be an int, got {n!r:.40}")
    if n < 0:
        raise ArgumentError(f"polygamma(): argument 'n' must be non-negative, got n={n}")
    x = float_operand(input, "polygamma")
    return digamma(x) if n == 0 else Polygamma.apply(x, int(n))


def _erf_np(x):
    from ..backend.numba_math import erf
    return erf(x)


def _erfinv_np(y):
    """Inverse error function: Giles' single-precision approximation, then Newton steps on erf."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        w = -np.log((1 - y) * (1 + y))
        wc = w - 2.5
        pc = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            pc = c + pc * wc
        wt = np.sqrt(w) - 3
        pt = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                  1.00167406, 2.83297682):
            pt = c + pt * wt
        x = np.where(w < 5, pc, pt) * y
        for _ in range(3):
            err = _erf_np(np.asarray(x, dtype=np.float64)) - y
            x = x - err / (2 / np.sqrt(np.pi) * np.exp(-x * x))
    x = np.where(y == 1, np.inf, np.where(y == -1, -np.inf, x))
    return np.where((y > 1) | (y < -1) | np.isnan(y), np.nan, x)


class Erfinv(Function):
    @staticmethod
    def forward(ctx, x):
        out = _erfinv_np(x).astype(x.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (_m.sqrt(_m.pi) / 2) * exp(out * out)


def erfinv(input):
    return Erfinv.apply(float_operand(input, "erfinv"))


# ---------------------------------------------------------------- torch.<op>_ functions: the Tensor methods
def _inplace_fn(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): input.{name}(...)"
    return fn


_FN_INPLACE = ("clamp_ clip_ exp_ zero_ fill_ relu_ sigmoid_ tanh_ sqrt_ rsqrt_ abs_ neg_ log_ ceil_ floor_ "
               "round_ trunc_ square_ sin_ cos_ reciprocal_ detach_ index_add_ index_fill_ index_copy_ "
               "index_put_ masked_fill_").split()
for _n in _FN_INPLACE + ["detach"]:
    globals()[_n] = _inplace_fn(_n)
__all__ += _FN_INPLACE + ["detach"]
