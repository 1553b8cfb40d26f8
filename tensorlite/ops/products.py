"""Matrix and vector products: matmul (and @), mm, bmm, dot, mv, outer, and linear (x @ W.T + b).
Float matmuls run on the C GEMM (tensorlite.backend.gemm); numpy is only the oracle in tests."""
import numpy as np

from ..autograd.function import Function
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor, unbroadcast

__all__ = ["matmul", "mm", "bmm", "dot", "mv", "outer", "linear"]


class Matmul(Function):
    """(..., M, K) @ (..., K, N) with broadcast batch dims."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.dtype.kind == "f":
            from ..backend.gemm import matmul as gemm_matmul
            if a.dtype == np.float16:           # computed in float32 and rounded back (as conv2d)
                return gemm_matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
            return gemm_matmul(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = unbroadcast(g @ b.mT, a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(a.mT @ g, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


def matmul(input, other):
    return _matmul(input, other, "matmul", ("input", "other"))


def _matmul(input, other, fname, names):
    a, b = as_tensor(input, fname, names[0]), as_tensor(other, fname, names[1])
    if a.dtype is not b.dtype:             # no type promotion in matrix products, as PyTorch
        raise DTypeError(f"{fname}(): arguments '{names[0]}' and '{names[1]}' must have the same dtype, got "
                         f"{a.dtype.name} and {b.dtype.name}")
    shapes = (f"argument '{names[0]}' of shape {tuple(a.shape)} and argument '{names[1]}' of shape "
              f"{tuple(b.shape)}")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"{fname}(): both arguments need to be at least 1D, got {shapes}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else -1]:
        raise ShapeError(f"{fname}(): {shapes} cannot be multiplied "
                         f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else -1]})")
    if a.ndim == 1 and b.ndim == 1:
        return Matmul.apply(a.reshape(1, -1), b.reshape(-1, 1)).reshape(())
    if a.ndim == 1:
        return Matmul.apply(a.unsqueeze(0), b).squeeze(-2)
    if b.ndim == 1:
        return Matmul.apply(a, b.unsqueeze(-1)).squeeze(-1)
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"{fname}(): batch dimensions of {shapes} cannot be broadcast") from None
    if b.ndim == 2 and a.ndim > 2:
        # One big GEMM instead of a batch of small ones (and no batch-sum in backward).
        # (explicit row count: reshape can't infer -1 when K == 0)
        out = Matmul.apply(a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1]), b)
        return out.reshape(tuple(batch) + (a.shape[-2], b.shape[-1]))
    return Matmul.apply(a, b)


def mm(input, mat2):
    a, b = as_tensor(input, "mm"), as_tensor(mat2, "mm", "mat2")
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm(): expected 2-D tensors, got argument 'input' of shape {tuple(a.shape)} and "
                         f"argument 'mat2' of shape {tuple(b.shape)}")
    return _matmul(a, b, "mm", ("input", "mat2"))


def bmm(input, mat2):
    a, b = as_tensor(input, "bmm"), as_tensor(mat2, "bmm", "mat2")
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm(): expected 3-D tensors with equal batch sizes, got argument 'input' of shape "
                         f"{tuple(a.shape)} and argument 'mat2' of shape {tuple(b.shape)}")
    return _matmul(a, b, "bmm", ("input", "mat2"))


def dot(input, other):
    a, b = as_tensor(input, "dot"), as_tensor(other, "dot", "other")
    if a.ndim != 1 or b.ndim != 1 or a.shape[0] != b.shape[0]:
        raise ShapeError(f"dot(): expected two 1-D tensors of equal length, got argument 'input' of shape "
                         f"{tuple(a.shape)} and argument 'other' of shape {tuple(b.shape)}")
    return matmul(a, b)


def mv(input, vec):
    a, b = as_tensor(input, "mv"), as_tensor(vec, "mv", "vec")
    if a.ndim != 2 or b.ndim != 1:
        raise ShapeError(f"mv(): expected a 2-D and a 1-D tensor, got argument 'input' of shape "
                         f"{tuple(a.shape)} and argument 'vec' of shape {tuple(b.shape)}")
    return _matmul(a, b, "mv", ("input", "vec"))


def outer(input, vec2):
    a, b = as_tensor(input, "outer"), as_tensor(vec2, "outer", "vec2")
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"outer(): expected 1-D tensors, got argument 'input' of shape {tuple(a.shape)} and "
                         f"argument 'vec2' of shape {tuple(b.shape)}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, weight of shape (out_features, in_features)."""
    x, w = as_tensor(input, "linear"), as_tensor(weight, "linear", "weight")
    if w.ndim not in (1, 2) or x.ndim == 0 or x.shape[-1] != w.shape[-1]:
        raise ShapeError(f"linear(): input {tuple(x.shape)} and weight {tuple(w.shape)} are incompatible: "
                         f"expected weight (out_features, {x.shape[-1] if x.ndim else '?'})")
    if x.dtype is not w.dtype:
        raise DTypeError(f"linear(): argument 'weight' has dtype {w.dtype.name} but input has dtype "
                         f"{x.dtype.name}; they must match")
    y = matmul(x, w.t() if w.ndim == 2 else w)
    if bias is not None:
        b = as_tensor(bias, "linear", "bias")
        if b.dtype is not x.dtype:
            raise DTypeError(f"linear(): argument 'bias' has dtype {b.dtype.name} but input has dtype "
                             f"{x.dtype.name}; they must match")
        if b.ndim > 1 or (b.ndim == 1 and w.ndim == 2 and b.shape[0] != w.shape[0]):
            raise ShapeError(f"linear(): bias of shape {tuple(b.shape)} does not match weight "
                             f"{tuple(w.shape)}")
        y = y + b
    return y
