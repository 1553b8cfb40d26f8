"""Activation modules beyond those in layers.py (PyTorch's names, arguments and extra_repr).
Each is a thin wrapper over tensorlite.nn.functional; only PReLU holds a parameter."""
import numbers
import warnings

from .. import creation
from . import functional as F
from . import init
from .module import Module, _device_type
from .parameter import Parameter


def _maybe_inplace(module, x, fn):
    """fn(x), written into x's storage when module.inplace (PyTorch's inplace=True)."""
    return x._inplace(fn) if module.inplace else fn(x)


def _inplace_repr(module, s=""):
    if module.inplace:
        return f"{s}, inplace=True" if s else "inplace=True"
    return s


class ELU(Module):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.elu(t, self.alpha))

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")


class CELU(Module):                        # not an ELU subclass, as PyTorch
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.celu(t, self.alpha))


class SELU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return _maybe_inplace(self, input, F.selu)

    def extra_repr(self):
        return _inplace_repr(self)


class Mish(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return _inplace_repr(self)

    def forward(self, input):
        return _maybe_inplace(self, input, F.mish)


class Hardswish(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return _maybe_inplace(self, input, F.hardswish)


class Hardsigmoid(Module):                 # PyTorch prints neither this nor Hardswish with inplace
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return _maybe_inplace(self, input, F.hardsigmoid)


class Softsign(Module):
    def forward(self, input):
        return F.softsign(input)


class LogSigmoid(Module):
    def forward(self, input):
        return F.logsigmoid(input)


class Tanhshrink(Module):
    def forward(self, input):
        return F.tanhshrink(input)


class Softmin(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GLU(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:         # PyTorch's deprecated spellings
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        if min_val > max_val:
            raise ValueError(f"Hardtanh: argument 'min_val' ({min_val}) cannot be greater than argument "
                             f"'max_val' ({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.hardtanh(t, self.min_val, self.max_val))

    def extra_repr(self):
        return _inplace_repr(self, f"min_val={self.min_val}, max_val={self.max_val}")


class Threshold(Module):
    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.threshold(t, self.threshold, self.value))

    def extra_repr(self):
        return _inplace_repr(self, f"threshold={self.threshold}, value={self.value}")


class PReLU(Module):
    """x if x > 0 else a * x with a learnable `weight` of shape (num_parameters,), filled with `init`."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        if device is not None:
            _device_type(device, "PReLU")
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, numbers.Integral) or \
                num_parameters <= 0:
            raise ValueError(f"PReLU: argument 'num_parameters' must be a positive int, got {num_parameters!r}")
        if isinstance(init, bool) or not isinstance(init, numbers.Real):
            raise TypeError(f"PReLU: argument 'init' must be a number, got {init!r:.40}")
        self.num_parameters, self.init = int(num_parameters), float(init)
        self.weight = Parameter(creation.empty(self.num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Hardshrink(Module):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Module):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class RReLU(Module):
    """Randomized leaky relu: per-element slopes U(lower, upper) for inputs <= 0 while training,
    the fixed slope (lower + upper) / 2 in eval mode."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self, f"lower={self.lower}, upper={self.upper}")


class Softmax2d(Module):
    """softmax over the channel dim of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        ndim = getattr(input, "ndim", None)
        if ndim is None:
            raise TypeError(f"Softmax2d: argument 'input' must be a Tensor, got {type(input).__name__}")
        if ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {ndim}D instead (input of shape "
                             f"{tuple(getattr(input, 'shape', ()))})")
        return F.softmax(input, -3)
