"""tl.save / tl.load: PyTorch's checkpoint format (.pt/.pth: a zip of a pickle plus raw storages,
and the legacy stream), and the safetensors format. Loading never runs code from the file.

tl.save writes torch.save's zip format by default (torch.load(f, weights_only=True) reads it; torch
is not needed to write or read), and safetensors for paths ending in .safetensors or with
format="safetensors". tl.load tells the formats apart by content, not by suffix. PyTorch files are
read through a restricted unpickler that admits only torch's weights_only allowlist plus what was
registered with add_safe_globals (see _torch_pickle.py); anything else raises CheckpointError
naming the refused global. Parameters come back as nn.Parameter and tensors keep requires_grad, as
torch.load(weights_only=True) gives them; tensors that shared a storage share memory. bfloat16
tensors are widened to float32 (tensorlite has no bfloat16) with a warning.

Safetensors: a flat dict of tensors (a model's state_dict) is stored under its own keys, so
PyTorch reads it with `safetensors.torch.load_file` and a PyTorch-written safetensors file loads here. Anything
nested (optimizer state, a training checkpoint with epoch and RNG state) is stored as tensors
under path-like keys plus a JSON description of the structure in the file's metadata. Writes are
atomic (temporary file, fsync, rename); a SHA-256 of the tensor data detects corruption."""
import hashlib
import io
import json
import os
import pickle
import struct

import numpy as np

from . import _torch_format as _tf
from . import _torch_pickle as _tp
from ._torch_format import describe_refusal
from ._torch_pickle import (CheckpointError, add_safe_globals, get_safe_globals, clear_safe_globals,  # noqa: F401
                            safe_globals)
from ._io import atomic_write as _atomic_write      # a module global: tests swap it to inject faults
from ._version import __version__
from .tensor import Tensor

_STRUCT = "__tensorlite_structure__"
_DIGEST = "__tensorlite_sha256__"      # tensor bytes only (files written before 2026-12-04)
_DIGEST2 = "__tensorlite_sha256_v2__"  # each tensor's name, dtype, shape and bytes: a rewritten header is caught
_VERSION = "__tensorlite_version__"

_KEYS = "__tensorlite_keys__"          # key order of a flat state dict (the file's header is unordered)


