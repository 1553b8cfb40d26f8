"""Reading the pickle of PyTorch's checkpoint format (torch.load), without torch.

Reading: a pickle.Unpickler subclass whose find_class admits only what torch.load(weights_only=True)
admits (tensor rebuild functions, storage types, dtypes, OrderedDict, torch.Size, set, bytes ...)
plus what the user registered with add_safe_globals. Every admitted global is a private immutable
stand-in, so the file can call nothing of ours but argument-checked constructors, and BUILD on a
stand-in raises. The stream is scanned with pickletools first (opcode set, memo indexes) so that a
hostile file cannot make the C unpickler allocate huge memo tables. Tensors come out of the
unpickler as specs and become Tensors in `Materializer`, once every storage is known.

The writer (a pickler of our own) is in _torch_format.py."""
import collections
import math
import pickle
import pickletools

import numpy as np


class CheckpointError(ValueError, pickle.UnpicklingError):
    """A checkpoint file is missing, truncated, corrupted, not a checkpoint, or holds objects
    tensorlite refuses to unpickle (a ValueError, and an UnpicklingError as torch.load raises)."""


class _Bad(Exception):
    """Raised inside the unpickler; load() prefixes 'tl.load: <file>: '."""


# ---------------------------------------------------------------- safe globals (torch.serialization API)
_user_globals = []


def _check_entries(entries, fname):
    if not isinstance(entries, (list, tuple)):
        raise TypeError(f"{fname}: argument 'safe_globals' must be a list, got {type(entries).__name__}")
    for g in entries:
        if isinstance(g, tuple):
            if len(g) != 2:
                raise ValueError(f"{fname}: expected a (global, 'module.name') pair, got a tuple of length {len(g)}")
            if type(g[1]) is not str:
                raise TypeError(f"{fname}: the second item of {g!r:.80} must be a str 'module.name', got "
                                f"{type(g[1]).__name__}")
        elif not hasattr(g, "__module__") or not hasattr(g, "__qualname__"):
            raise TypeError(f"{fname}: {g!r:.80} has no __module__/__qualname__: pass (obj, 'module.name')")


def add_safe_globals(safe_globals):
    """Allow these classes/functions (objects, or (object, 'module.name') pairs) in tl.load."""
    _check_entries(safe_globals, "add_safe_globals")
    for g in safe_globals:
        if g not in _user_globals:
            _user_globals.append(g)


def get_safe_globals():
    return list(_user_globals)


def clear_safe_globals():
    _user_globals.clear()


class safe_globals:
    """Context manager: add_safe_globals(list) on entry, removed again on exit."""

    def __init__(self, safe_globals):
        _check_entries(safe_globals, "safe_globals")
        self.safe_globals = list(safe_globals)
        self._added = []

    def __enter__(self):
        self._added = [g for g in self.safe_globals if g not in _user_globals]
        _user_globals.extend(self._added)

    def __exit__(self, *exc):
        for g in self._added:
            if g in _user_globals:
                _user_globals.remove(g)


def _user_table():
    table = {}
    for g in _user_globals:
        if isinstance(g, tuple):
            table[g[1]] = g[0]
        else:
            table[f"{g.__module__}.{g.__qualname__}"] = g
    return table


# ---------------------------------------------------------------- stand-ins for torch's globals
class _Frozen:
    __slots__ = ()

    def __setattr__(self, k, v):
        raise AttributeError(f"{self!r} is read-only")

    def __setstate__(self, state):      # the BUILD opcode calls this: never let a file set state on us
        raise _Bad(f"BUILD on {self!r} is not allowed")

    def __reduce_ex__(self, protocol):
        raise TypeError(f"{self!r} cannot be pickled")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class _Global(_Frozen):
    """A callable global (rebuild function, OrderedDict, torch.Size, ...)."""
    __slots__ = ("name", "fn")

    def __init__(self, name, fn):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "fn", fn)

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.name


class _Token(_Frozen):
    """A non-callable global: a dtype, a storage type, torch.Tensor."""
    __slots__ = ("name", "kind", "dtype")

    def __init__(self, name, kind, dtype=None):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "dtype", dtype)

    def __repr__(self):
        return self.name

    def __reduce_ex__(self, protocol):      # a dtype token left in a loaded dict stays picklable
        return (_token, (self.name,))


