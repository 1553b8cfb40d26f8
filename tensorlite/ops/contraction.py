"""Tensor contractions built on matmul: addmm, baddbmm, tensordot, einsum. All are compositions of
permute / reshape / matmul / sum, so their gradients come from those ops."""
import numpy as np

from ..tensor import Tensor
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor, _is_scalar
from .products import matmul, _matmul

__all__ = ["addmm", "baddbmm", "tensordot", "einsum"]


def _scaled_sum(x, prod, beta, alpha, fname):
    for name, v in (("beta", beta), ("alpha", alpha)):
        if not _is_scalar(v) or isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{fname}(): argument '{name}' must be a number, got {v!r:.40}")
    try:
        np.broadcast_shapes(x.shape, prod.shape)
    except ValueError:
        raise ShapeError(f"{fname}(): argument 'input' of shape {tuple(x.shape)} cannot be broadcast to the "
                         f"product's shape {tuple(prod.shape)}") from None
    if tuple(np.broadcast_shapes(x.shape, prod.shape)) != tuple(prod.shape):
        raise ShapeError(f"{fname}(): argument 'input' of shape {tuple(x.shape)} cannot be broadcast to the "
                         f"product's shape {tuple(prod.shape)}")
    if x.dtype is not prod.dtype:
        raise DTypeError(f"{fname}(): argument 'input' has dtype {x.dtype.name} but the product has dtype "
                         f"{prod.dtype.name}; they must match")
    p = prod if alpha == 1 else prod * alpha
    if beta == 0:      # input is ignored (its NaNs too), as PyTorch
        return p
    return (x if beta == 1 else x * beta) + p


def _product(m1, m2, fname, names, ndim):
    a, b = as_tensor(m1, fname, names[0]), as_tensor(m2, fname, names[1])
    if a.ndim != ndim or b.ndim != ndim or (ndim == 3 and a.shape[0] != b.shape[0]):
        raise ShapeError(f"{fname}(): expected {ndim}-D tensors{' with equal batch sizes' if ndim == 3 else ''}, "
                         f"got argument '{names[0]}' of shape {tuple(a.shape)} and argument '{names[1]}' of shape "
                         f"{tuple(b.shape)}")
    return _matmul(a, b, fname, names)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to (n, p)."""
    x = as_tensor(input, "addmm")
    return _scaled_sum(x, _product(mat1, mat2, "addmm", ("mat1", "mat2"), 2), beta, alpha, "addmm")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * bmm(batch1, batch2), input broadcast to (b, n, p)."""
    x = as_tensor(input, "baddbmm")
    return _scaled_sum(x, _product(batch1, batch2, "baddbmm", ("batch1", "batch2"), 3), beta, alpha, "baddbmm")


def tensordot(a, b, dims=2):
    """Contract the last `dims` dims of a with the first `dims` of b, or the listed pairs
    dims=([a dims], [b dims])."""
    x, y = as_tensor(a, "tensordot", "a"), as_tensor(b, "tensordot", "b")
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if dims < 0 or dims > min(x.ndim, y.ndim):
            raise ValueError(f"tensordot(): argument 'dims' must be in [0, {min(x.ndim, y.ndim)}] for a of shape "
                             f"{tuple(x.shape)} and b of shape {tuple(y.shape)}, got {dims}")
        da, db = list(range(x.ndim - dims, x.ndim)), list(range(dims))
    elif isinstance(dims, (list, tuple)) and len(dims) == 2:
        da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        if len(da) != len(db):
            raise ValueError(f"tensordot(): argument 'dims' must list as many dims of a as of b, got {dims!r}")
        from ..tensor import _wrap_dim
        da = [_wrap_dim(d, x.ndim, "tensordot", "dims") for d in da]
        db = [_wrap_dim(d, y.ndim, "tensordot", "dims") for d in db]
    else:
        raise TypeError(f"tensordot(): argument 'dims' must be an int or a pair of dim lists, got {dims!r:.40}")
    if x.dtype is not y.dtype:
        raise DTypeError(f"tensordot(): arguments 'a' and 'b' must have the same dtype, got {x.dtype.name} and "
                         f"{y.dtype.name}")
    for i, j in zip(da, db):
        if x.shape[i] != y.shape[j]:
            raise ShapeError(f"tensordot(): contracted dimensions need to match: dim {i} of a (shape "
                             f"{tuple(x.shape)}) has size {x.shape[i]} but dim {j} of b (shape {tuple(y.shape)}) "
                             f"has size {y.shape[j]}")
    free_a = [i for i in range(x.ndim) if i not in da]
    free_b = [j for j in range(y.ndim) if j not in db]
    k = int(np.prod([x.shape[i] for i in da]))
    ma = int(np.prod([x.shape[i] for i in free_a]))
    nb = int(np.prod([y.shape[j] for j in free_b]))
    out = matmul(x.permute(*free_a, *da).reshape(ma, k), y.permute(*db, *free_b).reshape(k, nb))
    return out.reshape(*[x.shape[i] for i in free_a], *[y.shape[j] for j in free_b])


