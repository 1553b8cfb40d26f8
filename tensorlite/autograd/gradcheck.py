"""gradcheck / gradgradcheck with torch.autograd's signature: finite differences against autograd.

Slow mode compares whole Jacobians: column j by central differences (perturb input element j),
row k by one backward pass (upstream gradient = unit vector k). Fast mode (`fast_mode=True`)
compares one number per (output, input) pair, v^T J u for random unit-norm u and v: one
directional finite difference (J u) against one backward pass (v^T J), so a large input costs
two forwards instead of two per element; on a mismatch it recomputes that pair in slow mode for
the report, as torch does. tensorlite has no forward-mode AD and no vmap, so the checks that
need them (check_forward_ad, check_batched_grad, check_batched_forward_grad, check_fwd_over_rev)
raise NotImplementedError when asked for rather than passing silently."""
import warnings

import numpy as np


def _T():
    from ..tensor import Tensor
    return Tensor


class GradcheckError(RuntimeError):
    """A gradient check failed (torch.autograd.gradcheck.GradcheckError)."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(outs):
    return [o for o in outs if isinstance(o, _T()) and o.is_floating_point()]


def _outputs(func, inputs):
    return _float_outputs(_as_tuple(func(*inputs)))


def _writable(x):
    if not x._data.flags.writeable:
        raise GradcheckError("gradcheck: an input that requires grad is a read-only (expanded) view; "
                             "pass a tensor with its own memory")
    return x._data


# ---------------------------------------------------------------- slow mode: whole Jacobians
def _numerical_jacobian(func, inputs, x, eps, n_out_elems):
    """Columns d out / d x_j by central differences, outputs stacked as row blocks."""
    data = _writable(x)
    cols = []
    for j in range(data.size):
        idx = np.unravel_index(j, data.shape)
        orig = data[idx].copy()
        # Grad mode stays on: func may itself differentiate (gradgradcheck's first derivative).
        data[idx] = orig + eps
        plus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
        data[idx] = orig - eps
        minus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
        data[idx] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
                    if plus else np.zeros(n_out_elems))
    return np.stack(cols, axis=1) if cols else np.zeros((n_out_elems, 0))


def _vjp(o, diff, go):
    """Gradients of output o with upstream gradient go with respect to every diff input (float64
    arrays, zeros where unused), plus the raw results for the dtype checks."""
    from .backward import grad
    if not o.requires_grad:
        return [np.zeros(x.numel()) for _, x in diff], [None] * len(diff)
    gs = grad([o], [x for _, x in diff], [_T()._wrap(go)], retain_graph=True, allow_unused=True)
    flat = [g._data.astype(np.float64).ravel() if g is not None else np.zeros(x.numel())
            for g, (_, x) in zip(gs, diff)]
    return flat, gs


def _analytic_jacobian(func, inputs, diff, check_grad_dtypes):
    outs = _outputs(func, inputs)
    rows = []
    for o in outs:
        for k in range(o.numel()):
            go = np.zeros(o.shape, dtype=o._data.dtype)
            go.reshape(-1)[k] = 1
            flat, raw = _vjp(o, diff, go)
            if check_grad_dtypes:
                _check_grad_dtypes(raw, diff)
            rows.append(np.concatenate(flat) if diff else np.zeros(0))
    n_in = sum(x.numel() for _, x in diff)
    return outs, (np.stack(rows) if rows else np.zeros((0, n_in)))


def _check_grad_dtypes(raw, diff):
    for g, (i, x) in zip(raw, diff):
        if g is None:
            continue
        if g.dtype != x.dtype:
            raise GradcheckError(f"Gradient has dtype mismatch: input {i} is {x.dtype} but its gradient is "
                                 f"{g.dtype}")
        if tuple(g.shape) != tuple(x.shape):
            raise GradcheckError(f"Gradient has shape mismatch: input {i} is {tuple(x.shape)} but its "
                                 f"gradient is {tuple(g.shape)}")


def _bounds(sizes):
    return np.cumsum([0] + list(sizes))


def _slow_check(func, inputs, diff, eps, atol, rtol, nondet_tol, check_grad_dtypes):
    outs, analytic = _analytic_jacobian(func, inputs, diff, check_grad_dtypes)
    n_out = sum(o.numel() for o in outs)
    if nondet_tol >= 0:
        _, again = _analytic_jacobian(func, inputs, diff, False)
        if analytic.shape == again.shape and analytic.size and \
                not np.all(np.abs(analytic - again) <= nondet_tol):
            raise GradcheckError(f"Backward is not reentrant, i.e., running backward with the same input and "
                                 f"grad_output twice gives different values (max difference "
                                 f"{np.nanmax(np.abs(analytic - again))!r}, nondet_tol={nondet_tol})")
    numerical = np.concatenate([_numerical_jacobian(func, inputs, x, eps, n_out) for _, x in diff], axis=1)
    out_b, in_b = _bounds(o.numel() for o in outs), _bounds(x.numel() for _, x in diff)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(analytic - numerical) <= atol + rtol * np.abs(numerical))
    bad &= ~(np.isnan(analytic) & np.isnan(numerical))
    if not bad.any():
        return None
    r, c = np.argwhere(bad)[0]
    oi = int(np.searchsorted(out_b, r, side="right") - 1)
    ii = int(np.searchsorted(in_b, c, side="right") - 1)
    block = (slice(out_b[oi], out_b[oi + 1]), slice(in_b[ii], in_b[ii + 1]))
    o_elem = np.unravel_index(r - out_b[oi], outs[oi].shape) if outs[oi].ndim else ()
    i_elem = np.unravel_index(c - in_b[ii], diff[ii][1].shape) if diff[ii][1].ndim else ()
    a, n = analytic[r, c], numerical[r, c]
    return (f"Jacobian mismatch for output {oi} with respect to input {diff[ii][0]},\n"
            f"numerical:{_fmt(numerical[block])}\nanalytical:{_fmt(analytic[block])}\n"
            f"first disagreeing entry: d output{tuple(int(v) for v in o_elem)} / d "
            f"input{tuple(int(v) for v in i_elem)} is {a!r} (analytical) but {n!r} (numerical); difference "
            f"{abs(a - n)!r} exceeds atol + rtol*|numerical| = {atol + rtol * abs(n)!r}. "
            f"{int(bad[block].sum())} of {bad[block].size} entries of this block disagree.")


def _fmt(m):
    if m.size > 400:
        return f" ({m.shape[0]}x{m.shape[1]} matrix, too large to print)"
    return "\n" + np.array2string(m, precision=4, suppress_small=True, max_line_width=100)


# ---------------------------------------------------------------- fast mode: v^T J u
def _fast_check(func, inputs, diff, eps, atol, rtol, nondet_tol, check_grad_dtypes):
    gen = np.random.default_rng(0)
    outs = _outputs(func, inputs)
    us = []
    for _, x in diff:
        u = gen.standard_normal(x.numel())
        us.append(u / max(np.linalg.norm(u), 1e-300))
    vs = []
    for o in outs:
        v = gen.standard_normal(o.numel())
        vs.append(v / max(np.linalg.norm(v), 1e-300))
    for oi, (o, v) in enumerate(zip(outs, vs)):
        flat, raw = _vjp(o, diff, v.reshape(o.shape).astype(o._data.dtype))
        if check_grad_dtypes:
            _check_grad_dtypes(raw, diff)
        if nondet_tol >= 0:
            again, _ = _vjp(o, diff, v.reshape(o.shape).astype(o._data.dtype))
            if any(not np.all(np.abs(a - b) <= nondet_tol) for a, b in zip(flat, again)):
                raise GradcheckError(f"Backward is not reentrant, i.e., running backward with the same input "
                                     f"and grad_output twice gives different values (nondet_tol={nondet_tol})")
        for k, ((i, x), u) in enumerate(zip(diff, us)):
            analytical = float(flat[k] @ u)
            numerical = float(_directional(func, inputs, x, u, eps)[oi] @ v)
            close = abs(analytical - numerical) <= atol + rtol * abs(numerical) or \
                (np.isnan(analytical) and np.isnan(numerical))
            if not close:
                return _fast_report(func, inputs, diff, k, oi, eps, numerical, analytical)
    return None


def _directional(func, inputs, x, u, eps):
    """(f(x + eps u) - f(x - eps u)) / 2 eps for every output, as flat float64 arrays."""
    data = _writable(x)
    orig = data.copy()
    step = (eps * u).reshape(data.shape).astype(data.dtype)
    data[...] = orig + step
    plus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
    data[...] = orig - step
    minus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
    data[...] = orig
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _fast_report(func, inputs, diff, k, oi, eps, numerical, analytical):
    i, x = diff[k]
    outs, A = _analytic_jacobian(func, inputs, [diff[k]], False)
    n_out = sum(o.numel() for o in outs)
    N = _numerical_jacobian(func, inputs, x, eps, n_out)
    b = _bounds(o.numel() for o in outs)
    rows = slice(b[oi], b[oi + 1])
    return (f"Jacobian mismatch for output {oi} with respect to input {i},\n"
            f"numerical:{numerical!r}\nanalytical:{analytical!r}\n\n"
            f"These are v^T J u for random unit vectors u and v (fast mode). Recomputed in slow mode:\n"
            f"Numerical:{_fmt(N[rows])}\nAnalytical:{_fmt(A[rows])}\n\n"
            f"The max per-element difference (slow mode) is: "
            f"{float(np.nanmax(np.abs(A[rows] - N[rows]), initial=0))!r}.")


# ---------------------------------------------------------------- undefined upstream gradients
def _undefined_grad_check(func, inputs, diff):
    """Backward given all-zero upstream gradients (what torch materializes for undefined ones)
    must give zero gradients, not garbage."""
    from .backward import grad
    outs = [o for o in _outputs(func, inputs) if o.requires_grad]
    if not outs:
        return None
    zeros = [_T()._wrap(np.zeros(o.shape, dtype=o._data.dtype)) for o in outs]
    gs = grad(outs, [x for _, x in diff], zeros, retain_graph=True, allow_unused=True)
    for g, (i, _) in zip(gs, diff):
        # non-finite entries are 0 * inf of the backward formula (sqrt or log at 0), not a bug
        if g is not None and np.any(np.isfinite(g._data) & (g._data != 0)):
            return (f"Backward is not correct for undefined (zero) output gradients: the gradient of input "
                    f"{i} is not zero. Expected backward to treat an undefined gradient as zero.")
    return None


def _unsupported(**flags):
    for name, on in flags.items():
        if on:
            raise NotImplementedError(f"gradcheck: {name}=True needs "
                                      f"{'vmap' if 'batched' in name else 'forward-mode AD'}, which tensorlite "
                                      f"does not have")


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of `func` at `inputs` against float64 central differences.

    Returns True, or raises GradcheckError showing the numerical and analytical Jacobian of the
    (output, input) pair that disagrees (returns False with raise_exception=False)."""
    _unsupported(check_batched_grad=check_batched_grad, check_batched_forward_grad=check_batched_forward_grad,
                 check_forward_ad=check_forward_ad)
    if masked:
        raise NotImplementedError("gradcheck: masked=True needs sparse tensors, which tensorlite does not have")
    inputs = _as_tuple(inputs)
    diff = [(i, x) for i, x in enumerate(inputs) if isinstance(x, _T()) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the "
                         "them have requires_grad=True.")
    for i, x in diff:
        if x._data.dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {x.dtype}, not float64: expect the check to fail "
                          f"on precision rather than on a wrong gradient", stacklevel=2)
    msg = None
    if check_backward_ad:
        check = _fast_check if fast_mode else _slow_check
        msg = check(func, inputs, diff, eps, atol, rtol, nondet_tol, check_grad_dtypes)
        if msg is None and check_undefined_grad:
            msg = _undefined_grad_check(func, inputs, diff)
    if msg is None:
        return True
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradient: second derivatives of `func` (its backward built with
    create_graph) against finite differences of the first derivative."""
    from .backward import grad
    _unsupported(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    if masked:
        raise NotImplementedError("gradgradcheck: masked=True needs sparse tensors, which tensorlite does not "
                                  "have")
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        gen = np.random.default_rng(0)
        grad_outputs = []
        for o in outs:
            g = gen.standard_normal(o.shape).astype(o._data.dtype)
            if gen_non_contig_grad_outputs and g.ndim:
                g = np.repeat(g, 2, axis=-1)[..., ::2]        # same values, a strided layout
            grad_outputs.append(_T()._wrap(g, requires_grad=True))
    grad_outputs = _as_tuple(grad_outputs)
    if not check_rev_over_rev:
        return True
    n = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n], args[n:]
        o = [x for x in _outputs(func, ins) if x.requires_grad]
        diff = [x for x in ins if isinstance(x, _T()) and x.requires_grad]
        gs = grad(o, diff, list(gos[:len(o)]), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     fast_mode=fast_mode)
