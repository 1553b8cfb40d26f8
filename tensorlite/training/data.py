"""The training command's data: CIFAR-10's training images (after --subset and --val-split) as a
tl.data dataset whose batches tl.data's transforms augment, and the DataLoader of one epoch.

Every random draw comes from tensorlite's rng, in this order: at the start of an epoch its
permutation of the training images (as RandomSampler draws it), then, batch by batch as the loop
fetches them, each image's crop offset and flip. A checkpoint stores the rng state and the epoch's
permutation, so a resumed run draws exactly what the uninterrupted one would have.
"""
import numpy as np

from tensorlite.data import BatchSampler, DataLoader, Dataset, StackedSamples
from tensorlite.data import transforms as T
from tensorlite.evaluate import load_cifar10

__all__ = ["TrainingImages", "TrainingData", "crop_and_flip", "augment", "epoch_loader", "load_training_data"]


class TrainingImages(Dataset):
    """NHWC uint8 images with int64 labels. A batch is fetched in one call (`__getitems__`) and
    `transform` augments it as a whole, every image with its own random draws."""

    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        return (image if self.transform is None else self.transform(image)), self.labels[i]

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.intp)
        images = self.images[idx]
        if self.transform is not None:
            images = self.transform(images)
        return StackedSamples([images, self.labels[idx]])


def crop_and_flip(padding):
    """--augment: a random 32x32 crop of the image zero-padded by `padding` pixels, then a horizontal
    flip with probability 1/2 (Compose runs the pair as one fused pass)."""
    return T.Compose([T.RandomCrop(32, padding=padding), T.RandomHorizontalFlip()])


def augment(images, rng, padding=4):
    """crop_and_flip on a batch of NHWC uint8 images, drawing from the numpy Generator `rng` instead
    of tensorlite's rng (for scripts that keep their own generator)."""
    return T.RandomCrop(32, padding=padding)._apply(images, 0.5, rng)


def epoch_loader(dataset, perm, step, batch_size):
    """The DataLoader of the rest of an epoch: full batches of `batch_size` images in the order of
    the epoch's permutation `perm`, from batch number `step` on."""
    order = perm[step * batch_size:].tolist()
    return DataLoader(dataset, batch_sampler=BatchSampler(order, batch_size, drop_last=True))


class TrainingData:
    """`train` (a TrainingImages), `val` ((images, labels) or None), `test` (images, labels), `classes`."""

    def __init__(self, train, val, test, classes):
        self.train, self.val, self.test, self.classes = train, val, test, classes


def load_training_data(parser, plan, say):
    args = plan.args
    train, test = load_cifar10(parser, plan.root, plan.download, say=say)
    x, y = train.data, np.asarray(train.targets, dtype=np.int64)
    if args.subset:
        x, y = x[:args.subset], y[:args.subset]
    val = None
    if args.val_split:
        if args.val_split >= len(x):
            parser.error(f"argument --val-split: must be less than the {len(x)} training images, got {args.val_split}")
        val = (x[-args.val_split:], y[-args.val_split:])
        x, y = x[:-args.val_split], y[:-args.val_split]
    if len(x) < args.batch_size:
        parser.error(f"argument --batch-size: {args.batch_size} is larger than the {len(x)} training images")
    images = TrainingImages(x, y, crop_and_flip(args.crop_padding) if args.augment else None)
    return TrainingData(images, val, (test.data, np.asarray(test.targets, dtype=np.int64)), test.classes)
