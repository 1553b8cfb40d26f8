"""Attention: scaled_dot_product_attention and multi_head_attention_forward with PyTorch's
semantics (its math path), composed from differentiable ops (matmul, softmax, where, dropout,
linear), so backward and double backward come from the parts. Heads and batch elements are
batch dimensions of one matmul, never a Python loop."""
import math
import numbers
import warnings

import numpy as np

from .. import dtypes
from ..errors import ShapeError, DTypeError, ArgumentError
from ..tensor import Tensor
from ._helpers import as_tensor
from .elementwise import where
from .products import matmul, linear
from .movement import cat, pad
from .normalization import dropout
from .reduction import softmax

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


class AttentionAssertionError(ShapeError, AssertionError):
    """Where PyTorch asserts (AssertionError); still a ShapeError (ValueError, RuntimeError)."""


def _shape(t):
    return tuple(t.shape)


def _const(arr):
    return Tensor._wrap(np.ascontiguousarray(arr))


def _check_dropout(p, fname):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{fname}(): argument 'dropout_p' (dropout probability) has to be between 0 and 1, "
                         f"but got {p!r}")
    return float(p)


def _repeat_heads(t, n_q, argname, q, fname):
    """enable_gqa: repeat each key/value head n_q // heads times along dim -3 (repeat_interleave)."""
    if t.ndim < 3 or q.ndim < 3:
        raise ShapeError(f"{fname}(): enable_gqa=True needs a heads dim (-3): got argument 'query' of shape "
                         f"{_shape(q)} and argument '{argname}' of shape {_shape(t)}")
    h = t.shape[-3]
    if h == 0 or n_q % h:
        raise ShapeError(f"{fname}(): number of heads in argument '{argname}' ({h}, shape {_shape(t)}) must "
                         f"divide the number of heads in argument 'query' ({n_q}, shape {_shape(q)})")
    r = n_q // h
    if r == 1:
        return t
    lead, (s, e) = tuple(t.shape[:-3]), tuple(t.shape[-2:])
    return t.unsqueeze(-3).expand(*lead, h, r, s, e).reshape(*lead, h * r, s, e)


def _attn_bias(attn_mask, is_causal, L, S, q, fname):
    """The additive bias for the scores: -inf where a bool mask is False (or above the top-left
    causal diagonal); a float mask as given (it may carry gradient)."""
    if is_causal:
        if attn_mask is not None:
            raise ArgumentError(f"{fname}(): Explicit attn_mask should not be set when is_causal=True")
        keep = np.tril(np.ones((L, S), dtype=bool))
        return _const(np.where(keep, 0.0, -np.inf).astype(q._data.dtype))
    if attn_mask is None:
        return None
    m = as_tensor(attn_mask, fname, "attn_mask")
    if m.dtype is dtypes.bool:
        return _const(np.where(m._data, 0.0, -np.inf).astype(q._data.dtype))
    if m.dtype is not q.dtype:
        raise DTypeError(f"{fname}(): argument 'attn_mask' must be bool or match query's dtype ({q.dtype.name}), "
                         f"got {m.dtype.name}")
    return m


