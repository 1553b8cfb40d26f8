"""AlexNet (Krizhevsky et al. 2012) in three published forms, and ZFNet (Zeiler & Fergus 2014).

AlexNet variants (all: features -> avgpool -> classifier, torchvision's module layout):

* "lecture"     -- the lecture's table: 227x227 input; conv 96 11x11/4 -> 55, max-pool 3/2 -> 27,
                   conv 256 5x5 same -> 27, pool -> 13, conv 384, 384, 256 3x3 same -> 13, pool -> 6,
                   fc 4096, 4096, 1000; local response normalization after the first two
                   convolutions. One tower (no channel groups): 62,378,344 parameters.
* "original"    -- the paper's two-GPU network: the same, but conv2, conv4 and conv5 only see the
                   half of the channels on their own GPU (groups=2): 60,965,224 parameters, the
                   paper's "60 million" (also Caffe's bvlc_alexnet).
* "torchvision" -- torchvision.models.alexnet (the "one weird trick" single-GPU net, also the
                   lecture's first AlexNet slide): 224x224 input, conv 64, 192, 384, 256, 256, no
                   LRN, dropout before the fc layers; 61,100,840 parameters and torchvision's
                   state-dict keys (features.0, ..., classifier.6).

LRN uses the paper's k=2, n=5, alpha=1e-4, beta=0.75. The paper's formula does not divide alpha
by n; PyTorch's LocalResponseNorm does, so it gets alpha=5e-4. The lecture/original variants
initialize as the paper: weights N(0, 0.01), biases 1 in conv2, conv4, conv5 and the hidden fc
layers, 0 elsewhere; the torchvision variant keeps PyTorch's default initialization.
"""
from .. import nn

_LRN = dict(size=5, alpha=5e-4, beta=0.75, k=2.0)
_VARIANTS = ("lecture", "original", "torchvision")


def _paper_init(model, ones_bias):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.constant_(m.bias, 1.0 if m in ones_bias else 0.0)


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, variant="lecture", dropout=0.5):
        super().__init__()
        if variant not in _VARIANTS:
            raise ValueError(f"AlexNet: variant must be one of {_VARIANTS}, got {variant!r}")
        self.variant = variant
        if variant == "torchvision":
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
                nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
                nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
                nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))
            return
        g = 2 if variant == "original" else 1
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.LocalResponseNorm(**_LRN), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=g), nn.ReLU(), nn.LocalResponseNorm(**_LRN),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1, groups=g), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1, groups=g), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))     # the identity on 227x227 input
        self.classifier = nn.Sequential(
            nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout), nn.Linear(4096, num_classes))
        f, c = self.features, self.classifier
        _paper_init(self, ones_bias=(f[4], f[10], f[12], c[0], c[3]))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def alexnet(num_classes=1000, variant="lecture", dropout=0.5):
    """AlexNet. variant="lecture" (default): the lecture's 227x227 table with LRN, 62,378,344
    parameters (counted from the table); "original": the paper's grouped two-GPU net, 60,965,224;
    "torchvision": torchvision.models.alexnet, 61,100,840 (torchvision's documented count)."""
    return AlexNet(num_classes, variant, dropout)


class ZFNet(nn.Module):
    """ZFNet, from the lecture's table and Zeiler & Fergus (2014) Fig. 3: 224x224 input;
    conv 96 7x7/2 -> 110, max-pool 3/2 -> 55, conv 256 5x5/2 -> 26, pool -> 13, conv 384, 384, 256
    3x3 -> 13, pool -> 6, fc 4096, 4096, 1000; contrast (local response) normalization after the
    first two pooling layers, as the paper's figure shows.

    The lecture table's output sizes fix the geometry; its pad column does not match them, so
    padding is chosen to reproduce the sizes: conv1 pad 1, conv2 pad 0, conv3-5 pad 1, and the
    pools round up (ceil_mode, as Caffe, which the paper's sizes imply: 110 -> 55, 26 -> 13)."""

    def __init__(self, num_classes=1000, dropout=0.5, lrn=True):
        super().__init__()
        norm = (lambda: nn.LocalResponseNorm(**_LRN)) if lrn else nn.Identity
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 7, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True), norm(),
            nn.Conv2d(96, 256, 5, stride=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True), norm(),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout), nn.Linear(4096, num_classes))
        for m in self.modules():                        # the paper: weights N(0, 0.01), biases 0
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def zfnet(num_classes=1000, dropout=0.5, lrn=True):
    """ZFNet: 62,357,608 parameters (counted from the lecture's table: five convolutions and three
    fully connected layers with biases)."""
    return ZFNet(num_classes, dropout, lrn)
