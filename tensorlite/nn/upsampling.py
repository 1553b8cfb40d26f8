"""Decoder layers: ConvTranspose2d and Upsample (PyTorch's names, arguments, init and state-dict keys)."""

from . import functional as F
from .layers import _ConvNd
from .module import Module


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

class Upsample(Module):
    """F.interpolate as a layer, as torch.nn.Upsample: give size or scale_factor; mode 'nearest',
    'nearest-exact', 'linear', 'bilinear' or 'trilinear'."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling with align_corners=True (as torch.nn.UpsamplingBilinear2d)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
