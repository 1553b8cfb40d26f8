"""PyTorch's checkpoint containers, read and written without torch.

Zip (torch >= 1.6, the default): <dir>/data.pkl (the object, storages as persistent ids),
<dir>/data/<key> (raw storage bytes, 64-byte aligned), <dir>/byteorder, <dir>/version ...
Legacy (_use_new_zipfile_serialization=False): pickles of a magic number, the protocol version,
sys_info and the object, then the list of storage keys, then per key an int64 element count
and the raw little-endian bytes. Sizes declared in the pickle are checked against the bytes
really present before anything is allocated.

Writing uses a small pickler of our own that emits the protocol-2 opcodes torch's weights_only
unpickler understands, with tensors as torch._utils._rebuild_tensor_v2 calls on persistent ids
(the reading side is in _torch_pickle.py)."""
import collections
import io
import pickle
import struct
import sys
import warnings
import zipfile

import numpy as np

from . import _torch_pickle as tp
from ._torch_pickle import CheckpointError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
ALIGN = 64
_CHUNK = 16 << 20
METADATA_RECORD = ".data/tensorlite_metadata.json"


def sniff(head):
    """'zip', 'legacy' or 'safetensors' (the fallback) from a file's first 16 bytes."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5 and head[8:9] != b"{":
        return "legacy"
    return "safetensors"


def _size_of(fh):
    pos = fh.tell()
    end = fh.seek(0, 2)
    fh.seek(pos)
    return end


def _bf16_warning(name, m):
    if m.bf16:
        warnings.warn(f"tl.load: {name}: bfloat16 tensors were converted to float32 (tensorlite has no bfloat16; "
                      f"the conversion is exact)", stacklevel=4)


# ---------------------------------------------------------------- zip
def _check_record(info, name, total):
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or info.header_offset + info.file_size > total:
            raise CheckpointError(f"tl.load: {name}: record {info.filename} declares {info.file_size} bytes beyond "
                                  f"the end of the file (truncated or corrupted archive)")
    elif info.file_size > 1100 * info.compress_size + 65536:       # deflate cannot expand more than ~1032x
        raise CheckpointError(f"tl.load: {name}: record {info.filename} declares {info.file_size} bytes from "
                              f"{info.compress_size} compressed bytes (a zip bomb?)")


def _read_record(zf, info, name, total, nbytes=None):
    _check_record(info, name, total)
    n = info.file_size if nbytes is None else nbytes
    buf = np.empty(n, np.uint8)
    try:
        with zf.open(info) as r:
            got = 0
            while got < n:
                chunk = r.read(min(_CHUNK, n - got))
                if not chunk:
                    break
                buf[got:got + len(chunk)] = np.frombuffer(chunk, np.uint8)
                got += len(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise CheckpointError(f"tl.load: {name}: record {info.filename} is corrupted or truncated ({e})") from None
    except Exception as e:          # zlib.error and other decompressor errors
        raise CheckpointError(f"tl.load: {name}: record {info.filename} is corrupted ({type(e).__name__}: "
                              f"{e})") from None
    if got < n:
        raise CheckpointError(f"tl.load: {name}: record {info.filename} is truncated ({got} of {n} bytes)")
    return buf


def _mmap_record(mm, fh, info, nbytes):
    """A copy-on-write view of a stored record in the mapped file, or None when it cannot be mapped."""
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    start = info.header_offset + 30 + struct.unpack("<H", head[26:28])[0] + struct.unpack("<H", head[28:30])[0]
    if start % 16 or start + nbytes > len(mm):
        return None
    return mm[start:start + nbytes]


def _open_zip(fh, name):
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError) as e:
        raise CheckpointError(f"tl.load: {name}: truncated or corrupted zip archive ({e})") from None


def _find_pickle(zf, name):
    names = zf.namelist()
    pkl = [n for n in names if n.count("/") == 1 and n.endswith("/data.pkl")]
    if not pkl:
        if any(n.endswith("constants.pkl") or "/code/" in n for n in names):
            raise CheckpointError(f"tl.load: {name}: a TorchScript archive (torch.jit.save): tensorlite loads weights "
                                  f"only; in PyTorch, save model.state_dict() with torch.save instead")
        raise CheckpointError(f"tl.load: {name}: a zip archive without a <dir>/data.pkl record: not a PyTorch "
                              f"checkpoint (and not a safetensors checkpoint)")
    return pkl[0][:-len("data.pkl")]


def load_zip(fh, name, weights_only=True, encoding="utf-8", on_storage=None, mmap_path=None):
    zf = _open_zip(fh, name)
    total = _size_of(fh)
    prefix = _find_pickle(zf, name)
    infos = {i.filename: i for i in zf.infolist()}
    order = b"little"
    if prefix + "byteorder" in infos:
        order = _read_record(zf, infos[prefix + "byteorder"], name, total).tobytes().strip()
        if order not in (b"little", b"big"):
            raise CheckpointError(f"tl.load: {name}: byteorder record must be 'little' or 'big', got {order[:20]!r}")
    data = _read_record(zf, infos[prefix + "data.pkl"], name, total).tobytes()
    storages = {}

    def storage(key, dtype, location, numel, view):
        nbytes = numel * (tp._DTYPES[dtype][0] if dtype else 1)
        if key in storages:
            st = storages[key]
            if (st.dtype, st.nbytes) != (dtype, nbytes):
                raise tp._Bad(f"storage {key!r} is declared twice with different types or sizes")
            return st
        info = infos.get(f"{prefix}data/{key}")
        if info is None:
            raise tp._Bad(f"storage {key!r} has no record {prefix}data/{key} in the archive (corrupted file)")
        if info.file_size < nbytes:
            raise tp._Bad(f"storage {key!r} declares {numel} elements ({nbytes} bytes) but its record holds only "
                          f"{info.file_size} bytes (corrupted or hostile file)")
        storages[key] = st = tp._Storage(key, dtype, 0, nbytes, location)
        return st

    obj = tp.unpickle(io.BytesIO(data), name, storage, weights_only, encoding)
    for st in storages.values():
        if on_storage is not None:
            on_storage(st)
    mm = np.memmap(mmap_path, np.uint8, mode="c") if mmap_path is not None and total else None
    raws = {}

    def raw(st):
        if st.key not in raws:
            info = infos[f"{prefix}data/{st.key}"]
            arr = _mmap_record(mm, fh, info, st.nbytes) if mm is not None else None
            raws[st.key] = arr if arr is not None else _read_record(zf, info, name, total, st.nbytes)
        return raws[st.key][st.byte_offset:st.byte_offset + st.nbytes]

    m = tp.Materializer(name, raw, big_endian=order == b"big")
    out = m(obj)
    _bf16_warning(name, m)
    return out


def read_zip_metadata(fh, name):
    zf = _open_zip(fh, name)
    prefix = _find_pickle(zf, name)
    if prefix + METADATA_RECORD not in zf.namelist():
        return {}
    import json
    info = zf.getinfo(prefix + METADATA_RECORD)
    try:
        meta = json.loads(_read_record(zf, info, name, _size_of(fh)).tobytes())
    except (ValueError, RecursionError):
        raise CheckpointError(f"tl.load: {name}: metadata record is not valid JSON or nested too deeply "
                              f"(corrupted)") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"tl.load: {name}: metadata record is not a JSON object (corrupted)")
    return meta


def unsafe_globals_zip(fh, name):
    zf = _open_zip(fh, name)
    prefix = _find_pickle(zf, name)
    data = _read_record(zf, zf.getinfo(prefix + "data.pkl"), name, _size_of(fh)).tobytes()
    try:
        return tp.unsafe_globals(io.BytesIO(data))
    except tp._Bad as e:
        raise CheckpointError(f"tl.load: {name}: {e}") from None


# ---------------------------------------------------------------- legacy
def _no_storage(*args):
    raise tp._Bad("unexpected persistent id in the legacy header")


def load_legacy(fh, name, weights_only=True, encoding="utf-8", on_storage=None):
    total = _size_of(fh)
    magic = tp.unpickle(fh, name, _no_storage, weights_only, encoding)
    if magic != LEGACY_MAGIC:
        raise CheckpointError(f"tl.load: {name}: not a PyTorch checkpoint (legacy format's magic number is missing) "
                              f"and not a safetensors checkpoint")
    proto = tp.unpickle(fh, name, _no_storage, weights_only, encoding)
    if proto != LEGACY_PROTOCOL:
        raise CheckpointError(f"tl.load: {name}: unsupported legacy protocol version {proto!r:.40}")
    sys_info = tp.unpickle(fh, name, _no_storage, weights_only, encoding)
    if not isinstance(sys_info, dict):
        raise CheckpointError(f"tl.load: {name}: malformed legacy header (sys_info is {type(sys_info).__name__})")
    roots, views = {}, {}

    def storage(key, dtype, location, numel, view):
        itemsize = tp._DTYPES[dtype][0] if dtype else 1
        if key not in roots:
            roots[key] = tp._Storage(key, dtype, 0, numel * itemsize, location)
        root = roots[key]
        if (root.dtype, root.nbytes) != (dtype, numel * itemsize):
            raise tp._Bad(f"storage {key!r} is declared twice with different types or sizes")
        if view is None:
            return root
        if not (type(view) is tuple and len(view) == 3 and all(type(v) is int for v in view[1:])):
            raise tp._Bad(f"malformed storage view {view!r:.80}")
        vkey, off, size = view
        if off < 0 or size < 0 or off + size > numel:
            raise tp._Bad(f"storage view {vkey!r} [{off}, {off + size}) lies outside storage {key!r} of {numel} "
                          f"elements")
        if vkey not in views:
            views[vkey] = tp._Storage(key, dtype, off * itemsize, size * itemsize, location)
        return views[vkey]

    obj = tp.unpickle(fh, name, storage, weights_only, encoding)
    keys = tp.unpickle(fh, name, _no_storage, weights_only, encoding)
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise CheckpointError(f"tl.load: {name}: malformed legacy storage key list")
    raws = {}
    for key in keys:
        if key not in roots:
            raise CheckpointError(f"tl.load: {name}: storage {key!r} in the file is not referenced by the pickle "
                                  f"(corrupted file)")
        st = roots[key]
        itemsize = tp._DTYPES[st.dtype][0] if st.dtype else 1
        head = fh.read(8)
        if len(head) < 8:
            raise CheckpointError(f"tl.load: {name}: truncated file (storage {key!r} is missing)")
        (n,) = struct.unpack("<q", head)
        if n < 0 or n * itemsize > total - fh.tell():
            raise CheckpointError(f"tl.load: {name}: storage {key!r} declares {n} elements, more than the "
                                  f"{total - fh.tell()} bytes left in the file (truncated or hostile file)")
        if n * itemsize < st.nbytes:
            raise CheckpointError(f"tl.load: {name}: storage {key!r} holds {n} elements but the pickle declares "
                                  f"{st.nbytes // itemsize} (corrupted or hostile file)")
        buf = np.empty(n * itemsize, np.uint8)
        if fh.readinto(memoryview(buf)) != buf.nbytes:
            raise CheckpointError(f"tl.load: {name}: truncated file (storage {key!r})")
        raws[key] = buf
    missing = [k for k in roots if k not in raws]
    if missing:
        raise CheckpointError(f"tl.load: {name}: storage {missing[0]!r} referenced by the pickle is missing from the "
                              f"file (truncated or corrupted)")
    for st in list(roots.values()) + list(views.values()):
        if on_storage is not None:
            on_storage(st)
    m = tp.Materializer(name, lambda st: raws[st.key][st.byte_offset:st.byte_offset + st.nbytes])
    out = m(obj)
    _bf16_warning(name, m)
    return out


# ---------------------------------------------------------------- writing
def _ptr(arr):
    return arr.__array_interface__["data"][0]


class StorageTable:
    """Assigns tensors to storages: tensors viewing one numpy buffer share one storage (as torch
    writes views), anything else gets a contiguous copy of its own."""

    def __init__(self, legacy=False):
        self.legacy, self.groups, self.items = legacy, {}, []

    def _add(self, name, flat, keep):
        key = str(len(self.items))
        self.items.append((key, name, flat, keep))
        return key

    def __call__(self, arr):
        isz, name = arr.itemsize, arr.dtype.name
        key = None
        if arr.size:
            root = arr
            while isinstance(root.base, np.ndarray):
                root = root.base
            off = _ptr(arr) - _ptr(root)
            span = sum((d - 1) * s for d, s in zip(arr.shape, arr.strides)) + isz
            if ((root.flags.c_contiguous or root.flags.f_contiguous) and root.nbytes % isz == 0 and off >= 0
                    and off % isz == 0 and off + span <= root.nbytes
                    and all(s >= 0 and s % isz == 0 for s in arr.strides)):
                gk = (id(root), name)
                if gk not in self.groups:
                    self.groups[gk] = self._add(name, root.reshape(-1, order="A").view(np.uint8), root)
                key, offset, strides = self.groups[gk], off // isz, tuple(s // isz for s in arr.strides)
        if key is None:
            c = arr.copy(order="C")
            key = self._add(name, c.reshape(-1).view(np.uint8), c)
            offset, strides = 0, tuple(s // isz for s in c.strides) if c.size else _contiguous_strides(c.shape)
        numel = self.items[int(key)][2].nbytes // isz
        pid = ("storage", tp.STORAGE_NAME[name], key, "cpu", numel) + ((None,) if self.legacy else ())
        return pid, offset, strides


def _contiguous_strides(shape):
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= max(d, 1)
    return tuple(reversed(out))


def _add_record(zf, fh, name, data):
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    size = len(data) if isinstance(data, bytes) else data.nbytes
    zip64 = size > zipfile.ZIP64_LIMIT
    try:
        offset = fh.tell()
    except (OSError, AttributeError, ValueError):
        offset = None                      # a stream: no alignment padding
    if offset is not None:                 # pad the local header so the data starts 64-byte aligned
        header = 30 + len(name.encode()) + 4 + (20 if zip64 else 0)
        pad = (-(offset + header)) % ALIGN
        zi.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
    zi.file_size = size
    with zf.open(zi, "w", force_zip64=zip64) as w:
        view = memoryview(data) if isinstance(data, bytes) else memoryview(data).cast("B")
        for start in range(0, size, _CHUNK):
            w.write(view[start:start + _CHUNK])


def write_zip(fh, pkl, table, metadata_json=None, byteorder=True):
    prefix = "archive/"
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _add_record(zf, fh, prefix + "data.pkl", pkl)
        _add_record(zf, fh, prefix + ".format_version", b"1")
        _add_record(zf, fh, prefix + ".storage_alignment", str(ALIGN).encode())
        if byteorder:
            _add_record(zf, fh, prefix + "byteorder", sys.byteorder.encode())
        for key, _name, flat, _keep in table.items:
            _add_record(zf, fh, f"{prefix}data/{key}", flat)
        _add_record(zf, fh, prefix + "version", b"3\n")
        if metadata_json is not None:
            _add_record(zf, fh, prefix + METADATA_RECORD, metadata_json.encode())


def write_legacy(fh, pkl, table):
    plain = Pickler(None)
    fh.write(plain.dumps(LEGACY_MAGIC))
    fh.write(Pickler(None).dumps(LEGACY_PROTOCOL))
    fh.write(Pickler(None).dumps({"protocol_version": LEGACY_PROTOCOL, "little_endian": sys.byteorder == "little",
                                     "type_sizes": {"short": 2, "int": 4, "long": 4}}))
    fh.write(pkl)
    fh.write(Pickler(None).dumps([key for key, *_ in table.items]))
    for key, name, flat, _keep in table.items:
        isz = np.dtype(name).itemsize
        fh.write(struct.pack("<q", flat.nbytes // isz))
        data = flat.view(name)
        if sys.byteorder == "big":          # the legacy format stores little-endian data
            data = data.byteswap()
        fh.write(memoryview(np.ascontiguousarray(data)).cast("B"))


# ---------------------------------------------------------------- writer
_OP = pickle              # the opcode constants


class Pickler:
    """Writes obj as protocol-2 opcodes that torch.load(weights_only=True) reads. `storage(arr)`
    returns (persistent-id tuple fields, element offset, element strides) for a tensor's array."""

    def __init__(self, storage, legacy=False):
        self.out = io.BytesIO()
        self.memo, self.keep, self.storage, self.legacy = {}, [], storage, legacy

    def dumps(self, obj):
        self.out.write(_OP.PROTO + b"\x02")
        self._save(obj, "", 0)
        self.out.write(_OP.STOP)
        return self.out.getvalue()

    # -- small emitters
    def _put(self, key, obj=None):
        i = len(self.memo)
        self.memo[key] = i
        if obj is not None:
            self.keep.append(obj)       # keep id(obj) unique while we write
        self.out.write(_OP.BINPUT + bytes([i]) if i < 256 else _OP.LONG_BINPUT + struct.pack("<I", i))

    def _get(self, key):
        i = self.memo[key]
        self.out.write(_OP.BINGET + bytes([i]) if i < 256 else _OP.LONG_BINGET + struct.pack("<I", i))

    def _global(self, module, name):
        key = ("global", module, name)
        if key in self.memo:
            return self._get(key)
        self.out.write(_OP.GLOBAL + module.encode() + b"\n" + name.encode() + b"\n")
        self._put(key)

    def _int(self, v):
        w = self.out.write
        if 0 <= v < 256:
            w(_OP.BININT1 + bytes([v]))
        elif 0 <= v < 65536:
            w(_OP.BININT2 + struct.pack("<H", v))
        elif -2 ** 31 <= v < 2 ** 31:
            w(_OP.BININT + struct.pack("<i", v))
        else:
            b = pickle.encode_long(v)
            if len(b) > 255:
                raise ValueError(f"tl.save: integer with {v.bit_length()} bits is too large for torch's format")
            w(_OP.LONG1 + bytes([len(b)]) + b)

    def _str(self, s):
        b = s.encode("utf-8", "surrogatepass")
        self.out.write(_OP.BINUNICODE + struct.pack("<I", len(b)) + b)

    def _tuple(self, items, path, depth):
        if not items:
            return self.out.write(_OP.EMPTY_TUPLE)
        if len(items) > 3:
            self.out.write(_OP.MARK)
        for i, v in enumerate(items):
            self._save(v, f"{path}.{i}" if path else str(i), depth + 1)
        self.out.write(_OP.TUPLE if len(items) > 3 else (_OP.TUPLE1, _OP.TUPLE2, _OP.TUPLE3)[len(items) - 1])

    def _reduce(self, module, name, args, path, depth):
        self._global(module, name)
        self._tuple(args, path, depth)
        self.out.write(_OP.REDUCE)

    def _items(self, pairs, path, depth, dict_like):
        pairs = list(pairs)
        for start in range(0, len(pairs), 1000):        # batches as the stdlib pickler writes them
            self.out.write(_OP.MARK)
            for item in pairs[start:start + 1000]:
                if dict_like:
                    k, v = item
                    self._save(k, path, depth + 1, key=True)
                    self._save(v, f"{path}.{k}" if path else str(k), depth + 1)
                else:
                    self._save(item[1], f"{path}.{item[0]}" if path else str(item[0]), depth + 1)
            self.out.write(_OP.SETITEMS if dict_like else _OP.APPENDS)

    # -- objects
    def _save(self, obj, path, depth, key=False):
        from .tensor import Tensor, Size
        from . import dtypes
        if depth > tp._MAX_DEPTH:
            raise ValueError(f"tl.save: object at {path!r:.80} is nested more than {tp._MAX_DEPTH} levels deep")
        w = self.out.write
        if obj is None:
            return w(_OP.NONE)
        if obj is True or obj is False:
            return w(_OP.NEWTRUE if obj else _OP.NEWFALSE)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            obj = obj.item()
        if isinstance(obj, bool):
            return w(_OP.NEWTRUE if obj else _OP.NEWFALSE)
        if isinstance(obj, int):
            return self._int(int(obj))
        if isinstance(obj, float):
            return w(_OP.BINFLOAT + struct.pack(">d", obj))
        if isinstance(obj, str):
            return self._str(str(obj))
        if id(obj) in self.memo:
            return self._get(id(obj))
        if isinstance(obj, (Tensor, np.ndarray)):
            return self._tensor(obj, path)
        if isinstance(obj, dtypes.dtype):
            return self._global("torch", obj.name)
        if isinstance(obj, tp._Token) and obj.kind == "dtype":        # e.g. torch.bfloat16 read from a file
            return self._global("torch", obj.dtype)
        if isinstance(obj, (bytes, bytearray)):
            if isinstance(obj, bytearray):            # bytearray(_codecs.encode(str, 'latin1'))
                self._global("__builtin__", "bytearray")
                self._reduce("_codecs", "encode", (bytes(obj).decode("latin1"), "latin1"), path, depth)
                w(_OP.TUPLE1 + _OP.REDUCE)
            else:
                self._reduce("_codecs", "encode", (obj.decode("latin1"), "latin1"), path, depth)
            return self._put(id(obj), obj)
        if isinstance(obj, complex):
            return self._reduce("__builtin__", "complex", (obj.real, obj.imag), path, depth)
        if isinstance(obj, Size):
            self._reduce("torch", "Size", (tuple(int(d) for d in obj),), path, depth)
            return self._put(id(obj), obj)
        if isinstance(obj, tuple):
            self._tuple(tuple(obj), path, depth)
            return self._put(id(obj), obj)
        if key:
            raise TypeError(f"tl.save: dict key {obj!r:.60} at {path or 'the top level'!r} must be a str, int, "
                            f"float, bool, None or tuple")
        if isinstance(obj, collections.Counter):
            self._global("collections", "Counter")
            w(_OP.EMPTY_DICT)
            if obj:
                self._items(obj.items(), path, depth, True)
            w(_OP.TUPLE1 + _OP.REDUCE)
            return self._put(id(obj), obj)
        if isinstance(obj, dict):
            ordered = isinstance(obj, collections.OrderedDict)
            if ordered:
                self._reduce("collections", "OrderedDict", (), path, depth)
            else:
                w(_OP.EMPTY_DICT)
            self._put(id(obj), obj)
            if obj:
                self._items(obj.items(), path, depth, True)
            attrs = getattr(obj, "__dict__", None) if ordered else None
            if attrs:                   # a state_dict's _metadata, as torch writes it
                w(_OP.EMPTY_DICT)
                self._items(attrs.items(), path, depth, True)
                w(_OP.BUILD)
            return
        if isinstance(obj, list):
            w(_OP.EMPTY_LIST)
            self._put(id(obj), obj)
            if obj:
                self._items(enumerate(obj), path, depth, False)
            return
        if isinstance(obj, set):
            self._global("__builtin__", "set")
            w(_OP.EMPTY_LIST)
            self._items(enumerate(obj), path, depth, False)
            w(_OP.TUPLE1 + _OP.REDUCE)
            return self._put(id(obj), obj)
        raise TypeError(describe_refusal(obj, path))

    def _tensor(self, obj, path):
        from .nn.parameter import Parameter
        arr = obj if isinstance(obj, np.ndarray) else obj._data
        if (arr.dtype.byteorder == ">" or arr.dtype.name not in tp.STORAGE_NAME
                or tp._DTYPES[arr.dtype.name][1] is None):
            raise TypeError(f"tl.save: array at {path or 'the top level'!r} has dtype {arr.dtype}, which torch's "
                            f"format cannot hold here")
        pid, offset, strides = self.storage(arr)
        param = isinstance(obj, Parameter)
        rg = bool(getattr(obj, "requires_grad", False))
        if param:
            self._global("torch._utils", "_rebuild_parameter")
            self.out.write(_OP.MARK)
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out.write(_OP.MARK)
        skey = ("storage", pid[2])
        if skey in self.memo:
            self._get(skey)
        else:
            self.out.write(_OP.MARK)
            self._str("storage")
            self._global("torch", pid[1])
            for v in pid[2:]:
                self._save(v, "", 0)
            self.out.write(_OP.TUPLE + _OP.BINPERSID)
            self._put(skey)
        self._int(offset)
        self._tuple(tuple(int(d) for d in arr.shape), "", 0)
        self._tuple(strides, "", 0)
        self.out.write(_OP.NEWFALSE if param or not rg else _OP.NEWTRUE)
        self._reduce("collections", "OrderedDict", (), "", 0)
        self.out.write(_OP.TUPLE + _OP.REDUCE)
        if param:
            self.out.write(_OP.NEWTRUE if rg else _OP.NEWFALSE)
            self._reduce("collections", "OrderedDict", (), "", 0)
            self.out.write(_OP.TUPLE + _OP.REDUCE)
        self._put(id(obj), obj)


def describe_refusal(obj, path):
    """The TypeError message for an object tl.save will not write."""
    where = path or "the top level"
    try:
        from .nn.module import Module
        from .optim.optimizer import Optimizer
    except ImportError:      # pragma: no cover (both are part of tensorlite)
        Module = Optimizer = ()
    if isinstance(obj, Module):
        return (f"tl.save: cannot store the module {type(obj).__name__} at {where!r}: whole modules are not "
                f"pickled; save its state_dict() instead (tl.save(model.state_dict(), f)) and load it with "
                f"model.load_state_dict(tl.load(f))")
    if isinstance(obj, Optimizer):
        return (f"tl.save: cannot store the optimizer {type(obj).__name__} at {where!r}: save its state_dict() "
                f"instead (tl.save(optimizer.state_dict(), f))")
    return (f"tl.save: cannot store {type(obj).__name__} at {where!r}: only tensors, numbers, strings, bytes, None, "
            f"lists, tuples, sets and dicts are saved (no arbitrary pickling)")