def _token(name):
    return _GLOBALS[name]


# dtype name -> (itemsize, numpy dtype or None when tensorlite has no such dtype)
_DTYPES = {"float32": (4, np.float32), "float64": (8, np.float64), "float16": (2, np.float16),
           "bfloat16": (2, None), "int64": (8, np.int64), "int32": (4, np.int32), "int16": (2, np.int16),
           "int8": (1, np.int8), "uint8": (1, np.uint8), "bool": (1, np.bool_),
           "complex32": (4, None), "complex64": (8, None), "complex128": (16, None), "uint16": (2, None),
           "uint32": (4, None), "uint64": (8, None), "qint8": (1, None), "quint8": (1, None),
           "qint32": (4, None), "quint4x2": (1, None), "quint2x4": (1, None), "float8_e4m3fn": (1, None),
           "float8_e5m2": (1, None), "float8_e4m3fnuz": (1, None), "float8_e5m2fnuz": (1, None),
           "float8_e8m0fnu": (1, None), "float4_e2m1fn_x2": (1, None), "bits8": (1, None), "bits16": (2, None),
           "bits1x8": (1, None), "bits2x4": (1, None), "bits4x2": (1, None)}
_DTYPES.update({f"{p}int{b}": (1, None) for p in ("", "u") for b in range(1, 8)})
_STORAGE_DTYPES = {"Float": "float32", "Double": "float64", "Half": "float16", "BFloat16": "bfloat16",
                   "Long": "int64", "Int": "int32", "Short": "int16", "Char": "int8", "Byte": "uint8",
                   "Bool": "bool", "ComplexFloat": "complex64", "ComplexDouble": "complex128", "QUInt8": "quint8",
                   "QInt8": "qint8", "QInt32": "qint32", "QUInt4x2": "quint4x2", "QUInt2x4": "quint2x4"}
STORAGE_NAME = {v: f"{k}Storage" for k, v in _STORAGE_DTYPES.items()}      # for the writer


class _Storage(_Frozen):
    """A storage named by a persistent id: `nbytes` bytes of record `key` from `byte_offset` on,
    typed as `dtype` (None: untyped)."""
    __slots__ = ("key", "dtype", "byte_offset", "nbytes", "location")

    def __init__(self, key, dtype, byte_offset, nbytes, location):
        for k, v in zip(self.__slots__, (key, dtype, byte_offset, nbytes, location)):
            object.__setattr__(self, k, v)

    def cpu(self):                      # for map_location=lambda storage, loc: storage.cpu()
        return self

    def __repr__(self):
        return f"<storage {self.key!r} {self.dtype or 'untyped'} {self.nbytes} bytes>"


class _TensorSpec(_Frozen):
    __slots__ = ("storage", "offset", "size", "stride", "requires_grad", "dtype", "param")

    def __init__(self, storage, offset, size, stride, requires_grad, dtype, param=False):
        for k, v in zip(self.__slots__, (storage, offset, size, stride, requires_grad, dtype, param)):
            object.__setattr__(self, k, v)

    def as_param(self, requires_grad):
        return _TensorSpec(self.storage, self.offset, self.size, self.stride, requires_grad, self.dtype, True)


def _ints(x, what, fname):
    if not isinstance(x, (tuple, list)):
        raise _Bad(f"{fname}: {what} must be a tuple of ints, got {type(x).__name__}")
    if not all(type(v) is int for v in x):
        raise _Bad(f"{fname}: {what} must be a tuple of ints, got {tuple(x)!r:.80}")
    return tuple(x)


