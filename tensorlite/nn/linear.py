"""Identity, Linear, Bilinear and LazyLinear (torch.nn.modules.linear): torch's arguments, default
initialisation, parameter names and repr."""
import math
import numbers

from .. import creation
from ..autograd.grad_mode import no_grad
from . import functional as F
from . import init
from ._args import _check_device, _check_positive_int
from .module import Module
from .parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


class Identity(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, "Linear")
        if in_features != 0:                      # 0: LazyLinear, until its first input
            _check_positive_int(in_features, "in_features", "Linear")
        _check_positive_int(out_features, "out_features", "Linear")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(creation.empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # PyTorch's default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under torch's name for MultiheadAttention.out_proj (same keys, init and repr)."""


class Bilinear(Module):
    """y = x1^T A x2 + b with weight A of shape (out_features, in1_features, in2_features), both
    drawn from U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as torch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, "Bilinear")
        for name, v in (("in1_features", in1_features), ("in2_features", in2_features),
                        ("out_features", out_features)):
            _check_positive_int(v, name, "Bilinear")
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(creation.empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """Linear whose in_features is taken from the last dim of the first input. Until then weight
    (and bias) are empty placeholder Parameters of shape (0,) and in_features is 0 (torch's
    UninitializedParameter, simplified: no shape-less parameter type); the first forward
    materializes them with Linear's init and the module becomes a plain Linear, as torch."""
    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, out_features, bias, device, dtype)
        self._lazy_dtype = dtype
        self.weight = Parameter(creation.empty(0, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(0, dtype=dtype))

    def has_uninitialized_params(self):
        return self.in_features == 0 and self.weight.numel() == 0

    def reset_parameters(self):
        if self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if not self.has_uninitialized_params():
            return
        shape = getattr(input, "shape", None)
        if not shape:
            raise ValueError(f"LazyLinear: cannot infer in_features from an input of shape {shape}; the input must "
                             f"have at least 1 dim")
        in_features = shape[-1]
        if not isinstance(in_features, numbers.Integral) or in_features <= 0:
            raise ValueError(f"LazyLinear: cannot infer in_features from input of shape {tuple(shape)}")
        self.in_features = int(in_features)
        with no_grad():
            self.weight = Parameter(creation.empty(self.out_features, self.in_features, dtype=self._lazy_dtype))
            if self.bias is not None:
                self.bias = Parameter(creation.empty(self.out_features, dtype=self._lazy_dtype))
            self.reset_parameters()

    def forward(self, x):
        if self.has_uninitialized_params():
            self.initialize_parameters(x)
            self.__class__ = self.cls_to_become
        return F.linear(x, self.weight, self.bias)
