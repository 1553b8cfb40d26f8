"""Tensor: an n-dimensional numpy array plus what autograd needs to differentiate through it.

Every method and operator is declared in the class body below. Most are one-line delegations to the
op of the same name in `tensorlite.ops` (`x.add(y)` is `ops.add(x, y)`, and `help(x.add)` shows
`tl.add`'s docstring); the sections follow the grouping of torch's docs. In-place methods (`add_`)
run the out-of-place op and write the result back (`Tensor._inplace` holds the autograd rules).

`ops` is imported at the bottom of this file, after the class exists: ops build on Tensor, and
Tensor's methods only need `ops` when they are called. This is the one back-edge of the layer order
(see ARCHITECTURE.md)."""
import numbers
import warnings
import weakref

import numpy as np

from . import dtypes
from . import _device
from . import _tensor_str
from ._grad_mode import is_grad_enabled, no_grad
from .errors import ShapeError, DTypeError


class Size(tuple):
    """A shape, as PyTorch's torch.Size: a tuple with numel()."""

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        return f"tensorlite.Size({list(self)})"


class _VersionCounter:
    """Shared by a tensor and its views; bumped by every in-place write."""
    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


class _HookHandle:
    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)


class Tensor:
    __slots__ = ("_data", "requires_grad", "grad_fn", "grad", "_vc", "_base", "_accum", "_hooks",
                 "__weakref__")
    __array_priority__ = 1000  # numpy defers `ndarray op Tensor` to our reflected operators

    def __init__(self, *args, device=None):
        """The legacy constructor, as torch.Tensor: Tensor() is empty, Tensor(2, 3) (or a Size) is an
        uninitialized 2x3 tensor, Tensor(data) copies a sequence into the default float dtype, and
        Tensor(t) aliases tensor t (same storage and dtype)."""
        arr = _legacy_array(args, None, device, "Tensor")
        self._init(arr)
        if len(args) == 1 and isinstance(args[0], Tensor):
            self._vc = args[0]._vc

    def _init(self, arr, requires_grad=False):
        self._data = arr
        self.requires_grad = False
        self.grad_fn = self.grad = self._base = self._accum = self._hooks = None
        self._vc = _VersionCounter()
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, arr, requires_grad=False):
        """Wrap a numpy array without copying (internal constructor)."""
        t = object.__new__(cls)
        t._init(arr, requires_grad)
        return t

    # ---- attributes and metadata ----
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self):
        return dtypes.from_numpy(self._data.dtype)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def device(self):
        return _device.CPU

    def get_device(self):
        return -1                    # torch's answer for a CPU tensor

    @property
    def is_leaf(self):
        return self.grad_fn is None

    is_cpu = property(lambda self: True)
    is_cuda = is_xpu = is_mps = is_meta = is_sparse = is_quantized = is_nested = property(lambda self: False)
    layout = property(lambda self: _device.strided)

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def is_complex(self):
        return False

    def is_signed(self):
        return self._data.dtype.kind in "if"

    def is_pinned(self):
        return False

    def storage_offset(self):
        """Elements between the start of the storage (the base array) and this tensor's first one."""
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            // self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    @property
    def _version(self):
        return self._vc.value

    def data_ptr(self):
        return self._data.ctypes.data

    # ---- the data: storage, Python scalars, numpy, printing ----
    @property
    def data(self):
        """A tensor sharing this one's storage, detached from the graph (PyTorch's .data)."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    @data.setter
    def data(self, value):
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = value

    def item(self):
        if self._data.size != 1:
            raise ShapeError(f"item(): a Tensor with {self._data.size} elements cannot be converted to "
                             f"a Python scalar (shape {tuple(self._data.shape)})")
        return self._data.reshape(()).item()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        arr = self._data
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return np.array(arr, copy=True) if copy else arr

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ShapeError(f"{kind.__name__}(): only one element tensors can be converted to Python "
                             f"scalars (got a Tensor of shape {tuple(self._data.shape)})")
        return kind(self._data.reshape(()).item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        if self._data.size != 1:
            raise ShapeError(f"bool(): Boolean value of Tensor with {self._data.size} elements is ambiguous "
                             f"(shape {tuple(self._data.shape)})")
        return bool(self._data.reshape(()).item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    __hash__ = object.__hash__

    def __format__(self, spec):
        # torch: a plain 0-d tensor formats as its Python number (f"{loss:.4f}"); anything else as object
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        if spec:
            raise TypeError(f"unsupported format string passed to {type(self).__name__}.__format__")
        return str(self)

    def __repr__(self):
        return _tensor_str.tensor_repr(self)       # torch's print format, see _tensor_str.py

    # ---- dtype and device conversion ----
    def to(self, *args, **kwargs):
        """to(dtype), to(device), to(device, dtype), to(other_tensor), with non_blocking / copy / memory_format
        keywords; returns self when nothing changes and copy is False, as torch does."""
        target, device, copy, fmt = _to_args(args, kwargs)
        _device.check_options("to", device, memory_format=fmt)
        target = self.dtype if target is None else dtypes.to_dtype(target, "dtype", "to")
        out = self
        if target is not self.dtype:
            if self.requires_grad and target.is_floating_point:
                out = ops.elementwise.Cast.apply(self, target.np)
            else:
                out = Tensor._wrap(self._data.astype(target.np))
        elif copy:
            out = ops.clone(self)
        if fmt is _device.channels_last and not _is_nhwc(out):
            out = _channels_last(out)
        elif fmt is _device.contiguous_format and _is_nhwc(out):
            out = ops.contiguous(out) if out is not self else ops.contiguous(ops.clone(self))
        return out

    def astype(self, dtype): return self.to(dtype)
    def type_as(self, other): return self.to(_other(other, "type_as").dtype)

    def type(self, dtype=None, non_blocking=False, **kwargs):
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
        return self.to(dtype, non_blocking=non_blocking)

    # x.float() is x.to(tl.float32), ... (these names hide the builtins only inside this class body)
    def float(self, memory_format=None): return self.to(dtypes.float32, memory_format=memory_format)
    def double(self, memory_format=None): return self.to(dtypes.float64, memory_format=memory_format)
    def half(self, memory_format=None): return self.to(dtypes.float16, memory_format=memory_format)
    def long(self, memory_format=None): return self.to(dtypes.int64, memory_format=memory_format)
    def int(self, memory_format=None): return self.to(dtypes.int32, memory_format=memory_format)
    def short(self, memory_format=None): return self.to(dtypes.int16, memory_format=memory_format)
    def char(self, memory_format=None): return self.to(dtypes.int8, memory_format=memory_format)
    def byte(self, memory_format=None): return self.to(dtypes.uint8, memory_format=memory_format)
    def bool(self, memory_format=None): return self.to(dtypes.bool, memory_format=memory_format)

    def cpu(self, memory_format=None): return self.to(memory_format=memory_format)
    def cuda(self, *args, **kwargs): raise _unavailable("cuda", "device 'cuda'")
    def xpu(self, *args, **kwargs): raise _unavailable("xpu", "device 'xpu'")
    def pin_memory(self, *args, **kwargs):
        raise _unavailable("pin_memory", "pinned memory (it needs an accelerator device)")

    # ---- creation: new tensors with self's dtype (and device) unless given ----
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return creation.zeros(*size, dtype=_new_dtype(self, "new_zeros", dtype, device, layout, pin_memory),
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return creation.ones(*size, dtype=_new_dtype(self, "new_ones", dtype, device, layout, pin_memory),
                             requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return creation.empty(*size, dtype=_new_dtype(self, "new_empty", dtype, device, layout, pin_memory),
                              requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        return creation.full(size, fill_value, requires_grad=requires_grad,
                             dtype=_new_dtype(self, "new_full", dtype, device, layout, pin_memory))

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        d = _new_dtype(self, "new_tensor", dtype, device, layout, pin_memory)
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                          "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                          "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
            data = data.detach()
        return creation.tensor(data, dtype=d, requires_grad=requires_grad)

    def new(self, *args, device=None):
        """Legacy x.new(...): as tl.Tensor(...) but with x's dtype."""
        t = Tensor._wrap(_legacy_array(args, self.dtype, device, "new"))
        if len(args) == 1 and isinstance(args[0], Tensor):
            t._vc = args[0]._vc
        return t

    # ---- operators: a + b is ops.add(a, b), b + a (b not a Tensor) is ops.add(b, a), ... ----
    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.div(self, other)
    def __rtruediv__(self, other): return ops.div(other, self)
    def __floordiv__(self, other): return ops.floor_divide(self, other)
    def __rfloordiv__(self, other): return ops.floor_divide(other, self)
    def __mod__(self, other): return ops.remainder(self, other)
    def __rmod__(self, other): return ops.remainder(other, self)
    def __pow__(self, other): return ops.pow(self, other)
    def __rpow__(self, other): return ops.pow(other, self)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)
    def __neg__(self): return ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return ops.abs(self)
    def __lt__(self, other): return ops.lt(self, other)
    def __le__(self, other): return ops.le(self, other)
    def __gt__(self, other): return ops.gt(self, other)
    def __ge__(self, other): return ops.ge(self, other)
    def __eq__(self, other): return ops.eq(self, other)
    def __ne__(self, other): return ops.ne(self, other)

    # on bool tensors ~ & | ^ are logical, on integer tensors bitwise
    def __invert__(self):
        return ops.logical_not(self) if self.dtype is dtypes.bool else ops.bitwise_not(self)

    def __and__(self, other):
        return ops.logical_and(self, other) if _is_bool(self, other) else ops.bitwise_and(self, other)

    def __or__(self, other):
        return ops.logical_or(self, other) if _is_bool(self, other) else ops.bitwise_or(self, other)

    def __xor__(self, other):
        return ops.logical_xor(self, other) if _is_bool(self, other) else ops.bitwise_xor(self, other)

    def __rand__(self, other): return Tensor.__and__(self, other)
    def __ror__(self, other): return Tensor.__or__(self, other)

    # x += y writes into x (x.add_(y)), as torch does
    def __iadd__(self, other): return self.add_(other)
    def __isub__(self, other): return self.sub_(other)
    def __imul__(self, other): return self.mul_(other)
    def __itruediv__(self, other): return self.div_(other)
    def __ipow__(self, other): return self.pow_(other)

    # ---- pointwise math (torch's "Pointwise Ops") ----
    def abs(self): return ops.abs(self)
    def neg(self): return ops.neg(self)
    def sign(self): return ops.sign(self)
    def sgn(self): return ops.sgn(self)
    def signbit(self): return ops.signbit(self)
    def exp(self): return ops.exp(self)
    def exp2(self): return ops.exp2(self)
    def expm1(self): return ops.expm1(self)
    def log(self): return ops.log(self)
    def log1p(self): return ops.log1p(self)
    def log2(self): return ops.log2(self)
    def log10(self): return ops.log10(self)
    def sqrt(self): return ops.sqrt(self)
    def rsqrt(self): return ops.rsqrt(self)
    def square(self): return ops.square(self)
    def reciprocal(self): return ops.reciprocal(self)
    def sin(self): return ops.sin(self)
    def cos(self): return ops.cos(self)
    def tan(self): return ops.tan(self)
    def asin(self): return ops.asin(self)
    def acos(self): return ops.acos(self)
    def atan(self): return ops.atan(self)
    def sinh(self): return ops.sinh(self)
    def cosh(self): return ops.cosh(self)
    def tanh(self): return ops.tanh(self)
    def asinh(self): return ops.asinh(self)
    def acosh(self): return ops.acosh(self)
    def atanh(self): return ops.atanh(self)
    def arcsin(self): return ops.arcsin(self)
    def arccos(self): return ops.arccos(self)
    def arctan(self): return ops.arctan(self)
    def arcsinh(self): return ops.arcsinh(self)
    def arccosh(self): return ops.arccosh(self)
    def arctanh(self): return ops.arctanh(self)
    def atan2(self, other): return ops.atan2(self, other)
    def arctan2(self, other): return ops.arctan2(self, other)
    def sigmoid(self): return ops.sigmoid(self)
    def logit(self, eps=None): return ops.logit(self, eps)
    def relu(self): return ops.relu(self)
    def erf(self): return ops.erf(self)
    def erfc(self): return ops.erfc(self)
    def erfinv(self): return ops.erfinv(self)
    def lgamma(self): return ops.lgamma(self)
    def digamma(self): return ops.digamma(self)
    def sinc(self): return ops.sinc(self)
    def floor(self): return ops.floor(self)
    def ceil(self): return ops.ceil(self)
    def round(self): return ops.round(self)
    def trunc(self): return ops.trunc(self)
    def fix(self): return ops.fix(self)
    def frac(self): return ops.frac(self)
    def polygamma(self, n): return ops.polygamma(n, self)
    def add(self, other, alpha=1): return ops.add(self, other, alpha)
    def sub(self, other, alpha=1): return ops.sub(self, other, alpha)
    def mul(self, other): return ops.mul(self, other)
    def div(self, other, rounding_mode=None): return ops.div(self, other, rounding_mode)
    def true_divide(self, divisor): return ops.true_divide(self, divisor)
    def pow(self, exponent): return ops.pow(self, exponent)
    def float_power(self, exponent): return ops.float_power(self, exponent)
    def remainder(self, other): return ops.remainder(self, other)
    def fmod(self, other): return ops.fmod(self, other)
    def floor_divide(self, other): return ops.floor_divide(self, other)
    def hypot(self, other): return ops.hypot(self, other)
    def logaddexp(self, other): return ops.logaddexp(self, other)
    def xlogy(self, other): return ops.xlogy(self, other)
    def copysign(self, other): return ops.copysign(self, other)
    def heaviside(self, values): return ops.heaviside(self, values)
    def lerp(self, end, weight): return ops.lerp(self, end, weight)
    def addcmul(self, tensor1, tensor2, *deprecated, value=1):
        return ops.addcmul(self, tensor1, tensor2, *deprecated, value=value)
    def addcdiv(self, tensor1, tensor2, *deprecated, value=1):
        return ops.addcdiv(self, tensor1, tensor2, *deprecated, value=value)
    def clamp(self, min=None, max=None): return ops.clamp(self, min, max)
    def clip(self, min=None, max=None): return ops.clip(self, min, max)
    def clamp_min(self, min): return ops.clamp_min(self, min)
    def clamp_max(self, max): return ops.clamp_max(self, max)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return ops.nan_to_num(self, nan, posinf, neginf)
    def rad2deg(self): return ops.rad2deg(self)
    def deg2rad(self): return ops.deg2rad(self)
    def logical_not(self): return ops.logical_not(self)
    def logical_and(self, other): return ops.logical_and(self, other)
    def logical_or(self, other): return ops.logical_or(self, other)
    def logical_xor(self, other): return ops.logical_xor(self, other)
    def bitwise_not(self): return ops.bitwise_not(self)
    absolute, negative = abs, neg
    subtract, multiply, divide = sub, mul, div

    # ---- comparison and sorting (torch's "Comparison Ops") ----
    def eq(self, other): return ops.eq(self, other)
    def ne(self, other): return ops.ne(self, other)
    def lt(self, other): return ops.lt(self, other)
    def le(self, other): return ops.le(self, other)
    def gt(self, other): return ops.gt(self, other)
    def ge(self, other): return ops.ge(self, other)
    def maximum(self, other): return ops.maximum(self, other)
    def minimum(self, other): return ops.minimum(self, other)
    def isnan(self): return ops.isnan(self)
    def isinf(self): return ops.isinf(self)
    def isfinite(self): return ops.isfinite(self)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.allclose(self, other, rtol, atol, equal_nan)
    def equal(self, other): return ops.equal(self, other)
    def sort(self, dim=-1, descending=False, *, stable=False): return ops.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False):
        return ops.argsort(self, dim, descending, stable=stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return ops.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return ops.kthvalue(self, k, dim, keepdim)

    # ---- reductions and scans along dims (torch's "Reduction Ops" and cumulative ops) ----
    def sum(self, dim=None, keepdim=False, dtype=None): return ops.sum(self, dim, keepdim, dtype)
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return ops.nansum(self, dim, keepdim, dtype=dtype)
    def prod(self, dim=None, keepdim=False, dtype=None): return ops.prod(self, dim, keepdim, dtype)
    def mean(self, dim=None, keepdim=False, dtype=None): return ops.mean(self, dim, keepdim, dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return ops.nanmean(self, dim, keepdim, dtype=dtype)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.var(self, dim, unbiased, keepdim, correction=correction)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.std(self, dim, unbiased, keepdim, correction=correction)
    def max(self, dim=None, keepdim=False, *, other=None): return ops.max(self, dim, keepdim, other=other)
    def min(self, dim=None, keepdim=False, *, other=None): return ops.min(self, dim, keepdim, other=other)
    def amax(self, dim=(), keepdim=False): return ops.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return ops.amin(self, dim, keepdim)
    def aminmax(self, *, dim=None, keepdim=False): return ops.aminmax(self, dim=dim, keepdim=keepdim)
    def argmax(self, dim=None, keepdim=False): return ops.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return ops.argmin(self, dim, keepdim)
    def all(self, dim=None, keepdim=False): return ops.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return ops.any(self, dim, keepdim)
    def count_nonzero(self, dim=None): return ops.count_nonzero(self, dim)
    def logsumexp(self, dim, keepdim=False): return ops.logsumexp(self, dim, keepdim)
    def median(self, dim=None, keepdim=False): return ops.median(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return ops.mode(self, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation='linear'):
        return ops.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation='linear'):
        return ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def norm(self, p='fro', dim=None, keepdim=False, dtype=None): return ops.norm(self, p, dim, keepdim, dtype)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return ops.unique(self, sorted, return_inverse, return_counts, dim)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return ops.unique_consecutive(self, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0): return ops.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return ops.histc(self, bins, min, max)
    def softmax(self, dim=None, dtype=None): return ops.softmax(self, dim, dtype)
    def log_softmax(self, dim=None, dtype=None): return ops.log_softmax(self, dim, dtype)
    def cumsum(self, dim, dtype=None): return ops.cumsum(self, dim, dtype)
    def cumprod(self, dim, dtype=None): return ops.cumprod(self, dim, dtype)
    def cummax(self, dim): return ops.cummax(self, dim)
    def cummin(self, dim): return ops.cummin(self, dim)
    def logcumsumexp(self, dim): return ops.logcumsumexp(self, dim)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return ops.diff(self, n, dim, prepend, append)

    # ---- shape and view: the same values seen with another shape or order ----
    def view(self, *shape): return ops.view(self, *shape)
    def reshape(self, *shape): return ops.reshape(self, *shape)
    def permute(self, *dims): return ops.permute(self, *dims)
    def transpose(self, dim0, dim1): return ops.transpose(self, dim0, dim1)
    def swapaxes(self, dim0, dim1): return ops.swapaxes(self, dim0, dim1)
    def swapdims(self, dim0, dim1): return ops.swapdims(self, dim0, dim1)
    def t(self): return ops.t(self)
    def movedim(self, source, destination): return ops.movedim(self, source, destination)
    def expand(self, *sizes): return ops.expand(self, *sizes)
    def expand_as(self, other): return ops.expand_as(self, other)
    def broadcast_to(self, shape): return ops.broadcast_to(self, shape)
    def squeeze(self, dim=None): return ops.squeeze(self, dim)
    def unsqueeze(self, dim): return ops.unsqueeze(self, dim)
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return ops.unflatten(self, dim, sizes)
    def ravel(self): return ops.ravel(self)
    def contiguous(self): return ops.contiguous(self)
    def clone(self): return ops.clone(self)
    def flip(self, dims): return ops.flip(self, dims)
    def fliplr(self): return ops.fliplr(self)
    def flipud(self): return ops.flipud(self)
    def roll(self, shifts, dims=None): return ops.roll(self, shifts, dims)
    def rot90(self, k=1, dims=(0, 1)): return ops.rot90(self, k, dims)
    def narrow(self, dim, start, length): return ops.narrow(self, dim, start, length)
    def split(self, split_size_or_sections, dim=0): return ops.split(self, split_size_or_sections, dim)
    def chunk(self, chunks, dim=0): return ops.chunk(self, chunks, dim)
    def tensor_split(self, sections, dim=0): return ops.tensor_split(self, sections, dim)
    def unbind(self, dim=0): return ops.unbind(self, dim)
    def repeat(self, *sizes): return ops.repeat(self, *sizes)
    def tile(self, dims): return ops.tile(self, dims)
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return ops.repeat_interleave(self, repeats, dim, output_size=output_size)
    def as_strided(self, size, stride, storage_offset=None):
        return ops.as_strided(self, size, stride, storage_offset)
    def sum_to_size(self, *size): return ops.sum_to_size(self, *size)

    def unfold(self, dimension, size, step):
        """Tensor.unfold: all windows of `size` along dimension with stride `step`, as a new last dim (a view)."""
        return ops.shape_extra.unfold(self, dimension, size, step)

    def view_as(self, other): return ops.view(self, *_other(other, "view_as").shape)
    def reshape_as(self, other): return ops.reshape(self, *_other(other, "reshape_as").shape)

    @property
    def T(self):
        """The dims reversed (deprecated by torch for tensors that are not 2-D)."""
        if self.ndim != 2:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                          "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                          "batches of matrices or `x.permute(*range(x.ndim - 1, -1, -1))` to reverse the "
                          "dimensions of a tensor." if self.ndim else "Tensor.T is deprecated on 0-D tensors. "
                          "This function is the identity in these cases.", UserWarning, stacklevel=2)
        return ops.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self):
        """A batch of matrices, each transposed (the last two dims swapped)."""
        return _matrix_transpose(self, "mT")

    @property
    def H(self):
        """The conjugate transpose of a matrix: for real tensors, the transpose."""
        if self.ndim == 0:
            return ops.permute(self)
        if self.ndim != 2:
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.")
        return ops.transpose(self, 0, 1)

    @property
    def mH(self):
        """A batch of matrices, each conjugate-transposed: for real tensors, mT."""
        return _matrix_transpose(self, "mH")

    def adjoint(self): return _matrix_transpose(self, "mH")

    # ---- indexing, slicing, joining, mutating ----
    def __getitem__(self, index): return ops.getitem(self, index)
    def __setitem__(self, index, value): return ops.setitem(self, index, value)
    def select(self, dim, index): return ops.select(self, dim, index)
    def index_select(self, dim, index): return ops.index_select(self, dim, index)
    def masked_fill(self, mask, value): return ops.masked_fill(self, mask, value)
    def masked_select(self, mask): return ops.masked_select(self, mask)
    def masked_scatter(self, mask, source): return ops.masked_scatter(self, mask, source)
    def gather(self, dim, index): return ops.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return ops.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return ops.scatter_add(self, dim, index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_fill(self, dim, index, value): return ops.index_fill(self, dim, index, value)
    def index_add(self, dim, index, source, *, alpha=1): return ops.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return ops.index_copy(self, dim, index, source)
    def index_put(self, indices, values, accumulate=False): return ops.index_put(self, indices, values, accumulate)
    def take(self, index): return ops.take(self, index)
    def put(self, index, source, accumulate=False): return ops.put(self, index, source, accumulate)
    def nonzero(self, *, as_tuple=False): return ops.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return ops.argwhere(self)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return ops.slice_scatter(self, src, dim, start, end, step)
    def select_scatter(self, src, dim, index): return ops.select_scatter(self, src, dim, index)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return ops.diagonal_scatter(self, src, offset, dim1, dim2)
    def where(self, condition, other): return ops.where(condition, self, other)

    # ---- linear algebra (torch's "BLAS and LAPACK Operations") and matrix structure ----
    def matmul(self, other): return ops.matmul(self, other)
    def mm(self, mat2): return ops.mm(self, mat2)
    def bmm(self, mat2): return ops.bmm(self, mat2)
    def dot(self, other): return ops.dot(self, other)
    def mv(self, vec): return ops.mv(self, vec)
    def outer(self, vec2): return ops.outer(self, vec2)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def cross(self, other, dim=None): return ops.cross(self, other, dim)
    def kron(self, other): return ops.kron(self, other)
    def diag(self, diagonal=0): return ops.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return ops.diagonal(self, offset, dim1, dim2)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return ops.diag_embed(self, offset, dim1, dim2)
    def diagflat(self, offset=0): return ops.diagflat(self, offset)
    def tril(self, diagonal=0): return ops.tril(self, diagonal)
    def triu(self, diagonal=0): return ops.triu(self, diagonal)
    def trace(self): return ops.trace(self)
    def renorm(self, p, dim, maxnorm): return ops.renorm(self, p, dim, maxnorm)

    # ---- other ----
    def is_nonzero(self): return ops.is_nonzero(self)
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return creation.multinomial(self, num_samples, replacement, generator=generator)

    # ---- in-place versions: x.add_(y) writes x + y into x (see _inplace for the autograd rules) ----
    def add_(self, other, alpha=1): return self._inplace(ops.add, other, alpha)
    def sub_(self, other, alpha=1): return self._inplace(ops.sub, other, alpha)
    def mul_(self, other): return self._inplace(ops.mul, other)
    def div_(self, other, rounding_mode=None): return self._inplace(ops.div, other, rounding_mode)
    def true_divide_(self, divisor): return self._inplace(ops.true_divide, divisor)
    def pow_(self, exponent): return self._inplace(ops.pow, exponent)
    def float_power_(self, exponent): return self._inplace(ops.float_power, exponent)
    def remainder_(self, other): return self._inplace(ops.remainder, other)
    def fmod_(self, other): return self._inplace(ops.fmod, other)
    def floor_divide_(self, other): return self._inplace(ops.floor_divide, other)
    def hypot_(self, other): return self._inplace(ops.hypot, other)
    def logaddexp_(self, other): return self._inplace(ops.logaddexp, other)
    def xlogy_(self, other): return self._inplace(ops.xlogy, other)
    def copysign_(self, other): return self._inplace(ops.copysign, other)
    def lerp_(self, end, weight): return self._inplace(ops.lerp, end, weight)
    def addcmul_(self, tensor1, tensor2, *deprecated, value=1):
        return self._inplace(ops.addcmul, tensor1, tensor2, *deprecated, value=value)
    def addcdiv_(self, tensor1, tensor2, *deprecated, value=1):
        return self._inplace(ops.addcdiv, tensor1, tensor2, *deprecated, value=value)
    def clamp_(self, min=None, max=None): return self._inplace(ops.clamp, min, max)
    def clip_(self, min=None, max=None): return self._inplace(ops.clip, min, max)
    def clamp_min_(self, min): return self._inplace(ops.clamp_min, min)
    def clamp_max_(self, max): return self._inplace(ops.clamp_max, max)
    def maximum_(self, other): return self._inplace(ops.maximum, other)
    def minimum_(self, other): return self._inplace(ops.minimum, other)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return self._inplace(ops.nan_to_num, nan, posinf, neginf)
    def abs_(self): return self._inplace(ops.abs)
    def absolute_(self): return self._inplace(ops.absolute)
    def neg_(self): return self._inplace(ops.neg)
    def negative_(self): return self._inplace(ops.negative)
    def sign_(self): return self._inplace(ops.sign)
    def sgn_(self): return self._inplace(ops.sgn)
    def exp_(self): return self._inplace(ops.exp)
    def exp2_(self): return self._inplace(ops.exp2)
    def expm1_(self): return self._inplace(ops.expm1)
    def log_(self): return self._inplace(ops.log)
    def log1p_(self): return self._inplace(ops.log1p)
    def log2_(self): return self._inplace(ops.log2)
    def log10_(self): return self._inplace(ops.log10)
    def sqrt_(self): return self._inplace(ops.sqrt)
    def rsqrt_(self): return self._inplace(ops.rsqrt)
    def square_(self): return self._inplace(ops.square)
    def reciprocal_(self): return self._inplace(ops.reciprocal)
    def sin_(self): return self._inplace(ops.sin)
    def cos_(self): return self._inplace(ops.cos)
    def tan_(self): return self._inplace(ops.tan)
    def asin_(self): return self._inplace(ops.asin)
    def acos_(self): return self._inplace(ops.acos)
    def atan_(self): return self._inplace(ops.atan)
    def sinh_(self): return self._inplace(ops.sinh)
    def cosh_(self): return self._inplace(ops.cosh)
    def tanh_(self): return self._inplace(ops.tanh)
    def asinh_(self): return self._inplace(ops.asinh)
    def acosh_(self): return self._inplace(ops.acosh)
    def atanh_(self): return self._inplace(ops.atanh)
    def arcsin_(self): return self._inplace(ops.arcsin)
    def arccos_(self): return self._inplace(ops.arccos)
    def arctan_(self): return self._inplace(ops.arctan)
    def atan2_(self, other): return self._inplace(ops.atan2, other)
    def arctan2_(self, other): return self._inplace(ops.arctan2, other)
    def sigmoid_(self): return self._inplace(ops.sigmoid)
    def logit_(self, eps=None): return self._inplace(ops.logit, eps)
    def relu_(self): return self._inplace(ops.relu)
    def erf_(self): return self._inplace(ops.erf)
    def erfinv_(self): return self._inplace(ops.erfinv)
    def lgamma_(self): return self._inplace(ops.lgamma)
    def digamma_(self): return self._inplace(ops.digamma)
    def sinc_(self): return self._inplace(ops.sinc)
    def floor_(self): return self._inplace(ops.floor)
    def ceil_(self): return self._inplace(ops.ceil)
    def round_(self): return self._inplace(ops.round)
    def trunc_(self): return self._inplace(ops.trunc)
    def fix_(self): return self._inplace(ops.fix)
    def frac_(self): return self._inplace(ops.frac)
    def deg2rad_(self): return self._inplace(ops.deg2rad)
    def rad2deg_(self): return self._inplace(ops.rad2deg)
    def polygamma_(self, n): return self._inplace(_polygamma_of, n)
    def logical_not_(self): return self._inplace(ops.logical_not)
    def logical_and_(self, other): return self._inplace(ops.logical_and, other)
    def logical_or_(self, other): return self._inplace(ops.logical_or, other)
    def logical_xor_(self, other): return self._inplace(ops.logical_xor, other)
    def eq_(self, other): return self._inplace(ops.eq, other)
    def ne_(self, other): return self._inplace(ops.ne, other)
    def lt_(self, other): return self._inplace(ops.lt, other)
    def le_(self, other): return self._inplace(ops.le, other)
    def gt_(self, other): return self._inplace(ops.gt, other)
    def ge_(self, other): return self._inplace(ops.ge, other)
    def cumsum_(self, dim, dtype=None): return self._inplace(ops.cumsum, dim, dtype)
    def cumprod_(self, dim, dtype=None): return self._inplace(ops.cumprod, dim, dtype)
    def renorm_(self, p, dim, maxnorm): return self._inplace(ops.renorm, p, dim, maxnorm)
    def masked_fill_(self, mask, value): return self._inplace(ops.masked_fill, mask, value)
    def masked_scatter_(self, mask, source): return self._inplace(ops.masked_scatter, mask, source)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace(ops.scatter, dim, index, src, value=value, reduce=reduce)
    def scatter_add_(self, dim, index, src): return self._inplace(ops.scatter_add, dim, index, src)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(ops.scatter_reduce, dim, index, src, reduce, include_self=include_self)
    def index_fill_(self, dim, index, value): return self._inplace(ops.index_fill, dim, index, value)
    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(ops.index_add, dim, index, source, alpha=alpha)
    def index_copy_(self, dim, index, source): return self._inplace(ops.index_copy, dim, index, source)
    def index_put_(self, indices, values, accumulate=False):
        return self._inplace(ops.index_put, indices, values, accumulate)
    def put_(self, index, source, accumulate=False): return self._inplace(ops.put, index, source, accumulate)
    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return self._inplace(ops.addmv, mat, vec, beta=beta, alpha=alpha)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return self._inplace(ops.addr, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(ops.addbmm, batch1, batch2, beta=beta, alpha=alpha)
    def tril_(self, diagonal=0): return self._inplace(ops.tril, diagonal)
    def triu_(self, diagonal=0): return self._inplace(ops.triu, diagonal)
    def copy_(self, src, non_blocking=False): return self._inplace(_copy_value, src)
    def fill_diagonal_(self, fill_value, wrap=False): return self._inplace(_fill_diagonal, fill_value, wrap)

    # in place, but the new values do not depend on the old ones: no graph to extend
    def zero_(self): return self._fill(ops.fills.zeros)
    def fill_(self, value): return self._fill(ops.fills.constant, value)
    def normal_(self, mean=0.0, std=1.0, generator=None): return self._fill(ops.fills.normal, mean, std, generator)
    def uniform_(self, a=0.0, b=1.0, generator=None): return self._fill(ops.fills.uniform, a, b, generator)
    def bernoulli_(self, p=0.5, generator=None): return self._fill(ops.fills.bernoulli, p, generator)
    def random_(self, low=0, high=None, generator=None): return self._fill(ops.fills.random, low, high, generator)
    def exponential_(self, lambd=1.0, *, generator=None): return self._fill(ops.fills.exponential, lambd, generator)
    def geometric_(self, p, *, generator=None): return self._fill(ops.fills.geometric, p, generator)
    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return self._fill(ops.fills.log_normal, mean, std, generator)
    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return self._fill(ops.fills.cauchy, median, sigma, generator)

    # in place on the metadata: self becomes the view (same storage, new shape)
    def unsqueeze_(self, dim): return self._become(ops.unsqueeze, dim)
    def squeeze_(self, dim=None): return self._become(ops.squeeze, dim)
    def t_(self): return self._become(ops.t)
    def transpose_(self, dim0, dim1): return self._become(ops.transpose, dim0, dim1)
    def swapdims_(self, dim0, dim1): return self._become(ops.transpose, dim0, dim1)
    def swapaxes_(self, dim0, dim1): return self._become(ops.transpose, dim0, dim1)
    def as_strided_(self, size, stride, storage_offset=None):
        return self._become(ops.as_strided, size, stride, storage_offset)

    def resize_(self, *sizes, memory_format=None):
        """torch's resize_: keep the first elements (in memory order) and leave any new ones uninitialized."""
        if self.requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        shape = ops.movement._shape_arg(sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
                                        else sizes, "resize_", "size")
        n = int(np.prod(shape, dtype=np.int64))
        flat = self._data.reshape(-1) if self._data.flags.c_contiguous else \
            np.ascontiguousarray(self._data).reshape(-1)
        if n <= flat.size:
            self._data = flat[:n].reshape(shape)
        else:
            new = np.empty(n, dtype=self._data.dtype)
            new[:flat.size] = flat
            self._data = new.reshape(shape)
        self._bump()
        return self

    def resize_as_(self, the_template, *, memory_format=None): return self.resize_(*the_template.shape)

    def apply_(self, callable):  # noqa: A002
        """Replace every element by callable(element) (CPU, not differentiable, as torch)."""
        if self.requires_grad:
            raise RuntimeError("apply_ is only implemented on CPU tensors that do not require grad (can't call "
                               "apply_() on Variable that requires grad. Use var.detach().apply_() instead.)")
        flat = [callable(v) for v in self._data.reshape(-1).tolist()]
        self._write(np.asarray(flat, dtype=self._data.dtype).reshape(self._data.shape))
        return self

    # ---- autograd ----
    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                                   "to use a computed variable in a subgraph that doesn't require "
                                   "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise DTypeError(f"requires_grad_(): only Tensors of floating point dtype can require gradients "
                             f"(got a Tensor of dtype {self.dtype.name})")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retained is not None

    def register_hook(self, hook):
        """Call hook(grad) when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self.grad_fn if self.grad_fn is not None else self
        if owner._hooks is None:
            owner._hooks = {}
        key = object()
        owner._hooks[key] = hook
        return _HookHandle(owner._hooks, key)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd.engine import run_backward
        if retain_graph is None:
            retain_graph = create_graph
        if inputs is not None:
            inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            grads = run_backward([self], [gradient], retain_graph, create_graph, inputs=inputs,
                                 allow_unused=True)
            from .autograd.engine import _set_grad
            for x, g in zip(inputs, grads):
                if g is not None:
                    _set_grad(x, g, create_graph)
            return
        run_backward([self], [gradient], retain_graph, create_graph)

    # ---- in-place writes ----
    def _bump(self):
        self._vc.value += 1

    def _check_inplace(self):
        if is_grad_enabled():
            if self.requires_grad and self.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation. Wrap the update in `with tl.no_grad():`.")
            if self._base is not None and self._base.requires_grad:
                raise RuntimeError("in-place operation on a view of a tensor that requires grad is not "
                                   "supported by tensorlite; use the out-of-place op instead")

    def _inplace(self, fn, *args, **kwargs):
        """Run out-of-place `fn(self, *args)` and write the result into self's storage.

        With grad mode on and a graph involved, self is rebased onto the new node: the
        old value becomes a copy the new node can use, like PyTorch's in-place autograd."""
        self._check_inplace()
        tracked = is_grad_enabled() and (self.requires_grad or any(
            isinstance(a, Tensor) and a.requires_grad for a in args))
        if not tracked:
            with no_grad():
                out = fn(self, *args, **kwargs)
            self._check_inplace_shape(fn, out)
            self._write(out._data)
            return self
        old = Tensor._wrap(self._data.copy())
        old.requires_grad, old.grad_fn = self.requires_grad, self.grad_fn
        out = fn(old, *args, **kwargs)
        self._check_inplace_shape(fn, out)
        self._write(out._data)
        self.grad_fn, self.requires_grad = out.grad_fn, out.requires_grad
        return self

    def _check_inplace_shape(self, fn, out):
        if out._data.shape != self._data.shape:
            name = getattr(fn, "__name__", "in-place op").rstrip("_") + "_"
            raise ShapeError(f"{name}(): output with shape {tuple(self._data.shape)} doesn't match the "
                             f"broadcast shape {tuple(out._data.shape)}")

    def _write(self, arr):
        if not self._data.flags.writeable:
            raise RuntimeError("unsupported operation: the tensor is a broadcast (expanded) view and "
                               "cannot be written in place; call .clone() first")
        if arr.dtype != self._data.dtype and not np.can_cast(arr.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"result type {dtypes.from_numpy(arr.dtype).name} can't be cast to the "
                               f"desired output type {self.dtype.name}")
        np.copyto(self._data, arr, casting="unsafe")
        self._bump()

    def _fill(self, make, *args):
        """Write make(self, *args) (an array, or a scalar to broadcast) into self: the in-place fills."""
        self._check_inplace()
        arr = make(self, *args)
        if self.requires_grad and self.grad_fn is not None:   # the result no longer depends on the graph
            self.grad_fn, self.requires_grad = None, False
        self._write(np.asarray(arr))
        return self

    def _become(self, view_op, *args):
        """unsqueeze_ / squeeze_ / t_ / transpose_: self becomes view_op(self, *args), a view of its storage."""
        self._check_inplace()
        out = view_op(self, *args)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self.requires_grad = out.grad_fn, True
        self._bump()
        return self


def _wrap_dim(dim, ndim, fname="dim", argname="dim"):
    """Normalize a possibly negative dim; IndexError naming the function and argument otherwise."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{fname}(): argument '{argname}' must be an int, got {type(dim).__name__} "
                        f"({dim!r:.40})")
    if not -n <= dim < n:
        raise IndexError(f"{fname}(): Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim}) for argument '{argname}'")
    return int(dim) % n if ndim > 0 else 0


# ---- helpers of the methods above ----
def _other(other, fname):
    if not isinstance(other, Tensor):
        raise TypeError(f"{fname}(): argument 'other' must be a Tensor, not {type(other).__name__}")
    return other


def _is_bool(a, b):
    return a.dtype is dtypes.bool and (not isinstance(b, Tensor) or b.dtype is dtypes.bool)


def _matrix_transpose(t, name):
    if t.ndim == 0:
        return ops.permute(t)
    if t.ndim < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. Got "
                           f"{t.ndim}-D tensor.")
    return ops.transpose(t, -2, -1)


def _unavailable(name, what):
    return _device.DeviceUnavailableError(f"{name}(): {what} is not available: tensorlite runs on the CPU "
                                          f"only (Torch not compiled with CUDA enabled)")


def _new_dtype(self, fname, dtype, device, layout=None, pin_memory=False):
    _device.check_options(fname, device, layout, pin_memory)
    return dtype or self.dtype


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


# The out-of-place functions behind some in-place methods; `_inplace` names them in its errors.
def _copy_value(s, src):
    src = src if isinstance(src, Tensor) else creation._tensor(src, fname="copy_", argname="src")
    try:
        return ops.expand(src.to(s.dtype), *s.shape)
    except RuntimeError:
        raise ShapeError(f"copy_(): argument 'src' of shape {tuple(src.shape)} cannot be broadcast to the "
                         f"destination of shape {tuple(s.shape)}") from None


def _fill_diagonal(s, fill_value, wrap):
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


def _polygamma_of(s, n):
    return ops.polygamma(n, s)


_copy_value.__name__, _fill_diagonal.__name__, _polygamma_of.__name__ = "copy_", "fill_diagonal_", "polygamma_"


# ---- the legacy constructors' storage (Tensor(2, 3), x.new(...), tl.FloatTensor(...), see _legacy.py) ----
def _legacy_array(args, dtype, device, fname):
    """Storage for the legacy constructors (Tensor(...), FloatTensor(...)); dtype None: the default float."""
    _device.check(device, fname)
    d = dtype or dtypes.default_float
    if not args:
        return np.empty((0,), d.np)
    if len(args) == 1 and (isinstance(args[0], bool) or not isinstance(args[0], (numbers.Integral, Size))):
        a = args[0]
        if isinstance(a, Tensor):
            if dtype is not None and a.dtype is not dtype:
                raise TypeError(f"{fname}(): argument 'data' is a Tensor of dtype {a.dtype.name}, expected "
                                f"{dtype.name} (convert it with .to({dtype!r}))")
            return a._data
        if a is None or isinstance(a, (numbers.Number, np.bool_, str, bytes)):
            raise TypeError(f"{fname}(): argument 'data' must be a sequence of numbers or a Tensor (new(): data "
                            f"must be a sequence (got {type(a).__name__})), got {a!r:.60}")
        try:
            arr = np.array(a)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{fname}(): argument 'data' could not be converted to a tensor: {e}") from None
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"{fname}(): argument 'data' must hold numbers, got {type(a).__name__}: {a!r:.60}")
        return arr.astype(d.np)
    shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"{fname}(): argument 'size' must be a tuple of ints, got {args!r:.80}")
        if n < 0:
            raise ShapeError(f"{fname}(): argument 'size' has a negative dimension: Trying to create tensor "
                             f"with negative dimension {n}: {list(shape)}")
    return np.empty(tuple(int(n) for n in shape), d.np)


class _LegacyTensorType(type):
    """torch.FloatTensor & co.: calling one builds a Tensor of that dtype, isinstance checks the dtype."""

    def __call__(cls, *args, device=None):
        t = Tensor._wrap(_legacy_array(args, cls.dtype, device, cls.__name__))
        if len(args) == 1 and isinstance(args[0], Tensor):
            t._vc = args[0]._vc
        return t

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls):
        return f"<class 'tensorlite.{cls.__name__}'>"


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


# The layer order's one back-edge (ARCHITECTURE.md): the methods above call ops (and creation, for
# new_* and the fills' argument checks) at call time; both modules build on Tensor, so they are
# imported here, once the class exists.
from . import ops, creation  # noqa: E402

# help(x.add) shows tl.add's documentation: a delegating method shares its op's docstring.
for _name, _method in vars(Tensor).items():
    if callable(_method) and _method.__doc__ is None and callable(getattr(ops, _name, None)):
        _method.__doc__ = getattr(ops, _name).__doc__
del _name, _method
