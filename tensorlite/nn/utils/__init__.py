"""tensorlite.nn.utils: gradient clipping, parameter/vector conversion, and (in .rnn) sequence packing."""
import numpy as np

from ...tensor import Tensor
from . import rnn  # noqa: F401  (tensorlite.nn.utils.rnn, as torch.nn.utils.rnn)


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
        raise TypeError(f"{fname}(): argument 'parameters' must be an iterable of Tensors, got "
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
    return Tensor._wrap(np.concatenate([p._data.reshape(-1) for p in parameters]))


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
