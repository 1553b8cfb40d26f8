"""Attach the ops to Tensor as methods and operators, with PyTorch's method signatures."""
import numpy as np

from . import dtypes
from . import ops
from . import creation
from .random import rng
from .tensor import Tensor
from .ops.movement import _shape_arg
from .ops.elementwise import Cast
from .errors import ShapeError


def _method(fn):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    m.__name__ = fn.__name__
    m.__doc__ = fn.__doc__
    return m


_SAME_NAME = """exp log log1p sqrt rsqrt reciprocal square sin cos tanh sigmoid relu abs sign erf floor ceil
round trunc neg add sub mul div pow remainder floor_divide maximum minimum clamp clip eq ne lt le gt ge
logical_and logical_or logical_xor logical_not bitwise_not isnan isinf isfinite sum mean var std max min
amax amin argmax argmin prod logsumexp softmax log_softmax gather cumsum all any count_nonzero reshape view
permute transpose swapaxes swapdims t movedim expand expand_as broadcast_to squeeze unsqueeze flatten
unflatten contiguous clone flip narrow split chunk tensor_split unbind select repeat tile roll matmul mm
bmm dot mv outer index_select masked_fill
sort argsort topk median unique cumprod tril triu diag trace norm allclose isclose equal nonzero masked_select
scatter scatter_add diff nan_to_num exp2 log2 log10 sinh cosh asin acos atan atan2 arctan2 hypot logaddexp
lerp fmod addmm baddbmm cross""".split()

for _name in _SAME_NAME:
    setattr(Tensor, _name, _method(getattr(ops, _name)))

Tensor.subtract, Tensor.multiply, Tensor.divide, Tensor.negative = Tensor.sub, Tensor.mul, Tensor.div, Tensor.neg
Tensor.absolute = Tensor.abs
def _other(other, fname):
    if not isinstance(other, Tensor):
        raise TypeError(f"{fname}(): argument 'other' must be a Tensor, not {type(other).__name__}")
    return other


Tensor.view_as = lambda self, other: ops.view(self, *_other(other, "view_as").shape)
Tensor.reshape_as = lambda self, other: ops.reshape(self, *_other(other, "reshape_as").shape)
Tensor.type_as = lambda self, other: self.to(_other(other, "type_as").dtype)
Tensor.where = lambda self, condition, other: ops.where(condition, self, other)
Tensor.T = property(lambda self: ops.permute(self, *reversed(range(self.ndim))))
Tensor.mT = property(lambda self: ops.transpose(self, -2, -1))
Tensor.__getitem__ = ops.getitem
Tensor.__setitem__ = ops.setitem

# ---- operators ----
Tensor.__add__ = lambda a, b: ops.add(a, b)
Tensor.__radd__ = lambda a, b: ops.add(b, a)
Tensor.__sub__ = lambda a, b: ops.sub(a, b)
Tensor.__rsub__ = lambda a, b: ops.sub(b, a)
Tensor.__mul__ = lambda a, b: ops.mul(a, b)
Tensor.__rmul__ = lambda a, b: ops.mul(b, a)
Tensor.__truediv__ = lambda a, b: ops.div(a, b)
Tensor.__rtruediv__ = lambda a, b: ops.div(b, a)
Tensor.__floordiv__ = lambda a, b: ops.floor_divide(a, b)
Tensor.__rfloordiv__ = lambda a, b: ops.floor_divide(b, a)
Tensor.__mod__ = lambda a, b: ops.remainder(a, b)
Tensor.__rmod__ = lambda a, b: ops.remainder(b, a)
Tensor.__pow__ = lambda a, b: ops.pow(a, b)
Tensor.__rpow__ = lambda a, b: ops.pow(b, a)
Tensor.__matmul__ = lambda a, b: ops.matmul(a, b)
Tensor.__rmatmul__ = lambda a, b: ops.matmul(b, a)
Tensor.__neg__ = lambda a: ops.neg(a)
Tensor.__pos__ = lambda a: a
Tensor.__abs__ = lambda a: ops.abs(a)
Tensor.__invert__ = lambda a: ops.logical_not(a) if a.dtype is dtypes.bool else ops.bitwise_not(a)
Tensor.__and__ = lambda a, b: ops.logical_and(a, b) if _is_bool(a, b) else ops.bitwise_and(a, b)
Tensor.__or__ = lambda a, b: ops.logical_or(a, b) if _is_bool(a, b) else ops.bitwise_or(a, b)
Tensor.__xor__ = lambda a, b: ops.logical_xor(a, b) if _is_bool(a, b) else ops.bitwise_xor(a, b)
Tensor.__rand__ = lambda a, b: Tensor.__and__(a, b)
Tensor.__ror__ = lambda a, b: Tensor.__or__(a, b)
Tensor.__lt__ = lambda a, b: ops.lt(a, b)
Tensor.__le__ = lambda a, b: ops.le(a, b)
Tensor.__gt__ = lambda a, b: ops.gt(a, b)
Tensor.__ge__ = lambda a, b: ops.ge(a, b)
Tensor.__eq__ = lambda a, b: ops.eq(a, b)
Tensor.__ne__ = lambda a, b: ops.ne(a, b)


