"""Matrix products on numpy arrays through tensorlite's C GEMM.

This module is the only way Python code reaches the C GEMM
(``tl_sgemm`` / ``tl_dgemm`` and their batched forms in ``csrc/gemm.c``).

* ``matmul(a, b, out=None)`` -- ``a @ b`` with numpy's broadcasting of batch
  dimensions, float32 or float64, any strides (views are not copied).
* ``gemm(a, b, alpha=1.0, beta=0.0, out=None)`` -- 2-D ``alpha * a @ b +
  beta * out`` written into ``out`` (any strides) or a new array.
"""

import numpy as np

from . import kernel
from ._ffi import lib, ptr

__all__ = ["matmul", "gemm"]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
# dtype -> (C pointer type, 2-D kernel, batched kernel)
_KERNELS = {
    _F32: ("float *", lib.tl_sgemm, lib.tl_sgemm_batched),
    _F64: ("double *", lib.tl_dgemm, lib.tl_dgemm_batched),
}


def _check_array(fn, name, x):
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{fn}: argument '{name}' must be a numpy.ndarray, got {type(x).__name__}"
        )
    if x.dtype not in _KERNELS:
        raise TypeError(
            f"{fn}: argument '{name}' has unsupported dtype {x.dtype}; "
            "expected float32 or float64"
        )


