"""The hook-based weight normalization (torch.nn.utils.weight_norm / remove_weight_norm):
parameter `name` is replaced by `name_g` (magnitude) and `name_v` (direction), and a forward
pre-hook recomputes `name = name_v * name_g / ||name_v||` before every forward."""
import warnings

from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm of v over every dim but `dim` (kept as size 1); dim=-1: over all of v (0-d)."""
    if dim == -1:
        return (v.abs() ** pow).sum() ** (1.0 / pow)
    d = dim % v.ndim
    dims = tuple(i for i in range(v.ndim) if i != d)
    if not dims:
        return v.abs()
    return (v.abs() ** pow).sum(dims, keepdim=True) ** (1.0 / pow)


def _weight_norm(v, g, dim):
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name, None)
        if not isinstance(weight, Tensor):
            raise AttributeError(f"weight_norm(): module {type(module).__name__} has no parameter {name!r}")
        if weight.ndim and dim is not None and dim != -1 and not -weight.ndim <= dim < weight.ndim:
            raise IndexError(f"weight_norm(): argument 'dim' {dim} is out of range for parameter {name!r} of shape "
                             f"{tuple(weight.shape)}")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight.detach(), 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module).detach()
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def _check_module(module, fname):
    from ..module import Module
    if not isinstance(module, Module):
        raise TypeError(f"{fname}(): argument 'module' must be a Module, got {type(module).__name__}")


def weight_norm(module, name="weight", dim=0):
    """Reparameterize module.<name> as name_g * name_v / ||name_v|| (norm over every dim but `dim`;
    dim=None: over the whole tensor). Deprecated in torch in favor of
    parametrizations.weight_norm; it warns the same way."""
    _check_module(module, "weight_norm")
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo weight_norm: module.<name> becomes a Parameter again holding the current weight."""
    _check_module(module, "remove_weight_norm")
    hooks = module._forward_pre_hooks
    for k, hook in list(hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del hooks[k]
            return module
    raise ValueError(f"remove_weight_norm(): weight_norm of '{name}' not found in {module}")
