"""tl.save / tl.load: checkpoints in the safetensors format (no pickle: loading never runs code).

A flat dict of tensors (a model's state_dict) is stored under its own keys, so PyTorch reads it
with `safetensors.torch.load_file` and a PyTorch-written safetensors file loads here. Anything
nested (optimizer state, a training checkpoint with epoch and RNG state) is stored as tensors
under path-like keys plus a JSON description of the structure in the file's metadata. Writes are
atomic (temporary file, fsync, rename); a SHA-256 of the tensor data detects corruption."""
import hashlib
import json
import os
import struct
import tempfile

import numpy as np

from ._version import __version__
from .tensor import Tensor

_STRUCT = "__tensorlite_structure__"
_DIGEST = "__tensorlite_sha256__"
_VERSION = "__tensorlite_version__"


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupted or not a safetensors file."""


def _encode(obj, path, tensors):
    """Replace tensors by references, keep JSON-able structure; int keys and tuples survive."""
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray):
        key = path or "tensor"
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
    raise TypeError(f"tl.save: cannot store {type(obj).__name__} at {path or 'the top level'!r}: only tensors, "
                    f"numbers, strings, None, lists, tuples and dicts are saved (no pickle)")


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


def _digest(tensors):
    h = hashlib.sha256()
    for k in sorted(tensors):
        h.update(k.encode())
        h.update(_contiguous(tensors[k]).tobytes())
    return h.hexdigest()


def _path(f, fname):
    """os.fspath(f), or TypeError naming the function and argument 'f' (tensorlite reads and writes
    paths only: no file objects, so that writes stay atomic)."""
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"{fname}: argument 'f' must be a path (str or os.PathLike), got "
                        f"{type(f).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{fname}: argument 'f' is an empty path")
    return path


def save(obj, f, metadata=None):
    """Save a state dict (or a nested dict of them) to path `f`, atomically."""
    from safetensors.numpy import save as st_save
    path = _path(f, "tl.save")
    if os.path.isdir(path):
        raise CheckpointError(f"tl.save: argument 'f' = {path!r} is a directory, not a file path")
    if metadata is not None and (not hasattr(metadata, "items") or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        bad = (next((f"{k!r}: {v!r}" for k, v in metadata.items() if not (isinstance(k, str) and
                                                                           isinstance(v, str))), "")
               if hasattr(metadata, "items") else type(metadata).__name__)
        raise TypeError(f"tl.save: argument 'metadata' must map str to str, got {bad:.60}")
    tensors = {}
    flat = isinstance(obj, dict) and obj and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items())
    if flat:
        tensors = {k: _contiguous(v._data) for k, v in obj.items()}
        structure = None
    else:
        structure = _encode(obj, "", tensors)
    meta = dict(metadata or {})
    meta[_VERSION] = __version__
    meta[_DIGEST] = _digest(tensors)
    if structure is not None:
        meta[_STRUCT] = json.dumps(structure)
    blob = st_save(tensors, metadata=meta)
    _atomic_write(path, blob)


def _atomic_write(path, blob):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)          # mkstemp makes 0600; a checkpoint gets normal permissions
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def read_metadata(f):
    """The metadata dict of a safetensors file (without loading the tensors)."""
    path = _path(f, "read_metadata")
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{path}: not a safetensors checkpoint (file is {len(head)} bytes long)")
        (n,) = struct.unpack("<Q", head)
        if n > 100 * 2 ** 20:
            raise CheckpointError(f"{path}: not a safetensors checkpoint (header length {n} is implausible)")
        raw = fh.read(n)
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CheckpointError(f"{path}: not a safetensors checkpoint (header is not valid JSON; truncated or "
                              f"corrupted)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: not a safetensors checkpoint (header is not a JSON object)")
    return dict(header.get("__metadata__") or {})


def load(f, map_location=None, weights_only=True):
    """Load what tl.save wrote (or any safetensors file: a flat dict of tensors)."""
    from safetensors.numpy import load as st_load
    path = _path(f, "tl.load")
    if map_location is not None and str(map_location) not in ("cpu", "cpu:0"):
        raise ValueError(f"tl.load: argument 'map_location' must be None or 'cpu' (tensorlite runs on the CPU "
                         f"only), got {map_location!r}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"tl.load: no such checkpoint file (argument 'f'): {path}")
    if not os.path.isfile(path):
        raise CheckpointError(f"tl.load: argument 'f' = {path!r} is not a regular file (a directory?)")
    try:
        meta = read_metadata(path)
    except CheckpointError as e:
        raise CheckpointError(f"tl.load: {e}") from None
    with open(path, "rb") as fh:
        blob = fh.read()
    try:
        tensors = st_load(blob)
    except Exception as e:  # safetensors raises its own error type on malformed data
        raise CheckpointError(f"tl.load: {path}: corrupted or truncated safetensors checkpoint ({e})") from None
    expected = meta.get(_DIGEST)
    if expected is not None and _digest(tensors) != expected:
        raise CheckpointError(f"tl.load: {path}: checksum mismatch: the tensor data is corrupted")
    tensors = {k: np.array(v) for k, v in tensors.items()}      # writable, owned arrays
    if _STRUCT in meta:
        try:
            structure = json.loads(meta[_STRUCT])
            return _decode(structure, tensors)
        except (ValueError, KeyError, TypeError) as e:
            raise CheckpointError(f"tl.load: {path}: corrupted structure metadata ({e})") from None
    return {k: Tensor._wrap(v) for k, v in tensors.items()}
