"""Parameter: a leaf tensor that a Module registers as trainable."""
import numpy as np

from ..errors import DTypeError
from ..tensor import Tensor


class Parameter(Tensor):
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data                 # shares storage, as torch.nn.Parameter does
        else:
            try:
                arr = np.asarray(data, dtype=np.float32)
            except (TypeError, ValueError) as e:
                raise TypeError(f"Parameter(): argument 'data' must be a Tensor or a sequence of numbers, got "
                                f"{data!r:.40} ({e})") from None
        if requires_grad and arr.dtype.kind != "f":
            raise DTypeError(f"Parameter(): only Tensors of floating point dtype can require gradients; argument "
                             f"'data' has dtype {arr.dtype} (pass requires_grad=False)")
        self._init(arr, False)
        if isinstance(data, Tensor):
            self._vc = data._vc
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """Marker type (torch.nn.Buffer): assigning one to a Module attribute registers a buffer."""
    __slots__ = ("persistent",)

    def __init__(self, data, persistent=True):
        if isinstance(data, Tensor):
            arr = data._data
        else:
            from ..creation import _tensor
            arr = _tensor(data, fname="Buffer")._data
        self._init(arr, False)
        self.persistent = persistent
