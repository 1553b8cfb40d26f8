"""Adadelta, Rprop and ASGD (torch.optim's arguments, defaults, update rules and state layout).

Like ``adaptive.py`` these are not fused: each step runs a plain numpy update per parameter, in
place on the parameter and its state tensors.  ``foreach`` / ``capturable`` / ``differentiable``
are accepted, stored in the param groups as PyTorch does, and otherwise ignored.
"""
import numpy as np

from .. import dtypes as _dtypes
from ..tensor import Tensor
from .optimizer import Optimizer, check_nonneg, required, _number

__all__ = ["Adadelta", "Rprop", "ASGD"]


def _check_lr(opt, lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError(f"{type(opt).__name__}: Tensor lr must be 1-element (argument 'lr' has shape "
                         f"{tuple(lr.shape)})")
    check_nonneg(opt, lr, "learning rate", "lr")


class Adadelta(Optimizer):
    r"""Adadelta, PyTorch's update rule::

        g = -grad if maximize else grad;  g = g + weight_decay * p   (weight_decay != 0)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    State per parameter: 'step', 'square_avg' (v), 'acc_delta' (u).
    """

    _state_buffers = ("square_avg", "acc_delta")
    _counts_steps = True

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        _check_lr(self, group.get("lr", 0))
        rho = group.get("rho", 0)
        if rho is not required and not 0.0 <= _number(rho) <= 1.0:
            raise ValueError(f"Adadelta: Invalid rho value: {rho} (rho must be in [0, 1])")
        check_nonneg(self, group.get("eps", 0), "epsilon value", "eps")
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")

    def _step_group(self, group):
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        wd, maximize = float(group["weight_decay"]), bool(group["maximize"])
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            self._next_step(st)
            v, u = self._buffer(st, "square_avg", p), self._buffer(st, "acc_delta", p)
            g = -g if maximize else g
            if wd != 0:
                g = g + wd * p
            v *= rho
            v += (1 - rho) * g * g
            delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
            u *= rho
            u += (1 - rho) * delta * delta
            p += -lr * delta


class Rprop(Optimizer):
    r"""Rprop (resilient backpropagation), PyTorch's update rule::

        g = -grad if maximize else grad;  s = sign(g * prev)
        step_size = clamp(step_size * (etaplus if s > 0, etaminus if s < 0, 1 if s == 0),
                          step_size_min, step_size_max)
        g = 0 where s < 0 (the sign flipped: skip this step);  p = p - sign(g) * step_size
        prev = g

    State per parameter: 'step', 'prev', 'step_size' (filled with ``lr`` on the first step).
    """

    _state_buffers = ("prev", "step_size")
    _counts_steps = True

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        _check_lr(self, group.get("lr", 0))
        etas = group.get("etas", (0.5, 1.2))
        if etas is required:
            return
        try:
            lo, hi = (_number(e) for e in etas)
            ok = 0.0 < lo < 1.0 < hi
        except (TypeError, ValueError):
            raise TypeError(f"Rprop: argument 'etas' must be a pair of numbers (etaminus, etaplus), got "
                            f"{etas!r}") from None
        if not ok:
            raise ValueError(f"Rprop: Invalid eta values: {lo}, {hi} (etas must satisfy 0 < etaminus < 1 < "
                             f"etaplus)")

    def _step_group(self, group):
        etaminus, etaplus = (float(e) for e in group["etas"])
        smin, smax = (float(s) for s in group["step_sizes"])
        maximize = bool(group["maximize"])
        lr = float(group["lr"])
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            self._next_step(st)
            prev, size = self._buffer(st, "prev", p), self._buffer(st, "step_size", p, fill=lr)
            g = -g if maximize else g
            s = np.sign(g * prev)
            # the factor in the parameter's dtype, as PyTorch writes the etas into the sign tensor
            factor = np.where(s > 0, etaplus, np.where(s < 0, etaminus, np.where(s == 0, 1.0, s))).astype(p.dtype)
            size *= factor
            np.clip(size, smin, smax, out=size)
            g = np.where(s < 0, 0, g).astype(p.dtype, copy=False)
            p -= np.sign(g) * size
            prev[...] = g


class ASGD(Optimizer):
    r"""ASGD (averaged stochastic gradient descent), PyTorch's update rule::

        g = -grad if maximize else grad;  g = g + weight_decay * p   (weight_decay != 0)
        p = p * (1 - lambd * eta);  p = p - eta * g
        ax = p if mu == 1 else ax + (p - ax) * mu
        eta = lr / (1 + lambd * lr * step) ** alpha;  mu = 1 / max(1, step - t0)

    State per parameter: 'step', 'eta' (starts at lr), 'mu' (starts at 1) -- 0-d float32 tensors
    as PyTorch (after ``load_state_dict`` they take the parameter's dtype, as PyTorch, but their
    new values are still rounded to the default dtype, as PyTorch) -- and 'ax'.
    """

    _state_buffers = ("ax",)
    _counts_steps = True

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        _check_lr(self, group.get("lr", 0))
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")

    def _scalars(self, st, lr):
        """The parameter's 'eta' and 'mu' tensors, created (PyTorch's key order) when missing."""
        eta, mu = st.get("eta"), st.get("mu")
        if not isinstance(eta, Tensor) or not isinstance(mu, Tensor):
            # PyTorch's scalar dtype: float64 under a float64 default dtype, else float32
            scalar = np.float64 if _dtypes.default_float.np == np.float64 else np.float32
            eta = Tensor._wrap(np.array(lr if eta is None else float(eta), dtype=scalar))
            mu = Tensor._wrap(np.array(1.0 if mu is None else float(mu), dtype=scalar))
            rest = {k: v for k, v in st.items() if k not in ("step", "eta", "mu")}
            step = st["step"]
            st.clear()
            st.update(step=step, eta=eta, mu=mu, **rest)
        return eta._data, mu._data

    def _step_group(self, group):
        lr, lambd, alpha, t0 = float(group["lr"]), float(group["lambd"]), float(group["alpha"]), float(group["t0"])
        wd, maximize = float(group["weight_decay"]), bool(group["maximize"])
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            step = self._next_step(st)
            ax = self._buffer(st, "ax", p)
            eta, mu = self._scalars(st, lr)
            g = -g if maximize else g
            if wd != 0:
                g = g + wd * p
            eta_value = float(eta)
            p *= 1 - lambd * eta_value
            p += -eta_value * g
            mu_value = float(mu)
            if mu_value != 1:
                ax += (p - ax) * p.dtype.type(mu_value)
            else:
                ax[...] = p
            # PyTorch builds the new values with torch.as_tensor (default dtype), then copies them
            # into eta / mu: they are rounded to the default dtype whatever dtype eta / mu have
            default = _dtypes.default_float.np
            eta[...] = np.asarray(lr / ((1 + lambd * lr * step) ** alpha), dtype=default)
            mu[...] = np.asarray(1 / max(1, step - t0), dtype=default)
