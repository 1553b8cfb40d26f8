"""SyncBatchNorm: batch normalization whose training statistics cover every rank's batch.

Forward all-gathers each rank's (count, mean, sum of squared deviations) per channel and merges
them (Chan et al., in float64); backward all-reduces the two per-channel sums the input gradient
needs.  With N ranks each given 1/N of a batch the outputs, input gradients and running
statistics are those of BatchNorm over the whole batch; the weight and bias gradients are each
rank's share, which DistributedDataParallel then averages -- PyTorch's arrangement.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .layers import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _dist():
    from .. import distributed
    return distributed


def _channels(x):
    """(N, C, *) -> an (N, C, L) view."""
    return x.reshape(x.shape[0], x.shape[1], -1)


class _SyncBatchNormTrain(Function):

    @staticmethod
    def forward(ctx, x, weight, bias, eps, stats_out):
        dist = _dist()
        C = x.shape[1]
        xs = _channels(x)
        count = xs.shape[0] * xs.shape[2]
        local = np.zeros(1 + 2 * C)
        local[0] = count
        if count:
            mean = xs.sum(axis=(0, 2), dtype=np.float64) / count
            d = xs - mean.astype(x.dtype)[None, :, None]
            local[1:1 + C] = mean
            local[1 + C:] = (d * d).sum(axis=(0, 2), dtype=np.float64) - count * (mean - mean.astype(x.dtype)) ** 2
        rows = [Tensor._wrap(np.empty_like(local)) for _ in range(dist.world_size())]
        dist.all_gather(rows, Tensor._wrap(local))
        every = np.stack([r._data for r in rows])
        counts, means, m2s = every[:, :1], every[:, 1:1 + C], every[:, 1 + C:]
        n = float(counts.sum())
        if n <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel when training, got {int(n)} "
                             f"over all ranks (this rank's input has shape {list(x.shape)})")
        mean = (counts * means).sum(0) / n
        var = (m2s + counts * (means - mean) ** 2).sum(0) / n
        invstd = 1.0 / np.sqrt(var + eps)
        gamma = np.ones(C) if weight is None else weight.astype(np.float64)
        beta = np.zeros(C) if bias is None else bias.astype(np.float64)
        scale = gamma * invstd
        shift = beta - mean * scale
        y = xs * scale.astype(x.dtype)[None, :, None] + shift.astype(x.dtype)[None, :, None]
        stats_out.extend((mean, var, n))
        ctx.save_for_backward(x)
        ctx.mean, ctx.invstd, ctx.gamma, ctx.n = mean, invstd, gamma, n
        ctx.wdtype = x.dtype if weight is None else weight.dtype
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            raise RuntimeError("SyncBatchNorm: double backward (create_graph=True) is not supported")
        (x,) = ctx.saved_arrays
        C = x.shape[1]
        xs, dy = _channels(x), _channels(g._data.astype(x.dtype, copy=False))
        xmu = xs - ctx.mean.astype(x.dtype)[None, :, None]
        sums = np.concatenate([dy.sum(axis=(0, 2), dtype=np.float64),
                               (dy * xmu).sum(axis=(0, 2), dtype=np.float64)])
        local = sums.copy()
        _dist().all_reduce(Tensor._wrap(sums))
        sum_dy, sum_dy_xmu = sums[:C], sums[C:]
        a = ctx.gamma * ctx.invstd                       # dx = a * (dy - mean(dy) - xmu * invstd^2 * mean(dy*xmu))
        b = -a * ctx.invstd ** 2 * sum_dy_xmu / ctx.n
        c = -a * sum_dy / ctx.n
        dx = dy * a.astype(x.dtype)[None, :, None] + xmu * b.astype(x.dtype)[None, :, None] \
            + c.astype(x.dtype)[None, :, None]
        need_w, need_b = ctx.needs_input_grad[1:3]
        dw = (local[C:] * ctx.invstd).astype(ctx.wdtype) if need_w else None
        db = local[:C].astype(ctx.wdtype) if need_b else None
        return dx.reshape(x.shape), dw, db


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, *) inputs with statistics over every rank's batch when training in
    a world of more than one process (torch.nn.SyncBatchNorm); otherwise plain BatchNorm.
    Every rank must run each SyncBatchNorm forward and backward in the same order."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        if process_group is not None:
            raise ValueError(f"SyncBatchNorm: only the default group (process_group=None) is supported, got "
                             f"process_group={process_group!r}")
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device=device, dtype=dtype,
                         bias=bias)

    def _check_input_dim(self, x):
        if x.ndim < 2:
            raise ValueError(f"SyncBatchNorm: expected at least 2D input, got {x.ndim}D input of shape "
                             f"{tuple(x.shape)}")

    def forward(self, x):
        self._check_input_dim(x)
        dist = _dist()
        if not (self.training and dist.is_initialized() and dist.world_size() > 1):
            return super().forward(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected {self.num_features} channels in dim 1, got input of shape "
                             f"{tuple(x.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        half = x.dtype.name == "float16"
        xin = x.float() if half else x
        w = self.weight.float() if half and self.weight is not None else self.weight
        b = self.bias.float() if half and self.bias is not None else self.bias
        stats = []
        out = _SyncBatchNormTrain.apply(xin, w, b, float(self.eps), stats)
        if self.track_running_stats:
            mean, var, n = stats
            for buf, stat in ((self.running_mean, mean), (self.running_var, var * (n / (n - 1)))):
                new = (1.0 - factor) * buf._data.astype(np.float64) + factor * stat
                np.copyto(buf._data, new, casting="unsafe")
                buf._bump()
        return out.half() if half else out

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm*d in `module` (or `module` itself) by a SyncBatchNorm sharing its
        parameters and buffers; returns the converted module."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group, bias=module.bias is not None)
            if module.affine:
                out.weight = module.weight
                if module.bias is not None:
                    out.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                out._buffers[name] = module._buffers[name]
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
