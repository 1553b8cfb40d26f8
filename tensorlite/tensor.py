"""Tensor: an n-dimensional numpy array plus what autograd needs to differentiate through it."""
import weakref

import numpy as np

from . import dtypes
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

    def __init__(self, data=(), requires_grad=False):
        # tl.Tensor(data) makes a float32 tensor, as torch.Tensor does.
        try:
            arr = np.array(data._data if isinstance(data, Tensor) else data, dtype=np.float32)
        except (ValueError, TypeError) as e:
            raise TypeError(f"Tensor(): argument 'data' must be a Tensor or a (nested) sequence of numbers, "
                            f"got {data!r:.80} ({e})") from None
        self._init(arr, requires_grad)

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
        return "cpu"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def is_cuda(self):
        return False

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

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", precision=4, prefix="tensor(",
                               floatmode="maxprec_equal", threshold=1000, edgeitems=3)
        extras = []
        if self._data.dtype not in (np.float32, np.int64, np.bool_) or self._data.size == 0:
            extras.append(f"dtype={self.dtype!r}")
        if self._data.size == 0 and self._data.ndim > 1:
            extras.append(f"size={tuple(self._data.shape)}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

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


# The autograd hot paths (Function.apply, the backward walk) use Tensor on every op, but they are
# imported before it exists (tensor -> autograd -> tensor): bind it here once instead of importing
# it inside each call.
from .autograd import function as _function, engine as _engine  # noqa: E402
_function.Tensor = _engine.Tensor = Tensor
