"""Elementwise ops. Each Function's forward (numpy) and backward (tensor ops) sit side by side."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ..errors import ShapeError, ArgumentError
from ..backend.numba_math import relu as relu_kernel, relu_backward
from ._helpers import as_tensor, operands, float_operand, unbroadcast, check_broadcast, _is_scalar

__all__ = ["add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "neg", "exp", "log", "log1p", "sqrt",
           "rsqrt", "reciprocal", "square", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "erf", "gelu",
           "abs", "sign", "maximum", "minimum", "where", "clamp", "clip", "eq", "ne", "lt", "le", "gt", "ge",
           "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_not", "bitwise_and", "bitwise_or",
           "bitwise_xor", "isnan", "isinf", "isfinite", "floor", "ceil", "round", "trunc"]


def _const(arr):
    return Tensor._wrap(arr)


# ---------------------------------------------------------------- primitives
class Cast(Function):
    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(dtypes.from_numpy(ctx.src))


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return unbroadcast(g, sa) if need_a else None, unbroadcast(g, sb) if need_b else None


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return unbroadcast(g, sa) if need_a else None, unbroadcast(-g, sb) if need_b else None


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = unbroadcast(g * b, a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * a, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = unbroadcast(g / b, a.shape) if ctx.needs_input_grad[0] else None
        # (a / b) / b rather than a / (b * b): b * b underflows for tiny b (PyTorch's order too)
        gb = unbroadcast(-g * (a / b) / b, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class Pow(Function):
    @staticmethod
    def forward(ctx, a, b, scalar_exponent=None):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        ctx.scalar_exponent = scalar_exponent
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            # d/da a^b = b a^(b-1); PyTorch defines it as 0 where b == 0 (also at a == 0).
            # (grouped as PyTorch does, so g * tiny doesn't underflow to 0 before meeting an inf)
            if ctx.scalar_exponent == 0.5:
                # PyTorch evaluates x ** -0.5 for a Python-number exponent as rsqrt: -inf at x = -0.0
                pw = 1 / sqrt(a)
            else:
                pw = a ** (b - 1)
            ga = unbroadcast(where(b == 0, 0.0, g * (b * pw)), a.shape)
        if ctx.needs_input_grad[1]:
            # d/db a^b = a^b log a; 0 where a == 0 and b >= 0, as PyTorch.
            gb = unbroadcast(where((a == 0) & (b >= 0), 0.0, g * (out * log(a))), b.shape)
        return ga, gb, None


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log1p(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * sin(x)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        e = np.exp(-np.abs(x))              # never overflows
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        out = relu_kernel(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_arrays
        return ReluGrad.apply(g, out)               # gradient 0 at x == 0, as PyTorch


class ReluGrad(Function):
    """relu's backward as one fused op (PyTorch's threshold_backward): 0 where out <= 0, else g.
    It is linear in g with the same mask, so its own backward is itself (for create_graph)."""
    @staticmethod
    def forward(ctx, g, out):
        ctx.out = out
        return relu_backward(g, out)

    @staticmethod
    def backward(ctx, gg):
        return ReluGrad.apply(gg, ctx.out), None


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x > 0, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_arrays
        return where(_const(x > 0), g, g * ctx.slope)


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_arrays
        return g * _const(np.sign(x))                 # 0 at x == 0, as PyTorch


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        # Ties split the gradient evenly between the two operands, as PyTorch.
        a, b = ctx.saved_arrays
        return _split_tie(g, a, b, a > b)


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        return _split_tie(g, a, b, a < b)


def _split_tie(g, a, b, a_wins):
    share = np.where(a_wins, 1.0, np.where(a == b, 0.5, 0.0)).astype(g._data.dtype)
    share = np.broadcast_to(share, g.shape)
    return unbroadcast(g * _const(share), a.shape), unbroadcast(g * _const(1 - share), b.shape)


class PiecewiseConstant(Function):
    """sign, floor, ceil, round, trunc: the gradient is 0 (where it exists), as PyTorch.
    A node rather than `out + x * 0`, which turned inf inputs into nan outputs."""
    @staticmethod
    def forward(ctx, x, fn):
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return _const(np.zeros(g.shape, dtype=g._data.dtype)), None


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        ctx.shapes = a.shape, b.shape
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        c = _const(ctx.cond)
        ga = unbroadcast(where(c, g, 0.0), sa) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(where(c, 0.0, g), sb) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Erf(Function):
    @staticmethod
    def forward(ctx, x):
        from ..backend.numba_math import erf
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 / np.sqrt(np.pi)) * exp(-x * x)


# ---------------------------------------------------------------- public functions
def add(input, other, alpha=1):
    a, b = operands(input, other, "add", broadcast=True)
    if alpha != 1:
        b = b * alpha
    return Add.apply(a, b)


def sub(input, other, alpha=1):
    a, b = operands(input, other, "sub", broadcast=True)
    if a.dtype is dtypes.bool:
        raise TypeError("sub(): argument 'input' has dtype bool: subtraction of bool tensors is not supported; "
                        "use logical_xor()")
    if alpha != 1:
        b = b * alpha
    return Sub.apply(a, b)


def mul(input, other):
    return Mul.apply(*operands(input, other, "mul", broadcast=True))


def div(input, other, rounding_mode=None):
    a, b = operands(input, other, "div", broadcast=True)
    if rounding_mode is None:
        if not a.is_floating_point():
            a, b = a.to(dtypes.default_float), b.to(dtypes.default_float)
        return Div.apply(a, b)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        return _nograd(np.trunc(_true_div(a, b)).astype(a._data.dtype))
    raise ValueError(f"div(): rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")


def _true_div(a, b):
    with np.errstate(all="ignore"):
        return np.true_divide(a._data, b._data)


def floor_divide(input, other):
    a, b = operands(input, other, "floor_divide", broadcast=True)
    if not a.is_floating_point() and (b._data == 0).any():
        raise ZeroDivisionError("floor_divide(): integer division by zero (argument 'other' holds a zero)")
    with np.errstate(all="ignore"):
        return _nograd(np.floor_divide(a._data, b._data))


def remainder(input, other):
    a, b = operands(input, other, "remainder", broadcast=True)
    if not a.is_floating_point() and (b._data == 0).any():
        raise ZeroDivisionError("remainder(): integer division by zero (argument 'other' holds a zero)")
    return a - floor_divide(a, b).detach() * b if a.is_floating_point() else _nograd(np.mod(a._data, b._data))


def pow(input, exponent):
    a, b = operands(input, exponent, "pow", ("input", "exponent"), broadcast=True)
    if not a.is_floating_point() and (b._data < 0).any():
        raise ArgumentError(f"pow(): argument 'exponent' has a negative value ({b._data.min()}) for an integer "
                            f"input: Integers to negative integer powers are not allowed.")
    scalar = exponent if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) else None
    return Pow.apply(a, b, scalar)


def neg(input):
    x = as_tensor(input, "neg")
    if x.dtype is dtypes.bool:
        raise TypeError("neg(): argument 'input' has dtype bool: negation of a bool tensor is not supported; "
                        "use logical_not()")
    return Neg.apply(x)


def exp(input):
    return Exp.apply(float_operand(input, "exp"))


def log(input):
    return Log.apply(float_operand(input, "log"))


def log1p(input):
    return Log1p.apply(float_operand(input, "log1p"))


def sqrt(input):
    return Sqrt.apply(float_operand(input, "sqrt"))


def rsqrt(input):
    return 1 / Sqrt.apply(float_operand(input, "rsqrt"))


def reciprocal(input):
    return 1 / float_operand(input, "reciprocal")


def square(input):
    x = as_tensor(input, "square")
    return x * x


def sin(input):
    return Sin.apply(float_operand(input, "sin"))


def cos(input):
    return Cos.apply(float_operand(input, "cos"))


def tanh(input):
    return Tanh.apply(float_operand(input, "tanh"))


def sigmoid(input):
    return Sigmoid.apply(float_operand(input, "sigmoid"))


def relu(input):
    x = as_tensor(input, "relu")
    if x.dtype is dtypes.bool:
        raise TypeError("relu(): argument 'input' has dtype bool; bool tensors are not supported")
    return Relu.apply(x)


def leaky_relu(input, negative_slope=0.01):
    x = float_operand(input, "leaky_relu")
    if not _is_scalar(negative_slope) or isinstance(negative_slope, (bool, np.bool_)):
        raise TypeError(f"leaky_relu(): argument 'negative_slope' must be a number, got {negative_slope!r:.40}")
    return LeakyRelu.apply(x, float(negative_slope))


def erf(input):
    return Erf.apply(float_operand(input, "erf"))


def gelu(input, approximate="none"):
    x = float_operand(input, "gelu")
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * (1 / np.sqrt(2.0))))
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x * x * x)))
    raise ValueError(f"gelu(): approximate must be 'none' or 'tanh', got {approximate!r}")


def abs(input):
    return Abs.apply(as_tensor(input, "abs"))


def sign(input):
    return PiecewiseConstant.apply(as_tensor(input, "sign"), np.sign)


def maximum(input, other):
    return Maximum.apply(*operands(input, other, "maximum", broadcast=True))


def minimum(input, other):
    return Minimum.apply(*operands(input, other, "minimum", broadcast=True))


def where(condition, input, other):
    c = as_tensor(condition, "where", "condition")
    if c.dtype is not dtypes.bool:
        raise TypeError(f"where(): argument 'condition' must be a bool tensor, got {c.dtype}")
    a, b = operands(input, other, "where")
    try:
        np.broadcast_shapes(c.shape, a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"where(): shapes condition {tuple(c.shape)}, input {tuple(a.shape)} and other "
                         f"{tuple(b.shape)} cannot be broadcast together") from None
    return Where.apply(c._data, a, b)


def clamp(input, min=None, max=None):
    x = as_tensor(input, "clamp")
    if min is None and max is None:
        raise ValueError("clamp(): at least one of 'min' or 'max' must not be None (got min=None, max=None)")
    for name, v in (("min", min), ("max", max)):
        if v is None or (_is_scalar(v) and not isinstance(v, (bool, np.bool_))):
            continue
        if not isinstance(v, Tensor):
            raise TypeError(f"clamp(): argument '{name}' must be a number or a Tensor, got {v!r:.40}")
        check_broadcast(x, v, "clamp", ("input", name))
    # Gradient flows to x where lo <= x <= hi (inclusive), as PyTorch.
    if min is not None:
        x = where(x < min, min, x)
    if max is not None:
        x = where(x > max, max, x)
    return x


clip = clamp


def _nograd(arr):
    return Tensor._wrap(np.asarray(arr))


# comparisons and logic: no gradient, bool results
def _compare(fn, name):
    def op(input, other):
        a, b = operands(input, other, name, broadcast=True)
        return _nograd(fn(a._data, b._data))
    op.__name__ = name
    return op


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(input):
    return _nograd(np.logical_not(as_tensor(input, "logical_not")._data))


def bitwise_not(input):
    x = as_tensor(input, "bitwise_not")
    if x.is_floating_point():
        raise TypeError(f"bitwise_not(): argument 'input' must be an integer or bool tensor, got {x.dtype.name} "
                        f"(not supported for floating point tensors)")
    return _nograd(np.invert(x._data))


def _bitwise(fn, name):
    def op(input, other):
        a, b = operands(input, other, name, broadcast=True)
        if a.is_floating_point():
            raise TypeError(f"{name}(): arguments 'input' and 'other' must be integer or bool tensors, got "
                            f"{a.dtype.name} (not supported for floating point tensors)")
        return _nograd(fn(a._data, b._data))
    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def isnan(input):
    return _nograd(np.isnan(as_tensor(input, "isnan")._data))


def isinf(input):
    return _nograd(np.isinf(as_tensor(input, "isinf")._data))


def isfinite(input):
    return _nograd(np.isfinite(as_tensor(input, "isfinite")._data))


def _rounding(fn, name):
    def op(input):
        return PiecewiseConstant.apply(as_tensor(input, name), fn)
    op.__name__ = name
    return op


floor = _rounding(np.floor, "floor")
ceil = _rounding(np.ceil, "ceil")
round = _rounding(np.round, "round")  # noqa: A001 (half to even, as PyTorch)
trunc = _rounding(np.trunc, "trunc")
