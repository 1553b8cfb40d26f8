"""Convolution layers (torch.nn.modules.conv): _ConvNd, the base of every convolution, Conv1d,
Conv2d and ConvTranspose2d, with torch's arguments, init, state-dict keys and repr."""
import math

from .. import creation
from . import functional as F
from . import init
from ._args import _check_device, _check_positive_int, _ntuple
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _reversed_padding(padding, kernel_size, dilation):
    """F.pad's argument for a non-'zeros' padding_mode: (left, right) per spatial dim, last dim first;
    'same' puts the odd extra element on the right, as torch."""
    out = []
    for i in reversed(range(len(kernel_size))):
        if padding == "valid":
            out += [0, 0]
        elif padding == "same":
            total = dilation[i] * (kernel_size[i] - 1)
            out += [total // 2, total - total // 2]
        else:
            out += [padding[i], padding[i]]
    return tuple(out)


def _conv_input(module, x):
    """x padded by the module's padding_mode, and the padding left for the conv itself."""
    if module.padding_mode == "zeros":
        return x, module.padding
    return F.pad(x, module._reversed_padding_repeated_twice, mode=module.padding_mode), 0


class _ConvNd(Module):
    """PyTorch's base of every convolution: weight (out, in // groups, *k), or (in, out // groups, *k)
    when transposed. Subclasses pass the raw arguments; ints expand to n-tuples (n = self._n, or
    the length of kernel_size for a user subclass)."""
    _n = None

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        n = self._n or (len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 2)
        _check_device(device, owner)
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            _check_positive_int(v, name, owner)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{owner}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{owner}: padding_mode must be one of {sorted(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _ntuple(kernel_size, n, "kernel_size", owner)
        for k in self.kernel_size:
            _check_positive_int(k, "kernel_size", owner)
        self.stride = _ntuple(stride, n, "stride", owner)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{owner}: invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{owner}: padding='same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, n, "padding", owner)
        self.dilation = _ntuple(dilation, n, "dilation", owner)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, n, "output_padding", owner)
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = _reversed_padding(self.padding, self.kernel_size, self.dilation)
        shape = ((in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups))
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    _n = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, x):
        x, padding = _conv_input(self, x)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, x):
        x, padding = _conv_input(self, x)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    """PyTorch's base of the transposed convolutions (a _ConvNd with transposed=True)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        owner = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f"{owner}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{owner}: padding must be an int or a tuple of ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                         output_padding, groups, bias, padding_mode, device, dtype)
        for o, s, d in zip(self.output_padding, self.stride, self.dilation):
            if o >= s and o >= d:
                raise ValueError(f"{owner}: output_padding must be smaller than either stride or dilation, got "
                                 f"output_padding={self.output_padding}, stride={self.stride}, "
                                 f"dilation={self.dilation}")


class ConvTranspose2d(_ConvTransposeNd):
    """The gradient of a Conv2d with respect to its input, as torch.nn.ConvTranspose2d.
    weight: (in_channels, out_channels // groups, kH, kW); output size per dim
    (H - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1.
    forward(x, output_size=None): output_size picks output_padding so the output has that size."""
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding,
                         groups, bias, padding_mode, device, dtype)

    def _output_padding(self, x, output_size):
        if output_size is None:
            return self.output_padding
        output_size = tuple(output_size)
        non_spatial = 2 if x.ndim == 4 else 1
        if len(output_size) == non_spatial + 2:
            output_size = output_size[non_spatial:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2d: for {x.ndim}D input, output_size must have 2 or {non_spatial + 2} "
                             f"elements (got {len(output_size)}: {output_size})")
        in_hw = tuple(x.shape[-2:])
        lo = [(i - 1) * s - 2 * p + d * (k - 1) + 1
              for i, s, p, d, k in zip(in_hw, self.stride, self.padding, self.dilation, self.kernel_size)]
        hi = [m + s - 1 for m, s in zip(lo, self.stride)]
        if any(not a <= int(o) <= b for o, a, b in zip(output_size, lo, hi)):
            raise ValueError(f"ConvTranspose2d: requested an output size of {output_size}, but valid sizes range "
                             f"from {tuple(lo)} to {tuple(hi)} (for an input of spatial size {in_hw})")
        return tuple(int(o) - m for o, m in zip(output_size, lo))

    def forward(self, x, output_size=None):
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)
