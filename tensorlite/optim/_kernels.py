"""Fused update kernels: one pass over a parameter group's flat buffers per optimizer step.

Every kernel takes the flat parameter / gradient / state arrays of one bucket (one param group,
one dtype) and a list of *runs* ``[starts[r], ends[r])``: the element ranges of the parameters
that have a gradient this step, adjacent ones merged. Scalars that can differ per parameter
(SGD's "momentum buffer is new", Adam's bias corrections, which depend on the per-parameter step
count) are per-run arrays; every other hyper-parameter is a scalar of the arrays' dtype, so
float32 buckets compute in float32 like PyTorch's CPU kernels do.

The arithmetic follows PyTorch's operation order (``torch.optim`` single-tensor path) op for op:
e.g. ``addcdiv(self, t1, t2, value=v)`` is ``self + (v * t1) / t2`` and ``lerp(self, end, w)`` is
``self + w * (end - self)`` for ``w < 0.5`` else ``end - (end - self) * (1 - w)``. PyTorch's
vectorised CPU loops fuse some multiply-adds (FMA); these kernels do not (``fastmath=False``
forbids contraction), so float64 results agree with PyTorch to a few ulps, not bit for bit.
They are deterministic: the same inputs always give the same bits (resuming from a state_dict
is exact).
"""
import numpy as np
import numba

# error_model="numpy": IEEE division (x / 0 -> inf, no ZeroDivisionError check), which also lets
# LLVM vectorise the loops that divide
_jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")


@_jit
def sgd_update(p, g, buf, starts, ends, fresh, neg_lr, momentum, one_minus_dampening, weight_decay,
               use_momentum, nesterov, maximize):
    """SGD.  fresh[r] != 0: the momentum buffer of run r starts now (buf = grad, no dampening)."""
    use_wd = weight_decay != 0
    for r in range(starts.shape[0]):
        s = starts[r]
        n = ends[r] - s
        # slices + range(n): non-negative indices, so LLVM vectorises the loops
        pv = p[s:s + n]
        gv = g[s:s + n]
        bv = buf[s:s + n]
        if not use_momentum:
            for i in range(n):
                gi = -gv[i] if maximize else gv[i]
                if use_wd:
                    gi = gi + weight_decay * pv[i]
                pv[i] = pv[i] + neg_lr * gi
        elif fresh[r] != 0:
            for i in range(n):
                gi = -gv[i] if maximize else gv[i]
                if use_wd:
                    gi = gi + weight_decay * pv[i]
                bv[i] = gi
                if nesterov:
                    gi = gi + momentum * gi
                pv[i] = pv[i] + neg_lr * gi
        else:
            for i in range(n):
                gi = -gv[i] if maximize else gv[i]
                if use_wd:
                    gi = gi + weight_decay * pv[i]
                b = bv[i] * momentum + one_minus_dampening * gi
                bv[i] = b
                if nesterov:
                    gi = gi + momentum * b
                else:
                    gi = b
                pv[i] = pv[i] + neg_lr * gi


@_jit
def adam_update(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, starts, ends, neg_step_size, bc2_sqrt,
                beta1_weight, beta1_weight_comp, beta1_weight_small, beta2, one_minus_beta2, eps, weight_decay,
                decay_factor, decoupled, amsgrad, maximize):
    """Adam / AdamW.  exp_avg.lerp_(grad, beta1_weight) with beta1_weight = 1 - beta1 (and
    beta1_weight_comp = 1 - beta1_weight, as PyTorch's lerp computes it); per run:
    neg_step_size = -lr / (1 - beta1**step), bc2_sqrt = sqrt(1 - beta2**step).
    decoupled (AdamW): param *= decay_factor (= 1 - lr * weight_decay) first."""
    use_wd = weight_decay != 0
    for r in range(starts.shape[0]):
        s = starts[r]
        n = ends[r] - s
        nss = neg_step_size[r]
        bc2 = bc2_sqrt[r]
        pv = p[s:s + n]
        gv = g[s:s + n]
        mv = exp_avg[s:s + n]
        vv = exp_avg_sq[s:s + n]
        xv = max_exp_avg_sq[s:s + n]
        for i in range(n):
            gi = -gv[i] if maximize else gv[i]
            pi = pv[i]
            if use_wd:
                if decoupled:
                    pi = pi * decay_factor
                else:
                    gi = gi + weight_decay * pi
            m = mv[i]
            if beta1_weight_small:
                m = m + beta1_weight * (gi - m)
            else:
                m = gi - (gi - m) * beta1_weight_comp
            mv[i] = m
            v = vv[i] * beta2 + (one_minus_beta2 * gi) * gi
            vv[i] = v
            if amsgrad:
                vm = xv[i]
                if v > vm or v != v:
                    vm = v
                xv[i] = vm
                denom = np.sqrt(vm) / bc2 + eps
            else:
                denom = np.sqrt(v) / bc2 + eps
            pv[i] = pi + (nss * m) / denom


@_jit
def rmsprop_update(p, g, square_avg, grad_avg, momentum_buffer, starts, ends, neg_lr, alpha, one_minus_alpha,
                   one_minus_alpha_comp, eps, weight_decay, momentum, centered, maximize):
    """RMSprop (optionally centred, with momentum).  grad_avg.lerp_(grad, one_minus_alpha);
    one_minus_alpha_comp = 1 - one_minus_alpha (PyTorch's lerp for weights >= 0.5)."""
    use_wd = weight_decay != 0
    use_momentum = momentum > 0
    small = abs(one_minus_alpha) < 0.5
    for r in range(starts.shape[0]):
        s = starts[r]
        n = ends[r] - s
        pv = p[s:s + n]
        gv = g[s:s + n]
        sv = square_avg[s:s + n]
        av = grad_avg[s:s + n]
        bv = momentum_buffer[s:s + n]
        for i in range(n):
            gi = -gv[i] if maximize else gv[i]
            if use_wd:
                gi = gi + weight_decay * pv[i]
            sq = sv[i] * alpha + (one_minus_alpha * gi) * gi
            sv[i] = sq
            if centered:
                ga = av[i]
                if small:
                    ga = ga + one_minus_alpha * (gi - ga)
                else:
                    ga = gi - (gi - ga) * one_minus_alpha_comp
                av[i] = ga
                avg = np.sqrt(sq - ga * ga) + eps
            else:
                avg = np.sqrt(sq) + eps
            if use_momentum:
                b = bv[i] * momentum + gi / avg
                bv[i] = b
                pv[i] = pv[i] + neg_lr * b
            else:
                pv[i] = pv[i] + (neg_lr * gi) / avg
