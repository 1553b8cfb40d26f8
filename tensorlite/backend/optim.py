"""Optimizer kernels: fused per-parameter updates (SGD, Adam / AdamW, RMSprop) and the sum of
squares that gradient clipping needs.

The entry points (``sgd_update``, ``adam_update``, ``rmsprop_update``) follow torch's ``foreach``
idea: they take LISTS of arrays -- the parameters of one param group that have a gradient, their
gradients and their state buffers, position by position -- and update every parameter in place
with one call of a jitted per-tensor kernel. Measured on the 65 tensors of a ResNet-20, a plain
Python loop over that kernel is faster than passing the lists into Numba (a ``numba.typed.List``
costs ~3x more to build than the kernels run; a reflected list ~10x).

Arrays must be C-contiguous (parameters and optimizer state are; a strided one goes through a
contiguous copy). Scalars arrive as Python floats and each kernel casts them to the parameter's
dtype, so float32 parameters compute in float32 like PyTorch's CPU kernels; float16 / bfloat16
parameters compute in float32 copies (Numba has no half-precision arithmetic).

The arithmetic follows PyTorch's operation order (``torch.optim`` single-tensor path) op for op:
e.g. ``addcdiv(self, t1, t2, value=v)`` is ``self + (v * t1) / t2`` and ``lerp(self, end, w)`` is
``self + w * (end - self)`` for ``w < 0.5`` else ``end - (end - self) * (1 - w)``. PyTorch's
vectorised CPU loops fuse some multiply-adds (FMA); these kernels do not (``fastmath=False``
forbids contraction), so float64 results agree with PyTorch to a few ulps, not bit for bit.
They are deterministic: the same inputs always give the same bits (resuming from a state_dict
is exact).
"""
import math

import numba
import numpy as np

from . import kernel

__all__ = ["sgd_update", "adam_update", "rmsprop_update", "sum_squares"]

# error_model="numpy": IEEE division (x / 0 -> inf, no ZeroDivisionError check), which also lets
# LLVM vectorise the loops that divide
_jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")
_inline = numba.njit(inline="always", fastmath=False, error_model="numpy")

_NATIVE = (np.dtype(np.float32), np.dtype(np.float64))


def _foreach(tensor_kernel, lists, scalars):
    """tensor_kernel(*arrays, *scalars) for each position of `lists` (the first list holds the
    parameters, the second their gradients). The kernels walk flat views, so every array must be
    C-contiguous: a gradient that is not (Linear's weight gradient is Fortran-ordered) is read
    through a contiguous copy; a parameter or state array that is not, or one in half precision,
    runs on float32 / contiguous copies that are written back afterwards."""
    for arrays in zip(*lists):
        p, g = arrays[0], arrays[1]
        if not g.flags.c_contiguous:
            arrays = (p, np.ascontiguousarray(g)) + arrays[2:]
        if p.dtype in _NATIVE and all([a.flags.c_contiguous for a in arrays if isinstance(a, np.ndarray)]):
            tensor_kernel(*arrays, *scalars)
            continue
        work_dtype = p.dtype if p.dtype in _NATIVE else np.dtype(np.float32)
        work = [np.array(a, dtype=work_dtype, order="C") if isinstance(a, np.ndarray) and a.dtype == p.dtype else a
                for a in arrays]
        tensor_kernel(*work, *scalars)
        for a, w in zip(arrays, work):
            if a is not w:
                np.copyto(a, w, casting="unsafe")


# ---------------------------------------------------------------------- element helpers
# Inlined into the kernels' loops. A flag that changes which arrays a loop reads and stores
# (SGD's fresh buffer, Adam's amsgrad, RMSprop's centered) selects between separate loops
# instead: tested inside one loop, amsgrad stopped LLVM from vectorising Adam (10x slower).
@_inline
def _lerp(start, end, w, w_comp, w_small):
    """PyTorch's lerp(start, end, w): start + w * (end - start), or end - (end - start) * (1 - w)
    for weights >= 0.5 (w_comp = 1 - w in the arrays' dtype)."""
    if w_small:
        return start + w * (end - start)
    return end - (end - start) * w_comp


@_inline
def _decayed(g, p, maximize, use_wd, decoupled, wd, decay):
    """(gradient, parameter) after maximize and weight decay (decoupled: p *= decay, AdamW)."""
    if maximize:
        g = -g
    if use_wd:
        if decoupled:
            p = p * decay
        else:
            g = g + wd * p
    return g, p


