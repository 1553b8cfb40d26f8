"""L-BFGS (torch.optim.LBFGS's arguments, iterates and state layout), with an optional
strong-Wolfe line search (bracketing + zoom with safeguarded cubic interpolation, Nocedal &
Wright, "Numerical Optimization", algorithms 3.5 / 3.6).

The work runs on flat numpy vectors (all parameters concatenated in group order).  Scalars that
PyTorch keeps as 0-d tensors (directional derivatives, ``ro``, ``H_diag``, a step ``t`` derived
from them) are numpy scalars here, so they follow the same dtype rules (float32 parameters ->
float32 arithmetic) and are stored as 0-d tensors in the state, while the Python numbers PyTorch
keeps (losses, counters, a step ``t = lr``) stay Python numbers.
"""
import numpy as np

from ..tensor import Tensor
from ..autograd.grad_mode import enable_grad
from .optimizer import Optimizer
from .classic import _check_lr

__all__ = ["LBFGS"]

_STATE_KEYS = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


def _cubic_min(a, b, bounds=None):
    """Minimizer of the cubic matching value and slope at a = (x, f, df) and b (Nocedal & Wright
    eq. 3.59), clipped to `bounds` (default: the interval between the points); the middle of the
    bounds when the cubic has no local minimizer."""
    (x1, f1, g1), (x2, f2, g2) = a, b
    lo_b, hi_b = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    with np.errstate(all="ignore"):     # inf / nan quietly, as tensor arithmetic
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        disc = d1 ** 2 - g1 * g2
        if not disc >= 0:
            return (lo_b + hi_b) / 2.0
        d2 = np.sqrt(disc)
        # measured back from the right-hand point
        (xl, gl), (xr, gr) = ((x1, g1), (x2, g2)) if x1 <= x2 else ((x2, g2), (x1, g1))
        x = xr - (xr - xl) * ((gr + d2 - d1) / (gr - gl + 2 * d2))
    return min(max(x, lo_b), hi_b)


