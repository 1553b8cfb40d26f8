"""tl.linalg: torch.linalg's common functions on real (float32 / float64) tensors, batched over leading dims.
Forward runs in numpy's LAPACK; each backward is written in tensor ops (using these same functions), so
double backward works. Return types are torch's namedtuples (linalg.svd -> U, S, Vh, ...)."""
from collections import namedtuple

import numpy as np

from .autograd.function import Function
from .tensor import Tensor, _wrap_dim
from .errors import ShapeError, DTypeError, ArgumentError
from .ops._helpers import as_tensor
from . import ops

__all__ = ["inv", "solve", "det", "slogdet", "norm", "vector_norm", "matrix_norm", "pinv", "qr", "cholesky",
           "eigh", "eigvalsh", "svd", "svdvals", "lstsq", "matrix_rank", "matrix_power", "cross", "vecdot",
           "multi_dot", "diagonal", "LinAlgError"]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular or non-positive-definite input."""


slogdet_result = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
qr_result = namedtuple("linalg_qr", ["Q", "R"])
eigh_result = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
svd_result = namedtuple("linalg_svd", ["U", "S", "Vh"])
lstsq_result = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _square(fname, A, argname="A"):
    A = as_tensor(A, fname, argname)
    if not A.is_floating_point():
        raise DTypeError(f"linalg.{fname}: Expected a floating point tensor as input. Got {A.dtype}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.{fname}: A must be batches of square matrices, but they are "
                         f"{A.shape[-2] if A.ndim >= 2 else ''} by {A.shape[-1] if A.ndim else ''} matrices "
                         f"(argument '{argname}' of shape {tuple(A.shape)})")
    return A


def _matrix(fname, A, argname="A"):
    A = as_tensor(A, fname, argname)
    if not A.is_floating_point():
        raise DTypeError(f"linalg.{fname}: Expected a floating point tensor as input. Got {A.dtype}")
    if A.ndim < 2:
        raise ShapeError(f"linalg.{fname}: The input tensor A must have at least 2 dimensions (argument "
                         f"'{argname}' of shape {tuple(A.shape)})")
    return A


def _lapack(fname, fn, *arrays):
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"linalg.{fname}: {e} (the input is singular or not positive-definite)") from None


# ---------------------------------------------------------------- inverse, solve, determinants
class Inv(Function):
    @staticmethod
    def forward(ctx, A):
        out = _lapack("inv", np.linalg.inv, A)
        if not np.isfinite(out).all() and np.isfinite(A).all():
            raise LinAlgError("linalg.inv: The diagonal element is zero, the inversion could not be completed "
                              "because the input matrix is singular.")
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -(out.mT @ g @ out.mT)


def inv(A):
    return Inv.apply(_square("inv", A))


def _vector_rhs(A, B):
    """torch.linalg.solve treats B as a (batch of) vector(s) when B.ndim == 1 or B's shape is A's minus the last."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


class Solve(Function):
    @staticmethod
    def forward(ctx, A, B):
        X = _lapack("solve", _batched_solve, A, B)
        ctx.save_for_backward(A, X)
        ctx.shapes = A.shape, B.shape
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        sa, sb = ctx.shapes
        gB = solve(A.mT, g)
        gA = -(gB @ X.mT) if ctx.needs_input_grad[0] else None
        from .ops._helpers import unbroadcast
        return (unbroadcast(gA, sa) if gA is not None else None,
                unbroadcast(gB, sb) if ctx.needs_input_grad[1] else None)


def _batched_solve(A, B):
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    return np.linalg.solve(np.broadcast_to(A, batch + A.shape[-2:]), np.broadcast_to(B, batch + B.shape[-2:]))


def solve(A, B, *, left=True):
    """X with A @ X = B (left=True) or X @ A = B."""
    A = _square("solve", A)
    B = as_tensor(B, "linalg.solve", "B")
    if B.dtype is not A.dtype:
        raise DTypeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type {A.dtype} "
                         f"and B of type {B.dtype} instead")
    if not left:
        return solve(A.mT, B.mT).mT
    vec = _vector_rhs(A, B)
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != A.shape[-1]:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({A.shape[-2]}x"
                         f"{A.shape[-1]} and {Bm.shape[-2]}x{Bm.shape[-1]}) (A of shape {tuple(A.shape)}, B of "
                         f"shape {tuple(B.shape)})")
    X = Solve.apply(A, Bm)
    return X.squeeze(-1) if vec else X


