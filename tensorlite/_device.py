"""tensorlite.device, layouts and memory formats: PyTorch's names for where and how a tensor is stored.

tensorlite keeps every tensor in host memory (numpy), so 'cpu' is the only device. The other device
types PyTorch knows parse fine (`tl.device('cuda:0')`, as in torch), but asking for a tensor on one
raises DeviceUnavailableError naming the device; nothing silently falls back to the CPU."""
import builtins
import numbers

from .errors import ArgumentError

# PyTorch's device types, in the order its parse error lists them.
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
          "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class DeviceUnavailableError(RuntimeError, ValueError, AssertionError):
    """A device other than the CPU was asked for. torch without CUDA raises AssertionError ("Torch not
    compiled with CUDA enabled") or RuntimeError for the same request; this is both (and ValueError,
    which earlier tensorlite versions raised), so any of those `except` clauses in ported code catch it."""


class _DeviceIndexError(DeviceUnavailableError, TypeError):
    """A bare int where a device goes: torch reads it as an accelerator index (RuntimeError); often a
    dtype was meant, so this is also the TypeError a wrong-type argument gives."""


class device:
    """A device, as torch.device: `device('cpu')`, `device('cpu', 0)`, `device('cpu:0')`, `device(d)`."""
    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's argument name)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): argument 'index' must be None when 'type' is a device, got "
                                f"index={index!r}")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, numbers.Integral) and not isinstance(type, bool):
            # torch reads a bare int as an accelerator index
            raise _DeviceIndexError(f"device(): device index {int(type)} names an accelerator device, but none "
                                    f"is available: tensorlite runs on the CPU only")
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be a str or a device, got "
                            f"{builtins.type(type).__name__}")
        name, sep, idx = type.partition(":")
        if name not in _TYPES:
            raise ArgumentError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: "
                                f"{type}")
        if sep:
            if index is not None:
                raise ArgumentError(f"device(): type (string) must not include an index because index was "
                                    f"passed explicitly: {type}")
            if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                raise ArgumentError(f"Invalid device string: '{type}'")
            index = int(idx)
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, numbers.Integral):
                raise TypeError(f"device(): argument 'index' must be an int, got {index!r:.40}")
            if index < 0:
                raise ArgumentError(f"Device index must not be negative (device(): got index={index})")
            index = int(index)
        self._type, self._index = name, index

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __reduce__(self):
        return (device, (self._type, self._index))

    # `with tl.device('cpu'):` is the default already; other devices cannot become the default.
    def __enter__(self):
        check(self, "device.__enter__")
        return self

    def __exit__(self, *exc):
        return False


CPU = device("cpu")


def check(dev, fname, argname="device"):
    """Validate a `device=` argument (None, 'cpu', 'cpu:0', tl.device('cpu'), ...): the CPU device, or
    DeviceUnavailableError naming `fname`, the argument and the device."""
    if dev is None or dev is CPU:
        return CPU
    try:
        d = dev if isinstance(dev, device) else device(dev)
    except _DeviceIndexError:
        raise _DeviceIndexError(f"{fname}(): argument '{argname}' = {dev!r} is an int, which names an accelerator "
                                f"device index (did you mean a dtype, e.g. tensorlite.float64?), but no "
                                f"accelerator is available: tensorlite runs on the CPU only") from None
    except (RuntimeError, TypeError) as e:
        raise builtins.type(e)(f"{fname}(): argument '{argname}': {e}") from None
    if d._type != "cpu":
        raise DeviceUnavailableError(f"{fname}(): argument '{argname}': device '{d}' is not available: "
                                     f"tensorlite runs on the CPU only")
    return CPU


def get_default_device():
    """The device new tensors go to: always the CPU."""
    return CPU


def set_default_device(device):
    """torch.set_default_device: None or the CPU are accepted (they are the default already); any other
    device raises now, rather than at the next tensor creation as in torch without CUDA."""
    check(device, "set_default_device")


def is_device_like(x):
    return isinstance(x, (str, device)) or (isinstance(x, numbers.Integral) and not isinstance(x, bool))


class _Named:
    """A named singleton (torch.strided, torch.contiguous_format, ...), compared by identity; like
    torch.layout / torch.memory_format the type cannot be instantiated by users."""
    __slots__ = ("_name",)

    def __init__(self, *args, **kwargs):
        raise TypeError(f"cannot create 'tensorlite.{self._public}' instances (got arguments {args!r:.40}); use "
                        f"the predefined ones")

    @classmethod
    def _make(cls, name):
        obj = object.__new__(cls)
        obj._name = name
        return obj

    def __repr__(self):
        return f"tensorlite.{self._name}"

    def __reduce__(self):
        return self._name


class _Layout(_Named):
    __slots__ = ()
    _public = "layout"


class _MemoryFormat(_Named):
    __slots__ = ()
    _public = "memory_format"


layout, memory_format = _Layout, _MemoryFormat        # torch.layout, torch.memory_format


strided = _Layout._make("strided")
contiguous_format = _MemoryFormat._make("contiguous_format")
preserve_format = _MemoryFormat._make("preserve_format")
channels_last = _MemoryFormat._make("channels_last")
channels_last_3d = _MemoryFormat._make("channels_last_3d")


def check_options(fname, device=None, layout=None, pin_memory=False, memory_format=None):
    """The tensor options every creation function accepts, as in torch; only the CPU/strided ones work."""
    check(device, fname)
    if layout is not None and layout is not strided:
        raise ArgumentError(f"{fname}(): argument 'layout' must be tensorlite.strided (the only layout "
                            f"tensorlite has), got {layout!r}")
    if pin_memory:
        raise DeviceUnavailableError(f"{fname}(): pin_memory=True needs an accelerator device, but none is "
                                     f"available: tensorlite runs on the CPU only")
    if memory_format is not None and not isinstance(memory_format, _MemoryFormat):
        raise TypeError(f"{fname}(): argument 'memory_format' must be a tensorlite.memory_format, got "
                        f"{memory_format!r:.40}")
