"""Higher-order autograd helpers with torch.autograd.functional's names and semantics: vjp, jvp,
jacobian, hessian, vhp, hvp.

Every function runs the user's `func` on detached copies of `inputs` that require grad, so the
caller's graph is untouched; results are detached unless `create_graph=True`. A tensor input
gives tensor results, a tuple of inputs tuples. `jvp` and `hvp` use the double-vjp trick
(J u = d/dv (v^T J) u), so they need no forward-mode AD. `vectorize=True` is accepted and
computes the same values row by row (tensorlite has no vmap)."""
import numpy as np

from ..tensor import Tensor
from .grad_mode import enable_grad


def _as_tuple(x, arg, fname):
    if isinstance(x, Tensor):
        return False, (x,)
    if isinstance(x, (tuple, list)) and all(isinstance(t, Tensor) for t in x):
        return True, tuple(x)
    raise TypeError(f"{fname}(): argument '{arg}' must be a Tensor or a tuple of Tensors, got "
                    f"{type(x).__name__ if not isinstance(x, (tuple, list)) else 'a sequence with non-Tensors'}")


def _prepare(inputs, create_graph):
    # Graph mode keeps the link to the caller's tensors so second derivatives flow through.
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _outputs(func, inputs, fname):
    with enable_grad():
        out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs", fname) if isinstance(out, (Tensor, tuple, list)) else (None, None)
    if outs is None:
        raise TypeError(f"{fname}(): the function must return a Tensor or a tuple of Tensors, got "
                        f"{type(out).__name__}")
    return is_tuple, outs


def _grad(outputs, inputs, grad_outputs, create_graph, strict, fname, what="output"):
    from .backward import grad
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        res = grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=True,
                   create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    out = []
    for i, (x, g) in enumerate(zip(inputs, res)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fname}(): the {what} of the user-provided function is independent of "
                                   f"input {i}. This is not allowed in strict mode.")
            g = Tensor._wrap(np.zeros(x.shape, dtype=x._data.dtype))
        out.append(g)
    return tuple(out)


def _finish(ts, create_graph):
    return tuple(t if create_graph else t.detach() for t in ts)


def _check_v(v, refs, arg, fname):
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(f"{fname}(): the vector v can only be None if the user-provided function "
                               f"returns a single Tensor with a single element")
        return (Tensor._wrap(np.ones(refs[0].shape, dtype=refs[0]._data.dtype)),)
    _, vs = _as_tuple(v, arg, fname)
    if len(vs) != len(refs):
        raise RuntimeError(f"{fname}(): v has {len(vs)} tensors but {len(refs)} were expected")
    for i, (a, b) in enumerate(zip(vs, refs)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{fname}(): mismatch in size for v[{i}]: got {tuple(a.shape)}, expected "
                               f"{tuple(b.shape)}")
    return vs


def _unwrap(is_tuple, ts):
    return ts if is_tuple else ts[0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _outputs(func, xs, "vjp")
    vs = _check_v(v, outs, "v", "vjp")
    g = _grad(outs, xs, vs, create_graph, strict, "vjp")
    return _unwrap(out_tuple, _finish(outs, create_graph)), _unwrap(in_tuple, _finish(g, create_graph))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by differentiating the vjp with respect to its vector."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    xs = _prepare(xs, create_graph)
    vs = _check_v(v, xs, "v", "jvp")
    out_tuple, outs = _outputs(func, xs, "jvp")
    us = tuple(Tensor._wrap(np.zeros(o.shape, dtype=o._data.dtype), requires_grad=True) for o in outs)
    g = _grad(outs, xs, us, True, strict, "jvp")
    # g = J^T u is linear in u; its vjp with v gives J v.
    from .backward import grad
    live = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
    res = grad([a for a, _ in live], list(us), [b for _, b in live], retain_graph=True,
               create_graph=create_graph, allow_unused=True) if live else (None,) * len(us)
    jv = []
    for i, (o, r) in enumerate(zip(outs, res)):
        if r is None:
            if strict:
                raise RuntimeError(f"jvp(): output {i} of the user-provided function is independent of the "
                                   f"inputs. This is not allowed in strict mode.")
            r = Tensor._wrap(np.zeros(o.shape, dtype=o._data.dtype))
        jv.append(r)
    return _unwrap(out_tuple, _finish(outs, create_graph)), _unwrap(out_tuple, _finish(jv, create_graph))


def _jacobian_rows(outs, xs, create_graph, strict, fname):
    """rows[i][j] = d outs[i] / d xs[j], shaped outs[i].shape + xs[j].shape."""
    rows = []
    for i, o in enumerate(outs):
        per_in = [[] for _ in xs]
        for k in range(o.numel()):
            e = np.zeros(o.numel(), dtype=o._data.dtype)
            e[k] = 1
            g = _grad((o,), xs, (Tensor._wrap(e.reshape(o.shape)),), create_graph, strict, fname)
            for j, gj in enumerate(g):
                per_in[j].append(gj)
        rows.append(tuple(_stack(per_in[j], o.shape, x.shape, x._data.dtype) for j, x in enumerate(xs)))
    return rows


def _stack(parts, out_shape, in_shape, dtype):
    from ..ops.movement import stack
    if not parts:
        return Tensor._wrap(np.zeros(tuple(out_shape) + tuple(in_shape), dtype=dtype))
    return stack(parts).reshape(tuple(out_shape) + tuple(in_shape))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs: a Tensor for one input and one output, else tuples (of tuples)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian(): expected strategy to be either \"forward-mode\" or \"reverse-mode\", "
                         f"got {strategy!r}")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _outputs(func, xs, "jacobian")
    rows = [tuple(_finish(r, create_graph)) for r in _jacobian_rows(outs, xs, create_graph, strict, "jacobian")]
    if not out_tuple and not in_tuple:
        return rows[0][0]
    if not out_tuple:
        return rows[0]
    if not in_tuple:
        return tuple(r[0] for r in rows)
    return tuple(rows)


def _scalar_func(func, fname):
    def f(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            what = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
            raise RuntimeError(f"{fname}(): the function given to {fname} should return a Tensor with a "
                               f"single element, got {what}")
        return out
    return f


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """Second derivatives of a scalar function: H[i][j] = d2 f / d inputs[i] d inputs[j]."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")
    f = _scalar_func(func, "hessian")

    def gradient(*ys):
        out = f(*ys)
        return _grad((out,), ys, (Tensor._wrap(np.ones(out.shape, dtype=out._data.dtype)),), True, strict,
                     "hessian")

    res = jacobian(gradient, xs, create_graph=create_graph, strict=strict)
    if not in_tuple:
        return res[0][0]
    return res


def _second(func, inputs, v, create_graph, strict, fname, transpose):
    in_tuple, xs = _as_tuple(inputs, "inputs", fname)
    xs = _prepare(xs, create_graph)
    vs = _check_v(v, xs, "v", fname)
    with enable_grad():
        out = _scalar_func(func, fname)(*xs)
    g = _grad((out,), xs, (Tensor._wrap(np.ones(out.shape, dtype=out._data.dtype)),), True, strict, fname)
    # The Hessian is symmetric for twice continuously differentiable f, so v^T H and H v coincide;
    # both are computed as the gradient of <grad f, v>.
    hv = _grad(g, xs, vs, create_graph, strict, fname, what="jacobian")
    return _finish((out,), create_graph)[0], _unwrap(in_tuple, _finish(hv, create_graph))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    return _second(func, inputs, v, create_graph, strict, "vhp", False)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v)."""
    return _second(func, inputs, v, create_graph, strict, "hvp", True)


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
