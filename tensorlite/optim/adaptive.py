"""Adagrad, Adamax, NAdam and RAdam (torch.optim's update rules, defaults and state layout).

These are not fused: each step runs a plain numpy update per parameter, in place on the
parameter and its state tensors.  ``foreach`` / ``capturable`` / ``differentiable`` / ``fused``
are accepted and ignored.
"""

import numpy as np

from ..tensor import Tensor
from .adam import Adam
from .optimizer import Optimizer, check_nonneg

__all__ = ["Adagrad", "Adamax", "NAdam", "RAdam"]


class Adagrad(Optimizer):
    r"""Adagrad, PyTorch's update rule::

        g = -grad if maximize else grad;  g = g + weight_decay * p   (weight_decay != 0)
        clr = lr / (1 + (step - 1) * lr_decay)
        sum = sum + g * g;  p = p - clr * g / (sqrt(sum) + eps)

    State per parameter: 'step' and 'sum' (filled with ``initial_accumulator_value``), created
    for every parameter by the constructor, as PyTorch.
    """

    _state_buffers = ("sum",)
    _counts_steps = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, p)

    def _validate_group(self, group):
        check_nonneg(self, group.get("lr", 0), "learning rate", "lr")
        check_nonneg(self, group.get("lr_decay", 0), "lr_decay value", "lr_decay")
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")
        check_nonneg(self, group.get("initial_accumulator_value", 0), "initial_accumulator_value value",
                     "initial_accumulator_value")
        check_nonneg(self, group.get("eps", 0), "epsilon value", "eps")

    def _init_state(self, group, p):
        """'step' (0) and 'sum' (filled with initial_accumulator_value) when missing."""
        st = self._state_of(p)
        self._step_count(st)
        return st, self._buffer(st, "sum", p._data, fill=float(group["initial_accumulator_value"]))

    def _step_group(self, group):
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        wd, maximize = float(group["weight_decay"]), bool(group["maximize"])
        for param, p, g in self._with_grad(group):
            st, s = self._init_state(group, param)       # parameters added later / state reset
            step = self._next_step(st)
            g = -g if maximize else g
            if wd != 0:
                g = g + wd * p
            clr = lr / (1 + (step - 1) * lr_decay)
            s += g * g
            p -= clr * (g / (np.sqrt(s) + eps))


class _AdamFamily(Optimizer):
    _counts_steps = True

    def _validate_group(self, group):
        Adam._validate_group(self, group)

    def _hyper(self, group):
        beta1, beta2 = (float(x) for x in group["betas"])
        return (float(group["lr"]), beta1, beta2, float(group["eps"]), float(group["weight_decay"]),
                bool(group["maximize"]))


class Adamax(_AdamFamily):
    r"""Adamax (Adam with the infinity norm), PyTorch's update rule::

        g = -grad if maximize else grad;  g = g + weight_decay * p   (weight_decay != 0)
        m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    State per parameter: 'step', 'exp_avg', 'exp_inf'.
    """

    _state_buffers = ("exp_avg", "exp_inf")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, beta1, beta2, eps, wd, maximize = self._hyper(group)
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            step = self._next_step(st)
            m, u = self._buffer(st, "exp_avg", p), self._buffer(st, "exp_inf", p)
            g = -g if maximize else g
            if wd != 0:
                g = g + wd * p
            m += (g - m) * (1 - beta1)
            np.maximum(u * beta2, np.abs(g) + eps, out=u)
            clr = lr / (1 - beta1 ** step)
            p -= clr * (m / u)


class NAdam(_AdamFamily):
    r"""NAdam (Adam with Nesterov momentum), PyTorch's update rule::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)      (decoupled_weight_decay)
        g = g + weight_decay * p             (otherwise, weight_decay != 0)
        mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay));  mu_{t+1} likewise
        mu_product = mu_product * mu_t
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - mu_product) * g / denom
              - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom

    State per parameter: 'step', 'mu_product' (a float32 scalar tensor, as PyTorch), 'exp_avg',
    'exp_avg_sq'.
    """

    _state_buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        super()._validate_group(group)
        check_nonneg(self, group.get("momentum_decay", 0), "momentum_decay value", "momentum_decay")

    def _step_group(self, group):
        lr, beta1, beta2, eps, wd, maximize = self._hyper(group)
        momentum_decay = float(group["momentum_decay"])
        decoupled = bool(group["decoupled_weight_decay"])
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            step = self._next_step(st)
            mp = st.get("mu_product")
            if not isinstance(mp, Tensor):
                mp = Tensor._wrap(np.array(1.0 if mp is None else float(mp), dtype=np.float32))
                rest = {k: val for k, val in st.items() if k not in ("step", "mu_product")}
                step_t = st["step"]
                st.clear()                        # PyTorch's key order: step, mu_product, exp_avg, ...
                st.update(step=step_t, mu_product=mp, **rest)
            m, v = self._buffer(st, "exp_avg", p), self._buffer(st, "exp_avg_sq", p)
            g = -g if maximize else g
            bias_correction2 = 1 - beta2 ** step
            if wd != 0:
                if decoupled:
                    p *= 1 - lr * wd
                else:
                    g = g + wd * p
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mpd = mp._data
            mpd[...] = mpd * mpd.dtype.type(mu)
            mu_product = float(mpd)
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            denom = np.sqrt(v / bias_correction2) + eps
            p += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            p += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (m / denom)


class RAdam(_AdamFamily):
    r"""RAdam (rectified Adam), PyTorch's update rule::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)      (decoupled_weight_decay)
        g = g + weight_decay * p             (otherwise, weight_decay != 0)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        rho_t > 5: p = p - m / (1 - beta1**t) * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * rect
        else:      p = p - m / (1 - beta1**t) * lr

    State per parameter: 'step', 'exp_avg', 'exp_avg_sq'.
    """

    _state_buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, beta1, beta2, eps, wd, maximize = self._hyper(group)
        decoupled = bool(group["decoupled_weight_decay"])
        for param, p, g in self._with_grad(group):
            st = self._state_of(param)
            step = self._next_step(st)
            m, v = self._buffer(st, "exp_avg", p), self._buffer(st, "exp_avg_sq", p)
            g = -g if maximize else g
            if wd != 0:
                if decoupled:
                    p *= 1 - lr * wd
                else:
                    g = g + wd * p
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            bias_corrected_exp_avg = m / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive = bias_correction2 ** 0.5 / (np.sqrt(v) + eps)
                p -= bias_corrected_exp_avg * lr * adaptive * rect
            else:
                p -= bias_corrected_exp_avg * lr
