"""Image rearrangements: pixel_shuffle and unfold (im2col), as torch.nn.functional.

Both are pure data movement composed from reshape / permute / pad / strided slicing, so their
gradients (and gradients of gradients) come from those ops: unfold's backward is the
scatter-add of each window back to its pixels (torch's fold)."""
import numbers

import numpy as np

from ..errors import ShapeError
from ._helpers import as_tensor, check_float
from .movement import pad as _pad, stack

__all__ = ["pixel_shuffle", "unfold"]


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    fname = "pixel_shuffle"
    x = as_tensor(input, fname)
    if isinstance(upscale_factor, bool) or not isinstance(upscale_factor, (numbers.Integral, np.integer)):
        raise TypeError(f"{fname}(): argument 'upscale_factor' must be an int, got {upscale_factor!r:.40}")
    r = int(upscale_factor)
    if r <= 0:
        raise ValueError(f"{fname}(): argument 'upscale_factor' must be positive, got {r}")
    if x.ndim < 3:
        raise ShapeError(f"{fname}(): argument 'input' must have at least 3 dims (*, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    *lead, C, H, W = x.shape
    if C % (r * r):
        raise ShapeError(f"{fname}(): number of input channels {C} (input of shape {tuple(x.shape)}) must be "
                         f"divisible by the square of argument 'upscale_factor' {r}")
    k = len(lead)
    y = x.reshape(*lead, C // (r * r), r, r, H, W)
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*lead, C // (r * r), H * r, W * r)



def _pair(fname, name, v, lo):
    vals = v if isinstance(v, (tuple, list)) else (v, v)
    if len(vals) != 2 or any(isinstance(e, bool) or not isinstance(e, (numbers.Integral, np.integer))
                             for e in vals):
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of 2 ints, got {v!r:.40}")
    if any(e < lo for e in vals):
        raise ValueError(f"{fname}(): argument '{name}' must be {'positive' if lo else 'non-negative'}, got {v!r}")
    return tuple(int(e) for e in vals)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of an (N, C, H, W) or (C, H, W) input as columns: (N, C * kh * kw, L),
    channel-major then kernel row then kernel column, L blocks in row-major order."""
    fname = "unfold"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim not in (3, 4):
        raise ShapeError(f"{fname}(): expected a 3-D (unbatched) or 4-D (batched) argument 'input', got shape "
                         f"{tuple(x.shape)}")
    k = _pair(fname, "kernel_size", kernel_size, 1)
    d = _pair(fname, "dilation", dilation, 1)
    p = _pair(fname, "padding", padding, 0)
    s = _pair(fname, "stride", stride, 1)
    batched = x.ndim == 4
    if not batched:
        x = x.unsqueeze(0)
    N, C, H, W = x.shape
    out = [(n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, pp, ss in zip((H, W), k, d, p, s)]
    if out[0] < 1 or out[1] < 1:
        raise ShapeError(f"{fname}(): given argument 'input' of shape {tuple(input.shape)}, kernel_size={k}, "
                         f"dilation={d}, padding={p}, stride={s}, the calculated number of blocks {tuple(out)} "
                         f"is too small")
    if p != (0, 0):
        x = _pad(x, (p[1], p[1], p[0], p[0]))
    cols = [x[:, :, i * d[0]: i * d[0] + s[0] * (out[0] - 1) + 1: s[0],
              j * d[1]: j * d[1] + s[1] * (out[1] - 1) + 1: s[1]]
            for i in range(k[0]) for j in range(k[1])]
    y = stack(cols, 2).reshape(N, C * k[0] * k[1], out[0] * out[1])
    return y if batched else y.squeeze(0)
