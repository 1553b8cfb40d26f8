"""Batch normalization (torch.nn.modules.batchnorm): _NormBase, the base BatchNorm and InstanceNorm
share, BatchNorm1d/2d/3d and SyncBatchNorm, with torch's arguments, state-dict keys and repr.

SyncBatchNorm's training statistics cover every rank's batch: forward all-gathers each rank's
(count, mean, sum of squared deviations) per channel and merges them (Chan et al., in float64);
backward all-reduces the two per-channel sums the input gradient needs.  With N ranks each given
1/N of a batch the outputs, input gradients and running statistics are those of BatchNorm over the
whole batch; the weight and bias gradients are each rank's share, which DistributedDataParallel
then averages -- PyTorch's arrangement.
"""
import numpy as np

from .. import creation
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import functional as F
from . import init
from ._args import _check_device, _positive_int
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"]


def norm_parameters(module, shape, affine, bias, track_running_stats, dtype):
    """The parameters and buffers of PyTorch's normalization layers: weight (ones) and bias (zeros,
    unless bias=False) when affine; running mean/var and num_batches_tracked when tracking
    statistics; each registered as None otherwise, so state-dict keys match PyTorch's.
    track_running_stats=None: a layer without running statistics (LayerNorm, GroupNorm)."""
    module.register_parameter("weight", Parameter(creation.ones(*shape, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(creation.zeros(*shape, dtype=dtype)) if affine and bias else None)
    track = track_running_stats
    if track is None:
        return
    module.register_buffer("running_mean", creation.zeros(*shape, dtype=dtype) if track else None)
    module.register_buffer("running_var", creation.ones(*shape, dtype=dtype) if track else None)
    module.register_buffer("num_batches_tracked", creation.tensor(0, dtype="int64") if track else None)


def reset_norm_parameters(module, affine):
    """norm_parameters' initial values again: weight ones and bias (if any) zeros, when affine."""
    if affine:
        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)


class _NormBase(Module):
    """PyTorch's common base of BatchNorm and InstanceNorm: parameters, running statistics and the
    state-dict upgrade of checkpoints older than num_batches_tracked (version 2)."""
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        owner = type(self).__name__
        _check_device(device, owner)
        self.num_features = _positive_int(num_features, "num_features", owner)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        norm_parameters(self, (self.num_features,), affine, bias, track_running_stats, dtype)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        reset_norm_parameters(self, self.affine)

    def _check_input_dim(self, input):
        raise NotImplementedError(f"{type(self).__name__} must define _check_input_dim(input)")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"        # added in version 2: old checkpoints lack it
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else creation.tensor(0, dtype="int64"))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, x):
        return F.batch_norm(x, *self._functional_args(x))

    def forward_relu(self, x, residual=None):
        """relu(self(x) + residual), residual optional, through the fused F.batch_norm_relu: the
        BN -> ReLU and BN -> add -> ReLU of conv blocks in one pass each way (a tensorlite extension).
        With hooks registered on this module, or in a subclass with its own forward (SyncBatchNorm's
        cross-rank statistics), it calls the module, so those see and make its output."""
        if self._forward_hooks or self._forward_pre_hooks or type(self).forward is not _BatchNorm.forward:
            out = self(x)
            return F.relu(out if residual is None else out + residual)
        return F.batch_norm_relu(x, *self._functional_args(x), residual=residual)

    def _functional_args(self, x):
        """Check x and update num_batches_tracked as forward does; F.batch_norm's other arguments."""
        name = type(self).__name__
        self._check_input_dim(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected {self.num_features} channels in dim 1, got input of shape "
                             f"{tuple(x.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            if self.momentum is None:            # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # PyTorch: batch statistics when training, or when there are no running buffers to use.
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        return (self.running_mean if use_buffers else None, self.running_var if use_buffers else None,
                self.weight, self.bias, use_batch_stats, factor, self.eps)


def _check_dims(module, x, dims):
    ndim = getattr(x, "ndim", None)
    if ndim not in dims:
        shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        raise ValueError(f"{type(module).__name__}: expected {' or '.join(f'{d}D' for d in dims)} input, "
                         f"got {ndim}D input of shape {shape}")


class BatchNorm1d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(self, input, (2, 3))


class BatchNorm2d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(self, input, (4,))


class BatchNorm3d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(self, input, (5,))


# ---------------------------------------------------------------- SyncBatchNorm
def _dist():
    # imported at first use, as tl.distributed itself is (keeps `import tensorlite` fast)
    from .. import distributed
    return distributed


def _channels(x):
    """(N, C, *) -> an (N, C, L) view."""
    return x.reshape(x.shape[0], x.shape[1], -1)


class _SyncBatchNormTrain(Function):

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
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
        ctx.save_for_backward(x)
        ctx.mean, ctx.invstd, ctx.gamma, ctx.n = mean, invstd, gamma, n
        ctx.wdtype = x.dtype if weight is None else weight.dtype
        return y.reshape(x.shape), mean, var, np.float64(n)   # the world's statistics: no gradient

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
        out, mean, var, n = _SyncBatchNormTrain.apply(xin, w, b, float(self.eps))
        if self.track_running_stats:
            mean, var, n = mean._data, var._data, float(n._data)
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