def _encode(obj, path, tensors):
    """Replace tensors by references, keep JSON-able structure; int keys and tuples survive."""
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray):
        key = path or "tensor"
        if key == "__metadata__":          # safetensors' own header entry: store the tensor beside it
            key = "__metadata__#"
        if key in tensors:
            raise ValueError(f"tl.save: two entries map to the same key {key!r}")
        arr = obj._data if isinstance(obj, Tensor) else obj
        tensors[key] = _contiguous(arr)
        return {"__tensor__": key, "ndarray": isinstance(obj, np.ndarray)}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and not any(k.startswith("__") for k in obj):
            return {k: _encode(v, f"{path}.{k}" if path else k, tensors) for k, v in obj.items()}
        return {"__items__": [[_encode_key(k, path), _encode(v, f"{path}.{k}" if path else str(k), tensors)]
                              for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, f"{path}.{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, f"{path}.{i}", tensors) for i, v in enumerate(obj)]
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    msg = describe_refusal(obj, path)
    if msg.endswith("(no arbitrary pickling)"):
        msg = (f"tl.save: cannot store {type(obj).__name__} at {path or 'the top level'!r}: only tensors, numbers, "
               f"strings, None, lists, tuples and dicts are saved in safetensors files (no pickle)")
    raise TypeError(msg)


def _encode_key(k, path):
    if isinstance(k, (str, int, float, bool)) or k is None:
        return k
    raise TypeError(f"tl.save: dict key {k!r} at {path!r} must be a str, int, float or bool")


def _decode(obj, tensors):
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            arr = tensors[obj["__tensor__"]]
            return arr if obj.get("ndarray") else Tensor._wrap(arr)
        if "__items__" in obj:
            return {k: _decode(v, tensors) for k, v in obj["__items__"]}
        if "__tuple__" in obj:
            return tuple(_decode(v, tensors) for v in obj["__tuple__"])
        return {k: _decode(v, tensors) for k, v in obj.items()}
    return obj


def _contiguous(arr):
    return arr if arr.flags.c_contiguous else arr.copy()      # (np.ascontiguousarray makes 0-d 1-d)


def _digest(tensors, header=False):
    h = hashlib.sha256()
    for k in sorted(tensors):
        arr = _contiguous(tensors[k])
        h.update(k.encode())
        if header:
            h.update(f"|{arr.dtype.str}|{arr.shape}|".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def _path(f, fname):
    """os.fspath(f) for a path-like f, else TypeError naming the function and argument 'f'."""
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"{fname}: argument 'f' must be a path (str or os.PathLike) or a binary file object, got "
                        f"{type(f).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{fname}: argument 'f' is an empty path")
    return path


def _is_file(f, method):
    if isinstance(f, (str, bytes, os.PathLike)) or not callable(getattr(f, method, None)):
        return False
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"tl.{'save' if method == 'write' else 'load'}: argument 'f' is a text file: open it in "
                        f"binary mode ('{'wb' if method == 'write' else 'rb'}')")
    return True


def _file_name(f):
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else f"<{type(f).__name__}>"


def _check_metadata(metadata):
    if metadata is not None and (not hasattr(metadata, "items") or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        bad = (next((f"{k!r}: {v!r}" for k, v in metadata.items() if not (isinstance(k, str) and
                                                                           isinstance(v, str))), "")
               if hasattr(metadata, "items") else type(metadata).__name__)
        raise TypeError(f"tl.save: argument 'metadata' must map str to str, got {bad:.60}")


def _safetensors_blob(obj, metadata):
    from safetensors.numpy import save as st_save
    tensors = {}
    flat = isinstance(obj, dict) and obj and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items()) \
        and "__metadata__" not in obj
    if flat:
        tensors = {k: _contiguous(v._data) for k, v in obj.items()}
        structure = None
    else:
        structure = _encode(obj, "", tensors)
    meta = dict(metadata or {})
    meta[_VERSION] = __version__
    meta[_DIGEST2] = _digest(tensors, header=True)
    if structure is not None:
        meta[_STRUCT] = json.dumps(structure)
    else:
        meta[_KEYS] = json.dumps(list(tensors))
    return st_save(tensors, metadata=meta)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False, *, format=None, metadata=None):  # noqa: A002  (our keyword)
    """Save obj (a state dict, an optimizer state dict, a nested checkpoint of tensors, numbers,
    strings, None, lists, tuples, dicts, sets, bytes) to a path or a binary file object `f`.

    format=None: torch.save's zip format (the legacy format with _use_new_zipfile_serialization=False),
    or safetensors when `f` is a path ending in .safetensors; format="torch" / "safetensors" forces
    one. The pickle is always written with protocol-2 opcodes (what torch writes by default) and
    `pickle_module` must be None or the pickle module. Writes to a path are atomic (temporary file,
    fsync, rename). `metadata` (str -> str) goes into the safetensors header, or a JSON record of
    the zip archive that torch ignores; tl.serialization.read_metadata reads it back."""
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError(f"tl.save: argument 'pickle_module' must be None or pickle (tensorlite writes its own "
                         f"restricted pickle), got {pickle_module!r:.60}")
    if type(pickle_protocol) is not int or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"tl.save: argument 'pickle_protocol' must be an int from 2 to {pickle.HIGHEST_PROTOCOL}, "
                         f"got {pickle_protocol!r:.40}")
    is_file = _is_file(f, "write")
    path = None if is_file else _path(f, "tl.save")
    if path is not None and os.path.isdir(path):
        raise CheckpointError(f"tl.save: argument 'f' = {path!r} is a directory, not a file path")
    _check_metadata(metadata)
    if format is None:
        format = "safetensors" if path is not None and path.lower().endswith(".safetensors") else "torch"  # noqa: A001
    if format not in ("torch", "safetensors"):
        raise ValueError(f"tl.save: argument 'format' must be 'torch' or 'safetensors', got {format!r:.40}")
    if format == "safetensors":
        blob = _safetensors_blob(obj, metadata)
        try:                                  # what is written must load: check before replacing a good file
            _load_safetensors(blob, "tl.save")
        except CheckpointError as e:
            raise ValueError(f"tl.save: refusing to write {path or _file_name(f)!r}: the result would not load "
                             f"back ({e})") from None

        def write(fh):
            fh.write(blob)
    else:
        legacy = not _use_new_zipfile_serialization
        if legacy and metadata is not None:
            raise ValueError("tl.save: argument 'metadata' needs the zip or safetensors format "
                             "(_use_new_zipfile_serialization=False writes the legacy format)")
        table = _tf.StorageTable(legacy)
        pkl = _tf.Pickler(table, legacy).dumps(obj)         # refuses bad objects before a file is touched
        meta = None if metadata is None else json.dumps({**metadata, _VERSION: __version__})

        def write(fh):
            if legacy:
                _tf.write_legacy(fh, pkl, table)
            else:
                _tf.write_zip(fh, pkl, table, meta, byteorder=not _disable_byteorder_record)
    if path is None:
        write(f)
        if callable(getattr(f, "flush", None)):
            f.flush()
    else:
        _atomic_write(path, write)


