"""Adam and AdamW (torch.optim.Adam / AdamW), with AMSGrad and maximize."""
import numpy as np

from ..backend import optim as kernels
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
    One fused kernel call per param group.  ``foreach`` / ``fused`` are accepted and ignored.
    """

    _state_buffers = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
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

    def _step_group(self, group):
        amsgrad = bool(group["amsgrad"])
        params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps = [], [], [], [], [], []
        for p, pd, gd in self._with_grad(group):
            st = self._state_of(p)
            steps.append(self._step_count(st))             # first, so the state's keys are in torch's order
            params.append(pd)
            grads.append(gd)
            exp_avgs.append(self._buffer(st, "exp_avg", pd))
            exp_avg_sqs.append(self._buffer(st, "exp_avg_sq", pd))
            if amsgrad:
                max_exp_avg_sqs.append(self._buffer(st, "max_exp_avg_sq", pd))
        beta1, beta2 = group["betas"]
        kernels.adam_update(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs if amsgrad else exp_avg_sqs, steps,
                            group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                            group.get("decoupled_weight_decay", False), amsgrad, group["maximize"])


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * weight_decay``
    before the Adam update instead of adding ``weight_decay * p`` to the gradient."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