# ---------------------------------------------------------------- einsum
def _parse(equation, operands):
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be a str, got {type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise ValueError(f"einsum(): argument 'equation' {equation!r} names {len(ins)} operands but "
                         f"{len(operands)} were given")
    ell_letters = "".join(chr(c) for c in range(0x100, 0x140))      # stand-ins for the dims under '...'
    n_ell = 0
    terms = []
    for term, t in zip(ins, operands):
        if term.count("...") > 1 or "." in term.replace("...", ""):
            raise ValueError(f"einsum(): argument 'equation' {equation!r} has a malformed ellipsis")
        letters = term.replace("...", "")
        if not all(c.isalpha() for c in letters):
            raise ValueError(f"einsum(): argument 'equation' {equation!r} may use only letters, ',', '->' and "
                             f"'...', got {term!r}")
        ne = t.ndim - len(letters)
        if ne < 0 or ("..." not in term and ne != 0):
            raise ShapeError(f"einsum(): the subscript {term!r} in equation {equation!r} does not fit an "
                             f"operand of shape {tuple(t.shape)} ({t.ndim} dims)")
        n_ell = max(n_ell, ne)
        terms.append(term.replace("...", "\0" * ne))
    # right-align each operand's ellipsis dims, as broadcasting does
    expanded = []
    for term in terms:
        ne = term.count("\0")
        expanded.append(term.replace("\0" * ne, ell_letters[n_ell - ne:n_ell]) if ne else term)
    if arrow:
        if rhs.count("...") > 1 or "." in rhs.replace("...", ""):
            raise ValueError(f"einsum(): argument 'equation' {equation!r} has a malformed ellipsis")
        out = rhs.replace("...", ell_letters[:n_ell])
        for c in out:
            if not any(c in term for term in expanded):
                raise ValueError(f"einsum(): output subscript {c!r} of equation {equation!r} does not appear in "
                                 f"the inputs")
        if len(set(out)) != len(out):
            raise ValueError(f"einsum(): output subscript in equation {equation!r} appears more than once")
    else:        # implicit output: the ellipsis dims, then the letters seen once, alphabetically
        counts = {}
        for term in expanded:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        out = ell_letters[:n_ell] + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell_letters))
    return expanded, out


def _diagonalize(t, term):
    """Take the diagonal over repeated letters of one operand ('ii' -> 'i')."""
    while True:
        dup = next((c for c in term if term.count(c) > 1), None)
        if dup is None:
            return t, term
        i, j = term.index(dup), term.index(dup, term.index(dup) + 1)
        if t.shape[i] != t.shape[j]:
            raise ShapeError(f"einsum(): subscript {dup!r} is repeated for dims of sizes {t.shape[i]} and "
                             f"{t.shape[j]} (operand of shape {tuple(t.shape)})")
        t = t.movedim((i, j), (0, 1))
        ar = Tensor._wrap(np.arange(t.shape[0], dtype=np.int64))
        t = t[ar, ar]                                        # the diagonal, as dim 0
        rest = [c for k, c in enumerate(term) if k not in (i, j)]
        term = dup + "".join(rest)


def _contract(a, la, b, lb, keep):
    """a (letters la) times b (letters lb), summed over shared letters not in keep."""
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    left = [c for c in la if c not in lb]
    right = [c for c in lb if c not in la]
    size = {}
    for t, letters in ((a, la), (b, lb)):
        for c, n in zip(letters, t.shape):
            size[c] = max(size.get(c, n), n) if size.get(c, n) == 1 or n == 1 else n
    a = a.permute(*[la.index(c) for c in batch + left + summed])
    b = b.permute(*[lb.index(c) for c in batch + summed + right])
    a = a.expand(*[size[c] for c in batch + left + summed])          # size-1 dims broadcast
    b = b.expand(*[size[c] for c in batch + summed + right])
    nb = int(np.prod([size[c] for c in batch]))
    nl, ns, nr = (int(np.prod([size[c] for c in g])) for g in (left, summed, right))
    out = matmul(a.reshape(nb, nl, ns), b.reshape(nb, ns, nr))
    return out.reshape(*[size[c] for c in batch + left + right]), "".join(batch + left + right)


def einsum(equation, *operands):
    """Einstein summation, e.g. einsum('bij,bjk->bik', a, b); '...' broadcasts, a repeated letter in
    one operand takes its diagonal. Contracted pairwise, left to right, each pair as one matmul."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): argument 'operands' must hold at least one tensor, got none")
    ts = [as_tensor(t, "einsum", "operands") for t in operands]
    if any(t.dtype is not ts[0].dtype for t in ts):
        raise DTypeError(f"einsum(): argument 'operands' must all have the same dtype, got "
                         f"{[t.dtype.name for t in ts]}")
    terms, out = _parse(equation, ts)
    items = []
    for t, term in zip(ts, terms):
        t, term = _diagonalize(t, term)
        items.append([t, term])
    size = {}
    for t, term in items:
        for c, n in zip(term, t.shape):
            if c in size and n != size[c] and 1 not in (n, size[c]):
                raise ShapeError(f"einsum(): subscript {c!r} has size {size[c]} in one operand and {n} in "
                                 f"another (equation {equation!r})")
            size[c] = n if c not in size or size[c] == 1 else size[c]
    # sum away letters that occur in one operand only and not in the output
    for k, (t, term) in enumerate(items):
        others = out + "".join(tm for j, (_, tm) in enumerate(items) if j != k)
        drop = [i for i, c in enumerate(term) if c not in others]
        if drop:
            items[k] = [t.sum(dim=tuple(drop)), "".join(c for i, c in enumerate(term) if i not in drop)]
    t, term = items[0]
    for k in range(1, len(items)):
        keep = out + "".join(tm for _, tm in items[k + 1:])
        t, term = _contract(t, term, items[k][0], items[k][1], keep)
    drop = tuple(i for i, c in enumerate(term) if c not in out)      # (one operand: 'ij->' and the like)
    if drop:
        t = t.sum(dim=drop)
        term = "".join(c for c in term if c in out)
    t = t.permute(*[term.index(c) for c in out]) if out else t
    return t.expand(*[size[c] for c in out]) if out else t
