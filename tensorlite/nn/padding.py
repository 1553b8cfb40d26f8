"""ConstantPad2d, ZeroPad2d: pad the last two dims by (left, right, top, bottom)."""
import numbers

from . import functional as F
from .module import Module


def _quadruple(padding, owner):
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return (int(padding),) * 4
    if isinstance(padding, (tuple, list)) and len(padding) == 4 and all(
            isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in padding):
        return tuple(int(p) for p in padding)
    raise TypeError(f"{owner}: argument 'padding' must be an int or a tuple of 4 ints (left, right, top, "
                    f"bottom), got {padding!r:.60}")


class ConstantPad2d(Module):
    def __init__(self, padding, value):
        super().__init__()
        self.padding = _quadruple(padding, type(self).__name__)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{type(self).__name__}: argument 'value' must be a number, got {value!r:.40}")
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
