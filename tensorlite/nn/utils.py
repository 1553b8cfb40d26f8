"""tensorlite.nn.utils: gradient clipping and parameter/vector conversion."""
import numpy as np

from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    from ..optim._clip import clip_grad_norm_ as impl
    return impl(parameters, max_norm, norm_type=norm_type, error_if_nonfinite=error_if_nonfinite)


def clip_grad_value_(parameters, clip_value, foreach=None):
    from ..optim._clip import clip_grad_value_ as impl
    return impl(parameters, clip_value)


def parameters_to_vector(parameters):
    return Tensor._wrap(np.concatenate([p._data.reshape(-1) for p in parameters]))


def vector_to_parameters(vec, parameters):
    offset = 0
    for p in parameters:
        n = p.numel()
        p._data[...] = vec._data[offset:offset + n].reshape(p.shape)
        p._bump()
        offset += n
    if offset != vec.numel():
        raise ValueError(f"vector_to_parameters(): vector has {vec.numel()} elements, parameters need {offset}")
