"""Attach the ops to Tensor as methods and operators, with PyTorch's method signatures."""
import warnings

import numpy as np

from . import dtypes
from . import _device
from . import ops
from . import creation
from .random import rng
from .tensor import Tensor, _LegacyTensorType, _legacy_array
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


def _T(self):
    if self.ndim != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                      "batches of matrices or `x.permute(*range(x.ndim - 1, -1, -1))` to reverse the dimensions "
                      "of a tensor." if self.ndim else "Tensor.T is deprecated on 0-D tensors. This function "
                      "is the identity in these cases.", UserWarning, stacklevel=2)
    return ops.permute(self, *reversed(range(self.ndim)))


def _mT(self):
    if self.ndim == 0:
        return ops.permute(self)
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self.ndim}-D tensor.")
    return ops.transpose(self, -2, -1)


def _H(self):
    if self.ndim == 0:
        return ops.permute(self)
    if self.ndim != 2:       # real tensors: the conjugate transpose is the transpose
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.")
    return ops.transpose(self, 0, 1)


def _mH(self):
    if self.ndim == 0:
        return ops.permute(self)
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got "
                           f"{self.ndim}-D tensor.")
    return ops.transpose(self, -2, -1)


Tensor.T, Tensor.mT, Tensor.H, Tensor.mH = property(_T), property(_mT), property(_H), property(_mH)
Tensor.adjoint = _mH
Tensor.ndimension = Tensor.dim
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


# ---- dtype / device conversion ----
def _is_dtype_like(a):
    return isinstance(a, dtypes.dtype) or a in (float, int, bool) or isinstance(a, (np.dtype, type))


def _to_args(args, kwargs):
    """Parse torch's Tensor.to overloads: to(dtype, ...), to(device=None, dtype=None, ...), to(other, ...),
    each optionally followed by non_blocking and copy (positional or keyword)."""
    dtype = device = None
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype, device = other.dtype, other.device
    elif rest and rest[0] is not None and not _device.is_device_like(rest[0]):
        dtype = rest.pop(0)
    elif rest:
        device = rest.pop(0)
        if rest and (rest[0] is None or (_is_dtype_like(rest[0]) and not isinstance(rest[0], bool))):
            dtype = rest.pop(0)
    if len(rest) > 2:
        raise TypeError(f"to(): takes at most a target, non_blocking and copy positionally, got {len(args)} "
                        f"positional arguments: {args!r:.80}")
    opts = dict(zip(("non_blocking", "copy"), rest))
    for k, v in kwargs.items():
        if k not in ("dtype", "device", "non_blocking", "copy", "memory_format"):
            raise TypeError(f"to() got an unexpected keyword argument '{k}'")
        if k in opts or (k == "dtype" and dtype is not None) or (k == "device" and device is not None):
            raise TypeError(f"to() got multiple values for argument '{k}'")
        opts[k] = v
    dtype = opts.pop("dtype", dtype)
    device = opts.pop("device", device)
    return dtype, device, bool(opts.get("copy", False)), opts.get("memory_format")


def _channels_last(t):
    """The same values laid out NHWC in memory (torch.channels_last), through differentiable ops."""
    if t.ndim != 4:
        raise RuntimeError(f"to(): required rank 4 tensor to use channels_last format, got shape "
                           f"{tuple(t.shape)}")
    return ops.permute(ops.contiguous(ops.permute(t, 0, 2, 3, 1)), 0, 3, 1, 2)


def _is_nhwc(t):
    return t.ndim == 4 and not t._data.flags.c_contiguous and \
        np.transpose(t._data, (0, 2, 3, 1)).flags.c_contiguous


