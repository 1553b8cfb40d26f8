"""tensorlite: a small reverse-mode autograd tensor library with a C core, PyTorch's API."""
from ._version import __version__
from .backend import allocator as _allocator
_allocator.tune()        # keep big buffers in the heap between training steps (see backend/allocator.py)
from .dtypes import (dtype, float16, float32, float64, uint8, int8, int16, int32, int64, bool,  # noqa: A004
                     half, float, double, short, int, long)
from .tensor import Tensor, Size
from ._legacy import (set_default_tensor_type, FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                      ShortTensor, CharTensor, ByteTensor, BoolTensor)
from ._device import (device, DeviceUnavailableError, layout, strided, memory_format, contiguous_format,
                      preserve_format, channels_last, channels_last_3d, get_default_device, set_default_device)
from .errors import ShapeError, DTypeError
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .random import (Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
                     default_generator)
from .creation import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,
                       empty_like, full_like, rand_like, randn_like, arange, linspace, eye, rand, randn,
                       randint, randperm, normal, bernoulli, multinomial)
from .ops import *  # noqa: F401,F403  (ops.__all__: the ops only, not ops' submodules)
from . import linalg  # noqa: E402  (torch.linalg)
from . import autograd
from .backends import (use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                       is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
                       get_deterministic_debug_mode, set_float32_matmul_precision, get_float32_matmul_precision)
from .amp import autocast, is_autocast_enabled
from .compiler import compile  # noqa: A004
from ._tensor_str import set_printoptions, get_printoptions
from . import nn
from .serialization import save, load, CheckpointError
from .backend.threads import set_num_threads, get_num_threads

import math as _math
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input.numel()


def get_default_dtype():
    from . import dtypes as _d
    return _d.default_float


def set_default_dtype(d):
    from . import dtypes as _d
    d = _d.to_dtype(d, "d", "set_default_dtype")
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype(): argument 'd' must be a floating point dtype (only floating point "
                        f"dtypes are supported), got {d}")
    _d.default_float = d


_LAZY_SUBMODULES = {"optim", "data", "models", "distributed", "profiler", "serialization", "cuda", "cpu",
                    "accelerator", "utils", "testing", "func"}


def __getattr__(name):
    # tl.optim, tl.data, tl.models ... are imported on first use (keeps `import tensorlite` fast).
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'tensorlite' has no attribute '{name}'")
