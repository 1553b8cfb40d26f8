"""tensorlite.data.transforms on single images and NHWC batches: shapes, dtypes, values against
numpy references (and torch where it has the same operation), per-image randomness,
reproducibility under tl.manual_seed."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import transforms as T

from conftest import import_torch


def images(n=6, h=10, w=12, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c), dtype=np.uint8)


def arr(x):
    return x.numpy() if isinstance(x, tl.Tensor) else np.asarray(x)


RANDOM_TRANSFORMS = [
    T.RandomCrop(8, padding=2),
    T.RandomCrop((6, 9), padding=(1, 2, 3, 4), padding_mode="reflect"),
    T.RandomCrop(12, pad_if_needed=True, padding_mode="edge"),
    T.RandomHorizontalFlip(),
    T.RandomVerticalFlip(),
    T.RandomTranslate((0.2, 0.3)),
    T.RandomRotation(30),
    T.RandomRotation(20, interpolation="nearest"),
    T.RandomZoom((0.8, 1.25)),
    T.RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=10),
    T.RandomResizedCrop(7),
    T.ColorJitter(0.4, 0.4, 0.4, 0.1),
    T.ColorJitter(brightness=0.5, contrast=0.5),
]
DETERMINISTIC = [T.CenterCrop(6), T.CenterCrop((14, 5)), T.Pad(2), T.Pad((1, 2, 3, 0), padding_mode="symmetric"),
                 T.Resize((5, 7)), T.Resize(6)]


@pytest.mark.parametrize("t", RANDOM_TRANSFORMS + DETERMINISTIC, ids=repr)
def test_single_image_equals_batch_of_one(t):
    x = images(1)
    tl.manual_seed(3)
    single = t(x[0])
    tl.manual_seed(3)
    batch = t(x)
    assert single.dtype == batch.dtype == np.uint8
    assert batch.ndim == 4 and single.shape == batch.shape[1:]
    assert np.array_equal(single, batch[0])


@pytest.mark.parametrize("t", RANDOM_TRANSFORMS, ids=repr)
def test_reproducible_and_per_image(t):
    x = np.repeat(images(1), 16, axis=0)                  # 16 copies of one image
    tl.manual_seed(0)
    a = t(x)
    tl.manual_seed(0)
    b = t(x)
    assert np.array_equal(a, b)
    distinct = {a[k].tobytes() for k in range(len(a))}
    assert len(distinct) > 1, "every image in the batch got the same random parameters"
    tl.manual_seed(1)
    assert not np.array_equal(t(x), a)


@pytest.mark.parametrize("t", RANDOM_TRANSFORMS + DETERMINISTIC, ids=repr)
def test_grayscale_and_tensor_layouts(t):
    x = images(1, c=1)
    tl.manual_seed(5)
    hw = t(x[0, :, :, 0])                               # HW grayscale
    tl.manual_seed(5)
    nhwc = t(x)
    assert hw.ndim == 2 and np.array_equal(hw, nhwc[0, :, :, 0])
    rgb = images(3)
    tl.manual_seed(5)
    ref = t(rgb)
    tl.manual_seed(5)
    out = t(tl.from_numpy(np.ascontiguousarray(rgb.transpose(0, 3, 1, 2))))   # NCHW tensor
    assert isinstance(out, tl.Tensor)
    assert np.array_equal(out.numpy(), ref.transpose(0, 3, 1, 2))
    tl.manual_seed(5)
    ref1 = t(rgb[:1])
    tl.manual_seed(5)
    chw = t(tl.from_numpy(np.ascontiguousarray(rgb[0].transpose(2, 0, 1))))
    assert np.array_equal(chw.numpy(), ref1[0].transpose(2, 0, 1))


def test_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        T.RandomCrop(2)(np.zeros((1, 1, 2, 2, 3), np.uint8))
    with pytest.raises(TypeError):
        T.RandomCrop(2)([[1, 2]])
    with pytest.raises(ValueError, match="larger than"):
        T.RandomCrop(20)(images(1))
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(4, padding=1, padding_mode="wrap")
    with pytest.raises(ValueError):
        T.RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="interpolation"):
        T.RandomRotation(10, interpolation="bicubic")
    with pytest.raises(ValueError, match="fill"):
        T.Pad(1, fill=(1, 2))(images(1))


# ------------------------------------------------------------------------------------------------
# ToTensor / Normalize


def test_to_tensor_exact():
    x = images(4)
    out = T.ToTensor()(x)
    assert isinstance(out, tl.Tensor) and out.dtype == tl.float32 and out.shape == (4, 3, 10, 12)
    ref = x.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255)
    assert np.array_equal(out.numpy(), ref)
    assert np.array_equal(T.ToTensor()(x[1]).numpy(), ref[1])
    assert T.ToTensor()(x[0, :, :, 0]).shape == (1, 10, 12)
    f = np.random.default_rng(0).random((5, 6, 3))                 # non-uint8: transposed only
    assert np.array_equal(T.ToTensor()(f).numpy(), f.transpose(2, 0, 1))
    with pytest.raises(TypeError):
        T.ToTensor()(tl.zeros(3, 4, 4))
    torch = import_torch()
    theirs = torch.from_numpy(x).permute(0, 3, 1, 2).float().div(255).numpy()
    assert np.array_equal(out.numpy(), theirs)


def test_normalize_exact_against_torch():
    torch = import_torch()
    x = images(4)
    mean, std = T.CIFAR10_MEAN, T.CIFAR10_STD
    t = T.ToTensor()(x)
    ours = T.Normalize(mean, std)(t)
    theirs = (torch.from_numpy(t.numpy()) - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    assert ours.dtype == tl.float32
    assert np.array_equal(ours.numpy(), theirs.numpy())
    fused = T.Compose([T.ToTensor(), T.Normalize(mean, std)])(x)        # one-pass fused path
    assert np.array_equal(fused.numpy(), ours.numpy())
    assert np.array_equal(T.Compose([T.ToTensor(), T.Normalize(mean, std)])(x[2]).numpy(), ours.numpy()[2])
    a = t.numpy().astype(np.float64)                                    # numpy arrays, float64
    ref = (a - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    assert np.array_equal(T.Normalize(mean, std)(a), ref)


def test_normalize_inplace_single_channel_and_errors():
    x = T.ToTensor()(images(2))
    y = x.numpy().copy()
    out = T.Normalize(0.5, 0.25, inplace=True)(x)
    assert out is x and np.allclose(x.numpy(), (y - 0.5) / 0.25)
    with pytest.raises(TypeError, match="float"):
        T.Normalize(0.5, 0.5)(tl.zeros(3, 4, 4, dtype=tl.int64))
    with pytest.raises(ValueError, match="zero"):
        T.Normalize(0.5, 0.0)
    with pytest.raises(ValueError, match="channels"):
        T.Normalize((0.1, 0.2), (1.0, 1.0))(tl.zeros(3, 4, 4))
    with pytest.raises(ValueError):
        T.Normalize(0.1, 0.2)(tl.zeros(4, 4))


def test_normalize_keeps_autograd():
    x = tl.rand(3, 4, 4, requires_grad=True)
    T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)(x).sum().backward()
    assert np.allclose(x.grad.numpy()[1], 1 / T.CIFAR10_STD[1])


# ------------------------------------------------------------------------------------------------
# geometric transforms against numpy references


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_matches_numpy(mode):
    x = images(2, h=5, w=4)
    for padding, ltrb in [(2, (2, 2, 2, 2)), ((1, 3), (1, 3, 1, 3)), ((0, 1, 3, 2), (0, 1, 3, 2))]:
        out = T.Pad(padding, fill=(9, 8, 7), padding_mode=mode)(x)
        l, t, r, b = ltrb
        widths = ((0, 0), (t, b), (l, r), (0, 0))
        if mode == "constant":
            ref = np.stack([np.stack([np.pad(x[n, :, :, c], widths[1:3], constant_values=(9, 8, 7)[c])
                                      for c in range(3)], -1) for n in range(2)])
        else:
            ref = np.pad(x, widths, mode=mode)
        assert np.array_equal(out, ref), (mode, padding)


def test_random_crop_is_a_crop_of_the_padded_image():
    x = images(32, h=9, w=11)
    tl.manual_seed(0)
    out = T.RandomCrop((7, 8), padding=3)(x)
    p = np.pad(x, ((0, 0), (3, 3), (3, 3), (0, 0)))
    offsets = set()
    for n in range(32):
        hits = [(i, j) for i in range(p.shape[1] - 6) for j in range(p.shape[2] - 7)
                if np.array_equal(p[n, i:i + 7, j:j + 8], out[n])]
        assert hits, f"image {n} is not a crop"
        offsets.add(hits[0])
    assert len(offsets) > 8                             # offsets vary across the batch


def test_crop_flip_fusion_is_bit_equal():
    x = images(20)
    crop, flip = T.RandomCrop(8, padding=2), T.RandomHorizontalFlip()
    tl.manual_seed(4)
    fused = T.Compose([crop, flip, T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])(x)
    tl.manual_seed(4)
    step = x
    for t in (crop, flip, T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)):
        step = t(step)
    assert np.array_equal(fused.numpy(), step.numpy())


def test_flips():
    x = images(50)
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(x), x[:, :, ::-1])
    assert np.array_equal(T.RandomHorizontalFlip(0.0)(x), x)
    assert np.array_equal(T.RandomVerticalFlip(1.0)(x), x[:, ::-1])
    tl.manual_seed(0)
    out = T.RandomHorizontalFlip()(x)
    flipped = [np.array_equal(out[n], x[n, :, ::-1]) for n in range(50)]
    kept = [np.array_equal(out[n], x[n]) for n in range(50)]
    assert all(f or k for f, k in zip(flipped, kept)) and 10 < sum(flipped) < 40


def test_center_crop_like_torchvision():
    x = images(2, h=10, w=12)
    out = T.CenterCrop((5, 7))(x)
    top, left = int(round((10 - 5) / 2.0)), int(round((12 - 7) / 2.0))
    assert np.array_equal(out, x[:, top:top + 5, left:left + 7])
    big = T.CenterCrop((13, 14))(x)                       # larger than the image: zero padded
    ref = np.pad(x, ((0, 0), (1, 2), (1, 1), (0, 0)))
    assert np.array_equal(big, ref)


def test_translate_is_a_pixel_shift():
    x = images(16, h=8, w=8)
    tl.manual_seed(2)
    out = T.RandomTranslate((0.25, 0.25), fill=5)(x)
    shifts = set()
    for n in range(16):
        found = None
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                ref = np.full_like(x[n], 5)
                ys, xs = slice(max(dy, 0), 8 + min(dy, 0)), slice(max(dx, 0), 8 + min(dx, 0))
                ref[ys, xs] = x[n, max(-dy, 0):8 - max(dy, 0), max(-dx, 0):8 - max(dx, 0)]
                if np.array_equal(out[n], ref):
                    found = (dy, dx)
        assert found is not None
        shifts.add(found)
    assert len(shifts) > 3


def test_rotation_by_90_degrees_is_rot90():
    x = images(3, h=9, w=9)
    for interp in ("bilinear", "nearest"):
        assert np.array_equal(T.RandomRotation((90, 90), interpolation=interp)(x), np.rot90(x, 1, axes=(1, 2)))
        assert np.array_equal(T.RandomRotation((-90, -90), interpolation=interp)(x), np.rot90(x, -1, axes=(1, 2)))
        assert np.array_equal(T.RandomRotation((0, 0), interpolation=interp)(x), x)
    out = T.RandomRotation((45, 45), fill=(1, 2, 3))(np.full((1, 9, 9, 3), 200, np.uint8))
    assert out[0, 0, 0].tolist() == [1, 2, 3] and out[0, 4, 4].tolist() == [200, 200, 200]


def test_bilinear_is_exact_on_linear_images():
    """Bilinear sampling reproduces an affine function of the pixel position exactly."""
    H, W = 11, 13
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    f = lambda x, y: 0.3 * x - 0.2 * y + 4.0                      # noqa: E731
    img = f(xx, yy)[None, :, :, None]
    cx, cy = (W - 1) / 2, (H - 1) / 2
    for s in (0.7, 1.3):
        out = T.RandomZoom((s, s))(img)
        sx, sy = cx + (xx - cx) / s, cy + (yy - cy) / s
        inside = (sx >= 0) & (sx <= W - 1) & (sy >= 0) & (sy <= H - 1)
        assert inside.sum() > 50
        assert np.allclose(out[0, :, :, 0][inside], f(sx, sy)[inside], atol=1e-9)
        assert np.all(out[0, :, :, 0][(sx < -1) | (sx > W) | (sy < -1) | (sy > H)] == 0)     # fill
    th = np.deg2rad(30)                                        # rotation, counter-clockwise on screen
    out = T.RandomRotation((30, 30))(img)
    dx, dy = xx - cx, yy - cy
    sx = cx + np.cos(th) * dx - np.sin(th) * dy
    sy = cy + np.sin(th) * dx + np.cos(th) * dy
    inside = (sx >= 0) & (sx <= W - 1) & (sy >= 0) & (sy <= H - 1)
    assert np.allclose(out[0, :, :, 0][inside], f(sx, sy)[inside], atol=1e-9)


def test_resize_matches_torch_interpolate():
    torch = import_torch()
    x = np.random.default_rng(0).random((2, 9, 14, 3))
    for size in [(5, 7), (18, 20), (9, 14), (4, 30)]:
        ours = T.Resize(size)(x)
        theirs = torch.nn.functional.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), size=size,
                                                 mode="bilinear", align_corners=False, antialias=False)
        assert np.allclose(ours, theirs.permute(0, 2, 3, 1).numpy(), atol=1e-12), size
    assert T.Resize(6)(x).shape == (2, 6, 9, 3)                   # shorter side -> 6


def test_random_resized_crop():
    x = images(8, h=12, w=12)
    assert np.array_equal(T.RandomResizedCrop(12, scale=(1, 1), ratio=(1, 1))(x), x)
    tl.manual_seed(0)
    out = T.RandomResizedCrop((5, 6))(x)
    assert out.shape == (8, 5, 6, 3) and out.dtype == np.uint8


def test_affine_identity_and_shapes():
    x = images(4)
    assert np.array_equal(T.RandomAffine(0)(x), x)
    assert np.array_equal(T.RandomZoom((1, 1))(x), x)
    f = np.random.default_rng(0).random((3, 6, 7, 3)).astype(np.float32)
    out = T.RandomRotation(10)(f)
    assert out.dtype == np.float32 and out.shape == f.shape


# ------------------------------------------------------------------------------------------------
# ColorJitter


def test_color_jitter_brightness_scales_each_image():
    x = images(20).astype(np.uint8) // 2                           # headroom: no clipping at 1.5x
    tl.manual_seed(0)
    out = T.ColorJitter(brightness=0.5)(x).astype(np.float64)
    factors = []
    for n in range(20):
        mask = x[n] > 20
        ratio = out[n][mask] / x[n][mask]
        f = np.median(ratio)
        assert 0.5 - 0.02 <= f <= 1.5 + 0.02
        assert np.allclose(out[n], np.floor(x[n] * f + 0.5), atol=1)
        factors.append(f)
    assert np.std(factors) > 0.05


def test_color_jitter_saturation_zero_gives_gray_and_identity():
    x = images(3)
    gray = T.ColorJitter(saturation=(0, 0))(x).astype(int)
    assert np.all(np.abs(gray[..., 0] - gray[..., 1]) <= 1) and np.all(np.abs(gray[..., 1] - gray[..., 2]) <= 1)
    ref = np.floor(0.2989 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2] + 0.5)
    assert np.allclose(gray[..., 0], ref, atol=1)
    assert np.array_equal(T.ColorJitter()(x), x)
    assert np.array_equal(T.ColorJitter(hue=(0, 0), brightness=(1, 1))(x), x)


def test_color_jitter_contrast_keeps_mean_gray():
    x = (images(4).astype(np.float64) * 0.5 + 64).astype(np.uint8)    # mid-range: no clipping
    tl.manual_seed(1)
    out = T.ColorJitter(contrast=0.5)(x).astype(np.float64)
    gray = lambda a: 0.2989 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]   # noqa: E731
    for n in range(4):
        assert abs(gray(out[n]).mean() - gray(x[n].astype(np.float64)).mean()) < 1.0


def test_color_jitter_hue_full_turn_is_identity_and_float_images():
    x = images(2)
    assert np.abs(T.ColorJitter(hue=(0.5, 0.5))(T.ColorJitter(hue=(0.5, 0.5))(x)).astype(int) - x).max() <= 2
    f = np.random.default_rng(0).random((2, 5, 5, 3))
    out = T.ColorJitter(0.3, 0.3, 0.3, 0.1)(f)
    assert out.dtype == f.dtype and out.min() >= 0 and out.max() <= 1


# ------------------------------------------------------------------------------------------------
# Compose / Lambda / PIL


def test_compose_and_lambda():
    t = T.Compose([T.RandomCrop(8, padding=1), T.Lambda(lambda a: a + 1)])
    assert not t.supports_batches
    assert T.Compose([T.RandomCrop(8), T.Lambda(lambda a: a, batched=True)]).supports_batches
    with pytest.raises(TypeError):
        T.Lambda(3)
    with pytest.raises(TypeError):
        T.Compose([1])
    assert "RandomCrop" in repr(t)


def test_pil_input():
    from PIL import Image
    x = images(1)[0]
    pil = Image.fromarray(x)
    assert np.array_equal(T.ToTensor()(pil).numpy(), T.ToTensor()(x).numpy())
    tl.manual_seed(0)
    a = T.RandomCrop(6)(pil)
    tl.manual_seed(0)
    assert np.array_equal(a, T.RandomCrop(6)(x))


def test_cifar_constants():
    assert T.CIFAR10_MEAN == (0.4914, 0.4822, 0.4465)
    assert T.CIFAR10_STD == (0.2470, 0.2435, 0.2616)


def test_color_jitter_hue_matches_colorsys():
    import colorsys
    f = np.random.default_rng(3).random((1, 4, 5, 3))
    for shift in (-0.4, 0.13, 0.5):
        out = T.ColorJitter(hue=(shift, shift))(f)
        for i in range(4):
            for j in range(5):
                h, s, v = colorsys.rgb_to_hsv(*f[0, i, j])
                ref = colorsys.hsv_to_rgb((h + shift) % 1.0, s, v)
                assert np.allclose(out[0, i, j], ref, atol=1e-12)