def _to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(other_tensor), with non_blocking / copy / memory_format
    keywords; returns self when nothing changes and copy is False, as torch does."""
    target, device, copy, fmt = _to_args(args, kwargs)
    _device.check_options("to", device, memory_format=fmt)
    target = self.dtype if target is None else dtypes.to_dtype(target, "dtype", "to")
    out = self
    if target is not self.dtype:
        if self.requires_grad and target.is_floating_point:
            out = Cast.apply(self, target.np)
        else:
            out = Tensor._wrap(self._data.astype(target.np))
    elif copy:
        out = ops.clone(self)
    if fmt is _device.channels_last and not _is_nhwc(out):
        out = _channels_last(out)
    elif fmt is _device.contiguous_format and _is_nhwc(out):
        out = ops.contiguous(out) if out is not self else ops.contiguous(ops.clone(self))
    return out


Tensor.to = _to
Tensor.astype = lambda self, dtype: _to(self, dtype)


def _cast_method(d):
    def m(self, memory_format=None):
        return _to(self, d, memory_format=memory_format)
    m.__name__ = {"float32": "float", "float64": "double", "float16": "half", "int64": "long", "int32": "int",
                  "int16": "short", "int8": "char", "uint8": "byte", "bool": "bool"}[d.name]
    return m


for _d in (dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int64, dtypes.int32, dtypes.int16, dtypes.int8,
           dtypes.uint8, dtypes.bool):
    _m = _cast_method(_d)
    setattr(Tensor, _m.__name__, _m)


def _cpu(self, memory_format=None):
    return _to(self, memory_format=memory_format)


def _unavailable(name, what):
    def m(self, *args, **kwargs):
        raise _device.DeviceUnavailableError(f"{name}(): {what} is not available: tensorlite runs on the CPU "
                                             f"only (Torch not compiled with CUDA enabled)")
    m.__name__ = name
    return m


Tensor.cpu = _cpu
Tensor.cuda = _unavailable("cuda", "device 'cuda'")
Tensor.xpu = _unavailable("xpu", "device 'xpu'")
Tensor.pin_memory = _unavailable("pin_memory", "pinned memory (it needs an accelerator device)")


def _legacy_dtype(name, fname):
    """The dtype a legacy type string names: 'torch.FloatTensor', 'tensorlite.LongTensor', 'FloatTensor'."""
    mod, _, cls = name.rpartition(".")
    if mod in ("torch.cuda", "tensorlite.cuda"):
        raise _device.DeviceUnavailableError(f"{fname}(): type {name!r} is a CUDA tensor type, which is not "
                                             f"available: tensorlite runs on the CPU only")
    if mod not in ("torch", "tensorlite") or cls not in dtypes._FROM_LEGACY:
        raise ValueError(f"invalid type: {name!r} ({fname}(): expected a dtype or a name like "
                         f"'torch.FloatTensor')")
    return dtypes._FROM_LEGACY[cls]


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """x.type() is torch's type string ('torch.FloatTensor', so ported string comparisons hold);
    x.type(dtype), x.type('torch.DoubleTensor') and x.type(tl.DoubleTensor) convert."""
    if kwargs:
        raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if dtype is None:
        return "torch." + dtypes.legacy_name(self.dtype)
    if isinstance(dtype, str):
        dtype = _legacy_dtype(dtype, "type")
    elif isinstance(dtype, _LegacyTensorType):
        dtype = dtype.dtype
    return _to(self, dtype, non_blocking=non_blocking)


Tensor.type = _type


def set_default_tensor_type(t):
    """Deprecated torch.set_default_tensor_type(tl.DoubleTensor or 'torch.DoubleTensor'): sets the default
    float dtype (floating types only; CUDA types are not available)."""
    warnings.warn("set_default_tensor_type() is deprecated (as in PyTorch 2.1), please use "
                  "tensorlite.set_default_dtype() instead.", UserWarning, stacklevel=2)
    if isinstance(t, str):
        mod = t.rpartition(".")[0]
        if mod in ("torch.cuda", "tensorlite.cuda"):
            raise TypeError(f"set_default_tensor_type(): type {t} not available: tensorlite runs on the CPU only "
                            f"(Torch not compiled with CUDA enabled)")
        d = _legacy_dtype(t, "set_default_tensor_type")
    elif isinstance(t, _LegacyTensorType):
        d = t.dtype
    else:
        raise TypeError(f"set_default_tensor_type(): argument 't' must be a legacy tensor type such as "
                        f"tensorlite.DoubleTensor or its name, got {t!r:.40}")
    if not d.is_floating_point:
        raise TypeError(f"set_default_tensor_type(): only floating-point types are supported as the default "
                        f"type, got {t!r:.40}")
    dtypes.default_float = d


# ---- new_* constructors: the same dtype (and device) as self unless given ----
def _new_opts(self, fname, dtype, device, layout=None, pin_memory=False):
    _device.check_options(fname, device, layout, pin_memory)
    return dtype or self.dtype


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return creation.zeros(*size, dtype=_new_opts(self, "new_zeros", dtype, device, layout, pin_memory),
                          requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return creation.ones(*size, dtype=_new_opts(self, "new_ones", dtype, device, layout, pin_memory),
                         requires_grad=requires_grad)


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return creation.empty(*size, dtype=_new_opts(self, "new_empty", dtype, device, layout, pin_memory),
                          requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    return creation.full(size, fill_value, dtype=_new_opts(self, "new_full", dtype, device, layout, pin_memory),
                         requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    d = _new_opts(self, "new_tensor", dtype, device, layout, pin_memory)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        data = data.detach()
    return creation.tensor(data, dtype=d, requires_grad=requires_grad)


def _new(self, *args, device=None):
    """Legacy x.new(...): as tl.Tensor(...) but with x's dtype."""
    t = Tensor._wrap(_legacy_array(args, self.dtype, device, "new"))
    if len(args) == 1 and isinstance(args[0], Tensor):
        t._vc = args[0]._vc
    return t


Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty = _new_zeros, _new_ones, _new_empty
Tensor.new_full, Tensor.new_tensor, Tensor.new = _new_full, _new_tensor, _new


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


