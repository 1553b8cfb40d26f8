"""Variable-length sequences for the recurrent layers (torch.nn.utils.rnn): PackedSequence and the
pack / pad conversions.

Each pack / pad conversion is one gather (x[flat_index]) over the flattened input, so gradients
flow back through a single scatter-add and no Python loop runs per element or per time step."""
from collections import namedtuple

import numpy as np

from ... import creation
from ...ops._helpers import as_tensor
from ...ops.movement import cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _int64(arr):
    return Tensor._wrap(np.ascontiguousarray(arr, dtype=np.int64))


def invert_permutation(permutation):
    if permutation is None:
        return None
    p = as_tensor(permutation, "invert_permutation", "permutation")._data.astype(np.int64).reshape(-1)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=np.int64)
    return _int64(out)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """data: (sum(lengths), *) the time steps of all sequences, step by step, longest sequence first;
    batch_sizes: int64 (max_len,), how many sequences are still running at each step;
    sorted_indices / unsorted_indices: the batch permutation to and from length order (or None)."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:            # PackedSequence((data, batch_sizes)), as torch allows
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise TypeError(f"PackedSequence(): without 'batch_sizes', argument 'data' must be a "
                                f"(data, batch_sizes) pair, got {type(data).__name__}")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self, *args, **kwargs):
        return self

    def double(self):
        return self._with_data(self.data.double())

    def float(self):
        return self._with_data(self.data.float())

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_array(lengths, fname):
    if isinstance(lengths, Tensor):
        arr = lengths._data
    else:
        try:
            arr = np.asarray(lengths)
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.dtype.kind not in "iuf":
            raise TypeError(f"{fname}(): argument 'lengths' must be a 1-D Tensor or list of ints, got "
                            f"{lengths!r:.60}")
    if arr.ndim != 1:
        raise RuntimeError(f"{fname}(): 'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{arr.ndim}D tensor of shape {tuple(arr.shape)}")
    return arr.astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    fname = "pack_padded_sequence"
    x = as_tensor(input, fname)
    lens = _lengths_array(lengths, fname)
    if x.ndim < 2:
        raise ValueError(f"{fname}(): argument 'input' must have at least 2 dims (time and batch), got shape "
                         f"{tuple(x.shape)}")
    t_dim, b_dim = (1, 0) if batch_first else (0, 1)
    T, B = x.shape[t_dim], x.shape[b_dim]
    if lens.size != B:
        raise RuntimeError(f"{fname}(): Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={B}, input of shape {tuple(x.shape)})")
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(f"{fname}(): `lengths` array must be sorted in decreasing order when "
                               f"`enforce_sorted` is True (got {lens.tolist()}). You can pass "
                               f"`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               f"sidestep this requirement if you do not need ONNX exportability.")
        order, sorted_indices = np.arange(B), None
    else:
        order = np.argsort(-lens, kind="stable")      # torch's sort agrees on ties for batches up to 16
        sorted_indices = _int64(order)
    sl = lens[order]
    if B == 0 or sl[-1] <= 0:
        raise RuntimeError(f"{fname}(): Length of all samples has to be greater than 0, but found an element "
                           f"in 'lengths' that is <= 0 (lengths {lens.tolist()})")
    if sl[0] > T:
        raise RuntimeError(f"{fname}(): 'lengths' holds {int(sl[0])}, longer than the padded sequence length "
                           f"{T} of argument 'input' (shape {tuple(x.shape)})")
    running = sl[None, :] > np.arange(sl[0])[:, None]          # (max_len, B): step t of sorted sequence j
    batch_sizes = running.sum(1)
    t_idx, j_idx = np.nonzero(running)                          # row-major: the packed order
    b_idx = order[j_idx]
    flat = t_idx * B + b_idx if not batch_first else b_idx * T + t_idx
    data = x.reshape(T * B, *x.shape[2:])[flat]
    return PackedSequence(data, _int64(batch_sizes), sorted_indices, None)


def _check_packed(sequence, fname):
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{fname}(): argument 'sequence' must be a PackedSequence, not {type(sequence).__name__}")
    return [int(b) for b in as_tensor(sequence.batch_sizes, fname, "batch_sizes")._data]


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    fname = "pad_packed_sequence"
    bs = np.asarray(_check_packed(sequence, fname), dtype=np.int64)
    data = as_tensor(sequence.data, fname, "sequence.data")
    T0 = bs.size
    if total_length is not None:
        if total_length < T0:
            raise ValueError(f"{fname}(): Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max sequence "
                             f"length being {T0}")
        T = int(total_length)
    else:
        T = T0
    B = int(bs[0]) if T0 else 0
    n = data.shape[0]
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(np.int64)
    idx = np.full((T, B), n, dtype=np.int64)                      # n: the padding row appended below
    j = np.arange(B)
    valid = j[None, :] < bs[:, None]
    idx[:T0][valid] = (offsets[:, None] + j[None, :])[valid]
    lengths = valid.sum(0)
    if sequence.unsorted_indices is not None:
        unsorted = as_tensor(sequence.unsorted_indices, fname, "unsorted_indices")._data.astype(np.int64)
        idx, lengths = idx[:, unsorted], lengths[unsorted]
    if batch_first:
        idx = idx.T
    pad = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    out = cat([data, pad], 0)[idx.reshape(-1)].reshape(*idx.shape, *data.shape[1:])
    return out, _int64(lengths)


def _sequence_list(sequences, fname):
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        seqs = [as_tensor(s, fname, "sequences") for s in sequences]
    except TypeError:
        raise TypeError(f"{fname}(): argument 'sequences' must be a list of Tensors, got "
                        f"{type(sequences).__name__}") from None
    if not seqs:
        raise RuntimeError(f"{fname}(): received an empty list of sequences")
    for i, s in enumerate(seqs):
        if s.ndim == 0 or tuple(s.shape[1:]) != tuple(seqs[0].shape[1:]):
            raise RuntimeError(f"{fname}(): every sequence must have shape (L, *) with the same trailing dims; "
                               f"argument 'sequences' has shape {tuple(seqs[0].shape)} at entry 0 and "
                               f"{tuple(s.shape)} at entry {i}")
    return seqs


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    fname = "pad_sequence"
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"{fname}(): Expected padding_side to be one of left or right, but got {padding_side}.")
    seqs = _sequence_list(sequences, fname)
    lens = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    L = int(lens.max())
    data = cat(seqs, 0) if len(seqs) > 1 else seqs[0]
    n = int(lens.sum())
    offsets = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    t = np.arange(L)[None, :]
    start = (L - lens)[:, None] if padding_side == "left" else np.zeros((len(seqs), 1), dtype=np.int64)
    valid = (t >= start) & (t < start + lens[:, None])
    idx = np.where(valid, offsets[:, None] + t - start, n)        # (B, L); n: the padding row
    if not batch_first:
        idx = idx.T
    pad = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    return cat([data, pad], 0)[idx.reshape(-1)].reshape(*idx.shape, *data.shape[1:])


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    fname = "unpad_sequence"
    x = as_tensor(padded_sequences, fname, "padded_sequences")
    lens = _lengths_array(lengths, fname)
    if x.ndim < 2 or lens.size != x.shape[0 if batch_first else 1]:
        raise ValueError(f"{fname}(): argument 'lengths' ({lens.size} entries) must have one entry per sequence "
                         f"of argument 'padded_sequences' (shape {tuple(x.shape)}, batch_first={batch_first})")
    if not batch_first:
        x = x.transpose(0, 1)
    return [x[i, :int(n)] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    seqs = _sequence_list(sequences, "pack_sequence")
    lengths = [s.shape[0] for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
