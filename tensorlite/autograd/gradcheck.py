"""gradcheck / gradgradcheck: central finite differences against the analytic Jacobian."""
import warnings

import numpy as np




def _T():
    from ..tensor import Tensor
    return Tensor


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(outs):
    return [o for o in outs if isinstance(o, _T()) and o.is_floating_point()]


def _numerical_jacobian(func, inputs, x, eps, n_out_elems):
    """Columns d out / d x_j by central differences, one row block per output."""
    cols = []
    data = x._data
    if not data.flags.writeable:
        raise GradcheckError("gradcheck: an input that requires grad is a read-only (expanded) view; "
                             "pass a tensor with its own memory")
    for j in range(data.size):
        idx = np.unravel_index(j, data.shape)
        orig = data[idx].copy()
        # Grad mode stays on: func may itself differentiate (gradgradcheck's first derivative).
        data[idx] = orig + eps
        plus = [o._data.astype(np.float64).ravel() for o in _float_outputs(_as_tuple(func(*inputs)))]
        data[idx] = orig - eps
        minus = [o._data.astype(np.float64).ravel() for o in _float_outputs(_as_tuple(func(*inputs)))]
        data[idx] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
                    if plus else np.zeros(n_out_elems))
    return np.stack(cols, axis=1) if cols else np.zeros((n_out_elems, 0))


def _analytic_jacobian(func, inputs, diff):
    from . import grad
    outs = _float_outputs(_as_tuple(func(*inputs)))
    rows = []
    for o in outs:
        for k in range(o.numel()):
            if not o.requires_grad:
                rows.append(np.zeros(sum(x.numel() for _, x in diff)))
                continue
            go = np.zeros(o.shape, dtype=o._data.dtype)
            go.reshape(-1)[k] = 1
            gs = grad([o], [x for _, x in diff], [_T()._wrap(go)], retain_graph=True, allow_unused=True)
            rows.append(np.concatenate([
                (g._data.astype(np.float64).ravel() if g is not None else np.zeros(x.numel()))
                for g, (_, x) in zip(gs, diff)]) if diff else np.zeros(0))
    return outs, (np.stack(rows) if rows else np.zeros((0, sum(x.numel() for _, x in diff))))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """Check the gradients of `func` at `inputs` against float64 central differences.

    Every input that requires grad is perturbed element by element. Returns True, or raises
    GradcheckError naming the output, input and element that disagree (False with
    raise_exception=False)."""
    inputs = _as_tuple(inputs)
    diff = [(i, x) for i, x in enumerate(inputs) if isinstance(x, _T()) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i, x in diff:
        if x._data.dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {x.dtype}, not float64: expect the check to fail "
                          f"on precision rather than on a wrong gradient", stacklevel=2)
    outs, analytic = _analytic_jacobian(func, inputs, diff)
    n_out = sum(o.numel() for o in outs)
    numerical = np.concatenate([_numerical_jacobian(func, inputs, x, eps, n_out) for _, x in diff], axis=1) \
        if diff else np.zeros((n_out, 0))
    # Map flat Jacobian coordinates back to (output, element) and (input, element).
    out_bounds = np.cumsum([0] + [o.numel() for o in outs])
    in_bounds = np.cumsum([0] + [x.numel() for _, x in diff])
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(analytic - numerical) <= atol + rtol * np.abs(numerical))
    bad &= ~(np.isnan(analytic) & np.isnan(numerical))
    if not bad.any():
        return True
    r, c = np.argwhere(bad)[0]
    oi = int(np.searchsorted(out_bounds, r, side="right") - 1)
    ii = int(np.searchsorted(in_bounds, c, side="right") - 1)
    o_elem = np.unravel_index(r - out_bounds[oi], outs[oi].shape) if outs[oi].ndim else ()
    i_elem = np.unravel_index(c - in_bounds[ii], diff[ii][1].shape) if diff[ii][1].ndim else ()
    a, n = analytic[r, c], numerical[r, c]
    msg = (f"Jacobian mismatch for output {oi} with respect to input {diff[ii][0]}: "
           f"d output{tuple(int(v) for v in o_elem)} / d input{tuple(int(v) for v in i_elem)} is "
           f"{a!r} (analytical) but {n!r} (numerical); difference {abs(a - n)!r} exceeds "
           f"atol + rtol*|numerical| = {atol + rtol * abs(n)!r}. {int(bad.sum())} of {bad.size} entries "
           f"disagree.")
    if analytic.size <= 64:
        msg += f"\nanalytical:\n{analytic}\nnumerical:\n{numerical}"
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_ignored):
    """gradcheck of the gradient: checks second derivatives of `func` (backward built with create_graph)."""
    from . import grad
    inputs = _as_tuple(inputs)
    outs = _float_outputs(_as_tuple(func(*inputs)))
    if grad_outputs is None:
        gen = np.random.default_rng(0)
        grad_outputs = tuple(_T()._wrap(gen.standard_normal(o.shape).astype(o._data.dtype),
                                          requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n], args[n:]
        o = [x for x in _float_outputs(_as_tuple(func(*ins))) if x.requires_grad]
        diff = [x for x in ins if isinstance(x, _T()) and x.requires_grad]
        gs = grad(o, diff, list(gos[:len(o)]), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