def _tensor_spec(fname, storage, offset, size, stride, requires_grad=False, dtype=None):
    if not isinstance(storage, _Storage):
        raise _Bad(f"{fname}: argument 'storage' must be a storage (persistent id), got {type(storage).__name__}")
    if type(offset) is not int or offset < 0:
        raise _Bad(f"{fname}: storage_offset must be a non-negative int, got {offset!r:.40}")
    size, stride = _ints(size, "size", fname), _ints(stride, "stride", fname)
    if len(size) != len(stride) or min(size + (0,)) < 0 or min(stride + (0,)) < 0:
        raise _Bad(f"{fname}: size {size} and stride {stride} must be non-negative and of equal length")
    if type(requires_grad) is not bool:
        raise _Bad(f"{fname}: requires_grad must be a bool, got {requires_grad!r:.40}")
    if dtype is None:
        dtype = storage.dtype
    if dtype is None:
        raise _Bad(f"{fname}: an untyped storage needs a dtype")
    return _TensorSpec(storage, offset, size, stride, requires_grad, dtype)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor_spec("_rebuild_tensor", storage, storage_offset, size, stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _tensor_spec("_rebuild_tensor_v2", storage, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    if not (isinstance(dtype, _Token) and dtype.kind == "dtype"):
        raise _Bad(f"_rebuild_tensor_v3: argument 'dtype' must be a torch dtype, got {dtype!r:.40}")
    return _tensor_spec("_rebuild_tensor_v3", storage, storage_offset, size, stride, requires_grad, dtype.dtype)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    if not isinstance(data, _TensorSpec) or type(requires_grad) is not bool:
        raise _Bad(f"_rebuild_parameter: expected (tensor, bool, hooks), got ({type(data).__name__}, "
                   f"{type(requires_grad).__name__}, ...)")
    return data.as_param(requires_grad)


def _parameter(data=None, requires_grad=True):
    return _rebuild_parameter(data, requires_grad, None)


def _rebuild_from_type_v2(func, new_type, args, state):
    if not (isinstance(func, _Global) and func.name in _REBUILDS) or type(args) is not tuple:
        raise _Bad(f"_rebuild_from_type_v2: unsupported rebuild function {func!r:.60}")
    out = func(*args)
    if new_type is _GLOBALS["torch.nn.parameter.Parameter"]:
        return out.as_param(out.requires_grad)
    if not (isinstance(new_type, _Token) and new_type.name == "torch.Tensor"):
        raise _Bad(f"_rebuild_from_type_v2: tensor subclass {new_type!r:.60} is not supported by tensorlite")
    return out


def _unsupported(what):
    def fn(*args):
        raise _Bad(f"{what} are not supported by tensorlite")
    return fn


def _size(dims=()):
    from .tensor import Size
    return Size(_ints(dims, "torch.Size", "torch.Size"))


def _device(kind, index=None):
    if type(kind) is not str or (index is not None and type(index) is not int):
        raise _Bad(f"torch.device: expected (str, int), got ({kind!r:.30}, {index!r:.30})")
    return kind if index is None else f"{kind}:{index}"


def _encode(s, encoding="latin1"):
    if type(s) is not str or encoding not in ("latin1", "latin-1"):
        raise _Bad(f"_codecs.encode: only (str, 'latin1') is allowed, got ({type(s).__name__}, {encoding!r:.30})")
    return s.encode("latin1")


def _bytearray(x=b""):
    if not isinstance(x, (bytes, bytearray, list)):    # bytearray(10**12) would allocate a terabyte
        raise _Bad(f"bytearray: argument must be bytes or a list, got {type(x).__name__}")
    return bytearray(x)


def _set(items=()):
    if not isinstance(items, (list, tuple, set)):
        raise _Bad(f"set: argument must be a list, got {type(items).__name__}")
    return set(items)


def _complex(re=0.0, im=0.0):
    if not all(type(v) in (int, float) for v in (re, im)):
        raise _Bad(f"complex: arguments must be numbers, got ({re!r:.30}, {im!r:.30})")
    return complex(re, im)


def _ordered_dict(*args):
    if args and not isinstance(args[0], (list, tuple, dict)):
        raise _Bad(f"OrderedDict: argument must be a list of pairs, got {type(args[0]).__name__}")
    return collections.OrderedDict(*args)


def _counter(*args):
    if args and not isinstance(args[0], (list, tuple, dict)):
        raise _Bad(f"Counter: argument must be a dict, got {type(args[0]).__name__}")
    return collections.Counter(*args)


_REBUILDS = {"torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
             "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state"}


def _make_globals():
    g = {}
    for name, fn in [("torch._utils._rebuild_tensor", _rebuild_tensor),
                     ("torch._utils._rebuild_tensor_v2", _rebuild_tensor_v2),
                     ("torch._utils._rebuild_tensor_v3", _rebuild_tensor_v3),
                     ("torch._utils._rebuild_parameter", _rebuild_parameter),
                     ("torch._utils._rebuild_parameter_with_state", _rebuild_parameter),
                     ("torch._tensor._rebuild_from_type_v2", _rebuild_from_type_v2),
                     ("torch.nn.parameter.Parameter", _parameter),
                     ("torch.Size", _size), ("torch.device", _device), ("_codecs.encode", _encode),
                     ("builtins.bytearray", _bytearray), ("builtins.set", _set), ("builtins.complex", _complex),
                     ("collections.OrderedDict", _ordered_dict), ("collections.Counter", _counter)]:
        g[name] = _Global(name, fn)
    for fn, what in [("_rebuild_qtensor", "quantized tensors"), ("_rebuild_sparse_tensor", "sparse tensors"),
                     ("_rebuild_nested_tensor", "nested tensors"),
                     ("_rebuild_meta_tensor_no_storage", "meta tensors (no data)"),
                     ("_rebuild_wrapper_subclass", "tensor subclasses"),
                     ("_rebuild_device_tensor_from_numpy", "device tensors"),
                     ("_rebuild_device_tensor_from_cpu_tensor", "device tensors")]:
        g[f"torch._utils.{fn}"] = _Global(f"torch._utils.{fn}", _unsupported(what))
    for name in _DTYPES:
        g[f"torch.{name}"] = _Token(f"torch.{name}", "dtype", name)
    for prefix, dt in _STORAGE_DTYPES.items():
        for mod in ("torch", "torch.cuda"):
            g[f"{mod}.{prefix}Storage"] = _Token(f"{mod}.{prefix}Storage", "storage", dt)
    g["torch.storage.UntypedStorage"] = _Token("torch.storage.UntypedStorage", "storage", None)
    g["torch.storage.TypedStorage"] = _Token("torch.storage.TypedStorage", "typed_storage", None)
    g["torch.Tensor"] = _Token("torch.Tensor", "type")
    g["torch.serialization._get_layout"] = _Global("torch.serialization._get_layout", _unsupported("sparse layouts"))
    for q in ("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric",
              "per_channel_affine_float_qparams"):
        g[f"torch.{q}"] = _Token(f"torch.{q}", "qscheme")
    return g


_GLOBALS = _make_globals()
_MODULE_ALIASES = {"__builtin__": "builtins", "copy_reg": "copyreg"}

# Opcodes of protocols 2-4 that only build data; everything that reaches outside goes through
# find_class (GLOBAL, STACK_GLOBAL) or persistent_load (BINPERSID).
_OPCODES = {"PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP", "GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD",
            "NEWOBJ", "BINPERSID", "NONE", "NEWTRUE", "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT",
            "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "SHORT_BINSTRING", "BINSTRING", "SHORT_BINBYTES",
            "BINBYTES", "BINBYTES8", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_LIST", "APPEND",
            "APPENDS", "EMPTY_DICT", "SETITEM", "SETITEMS", "EMPTY_SET", "ADDITEMS", "FROZENSET", "BINGET",
            "LONG_BINGET", "BINPUT", "LONG_BINPUT", "MEMOIZE"}


def scan(fh):
    """Check one pickle in `fh` without running it: known opcodes only, memo indexes no larger than
    the stream (the C unpickler sizes its memo by the largest index). Returns the GLOBAL names and
    leaves fh just past STOP."""
    names, count = [], 0
    try:
        for op, arg, _pos in pickletools.genops(fh):
            count += 1
            if op.name not in _OPCODES:
                raise _Bad(f"pickle opcode {op.name} is not allowed in a checkpoint")
            if op.name in ("BINPUT", "LONG_BINPUT") and arg > count:
                raise _Bad(f"pickle memo index {arg} is out of range (corrupted or hostile file)")
            if op.name == "GLOBAL":
                mod, _, name = arg.partition(" ")
                names.append(f"{_MODULE_ALIASES.get(mod, mod)}.{name}")
    except _Bad:
        raise
    except Exception as e:   # genops raises ValueError on truncated data or unknown opcodes
        raise _Bad(f"malformed or truncated pickle data ({e})") from None
    return names


class Unpickler(pickle.Unpickler):
    """Restricted unpickler: `storage(pid)` resolves persistent ids (the container's job)."""

    def __init__(self, fh, name, storage, weights_only=True, encoding="utf-8"):
        super().__init__(fh, encoding=encoding)
        self._name, self._storage, self._weights_only = name, storage, weights_only
        self._user = _user_table()

    def find_class(self, module, name):
        module = _MODULE_ALIASES.get(module, module)
        full = f"{module}.{name}"
        if full in _GLOBALS:
            return _GLOBALS[full]
        if full in self._user:
            return self._user[full]
        why = ("weights_only=True" if self._weights_only is not False else
               "tensorlite never unpickles arbitrary objects, also not with weights_only=False")
        hint = (" (the file holds a pickled module: in PyTorch, save model.state_dict() instead)"
                if module.startswith("torch.nn.modules") or module.startswith("__main__") else "")
        raise CheckpointError(
            f"tl.load: {self._name}: refusing to load global {full}{hint} (only tensors, containers and "
            f"numbers are allowed, {why}; tensorlite never runs code from a checkpoint. If you trust this "
            f"class or function, allow it with tl.serialization.add_safe_globals([{full}]))")

    def persistent_load(self, pid):
        if type(pid) is not tuple or not pid:
            raise _Bad(f"persistent id must be a ('storage', ...) tuple, got {type(pid).__name__}")
        tag = pid[0].decode("ascii", "replace") if isinstance(pid[0], bytes) else pid[0]
        if tag != "storage":
            raise _Bad(f"only persistent ids of storages are allowed, got {tag!r:.40}")
        if len(pid) not in (5, 6):
            raise _Bad(f"storage persistent id must have 5 or 6 fields, got {len(pid)}")
        stype, key, location, numel = pid[1:5]
        if not (isinstance(stype, _Token) and stype.kind == "storage"):
            raise _Bad(f"storage persistent id names {stype!r:.60}, not a storage type")
        key = key.decode("ascii", "replace") if isinstance(key, bytes) else key
        location = location.decode("ascii", "replace") if isinstance(location, bytes) else location
        if type(key) is not str or type(location) is not str or type(numel) is not int or numel < 0:
            raise _Bad(f"malformed storage persistent id {pid!r:.120}")
        return self._storage(key, stype.dtype, location, numel, pid[5] if len(pid) == 6 else None)

    def load(self):
        try:
            return super().load()
        except CheckpointError:
            raise
        except _Bad as e:
            raise CheckpointError(f"tl.load: {self._name}: {e}") from None
        except Exception as e:
            raise CheckpointError(f"tl.load: {self._name}: malformed pickle data ({type(e).__name__}: "
                                  f"{e})") from None


def unpickle(fh, name, storage, weights_only=True, encoding="utf-8"):
    """Scan then unpickle one pickle from the seekable binary file fh; fh ends just past it."""
    start = fh.tell()
    try:
        scan(fh)
    except _Bad as e:
        raise CheckpointError(f"tl.load: {name}: {e}") from None
    end = fh.tell()
    fh.seek(start)
    obj = Unpickler(fh, name, storage, weights_only, encoding).load()
    fh.seek(end)
    return obj


def unsafe_globals(fh):
    """The GLOBALs in one pickle that tl.load would refuse (strings), without running it."""
    user = _user_table()
    return [n for n in dict.fromkeys(scan(fh)) if n not in _GLOBALS and n not in user]


# ---------------------------------------------------------------- specs -> Tensors
_MAX_DEPTH = 200


class Materializer:
    """Turns the unpickled object (with _TensorSpec / _Storage / dtype stand-ins) into tensorlite
    objects. raw(storage) -> writable uint8 array of the storage's bytes (the container's job);
    views on one storage share memory."""

    def __init__(self, name, raw, big_endian=False):
        self.name, self.raw, self.big_endian = name, raw, big_endian
        self.arrays, self.memo, self.bf16 = {}, {}, False
        self.user_types = {g for g in (x[0] if isinstance(x, tuple) else x for x in _user_globals)
                           if isinstance(g, type)}

    def __call__(self, obj):
        try:
            return self._walk(obj, 0)
        except _Bad as e:
            raise CheckpointError(f"tl.load: {self.name}: {e}") from None
        except RecursionError:
            raise CheckpointError(f"tl.load: {self.name}: object is nested too deeply") from None
        except (ValueError, TypeError, OverflowError, MemoryError) as e:    # e.g. numpy refusing a shape
            raise CheckpointError(f"tl.load: {self.name}: malformed tensor ({type(e).__name__}: {e})") from None

    def _array(self, st, dtype):
        """1-D array of `dtype` elements over storage st (cached: tensors of one storage share it)."""
        ck = (st.key, st.byte_offset, st.nbytes, dtype)
        if ck in self.arrays:
            return self.arrays[ck]
        itemsize, npd = _DTYPES[dtype]
        if npd is None and dtype != "bfloat16":
            raise _Bad(f"tensors of dtype torch.{dtype} are not supported by tensorlite")
        raw = self.raw(st)
        n = st.nbytes // itemsize
        raw = raw[:n * itemsize]
        if dtype == "bfloat16":         # tensorlite has no bfloat16: widen exactly to float32
            bits = raw.view(">u2" if self.big_endian else "<u2").astype(np.uint32)
            arr = (bits << 16).view(np.float32)
            self.bf16 = True
        else:
            arr = raw.view(np.dtype(npd).newbyteorder(">" if self.big_endian else "<"))
            if arr.dtype != np.dtype(npd):                 # file order differs from this machine's
                arr = arr.astype(npd)
        self.arrays[ck] = arr
        return arr

    def _tensor(self, spec):
        from .tensor import Tensor
        st, itemsize = spec.storage, _DTYPES[spec.dtype][0]
        n = st.nbytes // itemsize
        numel = math.prod(spec.size)
        if numel and spec.offset + sum((s - 1) * t for s, t in zip(spec.size, spec.stride)) >= n:
            raise _Bad(f"tensor of size {spec.size}, stride {spec.stride}, offset {spec.offset} does not fit in "
                       f"its storage {st.key!r} of {n} elements (corrupted or hostile file)")
        base = self._array(st, spec.dtype)
        if numel:
            arr = np.ndarray(spec.size, base.dtype, buffer=base, offset=spec.offset * base.itemsize,
                             strides=tuple(s * base.itemsize for s in spec.stride))
        else:
            arr = np.empty(spec.size, base.dtype)
        t = Tensor._wrap(arr)
        rg = spec.requires_grad and arr.dtype.kind == "f"
        if spec.param:
            from .nn.parameter import Parameter
            return Parameter(t, requires_grad=rg)
        if rg:
            t.requires_grad_(True)
        return t

    def _walk(self, obj, depth):
        if depth > _MAX_DEPTH:
            raise _Bad(f"object is nested more than {_MAX_DEPTH} levels deep")
        t = type(obj)
        if t in (str, int, float, bool, bytes, complex) or obj is None:
            return obj
        key = id(obj)
        if key in self.memo:
            return self.memo[key][1]
        if t is _TensorSpec:
            out = self._tensor(obj)
        elif t is _Storage:
            from .tensor import Tensor
            out = Tensor._wrap(self._array(obj, obj.dtype or "uint8"))
        elif t is _Token and obj.kind == "dtype":
            from . import dtypes
            out = dtypes._NAMES.get(obj.dtype, obj)
        elif isinstance(obj, dict):
            out = obj
            self.memo[key] = (obj, out)
            items = list(obj.items())
            obj.clear()
            for k, v in items:
                obj[self._walk(k, depth + 1)] = self._walk(v, depth + 1)
            self._walk_attrs(obj, depth)
        elif isinstance(obj, list):
            out = obj
            self.memo[key] = (obj, out)
            for i, v in enumerate(obj):
                obj[i] = self._walk(v, depth + 1)
        elif isinstance(obj, tuple):
            vals = [self._walk(v, depth + 1) for v in obj]
            out = obj if all(a is b for a, b in zip(vals, obj)) else (tuple(vals) if t is tuple else t(vals))
        elif isinstance(obj, (set, frozenset)):
            out = t(self._walk(v, depth + 1) for v in obj)
        else:
            out = obj
            if t in self.user_types:
                self.memo[key] = (obj, out)
                self._walk_attrs(obj, depth)
        self.memo[key] = (obj, out)
        return out

    def _walk_attrs(self, obj, depth):
        d = getattr(obj, "__dict__", None)
        if isinstance(d, dict):
            for k, v in list(d.items()):
                d[k] = self._walk(v, depth + 1)
