"""embedding_bag (torch.nn.functional.embedding_bag): per bag, the sum / mean / max of the embedding
rows its indices pick, without materializing the (bags, bag length, dim) lookup.

The picked rows come from ops.sparse.embedding (so max_norm, scale_grad_by_freq and the weight's
gradient follow it); sum and mean scatter-add them into their bag, max gathers each bag's arg-max
row per column (the first on ties). Entries equal to padding_idx are left out of their bag (and of
its count, for mean); an empty bag is zeros."""
import numbers
import warnings

import numpy as np

from ..errors import ArgumentError
from ..tensor import Tensor
from .indexing import scatter_add
from .reduction import gather
from .sparse import embedding, _renorm_

__all__ = ["embedding_bag"]


def _bags(input, offsets, include_last_offset, fname):
    """(flat indices, bag id per entry (-1: outside every bag), number of bags)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{fname}(): if input is 2D, then offsets has to be None, as input is treated is a "
                             f"mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        B, L = input.shape
        return input._data.reshape(-1).astype(np.int64), np.repeat(np.arange(B), L), B
    if input.ndim != 1:
        raise ValueError(f"{fname}(): input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError(f"{fname}(): offsets has to be a 1D Tensor but got None")
    if not isinstance(offsets, Tensor) or offsets.ndim != 1:
        raise ValueError(f"{fname}(): offsets has to be a 1D Tensor")
    if offsets.is_floating_point() or offsets.dtype.name == "bool":
        raise TypeError(f"{fname}(): argument 'offsets' must be an integer tensor, got {offsets.dtype}")
    idx = input._data.astype(np.int64)
    off = offsets._data.astype(np.int64)
    n = idx.shape[0]
    if off.size and off[0] != 0:
        raise ArgumentError(f"{fname}(): offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                            f"start from position 0. However, got {int(off[0])}")
    if off.size and (np.any(np.diff(off) < 0) or off[-1] > n):
        raise ArgumentError(f"{fname}(): argument 'offsets' {off.tolist()} must be non-decreasing and at most the "
                            f"number of indices ({n})")
    if include_last_offset:
        B, end = max(off.size - 1, 0), (int(off[-1]) if off.size else 0)
    else:
        B, end = off.size, n
    bag = np.searchsorted(off[:B], np.arange(n), side="right") - 1 if B else np.full(n, -1)
    bag[np.arange(n) >= end] = -1
    return idx, bag, B


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    fname = "embedding_bag"
    if isinstance(weight, Tensor) and isinstance(input, Tensor) and not weight.is_floating_point() \
            and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if not isinstance(input, Tensor) or input.is_floating_point() or input.dtype.name == "bool":
        raise TypeError(f"{fname}(): argument 'input' must be an integer Tensor of indices, got "
                        f"{getattr(input, 'dtype', type(input).__name__)}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fname}(): argument 'weight' must be a Tensor, not {type(weight).__name__}")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"{fname}(): If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, then it "
                         f"must have the same shape as the input ({tuple(input.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"{fname}(): weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx, bag, B = _bags(input, offsets, include_last_offset, fname)
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{fname}(): mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(f"{fname}(): max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise ValueError(f"{fname}(): argument 'sparse'=True is not supported (tensorlite has no sparse gradients)")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"{fname}(): per_sample_weights was not None. per_sample_weights is only supported "
                                  f"for mode='sum' (got mode='{mode}').")
    N, D = weight.shape
    if idx.size and (idx.min() < 0 or idx.max() >= N):
        bad = int(idx[(idx < 0) | (idx >= N)][0])
        raise IndexError(f"{fname}(): index {bad} in argument 'input' is out of range for argument 'weight' with "
                         f"{N} rows")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (numbers.Integral, np.integer)):
            raise TypeError(f"{fname}(): argument 'padding_idx' must be an int or None, got {padding_idx!r:.40}")
        if not -N <= padding_idx < N:
            raise ValueError(f"{fname}(): argument 'padding_idx' {padding_idx} must be within num_embeddings ({N})")
        padding_idx = int(padding_idx) % N
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type, fname)
    keep = bag >= 0
    if padding_idx is not None:
        keep &= idx != padding_idx
    sel = np.nonzero(keep)[0]
    zeros = np.zeros((B, D), dtype=weight._data.dtype)
    if sel.size == 0:
        return Tensor._wrap(zeros) + weight.sum() * 0 if weight.requires_grad else Tensor._wrap(zeros)
    rows = embedding(Tensor._wrap(idx[sel]), weight, scale_grad_by_freq=scale_grad_by_freq)
    bags = bag[sel]
    if mode == "max":
        arg = np.zeros((B, D), dtype=np.int64)
        filled = np.zeros(B, dtype=bool)
        data = rows._data
        for b in np.unique(bags):
            members = np.nonzero(bags == b)[0]
            arg[b] = members[np.argmax(data[members], axis=0)]
            filled[b] = True
        out = gather(rows, 0, Tensor._wrap(arg))
        if not filled.all():
            out = out * Tensor._wrap(filled[:, None].astype(zeros.dtype))
        return out
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)
        rows = rows * psw[Tensor._wrap(sel)].reshape(-1, 1).to(rows.dtype)
    target = Tensor._wrap(np.ascontiguousarray(np.broadcast_to(bags[:, None], (sel.size, D))))
    out = scatter_add(Tensor._wrap(zeros), 0, target, rows)
    if mode == "mean":
        count = np.bincount(bags, minlength=B).astype(zeros.dtype)
        out = out / Tensor._wrap(np.maximum(count, 1)[:, None])
    return out