def _safe_softmax(scores):
    """softmax over the last dim, with 0 (not NaN) for rows that are entirely -inf, as torch's
    SDPA. Those rows are replaced by 0 before the softmax, so their gradient is 0, not NaN."""
    dead = np.all(scores._data == -np.inf, axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    dead = _const(dead)
    return where(dead, 0.0, softmax(where(dead, 0.0, scores), -1))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query @ key^T * scale + bias) @ value over (..., L, E), (..., S, E), (..., S, Ev).
    attn_mask: bool (True = take part) or float (added), broadcast to (..., L, S); is_causal: the
    top-left lower-triangular L x S mask; scale defaults to 1 / sqrt(E)."""
    fname = "scaled_dot_product_attention"
    q, k, v = (as_tensor(t, fname, n) for t, n in ((query, "query"), (key, "key"), (value, "value")))
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ShapeError(f"{fname}(): expected query, key and value to be at least 2-D, got shapes query "
                         f"{_shape(q)}, key {_shape(k)}, value {_shape(v)}")
    if not (q.dtype is k.dtype is v.dtype):
        raise DTypeError(f"{fname}(): expected query, key and value to have the same dtype, got query "
                         f"{q.dtype.name}, key {k.dtype.name}, value {v.dtype.name}")
    if not q.is_floating_point():
        raise DTypeError(f"{fname}(): query, key and value must be floating point, got {q.dtype.name}")
    if k.shape[-1] != q.shape[-1] or v.shape[-2] != k.shape[-2]:
        raise ShapeError(f"{fname}(): expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got "
                         f"shapes query {_shape(q)}, key {_shape(k)}, value {_shape(v)}")
    dropout_p = _check_dropout(dropout_p, fname)
    if enable_gqa:
        k = _repeat_heads(k, q.shape[-3] if q.ndim >= 3 else 0, "key", q, fname)
        v = _repeat_heads(v, q.shape[-3], "value", q, fname)
    try:
        np.broadcast_shapes(_shape(q)[:-2], _shape(k)[:-2], _shape(v)[:-2])
    except ValueError:
        raise ShapeError(f"{fname}(): batch dims of query {_shape(q)}, key {_shape(k)} and value {_shape(v)} "
                         f"cannot be broadcast together") from None
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    s = (1.0 / math.sqrt(E) if E else 1.0) if scale is None else float(scale)
    scores = matmul(q, k.transpose(-2, -1))
    if E:                       # E == 0: scores are 0 whatever the scale (no 0 * inf)
        scores = scores * s
    bias = _attn_bias(attn_mask, is_causal, L, S, q, fname)
    if bias is not None:
        full = tuple(np.broadcast_shapes(_shape(q)[:-2], _shape(k)[:-2])) + (L, S)
        try:
            ok = tuple(np.broadcast_shapes(_shape(bias), full)) == full
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(f"{fname}(): argument 'attn_mask' of shape {_shape(bias)} does not broadcast to "
                             f"the attention scores' shape {full} (query {_shape(q)}, key {_shape(k)})")
        scores = scores + bias
    attn = _safe_softmax(scores)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, v)


# ------------------------------------------------------------------ multi-head attention
def _canonical_mask(mask, mask_name, other_type, other_name, target_dtype, fname, check_other=True):
    """bool masks (True = masked out) become float -inf/0 masks of the query's dtype, as torch's."""
    if mask is None:
        return None
    m = as_tensor(mask, fname, mask_name)
    if m.dtype is not dtypes.bool and not m.is_floating_point():
        raise AttentionAssertionError(f"{fname}: only bool and floating types of {mask_name} are supported, "
                                      f"got {m.dtype.name}")
    if check_other and other_type is not None and m.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for "
                      f"both instead.", stacklevel=3)
    if m.dtype is dtypes.bool:
        return _const(np.where(m._data, -np.inf, 0.0).astype(target_dtype.np))
    return m


def _none_or_dtype(t):
    return None if t is None else as_tensor(t).dtype


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads, fname):
    def fail(msg):
        raise AttentionAssertionError(f"{fname}: {msg}")
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            fail(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found {key.ndim}-D and "
                 f"{value.ndim}-D tensors respectively (shapes {_shape(key)}, {_shape(value)})")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            fail(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but found "
                 f"{key_padding_mask.ndim}-D tensor instead (shape {_shape(key_padding_mask)})")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            fail(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                 f"{attn_mask.ndim}-D tensor instead (shape {_shape(attn_mask)})")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            fail(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found {key.ndim}-D and "
                 f"{value.ndim}-D tensors respectively (shapes {_shape(key)}, {_shape(value)})")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            fail(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but found "
                 f"{key_padding_mask.ndim}-D tensor instead (shape {_shape(key_padding_mask)})")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                fail(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                     f"{attn_mask.ndim}-D tensor instead (shape {_shape(attn_mask)})")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and _shape(attn_mask) != expected:
                fail(f"Expected `attn_mask` shape to be {expected} but got {_shape(attn_mask)}")
        return False
    fail(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor "
         f"(shape {_shape(query)})")


def _in_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v, fname):
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, want in (("q_proj_weight", w_q, (Eq, Eq)), ("k_proj_weight", w_k, (Eq, Ek)),
                          ("v_proj_weight", w_v, (Eq, Ev))):
        if _shape(w) != want:
            raise AttentionAssertionError(f"{fname}: expecting {name} of shape {want}, but got {_shape(w)}")
    for name, b in (("q", b_q), ("k", b_k), ("v", b_v)):
        if b is not None and _shape(b) != (Eq,):
            raise AttentionAssertionError(f"{fname}: expecting {name} bias of shape {(Eq,)}, but got {_shape(b)}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """PyTorch's F.multi_head_attention_forward: sequence-first (L, N, E) or unbatched (L, E) inputs;
    masks with True (or -inf) = not attended. Returns (attn_output, attn_weights or None)."""
    fname = "multi_head_attention_forward"
    query, key, value = (as_tensor(t, fname, n) for t, n in ((query, "query"), (key, "key"), (value, "value")))
    kpm = None if key_padding_mask is None else as_tensor(key_padding_mask, fname, "key_padding_mask")
    am = None if attn_mask is None else as_tensor(attn_mask, fname, "attn_mask")
    is_batched = _mha_shape_check(query, key, value, kpm, am, num_heads, fname)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if kpm is not None:
            kpm = kpm.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    kpm = _canonical_mask(kpm, "key_padding_mask", _none_or_dtype(am), "attn_mask", query.dtype, fname)
    if is_causal and am is None:
        raise ArgumentError(f"{fname}: Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                            f"module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and kpm is None and not need_weights:
        am = None               # SDPA's is_causal stands in for the (causal) mask
    else:
        am = _canonical_mask(am, "attn_mask", None, "", query.dtype, fname, check_other=False)
        if kpm is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AttentionAssertionError(f"{fname}: was expecting embedding dimension of {embed_dim_to_check}, but "
                                      f"got {embed_dim} (argument 'query' of shape {_shape(query)})")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AttentionAssertionError(f"{fname}: embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if _shape(key)[:2] != _shape(value)[:2]:
            raise AttentionAssertionError(f"{fname}: key's sequence and batch dims {_shape(key)[:2]} do not match "
                                          f"value's {_shape(value)[:2]}")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v,
                                 fname)
    else:
        if _shape(key) != _shape(value):
            raise AttentionAssertionError(f"{fname}: key shape {_shape(key)} does not match value shape "
                                          f"{_shape(value)}")
        E = embed_dim
        w = [in_proj_weight[i * E:(i + 1) * E] for i in range(3)]
        b = [None] * 3 if in_proj_bias is None else [in_proj_bias[i * E:(i + 1) * E] for i in range(3)]
        q, k, v = _in_projection(query, key, value, *w, *b, fname)

    if am is not None:
        if am.ndim == 2:
            if _shape(am) != (tgt_len, src_len):
                raise ShapeError(f"{fname}: The shape of the 2D attn_mask is {_shape(am)}, but should be "
                                 f"{(tgt_len, src_len)}.")
            am = am.unsqueeze(0)
        elif am.ndim == 3:
            if _shape(am) != (bsz * num_heads, tgt_len, src_len):
                raise ShapeError(f"{fname}: The shape of the 3D attn_mask is {_shape(am)}, but should be "
                                 f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise ShapeError(f"{fname}: attn_mask's dimension {am.ndim} is not supported (shape {_shape(am)})")

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AttentionAssertionError(f"{fname}: bias cannot be added to static key/value")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        am = None if am is None else pad(am, (0, 1))
        kpm = None if kpm is None else pad(kpm, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AttentionAssertionError(f"{fname}: bias_k and bias_v must both be given or both be None")

    # (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k", fname)
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v", fname)
    if add_zero_attn:
        zeros = _const(np.zeros((bsz * num_heads, 1, head_dim), dtype=k._data.dtype))
        k, v = cat([k, zeros], dim=1), cat([v, zeros.to(v.dtype)], dim=1)
        am = None if am is None else pad(am, (0, 1))
        kpm = None if kpm is None else pad(kpm, (0, 1))
    src_len = k.shape[1]
    if kpm is not None:
        if _shape(kpm) != (bsz, src_len):
            dim = 0 if kpm.shape[0] != bsz else 1
            raise AttentionAssertionError(f"{fname}: Expected key_padded_mask.shape[{dim}] to be "
                                          f"{(bsz, src_len)[dim]}, but got {kpm.shape[dim]} (key_padding_mask of "
                                          f"shape {_shape(kpm)})")
        kpm = kpm.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1,
                                                                                           src_len)
        am = kpm if am is None else am + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        w = matmul(q_scaled, k.transpose(-2, -1))
        if am is not None:
            w = am + w
        w = softmax(w, -1)          # plain softmax: fully masked rows are NaN, as torch's
        if dropout_p > 0.0:
            w = dropout(w, dropout_p, True)
        out = matmul(w, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        w = w.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w

    if am is not None:
        am = am.unsqueeze(0) if am.shape[0] == 1 else am.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, am, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if is_batched else out.squeeze(1)), None


def _heads(t, static, bsz, num_heads, head_dim, name, fname):
    if static is None:
        return t.reshape(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    static = as_tensor(static, fname, name)
    if static.ndim != 3 or static.shape[0] != bsz * num_heads or static.shape[2] != head_dim:
        raise AttentionAssertionError(f"{fname}: expecting {name} of shape ({bsz * num_heads}, S, {head_dim}), "
                                      f"but got {_shape(static)}")
    return static