# ---- ops ported programs call (issue 15): indexing, math, statistics, shape ----
_MORE = """index_fill index_add index_copy index_put masked_scatter scatter_reduce take put slice_scatter
select_scatter diagonal_scatter diagonal diag_embed diagflat argwhere addcmul addcdiv addmv addr addbmm xlogy sinc
logit frac sgn signbit heaviside tan true_divide lgamma digamma erfinv clamp_min clamp_max renorm nansum nanmean
cummax cummin kthvalue mode quantile nanquantile aminmax bincount histc unique_consecutive logcumsumexp
repeat_interleave rot90 fliplr flipud as_strided sum_to_size kron expm1 erfc fix rad2deg deg2rad
float_power copysign ravel asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh is_nonzero""".split()
for _name in _MORE:
    setattr(Tensor, _name, _method(getattr(ops, _name)))
Tensor.unfold = _method(ops.shape_extra.unfold)
Tensor.polygamma = lambda self, n: ops.polygamma(n, self)
Tensor.multinomial = lambda self, num_samples, replacement=False, *, generator=None: creation.multinomial(
    self, num_samples, replacement, generator=generator)

for _name in """index_fill index_add index_copy masked_scatter scatter_reduce put addmv addr addbmm xlogy sinc logit
frac sgn tan true_divide absolute negative lgamma digamma erfinv renorm expm1 sin cos log1p log2 log10 exp2 square
rsqrt floor_divide fix deg2rad rad2deg copysign hypot atan2 arctan2 logaddexp asin acos atan sinh cosh asinh acosh
atanh arcsin arccos arctan erf logical_not logical_and logical_or logical_xor eq ne lt le gt ge cumsum cumprod
float_power""".split():
    _def_inplace(_name + "_", getattr(ops, _name))
_def_inplace("index_put_", lambda s, indices, values, accumulate=False: ops.index_put(s, indices, values, accumulate))
_def_inplace("addcmul_", lambda s, tensor1, tensor2, *deprecated, value=1: ops.addcmul(s, tensor1, tensor2,
                                                                                    *deprecated, value=value))
_def_inplace("addcdiv_", lambda s, tensor1, tensor2, *deprecated, value=1: ops.addcdiv(s, tensor1, tensor2,
                                                                                    *deprecated, value=value))
_def_inplace("polygamma_", lambda s, n: ops.polygamma(n, s))


