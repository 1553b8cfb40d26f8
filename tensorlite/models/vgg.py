"""VGG (Simonyan & Zisserman 2014) as torchvision.models.vgg*: 3x3 convolutions (stride 1, pad 1)
with ReLU, 2x2/2 max-pools, an adaptive 7x7 average pool (the identity on 224x224 input), then fc
4096 -> 4096 -> classes with dropout. State-dict keys match torchvision (features.N, classifier.N);
so does the initialization (Kaiming-normal fan-out convolutions, N(0, 0.01) linear weights)."""
from .. import nn

# Numbers are conv output channels, "M" a max-pool (torchvision's configurations A, B, D, E).
CFGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"],
}


def make_layers(cfg, batch_norm=False, in_channels=3):
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(in_channels, v, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU())
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout), nn.Linear(4096, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def vgg(depth, num_classes=1000, batch_norm=False, dropout=0.5):
    if depth not in CFGS:
        raise ValueError(f"vgg(): depth must be one of {sorted(CFGS)}, got {depth!r}")
    return VGG(make_layers(CFGS[depth], batch_norm), num_classes, dropout)


def vgg16(num_classes=1000, batch_norm=False, dropout=0.5):
    """VGG-16 (configuration D, the lecture's VGG16 table): 138,357,544 parameters (torchvision's
    documented count; the lecture: "approximately 138 million"); 138,365,992 with batch_norm=True."""
    return vgg(16, num_classes, batch_norm, dropout)


def vgg19(num_classes=1000, batch_norm=False, dropout=0.5):
    """VGG-19 (configuration E, the lecture's VGG19 table): 143,667,240 parameters (torchvision's
    documented count); 143,678,248 with batch_norm=True."""
    return vgg(19, num_classes, batch_norm, dropout)


def vgg16_bn(num_classes=1000, dropout=0.5):
    """VGG-16 with BatchNorm after every convolution: 138,365,992 parameters (torchvision)."""
    return vgg(16, num_classes, True, dropout)


def vgg19_bn(num_classes=1000, dropout=0.5):
    """VGG-19 with BatchNorm after every convolution: 143,678,248 parameters (torchvision)."""
    return vgg(19, num_classes, True, dropout)