def _operand(x):
    """Return (array, element strides) usable by the C kernel: the array
    itself when its strides are whole elements and its data is aligned,
    otherwise a C-contiguous copy."""
    isz = x.itemsize
    # numpy's "aligned" flag checks the data pointer (and strides) against
    # the dtype's alignment, which is its itemsize for float32 / float64
    if not x.flags.aligned or any(s % isz for s in x.strides):
        x = np.array(x, order="C", copy=True)  # a fresh, aligned buffer
    return x, tuple(s // isz for s in x.strides)


def _batch_strides(x, strides, nbatch):
    """Element strides of x's batch dims aligned to a batch of rank nbatch;
    broadcast (missing or size-1) dims get stride 0."""
    own = x.ndim - 2
    out = [0] * (nbatch - own)
    for d in range(own):
        out.append(0 if x.shape[d] == 1 else strides[d])
    return out


def _collapse_split(shape, stride_lists):
    """Smallest p such that batch dims p.. can be walked with one stride per
    operand (dims of size 1 must already be removed)."""
    p = len(shape) - 1
    while p > 0:
        d = p - 1
        if all(s[d] == s[d + 1] * shape[d + 1] for s in stride_lists):
            p = d
        else:
            break
    return p


def _matmul_into(a, b, out, M, N, K):
    """out (C-contiguous, batch + (M, N)) = a @ b with broadcasting;
    all sizes > 0."""
    ctype, k2d, kbat = _KERNELS[a.dtype]
    a, sa = _operand(a)
    b, sb = _operand(b)
    batch = out.shape[:-2]
    nb = len(batch)
    rsa, csa = sa[-2], sa[-1]
    rsb, csb = sb[-2], sb[-1]
    pa, pb, pc = ptr(ctype, a), ptr(ctype, b), ptr(ctype, out)

    if nb == 0:
        k2d(M, N, K, 1.0, pa, rsa, csa, pb, rsb, csb, 0.0, pc, N, 1)
        return

    bsa = _batch_strides(a, sa, nb)
    bsb = _batch_strides(b, sb, nb)
    bsc = [s // out.itemsize for s in out.strides[:-2]]
    # drop batch dims of extent 1: they never move a pointer
    keep = [d for d in range(nb) if batch[d] != 1]
    shape = [batch[d] for d in keep]
    bsa = [bsa[d] for d in keep]
    bsb = [bsb[d] for d in keep]
    bsc = [bsc[d] for d in keep]
    if not shape:
        k2d(M, N, K, 1.0, pa, rsa, csa, pb, rsb, csb, 0.0, pc, N, 1)
        return

    p = _collapse_split(shape, (bsa, bsb, bsc))
    inner = 1
    for n in shape[p:]:
        inner *= n
    ia, ib, ic = bsa[-1], bsb[-1], bsc[-1]

    if p == 0 and ib == 0 and ia == M * rsa:
        # B shared by every batch item and A's rows continue from one matrix
        # to the next: one big (batch * M) x K @ K x N product.
        k2d(inner * M, N, K, 1.0, pa, rsa, csa, pb, rsb, csb, 0.0, pc, N, 1)
        return

    if p == 0:
        kbat(inner, M, N, K, 1.0, pa, ia, rsa, csa, pb, ib, rsb, csb, 0.0, pc, ic, N, 1)
        return
    # outer batch dims that cannot be merged: one batched call per index
    for idx in np.ndindex(*shape[:p]):
        oa = sum(i * s for i, s in zip(idx, bsa))
        ob = sum(i * s for i, s in zip(idx, bsb))
        oc = sum(i * s for i, s in zip(idx, bsc))
        kbat(inner, M, N, K, 1.0,
             pa + oa, ia, rsa, csa,
             pb + ob, ib, rsb, csb,
             0.0, pc + oc, ic, N, 1)


def _matmul_fast(a, b):
    """Low-overhead path for the common cases -- 2-D @ 2-D and 3-D @ 3-D
    (batch sizes equal or 1), same float dtype, aligned, no zero sizes.
    Returns None when the general path must handle the call."""
    nd = a.ndim
    if nd != b.ndim or nd < 2 or nd > 3:
        return None
    dt = a.dtype
    kern = _KERNELS.get(dt)
    if kern is None or b.dtype != dt or not (a.flags.aligned and b.flags.aligned):
        return None
    isz = dt.itemsize
    sa = a.strides
    sb = b.strides
    for s in sa + sb:
        if s % isz:
            return None
    ctype = kern[0]
    if nd == 2:
        M, K = a.shape
        K2, N = b.shape
        if K != K2 or M * N * K == 0:
            return None
        c = np.empty((M, N), dtype=dt)
        kern[1](M, N, K, 1.0, ptr(ctype, a), sa[0] // isz, sa[1] // isz,
                ptr(ctype, b), sb[0] // isz, sb[1] // isz, 0.0, ptr(ctype, c), N, 1)
        return c
    Ba, M, K = a.shape
    Bb, K2, N = b.shape
    if K != K2 or M * N * K == 0 or (Ba != Bb and Ba != 1 and Bb != 1):
        return None
    batch = Ba if Ba != 1 else Bb
    if batch == 0:
        return None
    bsa = 0 if Ba == 1 else sa[0] // isz
    bsb = 0 if Bb == 1 else sb[0] // isz
    rsa, csa = sa[1] // isz, sa[2] // isz
    c = np.empty((batch, M, N), dtype=dt)
    if bsb == 0 and bsa == M * rsa:
        # B shared and A's rows continue across the batch: one 2-D product
        kern[1](batch * M, N, K, 1.0, ptr(ctype, a), rsa, csa,
                ptr(ctype, b), sb[1] // isz, sb[2] // isz, 0.0, ptr(ctype, c), N, 1)
        return c
    kern[2](batch, M, N, K, 1.0, ptr(ctype, a), bsa, rsa, csa,
            ptr(ctype, b), bsb, sb[1] // isz, sb[2] // isz,
            0.0, ptr(ctype, c), M * N, N, 1)
    return c


@kernel("matmul")
def matmul(a, b, out=None):
    """``a @ b`` for float32 / float64 numpy arrays via the C GEMM.

    ``a`` has shape ``(..., M, K)`` and ``b`` ``(..., K, N)`` (at least 2-D
    each); the batch dims ``...`` broadcast like numpy's.  Returns a new
    C-contiguous array of shape ``batch + (M, N)``, or writes into ``out``
    (C-contiguous, same dtype, exact shape) and returns it.
    """
    if out is None and type(a) is np.ndarray and type(b) is np.ndarray:
        c = _matmul_fast(a, b)
        if c is not None:
            return c
    _check_array("matmul", "a", a)
    _check_array("matmul", "b", b)
    if a.ndim < 2:
        raise ValueError(
            f"matmul: argument 'a' must have at least 2 dimensions, got shape {a.shape}"
        )
    if b.ndim < 2:
        raise ValueError(
            f"matmul: argument 'b' must have at least 2 dimensions, got shape {b.shape}"
        )
    if a.dtype != b.dtype:
        raise TypeError(
            f"matmul: arguments 'a' and 'b' must have the same dtype, got {a.dtype} and {b.dtype}"
        )
    M, K = a.shape[-2:]
    K2, N = b.shape[-2:]
    if K != K2:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned "
            f"(a has {K} columns, b has {K2} rows)"
        )
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {a.shape} and {b.shape} cannot be broadcast"
        ) from None
    shape = tuple(batch) + (M, N)

    if out is None:
        out = np.empty(shape, dtype=a.dtype)
    else:
        if not isinstance(out, np.ndarray):
            raise TypeError(
                f"matmul: argument 'out' must be a numpy.ndarray, got {type(out).__name__}"
            )
        if out.dtype != a.dtype:
            raise TypeError(
                f"matmul: argument 'out' has dtype {out.dtype}, expected {a.dtype}"
            )
        if out.shape != shape:
            raise ValueError(
                f"matmul: argument 'out' has shape {out.shape}, expected {shape}"
            )
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("matmul: argument 'out' must be C-contiguous and writeable")

    if out.size == 0:
        return out
    if K == 0:
        out.fill(0)
        return out
    if np.may_share_memory(out, a) or np.may_share_memory(out, b):
        tmp = np.empty(shape, dtype=a.dtype)
        _matmul_into(a, b, tmp, M, N, K)
        out[...] = tmp
        return out
    _matmul_into(a, b, out, M, N, K)
    return out


@kernel("gemm")
def gemm(a, b, alpha=1.0, beta=0.0, out=None):
    """2-D ``alpha * a @ b + beta * out`` via the C GEMM.

    ``a`` is ``(M, K)``, ``b`` ``(K, N)``, same dtype (float32 / float64).
    Without ``out`` a new C-contiguous ``(M, N)`` array holding
    ``alpha * a @ b`` is returned (``beta`` is ignored).  With ``out`` (any
    element-aligned strides, writeable, no zero strides) the result is
    accumulated in place -- ``beta == 0`` ignores out's old contents, NaN
    included -- and ``out`` is returned.
    """
    _check_array("gemm", "a", a)
    _check_array("gemm", "b", b)
    if a.ndim != 2:
        raise ValueError(f"gemm: argument 'a' must be 2-D, got shape {a.shape}")
    if b.ndim != 2:
        raise ValueError(f"gemm: argument 'b' must be 2-D, got shape {b.shape}")
    if a.dtype != b.dtype:
        raise TypeError(
            f"gemm: arguments 'a' and 'b' must have the same dtype, got {a.dtype} and {b.dtype}"
        )
    M, K = a.shape
    K2, N = b.shape
    if K != K2:
        raise ValueError(
            f"gemm: shapes {a.shape} and {b.shape} are not aligned "
            f"(a has {K} columns, b has {K2} rows)"
        )
    alpha = float(alpha)
    beta = float(beta)
    if out is None:
        out = np.empty((M, N), dtype=a.dtype)
        beta = 0.0
    else:
        if not isinstance(out, np.ndarray):
            raise TypeError(
                f"gemm: argument 'out' must be a numpy.ndarray, got {type(out).__name__}"
            )
        if out.dtype != a.dtype:
            raise TypeError(f"gemm: argument 'out' has dtype {out.dtype}, expected {a.dtype}")
        if out.shape != (M, N):
            raise ValueError(f"gemm: argument 'out' has shape {out.shape}, expected {(M, N)}")
        if not out.flags.writeable:
            raise ValueError("gemm: argument 'out' must be writeable")
        if any(s == 0 and n > 1 for s, n in zip(out.strides, out.shape)):
            raise ValueError("gemm: argument 'out' must not have zero strides")
    if out.size == 0:
        return out

    target = out
    isz = out.itemsize
    copy_back = (
        not out.flags.aligned
        or any(s % isz for s in out.strides)
        or np.may_share_memory(out, a)
        or np.may_share_memory(out, b)
    )
    if copy_back:
        target = np.array(out, order="C", copy=True)

    ctype, k2d, _ = _KERNELS[a.dtype]
    if K == 0:
        a_, b_ = a, b
        sa = sb = (0, 0)
    else:
        a_, sa = _operand(a)
        b_, sb = _operand(b)
    rsc, csc = (s // isz for s in target.strides)
    k2d(M, N, K, alpha,
        ptr(ctype, a_), sa[0], sa[1],
        ptr(ctype, b_), sb[0], sb[1],
        beta, ptr(ctype, target), rsc, csc)
    if copy_back:
        out[...] = target
    return out
