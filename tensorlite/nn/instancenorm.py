"""InstanceNorm1d/2d/3d (torch.nn.modules.instancenorm): per-sample, per-channel normalization on
_NormBase, with torch's defaults (affine=False, track_running_stats=False) and state-dict upgrade."""
from . import functional as F
from .batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    _spatial = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        n = self._spatial
        ndim = getattr(input, "ndim", None)
        if ndim not in (n + 1, n + 2):
            shape = tuple(input.shape) if hasattr(input, "shape") else type(input).__name__
            raise ValueError(f"{type(self).__name__}: expected {n + 1}D or {n + 2}D input, got argument 'input' of "
                             f"shape {shape}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        # Checkpoints from before versioning held running stats even without track_running_stats.
        if local_metadata.get("version", None) is None and not self.track_running_stats:
            keys = [prefix + n for n in ("running_mean", "running_var") if prefix + n in state_dict]
            if keys:
                error_msgs.append(f"Unexpected running stats buffer(s) {keys} for {type(self).__name__} with "
                                  f"track_running_stats=False. Remove these keys from state_dict, or set "
                                  f"track_running_stats=True if the running stats are needed.")
                for k in keys:
                    state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, input):
        name, n = type(self).__name__, self._spatial
        self._check_input_dim(input)
        batched = input.ndim == n + 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.num_features and self.affine:
            raise ValueError(f"{name}: expected input's size at dim={1 if batched else 0} to match num_features "
                             f"({self.num_features}), but got input of shape {tuple(input.shape)}")
        use_input_stats = self.training or not self.track_running_stats
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats,
                              self.momentum if self.momentum is not None else 0.0, self.eps)
        return out if batched else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    _spatial = 3
