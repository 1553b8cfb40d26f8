"""LayerNorm, GroupNorm, LocalResponseNorm and RMSNorm (torch.nn.modules.normalization): torch's
arguments, init, state-dict keys and extra_repr. BatchNorm is in batchnorm.py, InstanceNorm in
instancenorm.py."""
import numbers

from .. import creation
from . import functional as F
from . import init
from ._args import _check_device, _positive_int
from .batchnorm import norm_parameters, reset_norm_parameters
from .module import Module
from .parameter import Parameter

__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]


def _shape_entries(normalized_shape, owner):
    """normalized_shape as a sequence of dims (an int is one dim); TypeError for a str or a non-iterable.
    LayerNorm and RMSNorm check the dims themselves."""
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else normalized_shape
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"{owner}: argument 'normalized_shape' must be an int or a tuple of ints, got "
                        f"{normalized_shape!r:.40}")
    return shape


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, "LayerNorm")
        shape = _shape_entries(normalized_shape, "LayerNorm")
        self.normalized_shape = tuple(_positive_int(s, "normalized_shape", "LayerNorm") for s in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        norm_parameters(self, self.normalized_shape, elementwise_affine, bias, None, dtype)

    def reset_parameters(self):
        reset_norm_parameters(self, self.elementwise_affine)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        _check_device(device, "GroupNorm")
        num_groups = _positive_int(num_groups, "num_groups", "GroupNorm")
        num_channels = _positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: argument 'num_channels' ({num_channels}) must be divisible by "
                             f"argument 'num_groups' ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        norm_parameters(self, (num_channels,), affine, bias, None, dtype)

    def reset_parameters(self):
        reset_norm_parameters(self, self.affine)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class RMSNorm(Module):
    """x / sqrt(mean(x^2 over normalized_shape) + eps) * weight (weight ones; eps=None: the dtype's
    machine epsilon at call time, as torch 2.13)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, "RMSNorm")
        shape = _shape_entries(normalized_shape, "RMSNorm")
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(creation.ones(*self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
