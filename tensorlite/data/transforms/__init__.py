"""Image transforms in the style of torchvision.transforms, for single images AND whole batches.

Inputs
  * numpy arrays in channels-last layout: HW (grayscale), HWC (one image) or NHWC (a batch);
    usually uint8 (0..255), float arrays work too (their range is taken to be [0, 1]);
  * PIL images (converted with np.asarray);
  * tensorlite Tensors in channels-first layout (CHW or NCHW), e.g. after ToTensor.
  Outputs keep the input's kind and layout (geometric transforms return numpy for PIL input).
  A 3-D numpy array is always one HWC image; a batch of grayscale images is NHW1.

Batches: every transform here accepts a whole batch and gives each image its own random
parameters (crop offset, flip, angle, ...), drawn in one vectorized call. The per-pixel work runs
in Numba kernels (compiled once and cached on disk, GIL released) or vectorized numpy, so
preparing a 128-image CIFAR batch takes about a millisecond. A transform applied to one image
draws the same random numbers as on a batch of one, so `t(img)` equals `t(img[None])[0]` under
the same seed. Transforms have `supports_batches = True`; datasets (CIFAR10, MNIST) use that to
transform a whole DataLoader batch in one call (`__getitems__`).

Randomness: all draws come from tensorlite's rng (`tl.manual_seed`), or, inside a DataLoader
worker thread, from that worker's generator (see tensorlite.data.dataloader).

Differences from torchvision worth knowing
  * RandomRotation, RandomAffine, RandomZoom default to bilinear interpolation (torchvision:
    nearest); `interpolation="nearest"` is available. Bilinear taps that fall outside the image
    take `fill`. uint8 results are rounded half up and clipped.
  * Resize / RandomResizedCrop interpolate bilinearly without antialiasing.
  * ColorJitter works in float and rounds once at the end (torchvision's uint8 path rounds after
    every step); the four adjustments are applied in a random order per image, as torchvision.
  * Augmentations do not track gradients (they read the tensor's data).

Where the code is: `compose` (Compose, Lambda), `convert` (ToTensor, Normalize, the mean / std
constants), `crop` (Pad, crops, flips, Resize), `affine` (rotations, zoom, translation, affine),
`color` (ColorJitter); the shared layout and argument checks in `_common`, the Numba kernels in
tensorlite/backend/augment.py.
"""
from .compose import Compose, Lambda
from .convert import CIFAR10_MEAN, CIFAR10_STD, MNIST_MEAN, MNIST_STD, Normalize, ToTensor
from .crop import (CenterCrop, Pad, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, RandomVerticalFlip,
                   Resize)
from .affine import RandomAffine, RandomRotation, RandomTranslate, RandomZoom
from .color import ColorJitter
from ._common import Transform  # noqa: F401

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda", "Pad", "CenterCrop", "RandomCrop",
           "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "RandomResizedCrop",
           "RandomAffine", "RandomRotation", "RandomTranslate", "RandomZoom", "ColorJitter",
           "CIFAR10_MEAN", "CIFAR10_STD", "MNIST_MEAN", "MNIST_STD"]
