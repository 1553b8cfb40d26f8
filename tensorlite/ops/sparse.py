"""embedding: rows of a weight matrix picked by integer indices (torch.nn.functional.embedding).

The lookup is `weight[input]` (advanced indexing, whose backward scatter-adds into the rows).
padding_idx: the picked padding rows are replaced by their detached copies, so the value is
unchanged and that row gets no gradient. scale_grad_by_freq: out.detach() + (out - out.detach()) / f
keeps the value and divides each row's gradient by its index's count f in the mini-batch.
max_norm: the referenced rows whose norm exceeds max_norm are rescaled in place, without a gradient,
before the lookup (as PyTorch's embedding_renorm_)."""
import numbers

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .elementwise import where
from .indexing import getitem

__all__ = ["embedding"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    fname = "embedding"
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' must be a Tensor of indices, not {type(input).__name__}")
    if input.dtype.is_floating_point or input.dtype.name == "bool":
        raise TypeError(f"{fname}(): argument 'input' (indices) must have an integer dtype (int64 or int32), "
                        f"got {input.dtype}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fname}(): argument 'weight' must be a Tensor, not {type(weight).__name__}")
    if weight.ndim != 2:
        raise ShapeError(f"{fname}(): argument 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{tuple(weight.shape)}")
    if sparse:
        raise ValueError(f"{fname}(): argument 'sparse'=True is not supported (tensorlite has no sparse "
                         f"gradients), got sparse={sparse!r}")
    n = weight.shape[0]
    idx = input._data.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].ravel()[0]
        raise IndexError(f"{fname}(): index {int(bad)} in argument 'input' is out of range for argument "
                         f"'weight' with {n} rows (shape {tuple(weight.shape)})")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (numbers.Integral, np.integer)):
            raise TypeError(f"{fname}(): argument 'padding_idx' must be an int or None, got {padding_idx!r:.40}")
        if not -n <= padding_idx < n:
            raise ValueError(f"{fname}(): argument 'padding_idx' {padding_idx} must be within num_embeddings "
                             f"({n})")
        padding_idx = int(padding_idx) % n
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type, fname)
    out = getitem(weight, Tensor._wrap(idx))
    if padding_idx is not None and (idx == padding_idx).any():
        out = where(Tensor._wrap((idx == padding_idx)[..., None]), out.detach(), out)
    if scale_grad_by_freq and idx.size:
        _, inverse, counts = np.unique(idx.ravel(), return_inverse=True, return_counts=True)
        inv_freq = (1.0 / counts[inverse]).reshape(idx.shape + (1,)).astype(weight._data.dtype)
        frozen = out.detach()
        out = frozen + (out - frozen) * Tensor._wrap(inv_freq)
    return out


def _renorm_(weight, idx, max_norm, norm_type, fname):
    for name, v in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.floating, np.integer)) or not v > 0:
            raise ValueError(f"{fname}(): argument '{name}' must be a positive number, got {v!r:.40}")
    rows = np.unique(idx)
    if rows.size == 0:
        return
    w = weight._data
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=float(norm_type), axis=1)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] *= scale[:, None]
        weight._bump()