class Det(Function):
    @staticmethod
    def forward(ctx, A):
        out = np.asarray(np.linalg.det(A), dtype=A.dtype)
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, g):
        A, out = ctx.saved_tensors
        return (g * out).unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def det(A):
    return Det.apply(_square("det", A))


class LogAbsDet(Function):
    @staticmethod
    def forward(ctx, A):
        sign, logabs = np.linalg.slogdet(A)
        ctx.save_for_backward(A)
        ctx.sign = sign.astype(A.dtype)
        return np.asarray(logabs, dtype=A.dtype)

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def slogdet(A):
    A = _square("slogdet", A)
    logabs = LogAbsDet.apply(A)
    return slogdet_result(Tensor._wrap(np.sign(np.linalg.det(A._data)).astype(A._data.dtype)), logabs)


def matrix_power(A, n):
    A = _square("matrix_power", A)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power(): argument 'n' must be an int, got {n!r:.40}")
    if n < 0:
        return matrix_power(inv(A), -n)
    if n == 0:
        return Tensor._wrap(np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


# ---------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    x = as_tensor(x, "linalg.vector_norm", "x")
    if not x.is_floating_point():
        raise DTypeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                         f"{x.dtype}")
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        src, dims = x, tuple(range(x.ndim))
    else:
        src, dims = x, dim if isinstance(dim, (tuple, list)) else (dim,)
    a = ops.abs(src)
    if ord == float("inf"):
        out = a.amax(dim=tuple(dims), keepdim=keepdim) if src.ndim else a.clone()
    elif ord == -float("inf"):
        out = a.amin(dim=tuple(dims), keepdim=keepdim) if src.ndim else a.clone()
    elif ord == 0:
        out = (a != 0).to(x.dtype).sum(dim=tuple(dims), keepdim=keepdim)
    elif ord == 2:
        out = ops.norm(src, 2, dim=tuple(dims) if src.ndim else None, keepdim=keepdim)
    elif ord == 1:
        out = a.sum(dim=tuple(dims), keepdim=keepdim)
    else:
        out = (a ** ord).sum(dim=tuple(dims), keepdim=keepdim) ** (1.0 / ord)
    return out


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    A = _matrix("matrix_norm", A)
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (_wrap_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if d0 == d1:
        raise ArgumentError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        M = ops.movedim(A, (d0, d1), (-2, -1))
        s = svdvals(M)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            out = out.unsqueeze(-1).unsqueeze(-1)
            out = ops.movedim(out, (-2, -1), (d0, d1))
        return out
    if ord in (1, -1, float("inf"), -float("inf")):
        inner, outer = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = ops.abs(A).sum(dim=inner, keepdim=True)
        out = sums.amax(dim=outer, keepdim=True) if ord > 0 else sums.amin(dim=outer, keepdim=True)
        return out if keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    raise ArgumentError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    A = as_tensor(A, "linalg.norm")
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.ndim != 1:
            raise ArgumentError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                                f"Got {A.ndim}D.")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise ArgumentError(f"linalg.norm: ord {ord!r} needs two dims (a matrix norm), got dim={dim}")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- decompositions
class Cholesky(Function):
    @staticmethod
    def forward(ctx, A):
        L = _lapack("cholesky", np.linalg.cholesky, A)
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, g):
        # gA = L^-T Phi(L^T gL) L^-1, Phi: lower triangle with the diagonal halved; then symmetrized
        (L,) = ctx.saved_tensors
        P = ops.tril(L.mT @ g)
        P = P - 0.5 * ops.diag_embed(P.diagonal(0, -2, -1))
        Linv = inv(L)
        gA = Linv.mT @ P @ Linv
        return 0.5 * (gA + gA.mT)