def _is_bool(a, b):
    return a.dtype is dtypes.bool and (not isinstance(b, Tensor) or b.dtype is dtypes.bool)


# ---- dtype conversion ----
def _to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(other_tensor); copy=False returns self when possible."""
    target = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", False)
    device = kwargs.pop("device", None)
    for a in args:
        if isinstance(a, Tensor):
            target = a.dtype
        elif isinstance(a, str) and a not in dtypes._NAMES:
            device = a
        elif a is not None:
            target = a
    if device is not None and str(device) not in ("cpu", "cpu:0"):
        raise ValueError(f"to(): tensorlite runs on the CPU only; got device {device!r}")
    if target is None:
        return self.clone() if copy else self
    target = dtypes.to_dtype(target, "dtype", "to")
    if target is self.dtype:
        return self.clone() if copy else self
    if self.requires_grad and target.is_floating_point:
        return Cast.apply(self, target.np)
    return Tensor._wrap(self._data.astype(target.np))


Tensor.to = _to
Tensor.astype = lambda self, dtype: _to(self, dtype)
Tensor.float = lambda self: _to(self, dtypes.float32)
Tensor.double = lambda self: _to(self, dtypes.float64)
Tensor.half = lambda self: _to(self, dtypes.float16)
Tensor.long = lambda self: _to(self, dtypes.int64)
Tensor.int = lambda self: _to(self, dtypes.int32)
Tensor.bool = lambda self: _to(self, dtypes.bool)
Tensor.byte = lambda self: _to(self, dtypes.uint8)
Tensor.cpu = lambda self: self


def _cuda(self, *a, **k):
    raise RuntimeError("tensorlite runs on the CPU only: .cuda() is not available")


Tensor.cuda = _cuda


def _type(self, dtype=None):
    if dtype is None:
        return "tensorlite." + {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                                "int32": "IntTensor", "bool": "BoolTensor", "uint8": "ByteTensor"}.get(
            self.dtype.name, self.dtype.name)
    return _to(self, dtype)


Tensor.type = _type

# ---- new_* constructors keep dtype ----
Tensor.new_zeros = lambda self, *size, dtype=None, requires_grad=False: creation.zeros(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_ones = lambda self, *size, dtype=None, requires_grad=False: creation.ones(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_empty = lambda self, *size, dtype=None, requires_grad=False: creation.empty(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: creation.full(
    size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_tensor = lambda self, data, dtype=None, requires_grad=False: creation.tensor(
    data, dtype=dtype or self.dtype, requires_grad=requires_grad)


# ---- in-place ops: for optimizer and init code (see Tensor._inplace for the autograd rules) ----
def _def_inplace(name, fn):
    if fn.__name__ == "<lambda>":
        fn.__name__ = name        # named in errors ("clamp_min_(): output with shape ...")

    def m(self, *args, **kwargs):
        return self._inplace(fn, *args, **kwargs)
    m.__name__ = name
    setattr(Tensor, name, m)


for _name in "add sub mul div pow clamp clip maximum minimum masked_fill remainder".split():
    _def_inplace(_name + "_", getattr(ops, _name))
for _name in "scatter scatter_add tril triu fmod lerp nan_to_num".split():
    _def_inplace(_name + "_", getattr(ops, _name))
for _name in "exp log sqrt neg abs relu sigmoid tanh sign floor ceil round trunc reciprocal".split():
    _def_inplace(_name + "_", getattr(ops, _name))
_def_inplace("clamp_min_", lambda s, m: ops.clamp(s, min=m))
_def_inplace("clamp_max_", lambda s, m: ops.clamp(s, max=m))
_def_inplace("copy_", lambda s, src, non_blocking=False: _copy_value(s, src))
_def_inplace("addcmul_", lambda s, t1, t2, value=1: s + value * t1 * t2)
_def_inplace("addcdiv_", lambda s, t1, t2, value=1: s + value * t1 / t2)
_def_inplace("index_put_", lambda s, indices, values, accumulate=False: ops.index_put(s, indices, values))


def _copy_value(s, src):
    src = src if isinstance(src, Tensor) else creation._tensor(src, fname="copy_", argname="src")
    try:
        return ops.expand(src.to(s.dtype), *s.shape)
    except RuntimeError:
        raise ShapeError(f"copy_(): argument 'src' of shape {tuple(src.shape)} cannot be broadcast to the "
                         f"destination of shape {tuple(s.shape)}") from None


def _fill_inplace(name, make):
    def m(self, *args, **kwargs):
        self._check_inplace()
        arr = make(self, *args, **kwargs)
        if self.requires_grad and self.grad_fn is not None:   # the result no longer depends on the graph
            self.grad_fn, self.requires_grad = None, False
        self._write(np.asarray(arr))
        return self
    m.__name__ = name
    setattr(Tensor, name, m)


def _fill_value(s, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"fill_(): argument 'value' must be a number or a 0-dimension tensor, got a tensor "
                             f"of shape {tuple(value.shape)}")
        return np.asarray(value._data)
    if not creation._is_number(value):
        raise TypeError(f"fill_(): argument 'value' must be a number, got {value!r:.40}")
    return np.asarray(value)


def _normal_values(s, mean=0.0, std=1.0, generator=None):
    mean = creation._number_arg(mean, "normal_", "mean")
    std = creation._number_arg(std, "normal_", "std")
    if not std >= 0:
        raise ValueError(f"normal_(): argument 'std' must be >= 0 (and not NaN), got std={std}")
    return rng(generator).normal(mean, std, s.shape)


def _uniform_values(s, a=0.0, b=1.0, generator=None):
    a = creation._number_arg(a, "uniform_", "from")
    b = creation._number_arg(b, "uniform_", "to")
    if not a <= b or not (np.isfinite(a) and np.isfinite(b)):
        raise ValueError(f"uniform_(): expects a finite [from, to) range, but found from={a} > to={b}"
                         if a > b else f"uniform_(): expects a finite [from, to) range, got from={a}, to={b}")
    return rng(generator).uniform(a, b, s.shape)


def _bernoulli_values(s, p=0.5, generator=None):
    p = creation._number_arg(p, "bernoulli_", "p")
    if not 0 <= p <= 1:
        raise ValueError(f"bernoulli_(): argument 'p' must be a probability in [0, 1], got {p}")
    return rng(generator).random(s.shape) < p


def _random_values(s, low=0, high=None, generator=None):
    if high is None:
        low, high = 0, (low or 2 ** 24)
    low, high = creation._int_arg(low, "random_", "from"), creation._int_arg(high, "random_", "to")
    if high <= low:
        raise ValueError(f"random_(): expects 'from' < 'to', got from={low}, to={high}")
    return rng(generator).integers(low, high, s.shape)


_fill_inplace("zero_", lambda s: np.zeros((), s._data.dtype))
_fill_inplace("fill_", _fill_value)
_fill_inplace("normal_", _normal_values)
_fill_inplace("uniform_", _uniform_values)
_fill_inplace("bernoulli_", _bernoulli_values)
_fill_inplace("random_", _random_values)


def _iop(name):
    def m(self, other):
        return getattr(self, name)(other)
    return m


Tensor.__iadd__ = _iop("add_")
Tensor.__isub__ = _iop("sub_")
Tensor.__imul__ = _iop("mul_")
Tensor.__itruediv__ = _iop("div_")
Tensor.__ipow__ = _iop("pow_")