def _fill_diagonal(s, fill_value, wrap=False):
    if s.ndim < 2:
        raise ShapeError(f"fill_diagonal_(): dimensions must larger than 1, got shape {tuple(s.shape)}")
    if s.ndim > 2 and len(set(s.shape)) != 1:
        raise ShapeError(f"fill_diagonal_(): all dimensions of input must be of equal length, got shape "
                         f"{tuple(s.shape)}")
    mask = np.zeros(s.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    v = fill_value.to(s.dtype) if isinstance(fill_value, Tensor) else \
        Tensor._wrap(np.asarray(fill_value).astype(s._data.dtype))
    return ops.where(Tensor._wrap(mask), v, s)


_fill_diagonal.__name__ = "fill_diagonal_"
_def_inplace("fill_diagonal_", _fill_diagonal)


def _meta_inplace(name, fn):
    """unsqueeze_ / squeeze_ / t_ / transpose_: self becomes the view (same storage, new shape)."""
    def m(self, *args, **kwargs):
        self._check_inplace()
        out = fn(self, *args, **kwargs)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self.requires_grad = out.grad_fn, True
        self._bump()
        return self
    m.__name__ = name
    setattr(Tensor, name, m)


_meta_inplace("unsqueeze_", ops.unsqueeze)
_meta_inplace("squeeze_", ops.squeeze)
_meta_inplace("t_", ops.t)
_meta_inplace("transpose_", ops.transpose)
_meta_inplace("swapdims_", ops.transpose)
_meta_inplace("swapaxes_", ops.transpose)
_meta_inplace("as_strided_", ops.as_strided)


def _resize_(self, *sizes, memory_format=None):
    """torch's resize_: keep the first elements (in memory order) and leave any new ones uninitialized."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _shape_arg(sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes,
                       "resize_", "size")
    n = int(np.prod(shape, dtype=np.int64))
    flat = self._data.reshape(-1) if self._data.flags.c_contiguous else np.ascontiguousarray(self._data).reshape(-1)
    if n <= flat.size:
        self._data = flat[:n].reshape(shape)
    else:
        new = np.empty(n, dtype=self._data.dtype)
        new[:flat.size] = flat
        self._data = new.reshape(shape)
    self._bump()
    return self


Tensor.resize_ = _resize_
Tensor.resize_as_ = lambda self, the_template, *, memory_format=None: _resize_(self, *the_template.shape)


def _exponential_values(s, lambd=1.0, *, generator=None):
    lambd = creation._number_arg(lambd, "exponential_", "lambd")
    if not lambd > 0:
        raise RuntimeError(f"exponential_(): expects lambda > 0.0, but found lambda={lambd}")
    return rng(generator).exponential(1.0 / lambd, s.shape)


def _geometric_values(s, p, *, generator=None):
    p = creation._number_arg(p, "geometric_", "p")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_(): expects p to be in (0, 1), but got p={p}")
    return rng(generator).geometric(p, s.shape)


def _log_normal_values(s, mean=1.0, std=2.0, *, generator=None):
    if not std > 0:
        raise RuntimeError(f"log_normal_(): expects std > 0.0, but found std={std}")
    return rng(generator).lognormal(mean, std, s.shape)


def _cauchy_values(s, median=0.0, sigma=1.0, *, generator=None):
    return median + sigma * rng(generator).standard_cauchy(s.shape)


_fill_inplace("exponential_", _exponential_values)
_fill_inplace("geometric_", _geometric_values)
_fill_inplace("log_normal_", _log_normal_values)
_fill_inplace("cauchy_", _cauchy_values)


def _apply_(self, callable):  # noqa: A002
    """Replace every element by callable(element) (CPU, not differentiable, as torch)."""
    if self.requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors that do not require grad (can't call "
                           "apply_() on Variable that requires grad. Use var.detach().apply_() instead.)")
    flat = [callable(v) for v in self._data.reshape(-1).tolist()]
    self._write(np.asarray(flat, dtype=self._data.dtype).reshape(self._data.shape))
    return self


Tensor.apply_ = _apply_