def cholesky(A, *, upper=False):
    A = _square("cholesky", A)
    L = Cholesky.apply(A)
    return L.mT if upper else L


class Eigh(Function):
    @staticmethod
    def forward(ctx, A, uplo):
        L, V = _lapack("eigh", np.linalg.eigh, A, uplo)
        out = np.concatenate([L[..., None, :], V], axis=-2)      # one output: eigenvalues row, then V
        ctx.save_for_backward(out)                               # (the output: double backward sees A)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        L, V = out[..., 0, :], out[..., 1:, :]
        gL, gV = g[..., 0, :], g[..., 1:, :]
        n = L.shape[-1]
        E = L.unsqueeze(-2) - L.unsqueeze(-1)                           # E[i, j] = L[j] - L[i]
        eye = Tensor._wrap(np.eye(n, dtype=bool))
        E = ops.where(eye, 1.0, E)
        VhgV = V.mT @ gV
        VhgV = 0.5 * (VhgV - VhgV.mT)
        inner = ops.where(eye, 0.0, VhgV / E) + ops.diag_embed(gL)
        return V @ inner @ V.mT, None


def eigh(A, UPLO="L"):
    A = _square("eigh", A)
    if UPLO not in ("L", "U"):
        raise ArgumentError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    both = Eigh.apply(A, UPLO)
    return eigh_result(both[..., 0, :], both[..., 1:, :])


def eigvalsh(A, UPLO="L"):
    return eigh(A, UPLO).eigenvalues