# ---------------------------------------------------------------------- SGD
@_jit
def _sgd_tensor(p, g, buf, fresh, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One parameter. momentum == 0: no buffer (buf is unused); fresh: the momentum buffer starts
    now (buf = grad, no dampening), as PyTorch's first step."""
    t = p.dtype.type
    pv, gv = p.reshape(-1), g.reshape(-1)
    n = pv.shape[0]
    if gv.shape[0] != n or (momentum != 0 and buf.size != n):
        raise ValueError("sgd_update: the gradient / momentum buffer size differs from the parameter's")
    neg_lr, mom, one_minus_dampening, wd = t(-lr), t(momentum), t(1 - dampening), t(weight_decay)
    use_wd = weight_decay != 0
    bv = buf.reshape(-1)
    # range(n) over 1-d views: non-negative indices, so LLVM vectorises the loops
    if momentum == 0:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            pv[i] = pv[i] + neg_lr * gi
    elif fresh:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            bv[i] = gi
            pv[i] = pv[i] + neg_lr * (gi + mom * gi if nesterov else gi)
    else:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            b = bv[i] * mom + one_minus_dampening * gi
            bv[i] = b
            pv[i] = pv[i] + neg_lr * (gi + mom * b if nesterov else b)


@kernel("sgd_update")
def sgd_update(params, grads, bufs, fresh, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """SGD over lists: params[i] -= lr * (update from grads[i], bufs[i]); fresh[i] says that
    bufs[i] is new (only read when momentum != 0; pass the grads as bufs when momentum == 0)."""
    _foreach(_sgd_tensor, (params, grads, bufs, fresh),
             (float(lr), float(momentum), float(dampening), float(weight_decay), bool(nesterov), bool(maximize)))


# ---------------------------------------------------------------------- Adam / AdamW, RMSprop
@_jit
def _adam_tensor(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                 decoupled, amsgrad, maximize):
    """One parameter; step (a 0-d float32 array, as PyTorch's) is incremented here first.
    exp_avg.lerp_(grad, 1 - beta1); bias corrections from the new step count;
    decoupled (AdamW): param *= 1 - lr * weight_decay first."""
    t = p.dtype.type
    pv, gv = p.reshape(-1), g.reshape(-1)
    mv, vv, xv = exp_avg.reshape(-1), exp_avg_sq.reshape(-1), max_exp_avg_sq.reshape(-1)
    n = pv.shape[0]
    if gv.shape[0] != n or mv.shape[0] != n or vv.shape[0] != n or (amsgrad and xv.shape[0] != n):
        raise ValueError("adam_update: a gradient / state size differs from the parameter's")
    step[()] += 1
    s = float(step[()])
    neg_step_size = t(-(lr / (1 - beta1 ** s)))
    bc2 = t(math.sqrt(1 - beta2 ** s))
    w = t(1 - beta1)
    w_comp, w_small = t(1) - w, abs(w) < 0.5
    b2, one_minus_b2, e, wd, decay = t(beta2), t(1 - beta2), t(eps), t(weight_decay), t(1 - lr * weight_decay)
    use_wd = weight_decay != 0
    if amsgrad:
        for i in range(n):
            gi, pi = _decayed(gv[i], pv[i], maximize, use_wd, decoupled, wd, decay)
            m = _lerp(mv[i], gi, w, w_comp, w_small)
            v = vv[i] * b2 + (one_minus_b2 * gi) * gi
            mv[i], vv[i] = m, v
            vm = xv[i]
            if v > vm or v != v:            # max(), NaN propagating
                vm = v
            xv[i] = vm
            pv[i] = pi + (neg_step_size * m) / (np.sqrt(vm) / bc2 + e)
    else:
        for i in range(n):
            gi, pi = _decayed(gv[i], pv[i], maximize, use_wd, decoupled, wd, decay)
            m = _lerp(mv[i], gi, w, w_comp, w_small)
            v = vv[i] * b2 + (one_minus_b2 * gi) * gi
            mv[i], vv[i] = m, v
            pv[i] = pi + (neg_step_size * m) / (np.sqrt(v) / bc2 + e)


@kernel("adam_update")
def adam_update(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2, eps, weight_decay,
                decoupled, amsgrad, maximize):
    """Adam / AdamW over lists (steps: 0-d float32 arrays, incremented; without amsgrad pass the
    exp_avg_sqs again as max_exp_avg_sqs)."""
    _foreach(_adam_tensor, (params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps),
             (float(lr), float(beta1), float(beta2), float(eps), float(weight_decay), bool(decoupled),
              bool(amsgrad), bool(maximize)))


@_jit
def _rmsprop_tensor(p, g, square_avg, grad_avg, momentum_buffer, step, lr, alpha, eps, weight_decay, momentum,
                    centered, maximize):
    """One parameter (optionally centred, with momentum); its step count (a 0-d float32 array) is
    incremented, the update does not use it. grad_avg.lerp_(grad, 1 - alpha)."""
    t = p.dtype.type
    pv, gv, sv = p.reshape(-1), g.reshape(-1), square_avg.reshape(-1)
    av, bv = grad_avg.reshape(-1), momentum_buffer.reshape(-1)
    n = pv.shape[0]
    use_momentum = momentum > 0
    if (gv.shape[0] != n or sv.shape[0] != n or (centered and av.shape[0] != n)
            or (use_momentum and bv.shape[0] != n)):
        raise ValueError("rmsprop_update: a gradient / state size differs from the parameter's")
    step[()] += 1
    neg_lr, a, e, wd, mom = t(-lr), t(alpha), t(eps), t(weight_decay), t(momentum)
    w = t(1 - alpha)
    w_comp, w_small = t(1) - w, abs(w) < 0.5
    use_wd = weight_decay != 0
    # one loop per (centered, momentum): LLVM vectorises none of them when both are tested inside
    if centered and use_momentum:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            sq, ga = sv[i] * a + (w * gi) * gi, _lerp(av[i], gi, w, w_comp, w_small)
            sv[i], av[i] = sq, ga
            b = bv[i] * mom + gi / (np.sqrt(sq - ga * ga) + e)
            bv[i] = b
            pv[i] = pv[i] + neg_lr * b
    elif centered:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            sq, ga = sv[i] * a + (w * gi) * gi, _lerp(av[i], gi, w, w_comp, w_small)
            sv[i], av[i] = sq, ga
            pv[i] = pv[i] + (neg_lr * gi) / (np.sqrt(sq - ga * ga) + e)
    elif use_momentum:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            sq = sv[i] * a + (w * gi) * gi
            sv[i] = sq
            b = bv[i] * mom + gi / (np.sqrt(sq) + e)
            bv[i] = b
            pv[i] = pv[i] + neg_lr * b
    else:
        for i in range(n):
            gi, _ = _decayed(gv[i], pv[i], maximize, use_wd, False, wd, wd)
            sq = sv[i] * a + (w * gi) * gi
            sv[i] = sq
            pv[i] = pv[i] + (neg_lr * gi) / (np.sqrt(sq) + e)


@kernel("rmsprop_update")
def rmsprop_update(params, grads, square_avgs, grad_avgs, momentum_buffers, steps, lr, alpha, eps, weight_decay, momentum,
                   centered, maximize):
    """RMSprop over lists (steps: 0-d float32 arrays, incremented; pass the square_avgs again for
    the buffers a configuration lacks)."""
    _foreach(_rmsprop_tensor, (params, grads, square_avgs, grad_avgs, momentum_buffers, steps),
             (float(lr), float(alpha), float(eps), float(weight_decay), float(momentum), bool(centered),
              bool(maximize)))


# ---------------------------------------------------------------------- gradient clipping
@_jit
def _sum_squares(a):
    """sum(a*a) with float64 accumulators (4 interleaved, then combined)."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    n = a.shape[0]
    m = n - n % 4
    for i in range(0, m, 4):
        x0 = np.float64(a[i])
        x1 = np.float64(a[i + 1])
        x2 = np.float64(a[i + 2])
        x3 = np.float64(a[i + 3])
        s0 += x0 * x0
        s1 += x1 * x1
        s2 += x2 * x2
        s3 += x3 * x3
    for i in range(m, n):
        x = np.float64(a[i])
        s0 += x * x
    return (s0 + s1) + (s2 + s3)


def sum_squares(a):
    """sum(a * a) of a float32 / float64 array (any shape), accumulated in float64."""
    return _sum_squares(np.ascontiguousarray(a).reshape(-1))
