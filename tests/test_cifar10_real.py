"""The real CIFAR-10, when it is available in $TENSORLITE_DATA (default ~/.cache/tensorlite/cifar10):
either the decoded cache or a source there (official archive / extracted batches / tfjs tarball).

Fetch it once with `python -m tensorlite.data cifar10 --root "$TENSORLITE_DATA"`. Without the data
these tests are skipped (nothing is downloaded from a test)."""
import os

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import CIFAR10, DataLoader, datasets
from tensorlite.data import transforms as T

ROOT = os.path.expanduser(os.environ.get("TENSORLITE_DATA") or datasets.default_root("cifar10"))
_SOURCES = [datasets.CIFAR10_MANIFEST, datasets.CIFAR10_DIR, datasets.CIFAR10_ARCHIVE, datasets.CIFAR10_NPM_TGZ]

pytestmark = pytest.mark.skipif(
    not any(os.path.exists(os.path.join(ROOT, s)) for s in _SOURCES),
    reason=f"real CIFAR-10 not found in {ROOT} (set TENSORLITE_DATA or run "
           f"`python -m tensorlite.data cifar10 --root {ROOT}` to fetch it)")


@pytest.fixture(scope="module")
def train():
    return CIFAR10(ROOT, train=True)


@pytest.fixture(scope="module")
def test():
    return CIFAR10(ROOT, train=False)


def test_sizes_and_types(train, test):
    assert len(train) == 50000 and len(test) == 10000
    assert train.data.shape == (50000, 32, 32, 3) and train.data.dtype == np.uint8
    assert test.data.shape == (10000, 32, 32, 3)
    assert len(train.targets) == 50000 and all(type(t) is int for t in train.targets[:100])
    assert train.classes == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                             "ship", "truck"]


def test_known_first_images(train, test):
    img, label = train[0]
    assert img[0, :5, 0].tolist() == [59, 43, 50, 68, 98]       # red channel, first row
    assert img[0, :5, 1].tolist() == [62, 46, 48, 54, 73]       # green
    assert img[0, :5, 2].tolist() == [63, 45, 43, 42, 52]       # blue
    assert label == 6 and train.classes[label] == "frog"
    assert test.targets[0] == 3 and test.classes[3] == "cat"
    assert train.targets[:10] == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert test.targets[:10] == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]


def test_class_balance(train, test):
    assert np.bincount(train.targets, minlength=10).tolist() == [5000] * 10
    assert np.bincount(test.targets, minlength=10).tolist() == [1000] * 10


def test_pixel_statistics_match_the_normalization_constants(train):
    levels = np.arange(256) / 255.0
    mean, std = [], []
    for c in range(3):
        counts = np.bincount(train.data[..., c].reshape(-1), minlength=256)
        p = counts / counts.sum()
        m = (p * levels).sum()
        mean.append(m)
        std.append(np.sqrt((p * (levels - m) ** 2).sum()))
    assert np.allclose(mean, T.CIFAR10_MEAN, atol=1e-4)
    assert np.allclose(std, T.CIFAR10_STD, atol=1e-4)


def test_augmented_loader_batch(train):
    ds = CIFAR10(ROOT, transform=T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(),
                                             T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)]))
    tl.manual_seed(0)
    loader = DataLoader(ds, batch_size=128, shuffle=True, drop_last=True)
    assert len(loader) == 390
    x, y = next(iter(loader))
    assert x.shape == (128, 3, 32, 32) and x.dtype == tl.float32 and y.dtype == tl.int64
    assert abs(float(x.mean())) < 0.3