def _st_header(fh, name):
    """The JSON header of a safetensors file (its keys in file order)."""
    head = fh.read(8)
    if len(head) < 8:
        raise CheckpointError(f"{name}: not a safetensors checkpoint (file is {len(head)} bytes long)")
    (n,) = struct.unpack("<Q", head)
    if n > 100 * 2 ** 20:
        raise CheckpointError(f"{name}: not a safetensors checkpoint (header length {n} is implausible)")
    raw = fh.read(n)
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CheckpointError(f"{name}: not a safetensors checkpoint (header is not valid JSON; truncated or "
                              f"corrupted)") from None
    except RecursionError:
        raise CheckpointError(f"{name}: not a safetensors checkpoint (header JSON is nested too deeply)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{name}: not a safetensors checkpoint (header is not a JSON object)")
    return header


def _open_for_read(f, fname):
    """(file handle, name, path or None, whether to close); FileNotFoundError / CheckpointError for
    missing paths and directories."""
    if _is_file(f, "read"):
        seekable = callable(getattr(f, "seekable", None)) and f.seekable()
        return (f if seekable else io.BytesIO(f.read())), _file_name(f), None, False
    path = _path(f, fname)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{fname}: no such checkpoint file (argument 'f'): {path}")
    if not os.path.isfile(path):
        raise CheckpointError(f"{fname}: argument 'f' = {path!r} is not a regular file (a directory?)")
    return open(path, "rb"), path, path, True


def _sniff(fh):
    start = fh.tell()
    head = fh.read(16)
    fh.seek(start)
    return _tf.sniff(head)


def read_metadata(f):
    """The metadata dict of a checkpoint (safetensors header, or the JSON record tl.save puts in a
    PyTorch zip file; {} for PyTorch files without one), without loading the tensors."""
    fh, name, _path_, close = _open_for_read(f, "read_metadata")
    try:
        kind = _sniff(fh)
        if kind == "zip":
            return _tf.read_zip_metadata(fh, name)
        if kind == "legacy":
            return {}
        return dict(_st_header(fh, name).get("__metadata__") or {})
    finally:
        if close:
            fh.close()


def get_unsafe_globals_in_checkpoint(f):
    """The globals (as 'module.name' strings) in a PyTorch checkpoint that tl.load would refuse,
    found without unpickling anything (as torch.serialization.get_unsafe_globals_in_checkpoint)."""
    fh, name, _path_, close = _open_for_read(f, "get_unsafe_globals_in_checkpoint")
    try:
        kind = _sniff(fh)
        if kind == "zip":
            return _tf.unsafe_globals_zip(fh, name)
        if kind == "safetensors":
            return []
        found = []
        try:
            for _ in range(5):      # magic, protocol, sys_info, the object, the storage keys
                found += [n for n in _tp.unsafe_globals(fh) if n not in found]
        except _tp._Bad as e:
            raise CheckpointError(f"get_unsafe_globals_in_checkpoint: {name}: {e}") from None
        return found
    finally:
        if close:
            fh.close()


def _cpu_like(x):
    return isinstance(x, str) and x in ("cpu", "cpu:0") or (
        not isinstance(x, str) and type(x).__name__ == "device" and str(x) in ("cpu", "cpu:0"))


