"""The training command's data path (tensorlite.training.data) draws the same random numbers and
gives the same images as the numpy augmentation it replaced, so runs stay reproducible across it."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite.training.data import TrainingImages, augment, crop_and_flip, epoch_loader


def reference_augment(images, rng, padding):
    """The training command's augmentation before it moved onto tl.data's transforms."""
    n, p = len(images), padding
    padded = np.zeros((n, 32 + 2 * p, 32 + 2 * p, 3), dtype=np.uint8)
    padded[:, p:p + 32, p:p + 32] = images
    dy, dx = rng.integers(0, 2 * p + 1, n), rng.integers(0, 2 * p + 1, n)
    rows = dy[:, None] + np.arange(32)[None, :]
    cols = dx[:, None] + np.arange(32)[None, :]
    flip = rng.random(n) < 0.5
    cols = np.where(flip[:, None], cols[:, ::-1], cols)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


@pytest.mark.parametrize("padding", [0, 1, 4])
def test_augment_and_the_transforms_match_the_reference_draw_for_draw(padding):
    images = np.random.default_rng(0).integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(augment(images, a, padding), reference_augment(images, b, padding))
    assert a.random() == b.random()                       # the generators advanced alike
    tl.manual_seed(3)
    got = crop_and_flip(padding)(images)                  # draws from tensorlite's rng
    tl.manual_seed(3)
    want = reference_augment(images, tl.random.default_generator.rng, padding)
    np.testing.assert_array_equal(got, want)


def test_epoch_loader_yields_the_permutations_batches_from_a_step_on():
    x = np.random.default_rng(1).integers(0, 256, (70, 32, 32, 3), dtype=np.uint8)
    y = np.arange(70, dtype=np.int64)
    perm = np.random.default_rng(2).permutation(70)
    data = TrainingImages(x, y)
    batches = list(epoch_loader(data, perm, 2, 16))
    assert len(batches) == 2                              # 70 // 16 = 4 full batches, from batch 2 on
    for k, (images, labels) in enumerate(batches, start=2):
        idx = perm[16 * k:16 * (k + 1)]
        np.testing.assert_array_equal(labels.numpy(), y[idx])
        np.testing.assert_array_equal(images.numpy(), x[idx])
