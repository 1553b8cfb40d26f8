"""Activation layers (torch.nn.modules.activation), in torch's order, with torch's names, arguments
and extra_repr. Each is a thin wrapper over tensorlite.nn.functional; only PReLU holds a parameter.
MultiheadAttention, which torch also keeps in this file, is in attention.py."""
import numbers
import warnings

from .. import creation
from . import functional as F
from . import init
from ._args import _check_device, _positive_int
from .module import Module
from .parameter import Parameter

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU", "Mish",
           "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink", "LeakyReLU", "LogSigmoid", "Softplus",
           "Softshrink", "PReLU", "Softsign", "Tanhshrink", "Softmin", "Softmax", "Softmax2d", "LogSoftmax"]


def _maybe_inplace(module, x, fn):
    """fn(x), written into x's storage when module.inplace (PyTorch's inplace=True)."""
    return x._inplace(fn) if module.inplace else fn(x)


def _inplace_repr(module, s=""):
    if module.inplace:
        return f"{s}, inplace=True" if s else "inplace=True"
    return s


class _InplaceActivation(Module):
    """The activations whose one argument is `inplace` (ReLU, SiLU, Mish, ...); not a torch class."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return _inplace_repr(self)


class Threshold(Module):
    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.threshold(t, self.threshold, self.value))

    def extra_repr(self):
        return _inplace_repr(self, f"threshold={self.threshold}, value={self.value}")


class ReLU(_InplaceActivation):
    def forward(self, x):
        return _maybe_inplace(self, x, F.relu)


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


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def forward(self, x):
        return _maybe_inplace(self, x, F.relu6)

    def extra_repr(self):
        return _inplace_repr(self)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Hardsigmoid(_InplaceActivation):
    def forward(self, input):
        return _maybe_inplace(self, input, F.hardsigmoid)

    def extra_repr(self):
        return ""                         # torch prints neither this nor Hardswish with inplace


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class SiLU(_InplaceActivation):
    def forward(self, x):
        return _maybe_inplace(self, x, F.silu)


class Mish(_InplaceActivation):
    def forward(self, input):
        return _maybe_inplace(self, input, F.mish)


class Hardswish(_InplaceActivation):
    def forward(self, input):
        return _maybe_inplace(self, input, F.hardswish)

    def extra_repr(self):
        return ""


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

    def forward(self, input):
        return _maybe_inplace(self, input, lambda t: F.celu(t, self.alpha))

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")


class SELU(_InplaceActivation):
    def forward(self, input):
        return _maybe_inplace(self, input, F.selu)


class GLU(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return _maybe_inplace(self, x, lambda t: F.leaky_relu(t, self.negative_slope))

    def extra_repr(self):
        return _inplace_repr(self, f"negative_slope={self.negative_slope}")


class LogSigmoid(Module):
    def forward(self, input):
        return F.logsigmoid(input)


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):                  # not a Hardshrink subclass, as PyTorch
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class PReLU(Module):
    """x if x > 0 else a * x with a learnable `weight` of shape (num_parameters,), filled with `init`."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        _check_device(device, "PReLU")
        num_parameters = _positive_int(num_parameters, "num_parameters", "PReLU")
        if isinstance(init, bool) or not isinstance(init, numbers.Real):
            raise TypeError(f"PReLU: argument 'init' must be a number, got {init!r:.40}")
        self.num_parameters, self.init = num_parameters, float(init)
        self.weight = Parameter(creation.empty(self.num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softsign(Module):
    def forward(self, input):
        return F.softsign(input)


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


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


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


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.log_softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
