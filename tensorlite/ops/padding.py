"""torch.nn.functional.pad with every mode: 'constant' (ops.movement.pad) and the index-mapped modes
'reflect', 'replicate' and 'circular', each an index_select per padded dim (so backward and double
backward come from the indexing ops: the gradient of a repeated source element is summed)."""
import numpy as np

from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor
from ._helpers import as_tensor
from . import movement


class PadModeError(NotImplementedError, ValueError):
    """An unknown mode or an unsupported rank: NotImplementedError as PyTorch raises it, and a
    ValueError, as tensorlite's bad-argument errors are."""

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_tuple(pad):
    if isinstance(pad, (str, Tensor)) or not hasattr(pad, "__iter__"):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, got {pad!r:.40}")
    pad = tuple(pad)
    for p in pad:
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, but found {p!r} in {pad!r:.60}")
    return tuple(int(p) for p in pad)


def _source_index(n, before, after, mode):
    """For each output position along a dim of size n, the input position it copies."""
    i = np.arange(-before, n + after, dtype=np.int64)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i > n - 1, 2 * (n - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:                   # torch crops the negative sides first, then wraps within what is left
        start, stop = max(-before, 0), n - max(-after, 0)
        i = start + np.mod(np.arange(-max(before, 0), stop - start + max(after, 0)), stop - start)
    return i


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims of input; pad lists (before, after) pairs from the LAST dim
    backwards. Non-constant modes pad the last 1, 2 or 3 dims of a batched or unbatched input
    ((C, W) or (N, C, W) for 1 dim, and so on), as torch."""
    if mode == "constant":
        return movement.pad(input, pad, mode, value)
    if mode not in _MODES:
        raise PadModeError(f"pad(): unrecognised padding mode {mode!r} (expected one of "
                                  f"{', '.join(repr(m) for m in _MODES)})")
    x = as_tensor(input, "pad")
    pad = _pad_tuple(pad)
    if value is not None:
        raise ArgumentError(f"pad(): padding mode {mode!r} doesn't take in value argument (got value={value!r})")
    if len(pad) % 2:
        raise ArgumentError(f"pad(): padding length must be divisible by 2, got argument 'pad' {pad}")
    k = len(pad) // 2
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise PadModeError(
            f"pad(): padding size {len(pad)} (argument 'pad' {pad}) is not supported for {x.ndim}D input tensor "
            f"of shape {tuple(x.shape)}; non-constant padding supports 2D or 3D input with padding size 2, 3D or "
            f"4D with 4, 4D or 5D with 6")
    first = x.ndim - k - (1 if x.ndim == k + 1 else 2)  # dims before the padded ones: channel (and batch)
    if any(s == 0 for s in x.shape[first + (1 if x.ndim == k + 2 else 0):]):
        raise ShapeError(f"pad(): mode {mode!r} expects {k + 1}D or {k + 2}D (batch mode) input with possibly 0 "
                         f"batch size and other non-zero dimensions, got shape {tuple(x.shape)}")
    for j in range(k):
        d = x.ndim - 1 - j
        n, b, a = x.shape[d], pad[2 * j], pad[2 * j + 1]
        if mode == "reflect" and (b >= n or a >= n):
            raise ShapeError(f"pad(): padding size should be less than the corresponding input dimension for "
                             f"mode 'reflect', but got padding ({b}, {a}) at dimension {d} of input "
                             f"{tuple(x.shape)}")
        if mode == "circular" and (b > n or a > n):
            raise ShapeError(f"pad(): padding value causes wrapping around more than once: padding ({b}, {a}) "
                             f"at dimension {d} of input {tuple(x.shape)} (mode 'circular')")
        if n + b + a < 1:
            raise ShapeError(f"pad(): argument 'pad' {pad} makes dimension {d} of input {tuple(x.shape)} "
                             f"{n + b + a}, it must be at least 1")
    for j in range(k):
        d = x.ndim - 1 - j
        b, a = pad[2 * j], pad[2 * j + 1]
        if b == 0 and a == 0:
            continue
        idx = Tensor._wrap(_source_index(x.shape[d], b, a, mode))
        x = _take(x, d, idx)
    return x.clone() if x is input else x


def _take(x, d, idx):
    from .indexing import index_select
    return index_select(x, d, idx)
