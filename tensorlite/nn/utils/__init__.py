"""tensorlite.nn.utils: gradient clipping, parameter/vector conversion, and (in .rnn) sequence packing."""
import numbers

import numpy as np

from ...tensor import Tensor
from . import rnn  # noqa: F401  (tensorlite.nn.utils.rnn, as torch.nn.utils.rnn)
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401,E402  (rebinds the submodule name, as torch)
from . import parametrize, parametrizations  # noqa: F401,E402


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    from ...optim._clip import clip_grad_norm_ as impl
    return impl(parameters, max_norm, norm_type=norm_type, error_if_nonfinite=error_if_nonfinite)


def clip_grad_value_(parameters, clip_value, foreach=None):
    from ...optim._clip import clip_grad_value_ as impl
    return impl(parameters, clip_value)


def _tensors(parameters, fname):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(f"{fname}(): argument 'parameters' must be a Tensor or an iterable of Tensors, got "
                        f"{type(parameters).__name__}") from None
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fname}(): argument 'parameters' must hold Tensors, got a {type(p).__name__}")
    return parameters


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


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm_type-norm of the norms of `tensors` (e.g. gradients), as a 0-d tensor; 0.0 for none."""
    import math
    from ...optim._clip import _real, _vector_norm
    fname = "get_total_norm"
    tensors = [t for t in _tensors(tensors, fname) if t is not None]
    norm_type = _real(norm_type, fname, "norm_type", nonneg=False)
    if not tensors:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    norms = np.array([_vector_norm(t._data, norm_type) for t in tensors], dtype=np.float64)
    total = dtype.type(_vector_norm(norms, norm_type))
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(np.asarray(total))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient of `parameters` in place by min(1, max_norm / (total_norm + 1e-6))."""
    from ...optim._clip import _grads, _real
    fname = "clip_grads_with_norm_"
    grads = _grads(parameters, fname)
    max_norm = _real(max_norm, fname, "max_norm")
    if isinstance(total_norm, bool) or not isinstance(total_norm, (Tensor, numbers.Real)):
        raise TypeError(f"{fname}(): argument 'total_norm' must be a Tensor or a number (the result of "
                        f"get_total_norm), got {type(total_norm).__name__}")
    total = float(total_norm._data) if isinstance(total_norm, Tensor) else float(total_norm)
    if not grads:
        return
    coef = min(max_norm / (total + 1e-6), 1.0) if total == total else float("nan")
    for g in grads:
        np.multiply(g._data, np.asarray(coef, dtype=g._data.dtype), out=g._data, casting="unsafe")
        g._vc.value += 1


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
