"""PyTorch's legacy tensor API, kept so old programs run: the typed constructors (tl.FloatTensor,
tl.LongTensor, ...), torch.autograd.Variable and set_default_tensor_type.

The constructors' storage parsing (`_legacy_array`) and their metaclass live in tensor.py, because
Tensor(2, 3), x.new(...) and x.type(tl.DoubleTensor) use them too."""
import warnings

import numpy as np

from . import dtypes
from .tensor import Tensor, _LegacyTensorType, _legacy_dtype


def _legacy_type(d):
    name = dtypes.legacy_name(d)
    return _LegacyTensorType(name, (), {"dtype": d, "__doc__": f"Legacy constructor for {d.name} tensors "
                                        f"(torch.{name}): {name}(data), {name}(*size), isinstance checks."})


LEGACY_TYPES = {d: _legacy_type(d) for d in dtypes._ALL}
FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    LEGACY_TYPES[d] for d in (dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int64, dtypes.int32,
                              dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.bool))


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
