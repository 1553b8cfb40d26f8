"""Tensor: an n-dimensional numpy array plus what autograd needs to differentiate through it."""
import numbers
import warnings
import weakref

import numpy as np

from . import dtypes
from . import _device
from . import _tensor_str
from .autograd.grad_mode import is_grad_enabled, no_grad
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

    # ---- metadata ----
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

    # ---- data access ----
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


def _legacy_type(d):
    name = dtypes.legacy_name(d)
    return _LegacyTensorType(name, (), {"dtype": d, "__doc__": f"Legacy constructor for {d.name} tensors "
                                        f"(torch.{name}): {name}(data), {name}(*size), isinstance checks."})


LEGACY_TYPES = {d: _legacy_type(d) for d in dtypes._ALL}


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Deprecated torch.autograd.Variable: Variable(t, requires_grad=False) returns a leaf Tensor sharing
    t's storage, and every Tensor is an instance of Variable."""

    def __new__(cls, data=None, requires_grad=False, volatile=None):
        if volatile is not None:
            warnings.warn("volatile was removed and now has no effect. Use `with tensorlite.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        if data is None:
            return Tensor._wrap(np.empty((0,), dtypes.default_float.np), requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = Tensor._wrap(data._data)
        t._vc = data._vc
        return t.requires_grad_(True) if requires_grad else t


# The autograd hot paths (Function.apply, the backward walk) use Tensor on every op, but they are
# imported before it exists (tensor -> autograd -> tensor): bind it here once instead of importing
# it inside each call.
from .autograd import function as _function, engine as _engine  # noqa: E402
_function.Tensor = _engine.Tensor = Tensor