def _strong_wolfe(evaluate, t, d, f0, g0, gtd0, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Step length along d satisfying the strong Wolfe conditions.

    evaluate(t) -> (loss, flat gradient) at x + t d.  Returns (loss, gradient, t, evaluations)."""
    d_norm = np.abs(d).max()
    g0 = g0.copy()

    def sufficient_decrease(t, f):
        return f > f0 + c1 * t * gtd0

    def curvature(gtd):
        return abs(gtd) <= -c2 * gtd0

    def point(t):
        f, g = evaluate(t)
        return t, f, g, g.dot(d)

    # bracketing: grow t until an interval is known to contain an acceptable step
    cur = point(t)
    evals, it = 1, 0
    prev = (0, f0, g0, gtd0)
    bracket, done = None, False
    while it < max_ls:
        t, f_new, _, gtd_new = cur
        if sufficient_decrease(t, f_new) or (it > 1 and f_new >= prev[1]):
            bracket = [prev, cur]
            break
        if curvature(gtd_new):
            bracket, done = [cur], True
            break
        if gtd_new >= 0:
            bracket = [prev, cur]
            break
        t_next = _cubic_min((prev[0], prev[1], prev[3]), (t, f_new, gtd_new),
                            bounds=(t + 0.01 * (t - prev[0]), t * 10))
        prev = cur
        cur = point(t_next)
        evals += 1
        it += 1
    if bracket is None:                # out of evaluations: keep the better of x and the last point
        bracket = [(0, f0, g0, None), cur]

    # zoom: shrink the bracket [low, high] (low: the lower loss) until the conditions hold
    low, high = (0, 1) if len(bracket) == 1 or bracket[0][1] <= bracket[-1][1] else (1, 0)
    insufficient = False
    while not done and it < max_ls:
        (ta, fa, _, gtda), (tb, fb, _, gtdb) = bracket
        if abs(tb - ta) * d_norm < tolerance_change:
            break
        t = _cubic_min((ta, fa, gtda), (tb, fb, gtdb))
        t_lo, t_hi = min(ta, tb), max(ta, tb)
        margin = 0.1 * (t_hi - t_lo)
        # a trial too close to an end twice in a row (or outside): move it 10% inside
        if min(t_hi - t, t - t_lo) < margin:
            if insufficient or t >= t_hi or t <= t_lo:
                t = t_hi - margin if abs(t - t_hi) < abs(t - t_lo) else t_lo + margin
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        cur = point(t)
        evals += 1
        it += 1
        t, f_new, _, gtd_new = cur
        if sufficient_decrease(t, f_new) or f_new >= bracket[low][1]:
            bracket[high] = cur
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if curvature(gtd_new):
                done = True
            elif gtd_new * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = cur
    t, f, g, _ = bracket[low]
    return f, g, t, evals


def _working(v):
    """A state value as the step works with it (tensors -> arrays / numpy scalars)."""
    if isinstance(v, Tensor):
        return v._data[()] if v._data.ndim == 0 else v._data
    if isinstance(v, list):
        return [_working(x) for x in v]
    return v


def _stored(v):
    """A working value as PyTorch stores it (arrays / numpy scalars -> tensors)."""
    if isinstance(v, np.ndarray):
        return Tensor._wrap(v)
    if isinstance(v, np.generic):
        return Tensor._wrap(np.array(v))
    if isinstance(v, list):
        return [_stored(x) for x in v]
    return v


def _cast_floats(v, dtype):
    if isinstance(v, Tensor):
        return Tensor._wrap(v._data.astype(dtype)) if v._data.dtype.kind == "f" else v
    if isinstance(v, list):
        return [_cast_floats(x, dtype) for x in v]
    return v


class LBFGS(Optimizer):
    r"""L-BFGS, PyTorch's algorithm and state layout.

    ``step(closure)`` needs a closure that clears the gradients, re-evaluates the loss, calls
    ``backward()`` and returns the loss; one step runs up to ``max_iter`` iterations and
    ``max_eval`` closure evaluations (default ``max_iter * 5 // 4``).  Only one param group.
    The whole state lives in ``state[first parameter]``: 'func_evals', 'n_iter', 'd', 't',
    'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss' and (after a second
    iteration) 'al'.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size,
                        line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS doesn't support per-parameter options (parameter groups): argument 'params' "
                             f"gave {len(self.param_groups)} groups")

    def _validate_group(self, group):
        _check_lr(self, group.get("lr", 0))

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # ---------------------------------------------------------------- flat helpers
    def _flat_grad(self):
        parts = []
        for p in self._params:
            g = p.grad
            parts.append(np.zeros(p._data.size, dtype=p._data.dtype) if g is None else g._data.reshape(-1))
        return np.concatenate(parts)

    def _add_grad(self, t, d):
        """x += t * d (t in each parameter's dtype, as PyTorch's add_(alpha=t))."""
        off = 0
        for p in self._params:
            n = p._data.size
            p._data += np.asarray(t, dtype=p._data.dtype)[()] * d[off:off + n].reshape(p._data.shape)
            p._vc.value += 1
            off += n

    def _set_params(self, values):
        for p, v in zip(self._params, values):
            np.copyto(p._data, v)
            p._vc.value += 1

    @staticmethod
    def _loss(closure):
        with enable_grad():
            return closure()

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(self._loss(closure))
        flat_grad = self._flat_grad()
        self._set_params(x)
        return loss, flat_grad

    # ---------------------------------------------------------------- step
    def step(self, closure=None):
        """Run up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step(): argument 'closure' is required: a callable that clears the gradients, "
                            "re-evaluates the model, calls backward() and returns the loss (L-BFGS evaluates "
                            f"the loss several times per step), got {closure!r}")
        if len(self.param_groups) != 1:
            raise AssertionError(f"LBFGS.step(): expected exactly one param_group, but got "
                                 f"{len(self.param_groups)}")
        group = self.param_groups[0]
        lr = group["lr"]
        if isinstance(lr, Tensor):
            lr = lr._data.reshape(())[()]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # the state is global; PyTorch files it under the first parameter
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._loss(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss = (_working(state.get(k))
                                                                           for k in _STATE_KEYS)
        al = _working(state["al"]) if "al" in state else None
        opt_cond = False
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # search direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:          # keep the pair only when the curvature condition holds
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                if al is None:
                    al = [None] * history_size
                    state["al"] = al    # (PyTorch's key order: 'al' comes before 'd')
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, al)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            # step length
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            ls_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported (argument 'line_search_fn' is "
                                       f"{line_search_fn!r})")
                x0 = [p._data.copy() for p in self._params]
                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    lambda step: self._directional_evaluate(closure, x0, step, d), t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # the last iteration's loss would go unused
                    loss = float(self._loss(closure))
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_evals = 1
            current_evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        for k, v in zip(_STATE_KEYS, (d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss)):
            state[k] = _stored(v)
        if al is not None:
            state["al"] = _stored(al)
        return orig_loss

    @staticmethod
    def _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, al):
        """-H grad for the L-BFGS inverse-Hessian approximation (the two-loop recursion); fills al."""
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q += -al[i] * old_dirs[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r

    def load_state_dict(self, state_dict):
        """As Optimizer.load_state_dict; the tensors inside the history lists are cast to the
        parameter's dtype too, as PyTorch."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st and p._data.dtype.kind == "f":
                    for k, v in st.items():
                        if isinstance(v, list):
                            st[k] = _cast_floats(v, p._data.dtype)
