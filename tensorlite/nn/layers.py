"""Layers (PyTorch's names, arguments, default initialisation and state-dict keys)."""
import math
import numbers

from .. import creation
from ..ops import movement
from . import functional as F
from . import init
from .activation import Hardtanh, _maybe_inplace
from .module import Module
from .parameter import Parameter


def _pair(v, name, owner):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{owner}: {name} must be an int or a pair, got {v!r}")
        return tuple(v)
    return (v, v)


def _check_device(device, owner):
    if device is not None:
        from .module import _device_type
        _device_type(device, owner)


def _check_positive_int(v, name, owner):
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {v!r}")


class Identity(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, "Linear")
        _check_positive_int(in_features, "in_features", "Linear") if in_features != 0 else None
        _check_positive_int(out_features, "out_features", "Linear")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(creation.empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # PyTorch's default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _ntuple(v, n, name, owner):
    if n == 2:
        return _pair(v, name, owner)
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{owner}: {name} must be an int or a tuple of {n}, got {v!r}")
        return tuple(v)
    return (v,) * n


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _reversed_padding(padding, kernel_size, dilation):
    """F.pad's argument for a non-'zeros' padding_mode: (left, right) per spatial dim, last dim first;
    'same' puts the odd extra element on the right, as torch."""
    out = []
    for i in reversed(range(len(kernel_size))):
        if padding == "valid":
            out += [0, 0]
        elif padding == "same":
            total = dilation[i] * (kernel_size[i] - 1)
            out += [total // 2, total - total // 2]
        else:
            out += [padding[i], padding[i]]
    return tuple(out)


def _conv_input(module, x):
    """x padded by the module's padding_mode, and the padding left for the conv itself."""
    if module.padding_mode == "zeros":
        return x, module.padding
    return F.pad(x, module._reversed_padding_repeated_twice, mode=module.padding_mode), 0


class _ConvNd(Module):
    """PyTorch's base of every convolution: weight (out, in // groups, *k), or (in, out // groups, *k)
    when transposed. Subclasses pass the raw arguments; ints expand to n-tuples (n = self._n, or
    the length of kernel_size for a user subclass)."""
    _n = None

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        n = self._n or (len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 2)
        _check_device(device, owner)
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            _check_positive_int(v, name, owner)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{owner}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{owner}: padding_mode must be one of {sorted(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _ntuple(kernel_size, n, "kernel_size", owner)
        for k in self.kernel_size:
            _check_positive_int(k, "kernel_size", owner)
        self.stride = _ntuple(stride, n, "stride", owner)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{owner}: invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{owner}: padding='same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, n, "padding", owner)
        self.dilation = _ntuple(dilation, n, "dilation", owner)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, n, "output_padding", owner)
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = _reversed_padding(self.padding, self.kernel_size, self.dilation)
        shape = ((in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups))
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    _n = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, x):
        x, padding = _conv_input(self, x)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, x):
        x, padding = _conv_input(self, x)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool1d(_MaxPoolNd):
    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _AvgPoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool1d(_AvgPoolNd):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1, "kernel_size", "AvgPool1d")
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1, "stride", "AvgPool1d")
        self.padding = _ntuple(padding, 1, "padding", "AvgPool1d")
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    def forward(self, x):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)


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


class _NormBase(Module):
    """PyTorch's common base of BatchNorm and InstanceNorm: parameters, running statistics and the
    state-dict upgrade of checkpoints older than num_batches_tracked (version 2)."""
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        owner = type(self).__name__
        _check_device(device, owner)
        if isinstance(num_features, bool) or not isinstance(num_features, numbers.Integral) or num_features <= 0:
            raise ValueError(f"{owner}: argument 'num_features' must be a positive int, got {num_features!r}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        norm_parameters(self, (self.num_features,), affine, bias, track_running_stats, dtype)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

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


class LocalResponseNorm(Module):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: argument 'p' (dropout probability) has to be between 0 and 1, "
                             f"but got {p!r}")
        self.p, self.inplace = p, inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    def forward(self, x):
        return F.dropout2d(x, self.p, self.training, self.inplace)


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return _maybe_inplace(self, x, F.relu)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def forward(self, x):
        return _maybe_inplace(self, x, F.relu6)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""

    def forward(self, x):
        return _maybe_inplace(self, x, F.silu)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return _maybe_inplace(self, x, lambda t: F.leaky_relu(t, self.negative_slope))

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"

    def forward(self, x):
        return F.log_softmax(x, self.dim)


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return movement.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(unflattened_size, (str, bytes)) or not hasattr(unflattened_size, "__iter__"):
            raise TypeError(f"Unflatten: argument 'unflattened_size' must be a tuple of ints, got "
                            f"{unflattened_size!r:.40}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        return movement.unflatten(x, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
