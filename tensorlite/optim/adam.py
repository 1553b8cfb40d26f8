"""Adam and AdamW (torch.optim.Adam / AdamW), with AMSGrad and maximize."""
import math

import numpy as np

from . import _kernels
from .optimizer import Optimizer, check_nonneg, required, _number

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, PyTorch's update rule (per parameter, step t counted per parameter)::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)     (decoupled_weight_decay, i.e. AdamW)
        g = g + weight_decay * p            (otherwise, weight_decay != 0)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)               (amsgrad; v_max replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    State per parameter: 'step', 'exp_avg', 'exp_avg_sq' (+ 'max_exp_avg_sq' with amsgrad).
    One fused kernel per param group and dtype.  ``foreach`` / ``fused`` are accepted and ignored.
    """

    _flat_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _counts_steps = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False, foreach=None, fused=None):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        name = type(self).__name__
        check_nonneg(self, group.get("lr", 0), "learning rate", "lr")
        check_nonneg(self, group.get("eps", 0), "epsilon value", "eps")
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")
        betas = group.get("betas", (0.9, 0.999))
        if betas is required:
            return
        try:
            b1, b2 = (_number(b) for b in betas)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: betas must be a pair of numbers in [0, 1), got {betas!r}") from None
        for i, b in enumerate((b1, b2)):
            if not (isinstance(b, (int, float, np.number)) and 0.0 <= b < 1.0):
                raise ValueError(f"{name}: Invalid beta parameter at index {i}: {b} (betas must be in [0, 1))")

    def _update(self, group, b, active):
        ct = b.compute_dtype.type
        lr = float(group["lr"])
        beta1, beta2 = (float(x) for x in group["betas"])
        wd = float(group["weight_decay"])
        amsgrad = bool(group["amsgrad"])
        names = self._flat_state if amsgrad else self._flat_state[:2]
        m, v = b.buffer("exp_avg"), b.buffer("exp_avg_sq")
        vmax = b.buffer("max_exp_avg_sq") if amsgrad else v
        self._count_steps(b, active)
        starts, ends, run_steps = b.runs(active, b.steps, uniform=b.uniform_steps)
        nr = starts.shape[0]
        neg_step_size = np.empty(nr, dtype=b.compute_dtype)
        bc2_sqrt = np.empty(nr, dtype=b.compute_dtype)
        cache = {}
        for r in range(nr):
            step = float(run_steps[r])
            c = cache.get(step)
            if c is None:
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                c = cache[step] = (-(lr / bias_correction1), math.sqrt(bias_correction2))
            neg_step_size[r], bc2_sqrt[r] = c
        w = ct(1 - beta1)
        self._launch(_kernels.adam_update, b, (b.data, b.grad, m, v, vmax), starts, ends, neg_step_size, bc2_sqrt,
                     w, ct(1) - w, bool(abs(w) < 0.5), ct(beta2), ct(1 - beta2), ct(float(group["eps"])), ct(wd),
                     ct(1 - lr * wd), bool(group.get("decoupled_weight_decay", False)), amsgrad,
                     bool(group["maximize"]))
        self._export_state(b, active, names)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * weight_decay``
    before the Adam update instead of adding ``weight_decay * p`` to the gradient."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