class SvdReduced(Function):
    """A = U diag(S) Vh (reduced). One packed output [U | S row | Vh] keeps the backward in one node."""
    @staticmethod
    def forward(ctx, A):
        U, S, Vh = _lapack("svd", np.linalg.svd, A, False)
        ctx.mnk = A.shape[-2], A.shape[-1], S.shape[-1]
        out = _pack(U, S, Vh)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        m, n, k = ctx.mnk
        (out,) = ctx.saved_tensors
        U, S, Vh = _unpack(out, m, n, k)
        gU, gS, gVh = _unpack(g, m, n, k)
        V, gV = Vh.mT, gVh.mT
        eye = Tensor._wrap(np.eye(k, dtype=bool))
        S2 = S * S
        E = ops.where(eye, 1.0, S2.unsqueeze(-2) - S2.unsqueeze(-1))
        skew = lambda X: X - X.mT  # noqa: E731
        UhgU, VhgV = skew(U.mT @ gU), skew(V.mT @ gV)
        inner = ops.where(eye, 0.0, (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E) + ops.diag_embed(gS)
        gA = U @ inner @ Vh
        if m > k:
            gUS = gU / S.unsqueeze(-2)
            gA = gA + (gUS - U @ (U.mT @ gUS)) @ Vh
        if n > k:
            gVS = gV / S.unsqueeze(-2)
            gA = gA + U @ (gVS - V @ (V.mT @ gVS)).mT
        return gA


def _pack(U, S, Vh):
    """[U (m x k) | S (1 x k) | Vh^T (n x k)] stacked along the rows: (m + 1 + n, k)."""
    return np.concatenate([U, S[..., None, :], np.swapaxes(Vh, -1, -2)], axis=-2)


def _unpack(t, m, n, k):
    return t[..., :m, :], t[..., m, :], t[..., m + 1:, :].mT


def svd(A, full_matrices=True, *, driver=None):
    A = _matrix("svd", A)
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    packed = SvdReduced.apply(A)
    U, S, Vh = _unpack(packed, m, n, k)
    if full_matrices and m != n:
        Uf, _, Vhf = np.linalg.svd(A._data, True)
        if m > k:
            U = ops.cat([U, Tensor._wrap(np.ascontiguousarray(Uf[..., :, k:]))], -1)
        if n > k:
            Vh = ops.cat([Vh, Tensor._wrap(np.ascontiguousarray(Vhf[..., k:, :]))], -2)
    return svd_result(U, S, Vh)


def svdvals(A, *, driver=None):
    return svd(A, False).S


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The pseudo-inverse from the SVD: singular values below max(atol, rtol * max(S)) are dropped."""
    A = _matrix("pinv", A)
    U, S, Vh = svd(A, False)
    smax = S.detach().amax(-1, keepdim=True) if S.shape[-1] else S.detach()
    if rtol is None:
        rtol = (max(A.shape[-2:]) * np.finfo(A._data.dtype).eps) if atol is None or atol == 0 else 0.0
    cut = np.maximum(float(atol or 0.0), rtol * smax._data)
    keep = Tensor._wrap(S._data > cut)
    Sinv = ops.where(keep, 1 / ops.where(keep, S, 1.0), 0.0)
    return (Vh.mT * Sinv.unsqueeze(-2)) @ U.mT


class QrReduced(Function):
    @staticmethod
    def forward(ctx, A):
        Q, R = _lapack("qr", np.linalg.qr, A, "reduced")
        ctx.m = A.shape[-2]
        if Q.shape[-1] < R.shape[-1]:        # wide A: Q is m x m, padded to R's n columns for packing
            Q = np.concatenate([Q, np.zeros(Q.shape[:-1] + (R.shape[-1] - Q.shape[-1],), Q.dtype)], -1)
        out = np.concatenate([Q, R], axis=-2)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        # m >= n: gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q
        (out,) = ctx.saved_tensors
        m = ctx.m
        Q, R = out[..., :m, :], out[..., m:, :]
        n = R.shape[-1]
        if m < n:
            raise RuntimeError("linalg.qr: the derivative is not implemented when nrows < ncols (mode='reduced')")
        gQ, gR = g[..., :m, :], g[..., m:, :]
        M = R @ gR.mT - gQ.mT @ Q
        low = ops.tril(M, -1)
        copyltu = low + low.mT + ops.diag_embed(M.diagonal(0, -2, -1))
        return solve(R, (gQ + Q @ copyltu).mT).mT


def qr(A, mode="reduced"):
    A = _matrix("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise ArgumentError(f"linalg.qr: qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                            f"(default), 'r', or 'complete'")
    m, n = A.shape[-2], A.shape[-1]
    if mode == "complete" and m > n:
        Q, R = np.linalg.qr(A._data, "complete")
        return qr_result(Tensor._wrap(Q), Tensor._wrap(R))
    both = QrReduced.apply(A)
    k = min(m, n)
    Q, R = both[..., :m, :k], both[..., m:, :]
    if mode == "r":
        return qr_result(Tensor._wrap(np.zeros((0,), A._data.dtype)), R)
    return qr_result(Q, R)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B (via the pseudo-inverse); residuals, rank and singular values as
    torch's default CPU driver ('gelsy') returns them (empty residuals and singular values)."""
    A = _matrix("lstsq", A)
    B = as_tensor(B, "linalg.lstsq", "B")
    vec = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != A.shape[-2]:
        raise ShapeError(f"linalg.lstsq: input.size(-2) should match other.size(-2) (A of shape {tuple(A.shape)}, "
                         f"B of shape {tuple(B.shape)})")
    X = pinv(A, rtol=rcond) @ Bm
    X = X.squeeze(-1) if vec else X
    rank = Tensor._wrap(np.asarray(np.linalg.matrix_rank(A._data), dtype=np.int64))
    empty = Tensor._wrap(np.zeros((0,), A._data.dtype))
    return lstsq_result(X, empty, rank, empty)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    A = _matrix("matrix_rank", A)
    s = np.linalg.svd(A._data, compute_uv=False)
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    if rtol is None:
        rtol = max(A.shape[-2:]) * np.finfo(A._data.dtype).eps if not atol else 0.0
    tol = np.maximum(float(atol or 0.0), rtol * smax)
    return Tensor._wrap((s > tol).sum(-1).astype(np.int64))


def cross(input, other, *, dim=-1):
    return ops.cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    return (x * y).sum(dim)


def multi_dot(tensors):
    ts = list(tensors)
    if len(ts) < 2:
        raise ArgumentError(f"linalg.multi_dot(): expected at least 2 tensors but got {len(ts)}")
    out = ts[0]
    for t in ts[1:]:
        out = out @ t
    return out


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return ops.diagonal(A, offset, dim1, dim2)
