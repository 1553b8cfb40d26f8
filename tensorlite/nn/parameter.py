"""Parameter: a leaf tensor that a Module registers as trainable."""
import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data                 # shares storage, as torch.nn.Parameter does
        else:
            arr = np.asarray(data, dtype=np.float32)
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
        arr = data._data if isinstance(data, Tensor) else np.asarray(data)
        self._init(arr, False)
        self.persistent = persistent
