"""MultiheadAttention (PyTorch's arguments, parameter names, shapes, init and state-dict keys)."""
import numbers

from .. import creation
from ..autograd.grad_mode import is_grad_enabled
from ..ops.attention import multi_head_attention_forward, AttentionAssertionError, _canonical_mask, _none_or_dtype
from ..ops._helpers import as_tensor
from . import init
from .linear import NonDynamicallyQuantizableLinear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        for name, val in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if isinstance(val, bool) or not isinstance(val, numbers.Integral):
                raise TypeError(f"MultiheadAttention: argument '{name}' must be an int, got {val!r:.40}")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AttentionAssertionError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got "
                                          f"embed_dim={embed_dim} and num_heads={num_heads}")

        def param(*shape):
            return Parameter(creation.empty(*shape, dtype=dtype))
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = param(embed_dim, embed_dim)
            self.k_proj_weight = param(embed_dim, self.kdim)
            self.v_proj_weight = param(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = param(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        if bias:
            self.in_proj_bias = param(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = param(1, 1, embed_dim)
            self.bias_v = param(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """query (L, N, E) (or (N, L, E) with batch_first, or unbatched (L, E)); key/value
        (S, N, kdim/vdim). Returns (attn_output, attn_weights averaged over heads, or per head
        with average_attn_weights=False, or None with need_weights=False)."""
        fname = "MultiheadAttention"
        same_qkv = query is key and key is value
        query, key, value = (as_tensor(t, fname, n) for t, n in ((query, "query"), (key, "key"), (value, "value")))
        fast = same_qkv and self._fast_path(query)
        need = need_weights
        if fast:
            # torch's fused inference kernel: a plain softmax (NaN for fully masked rows) over the
            # merged masks; the is_causal hint is not applied there.
            need_weights, is_causal = True, False
        is_batched = query.ndim == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype, fname)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, fname, check_other=False)
        if self.batch_first and is_batched:
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        common = dict(training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
                      attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal)
        if not self._qkv_same_embed_dim:
            out, weights = multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
                self.out_proj.bias, use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight,
                k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight, **common)
        else:
            out, weights = multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
                self.out_proj.bias, **common)
        if not need:
            weights = None
        if self.batch_first and is_batched:
            return out.transpose(1, 0), weights
        return out, weights

    def _fast_path(self, query):
        """Whether torch would take its fused inference path for this self-attention call."""
        if self.training or query.ndim != 3 or not self.batch_first or self.num_heads % 2:
            return False
        if self.in_proj_weight is None or self.in_proj_bias is None or query.dtype is not self.in_proj_bias.dtype:
            return False
        if self.bias_k is not None or self.add_zero_attn:
            return False
        return not (is_grad_enabled() and (query.requires_grad or any(p.requires_grad for p in self.parameters())))

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """(merged float mask of shape (N, heads, L, S) or as given, mask type: None, 0 (attn_mask),
        1 (key_padding_mask) or 2 (both)), as torch's."""
        mask_type, merged = None, None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                am = attn_mask.reshape(batch_size, -1, seq_len, seq_len)
            else:
                am = attn_mask.reshape(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads, -1, -1)
            merged = am
            if key_padding_mask is not None:
                kpm = key_padding_mask.reshape(batch_size, 1, 1, seq_len).expand(-1, self.num_heads, -1, -1)
                merged = am + kpm
        return merged, mask_type
