"""tensorlite.nn.utils: gradient clipping, parameter/vector conversion, and (in .rnn) sequence packing."""
import numbers

import numpy as np

from ...tensor import Tensor
from . import rnn  # noqa: F401  (tensorlite.nn.utils.rnn, as torch.nn.utils.rnn)
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401,E402  (rebinds the submodule name, as torch)
from . import parametrize, parametrizations  # noqa: F401,E402
from .clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_, _tensors  # noqa: F401


def parameters_to_vector(parameters):
    parameters = _tensors(parameters, "parameters_to_vector")
    if not parameters:
        raise ValueError("parameters_to_vector(): argument 'parameters' is empty ([]); there is nothing to "
                         "concatenate")
    from ...ops.movement import cat
    return cat([p.reshape(-1) for p in parameters])      # differentiable, as torch's


def vector_to_parameters(vec, parameters):
    fname = "vector_to_parameters"
    if not isinstance(vec, Tensor):
        raise TypeError(f"{fname}(): argument 'vec' must be a Tensor, not {type(vec).__name__}")
    parameters = _tensors(parameters, fname)
    need = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or need != vec.numel():          # checked before anything is written
        raise ValueError(f"{fname}(): argument 'vec' of shape {tuple(vec.shape)} has {vec.numel()} elements, "
                         f"the parameters need a 1-D vector of {need}")
    offset = 0
    for p in parameters:
        n = p.numel()
        p._data[...] = vec._data[offset:offset + n].reshape(p.shape)
        p._bump()
        offset += n


class _NotAModuleClass(TypeError, RuntimeError):
    """torch raises TypeError for a non-class and RuntimeError for a class that is not a Module."""


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs) whose parameter values are unspecified (torch allocates them
    uninitialized; tensorlite runs the normal init, which is one valid outcome). As torch, the
    class must take a `device` argument."""
    import inspect
    from ..module import Module
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise _NotAModuleClass(f"skip_init(): argument 'module_cls' must be a Module subclass; Expected a Module; "
                               f"got {module_cls!r}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
