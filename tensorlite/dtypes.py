"""Tensor element types, named as in PyTorch, each backed by a numpy dtype."""
import numpy as np


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype, is_floating_point):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"tensorlite.{self.name}"

    def __reduce__(self):  # pickling returns the singleton
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, True)
float32 = dtype("float32", np.float32, True)
float64 = dtype("float64", np.float64, True)
uint8 = dtype("uint8", np.uint8, False)
int8 = dtype("int8", np.int8, False)
int16 = dtype("int16", np.int16, False)
int32 = dtype("int32", np.int32, False)
int64 = dtype("int64", np.int64, False)
bool = dtype("bool", np.bool_, False)  # noqa: A001  (PyTorch's name)

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}

# Promotion order inside a category follows PyTorch: bool < integers < floats.
_RANK = {bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7}

default_float = float32

# torch's legacy tensor type names (x.type(), torch.FloatTensor ...)
_LEGACY = {float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", int64: "LongTensor",
           int32: "IntTensor", int16: "ShortTensor", int8: "CharTensor", uint8: "ByteTensor", bool: "BoolTensor"}
_FROM_LEGACY = {v: k for k, v in _LEGACY.items()}


def legacy_name(d):
    return _LEGACY[d]


def _by_name(name):
    return _NAMES[name]


def from_numpy(np_dtype):
    """The tensorlite dtype for a numpy dtype; TypeError when there is none."""
    d = _FROM_NP.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(f"tensorlite: numpy dtype {np.dtype(np_dtype)} has no tensorlite equivalent "
                        f"(supported: {', '.join(x.name for x in _ALL)})")
    return d


def to_dtype(x, argname="dtype", fname=None):
    """Accept a tensorlite dtype, a numpy dtype, a name or a Python type (float -> float64, as PyTorch).
    TypeError naming `fname` (the calling function) and `argname` otherwise."""
    if isinstance(x, dtype):
        return x
    if x is _pyfloat:
        return float64
    if x is _pyint:
        return int64
    if x is _pybool:
        return bool
    if isinstance(x, str) and x in _NAMES:
        return _NAMES[x]
    try:
        return from_numpy(x)
    except (TypeError, ValueError):
        where = f"{fname}(): argument '{argname}'" if fname else f"tensorlite: argument '{argname}'"
        raise TypeError(f"{where} must be a tensorlite dtype, got {x!r:.60} ({argname}={x!r:.60} is not a "
                        f"dtype)") from None


import builtins as _b  # noqa: E402
_pyfloat, _pyint, _pybool = _b.float, _b.int, _b.bool


def category(d):
    return 2 if d.is_floating_point else (0 if d is bool else 1)


def promote(a, b):
    """Result dtype of combining two tensor dtypes (PyTorch's rule for dimensioned tensors)."""
    if a is b:
        return a
    if {a, b} == {uint8, int8}:
        return int16
    return a if _RANK[a] >= _RANK[b] else b


def scalar_dtype(value, tensor_dtype):
    """dtype of `tensor op value` where value is a Python scalar (weakly typed, as in PyTorch)."""
    if isinstance(value, _pybool):
        return tensor_dtype
    if isinstance(value, _pyint):
        return tensor_dtype if tensor_dtype is not bool else int64
    if isinstance(value, _pyfloat):
        return tensor_dtype if tensor_dtype.is_floating_point else default_float
    if isinstance(value, complex):
        raise TypeError("tensorlite: complex numbers are not supported")
    raise TypeError(f"tensorlite: unsupported operand type {type(value).__name__}")
