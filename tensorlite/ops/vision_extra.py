"""pixel_unshuffle, channel_shuffle and fold (col2im), as torch.nn.functional.

The shuffles are reshape / permute; fold scatter-adds each column entry to its pixel (computed
index arrays), the adjoint of unfold, so gradients come from the scatter/gather ops."""
import numbers

import numpy as np

from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor
from ._helpers import as_tensor, check_float

__all__ = ["pixel_unshuffle", "channel_shuffle", "fold"]


def _int(v, fname, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' must be an int, got {v!r:.40}")
    return int(v)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), the inverse of pixel_shuffle."""
    fname = "pixel_unshuffle"
    x = as_tensor(input, fname)
    r = _int(downscale_factor, fname, "downscale_factor")
    if r <= 0:
        raise ArgumentError(f"{fname}(): expects a positive downscale_factor, but got {r}")
    if x.ndim < 3:
        raise ShapeError(f"{fname}(): expects input to have at least 3 dimensions, but got input with {x.ndim} "
                         f"dimension(s) (shape {tuple(x.shape)})")
    *lead, C, H, W = x.shape
    for name, n, d in (("height", H, -2), ("width", W, -1)):
        if n % r:
            raise ShapeError(f"{fname}(): expects {name} to be divisible by downscale_factor, but input.size({d})="
                             f"{n} is not divisible by {r}")
    k = len(lead)
    y = x.reshape(*lead, C, H // r, r, W // r, r)
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*lead, C * r * r, H // r, W // r)


def channel_shuffle(input, groups):
    """(N, C, *) with channels regrouped: (N, g, C / g, *) transposed to (N, C / g, g, *)."""
    fname = "channel_shuffle"
    x = as_tensor(input, fname)
    g = _int(groups, fname, "groups")
    if x.ndim <= 2:
        raise ShapeError(f"{fname}(): expects input with > 2 dims, but got input with sizes {list(x.shape)}")
    if g <= 0:
        raise ArgumentError(f"{fname}(): number of groups to divide channels in must be positive. Value of groups:"
                            f"{g}")
    N, C, *rest = x.shape
    if C % g:
        raise ShapeError(f"{fname}(): number of channels must be divisible by groups. Got {C} channels and {g} "
                         f"groups.")
    y = x.reshape(N, g, C // g, *rest).transpose(1, 2)
    return y.reshape(N, C, *rest)


def _pair(v, fname, name, lo):
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(vals) == 1:
        vals = vals * 2
    if len(vals) != 2 or any(isinstance(e, bool) or not isinstance(e, (numbers.Integral, np.integer)) for e in vals):
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of 2 ints, got {v!r:.40}")
    if any(e < lo for e in vals):
        raise ValueError(f"{fname}(): argument '{name}' must be {'positive' if lo else 'non-negative'}, got {v!r}")
    return tuple(int(e) for e in vals)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks (N, C * kh * kw, L) into (N, C, H, W), summing overlaps (col2im)."""
    from .indexing import scatter_add
    fname = "fold"
    x = as_tensor(input, fname)
    check_float(x, fname)
    out = _pair(output_size, fname, "output_size", 1)
    k = _pair(kernel_size, fname, "kernel_size", 1)
    d = _pair(dilation, fname, "dilation", 1)
    p = _pair(padding, fname, "padding", 0)
    s = _pair(stride, fname, "stride", 1)
    if x.ndim not in (2, 3) or any(n == 0 for n in x.shape[-2:]):
        raise ShapeError(f"{fname}(): expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size "
                         f"and non-zero dimensions for input, but got: {list(x.shape)}")
    batched = x.ndim == 3
    if not batched:
        x = x.unsqueeze(0)
    N, CK, L = x.shape
    kk = k[0] * k[1]
    if CK % kk:
        raise ShapeError(f"{fname}(): expected size of input's dimension 1 to be divisible by the product of "
                         f"kernel_size, but got input.size(1)={CK} and kernel_size={k}.")
    blocks = [(n + 2 * pp - dd * (kn - 1) - 1) // ss + 1 for n, kn, dd, pp, ss in zip(out, k, d, p, s)]
    if blocks[0] < 1 or blocks[1] < 1 or blocks[0] * blocks[1] != L:
        raise ShapeError(f"{fname}(): given output_size={out}, kernel_size={k}, dilation={d}, padding={p}, "
                         f"stride={s}, expected size of input's dimension 2 to match the calculated number of "
                         f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                         f"input.size(2)={L}.")
    C = CK // kk
    Hp, Wp = out[0] + 2 * p[0], out[1] + 2 * p[1]
    # flat padded-plane position of column entry (ki, kj, bi, bj)
    ki, kj, bi, bj = np.meshgrid(np.arange(k[0]), np.arange(k[1]), np.arange(blocks[0]), np.arange(blocks[1]),
                                 indexing="ij")
    pos = ((bi * s[0] + ki * d[0]) * Wp + (bj * s[1] + kj * d[1])).reshape(1, 1, kk * L)
    idx = Tensor._wrap(np.ascontiguousarray(np.broadcast_to(pos, (N, C, kk * L))).astype(np.int64))
    zeros = Tensor._wrap(np.zeros((N, C, Hp * Wp), dtype=x._data.dtype))
    y = scatter_add(zeros, 2, idx, x.reshape(N, C, kk * L)).reshape(N, C, Hp, Wp)
    if p != (0, 0):
        y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
    return y if batched else y.squeeze(0)