def _location_check(map_location):
    """None, or a function called with each storage when map_location is a callable."""
    bad = None
    if map_location is None or _cpu_like(map_location):
        return None
    if isinstance(map_location, dict):
        bad = next((v for v in map_location.values() if not _cpu_like(v)), None)
        if bad is None:
            return None
    elif callable(map_location):
        def check(storage):
            out = map_location(storage, storage.location)
            if out is not None and out is not storage:
                raise ValueError(f"tl.load: argument 'map_location' returned {out!r:.60} for a storage saved on "
                                 f"{storage.location!r}: tensorlite keeps every tensor on the CPU (return the "
                                 f"storage unchanged)")
        return check
    else:
        bad = map_location
    raise ValueError(f"tl.load: argument 'map_location' must be None, 'cpu', a dict mapping to 'cpu' or a "
                     f"callable (tensorlite runs on the CPU only), got {bad!r}")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load a checkpoint from a path or a binary file object: PyTorch's zip or legacy format (read
    without torch, through the restricted unpickler: only tensors, containers, numbers, strings and
    what add_safe_globals registered; weights_only=False admits nothing more) or safetensors.

    Tensors always land on the CPU; map_location may be None, 'cpu' (or a torch.device('cpu')), a
    dict whose values are 'cpu', or a callable that returns the storage it is given. mmap=True maps
    the storages of a zip file copy-on-write instead of reading them (a path is needed); it is
    ignored for safetensors files. Dict keys come back in saved order."""
    check = _location_check(map_location)
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError(f"tl.load: argument 'pickle_module' must be None or pickle (tensorlite reads with its own "
                         f"restricted unpickler), got {pickle_module!r:.60}")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"tl.load() got an unexpected keyword argument '{next(iter(pickle_load_args))}'")
    if not isinstance(encoding, str):
        raise TypeError(f"tl.load: argument 'encoding' must be a str, got {type(encoding).__name__}")
    fh, name, path, close = _open_for_read(f, "tl.load")
    try:
        if mmap and path is None:
            raise ValueError("tl.load: mmap=True needs argument 'f' to be a path, not a file object")
        kind = _sniff(fh)
        if kind == "zip":
            return _tf.load_zip(fh, name, weights_only, encoding, check, path if mmap else None)
        if kind == "legacy":
            if mmap:
                raise ValueError(f"tl.load: {name}: mmap=True needs torch's zip format; this file is in the legacy "
                                 f"format (torch.save(..., _use_new_zipfile_serialization=False))")
            return _tf.load_legacy(fh, name, weights_only, encoding, check)
        return _load_safetensors(fh.read(), name)
    finally:
        if close:
            fh.close()


def _load_safetensors(blob, name):
    from safetensors.numpy import load as st_load
    try:
        header = _st_header(io.BytesIO(blob), name)
    except CheckpointError as e:
        raise CheckpointError(f"tl.load: {e}") from None
    meta = dict(header.get("__metadata__") or {})
    try:
        tensors = st_load(blob)
    except Exception as e:  # safetensors raises its own error type on malformed data
        raise CheckpointError(f"tl.load: {name}: corrupted or truncated safetensors checkpoint ({e})") from None
    if _DIGEST2 in meta:
        expected, got = meta[_DIGEST2], _digest(tensors, header=True)
    else:
        expected, got = meta.get(_DIGEST), (_digest(tensors) if _DIGEST in meta else None)
    if expected is not None and got != expected:
        raise CheckpointError(f"tl.load: {name}: checksum mismatch: the tensor data is corrupted")
    tensors = {k: np.array(v) for k, v in tensors.items()}      # writable, owned arrays
    if _STRUCT in meta:
        try:
            structure = json.loads(meta[_STRUCT])
            return _decode(structure, tensors)
        except (ValueError, KeyError, TypeError) as e:
            raise CheckpointError(f"tl.load: {name}: corrupted structure metadata ({e})") from None
        except RecursionError:
            raise CheckpointError(f"tl.load: {name}: corrupted structure metadata (nested too deeply)") from None
    order = [k for k in header if k != "__metadata__"]
    try:
        saved = json.loads(meta[_KEYS]) if _KEYS in meta else None
    except ValueError:
        saved = None
    if isinstance(saved, list) and sorted(map(str, saved)) == sorted(tensors):
        order = saved
    if sorted(order) != sorted(tensors):
        order = list(tensors)
    return {k: Tensor._wrap(tensors[k]) for k in order}
