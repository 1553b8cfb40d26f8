"""Padding modules (torch.nn.modules.padding): Constant/Zero/Reflection/Replication/CircularPad{1,2,3}d.
padding is an int (every side) or a tuple of 2 * d ints (left, right[, top, bottom[, front, back]])."""
import numbers

from . import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]

_SIDES = {1: "(left, right)", 2: "(left, right, top, bottom)", 3: "(left, right, top, bottom, front, back)"}


def _is_int(p):
    return isinstance(p, numbers.Integral) and not isinstance(p, bool)


def _ntuple_padding(padding, d, owner):
    n = 2 * d
    if _is_int(padding):
        return (int(padding),) * n
    if isinstance(padding, (tuple, list)) and len(padding) == n and all(_is_int(p) for p in padding):
        return tuple(int(p) for p in padding)
    raise TypeError(f"{owner}: argument 'padding' must be an int or a tuple of {n} ints {_SIDES[d]}, got "
                    f"{padding!r:.60}")


def _quadruple(padding, owner):          # kept for callers of the old helper
    return _ntuple_padding(padding, 2, owner)


class _ConstantPadNd(Module):
    _d = None

    def __init__(self, value):
        super().__init__()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{type(self).__name__}: argument 'value' must be a number, got {value!r:.40}")
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple_padding(padding, 1, type(self).__name__)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple_padding(padding, 2, type(self).__name__)


class ConstantPad3d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple_padding(padding, 3, type(self).__name__)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _IndexPadNd(Module):
    """Base of the reflect / replicate / circular pads (torch has one base per mode: the
    _ReflectionPadNd, _ReplicationPadNd, _CircularPadNd subclasses below)."""
    _mode = None
    _d = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple_padding(padding, self._d, type(self).__name__)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ReflectionPadNd(_IndexPadNd):
    _mode = "reflect"


class _ReplicationPadNd(_IndexPadNd):
    _mode = "replicate"


class _CircularPadNd(_IndexPadNd):
    _mode = "circular"

    def _check_input_dim(self, input):
        dims = (self._d + 1, self._d + 2)
        ndim = getattr(input, "ndim", None)
        if ndim not in dims:
            raise ValueError(f"{type(self).__name__}: expected {dims[0]}D or {dims[1]}D input (got {ndim}D input "
                             f"of shape {tuple(getattr(input, 'shape', ()))})")

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, "circular")


class ReflectionPad1d(_ReflectionPadNd):
    _d = 1


class ReflectionPad2d(_ReflectionPadNd):
    _d = 2


class ReflectionPad3d(_ReflectionPadNd):
    _d = 3


class ReplicationPad1d(_ReplicationPadNd):
    _d = 1


class ReplicationPad2d(_ReplicationPadNd):
    _d = 2


class ReplicationPad3d(_ReplicationPadNd):
    _d = 3


class CircularPad1d(_CircularPadNd):
    _d = 1


class CircularPad2d(_CircularPadNd):
    _d = 2


class CircularPad3d(_CircularPadNd):
    _d = 3
