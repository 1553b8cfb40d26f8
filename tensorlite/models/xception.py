"""Xception (Chollet 2017): Inception modules replaced by depthwise separable convolutions with
residual connections.

A SeparableConv2d is a depthwise 3x3 convolution (groups = channels: one spatial filter per
channel) followed by a pointwise 1x1 convolution (cross-channel mixing), both without bias. A
Block is (ReLU -> SeparableConv2d -> BatchNorm) repeated, plus a shortcut (a strided 1x1
convolution with BatchNorm where the shape changes), with a 3x3/2 max-pool ending strided blocks.

The full network (299x299 input): entry flow conv 32 3x3/2, conv 64 3x3, blocks to 128, 256, 728
channels (149 -> 147 -> 74 -> 37 -> 19); middle flow 8 blocks of 3 separable convolutions at 728
channels; exit flow block to 1024 (-> 10), separable convolutions to 1536 and 2048, global average
pool, fc. Module names and state-dict keys follow timm's legacy_xception (the Keras port).
22,855,952 parameters (the Keras Xception's trainable count; Keras' total, 22,910,480, adds the
BatchNorm moving statistics, which `summary()` reports the same way). `middle_blocks` (default 8)
builds a smaller network from the same blocks.
"""
from .. import nn
from ..nn import functional as F


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, dilation=1, bias=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, dilation,
                               groups=in_channels, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class Block(nn.Module):
    """`reps` separable convolutions from in_channels to out_channels (the first one changes the
    channel count if grow_first, else the last), a max-pool when strides > 1, and a shortcut."""

    def __init__(self, in_channels, out_channels, reps, strides=1, start_with_relu=True, grow_first=True):
        super().__init__()
        if out_channels != in_channels or strides != 1:
            self.skip = nn.Conv2d(in_channels, out_channels, 1, stride=strides, bias=False)
            self.skipbn = nn.BatchNorm2d(out_channels)
        else:
            self.skip = self.skipbn = None
        widths = [in_channels] + ([out_channels] * reps if grow_first else [in_channels] * (reps - 1) + [out_channels])
        rep = []
        for i in range(reps):
            rep += [nn.ReLU(), SeparableConv2d(widths[i], widths[i + 1]), nn.BatchNorm2d(widths[i + 1])]
        if not start_with_relu:
            rep = rep[1:]
        if strides != 1:
            rep.append(nn.MaxPool2d(3, strides, 1))
        self.rep = nn.Sequential(*rep)

    def forward(self, x):
        skip = self.skipbn(self.skip(x)) if self.skip is not None else x
        return self.rep(x) + skip


class Xception(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3, middle_blocks=8):
        super().__init__()
        if isinstance(middle_blocks, bool) or not isinstance(middle_blocks, int) or middle_blocks < 0:
            raise ValueError(f"Xception: middle_blocks must be a non-negative int, got {middle_blocks!r}")
        self.middle_blocks = middle_blocks
        self.conv1 = nn.Conv2d(in_channels, 32, 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.block1 = Block(64, 128, 2, 2, start_with_relu=False)
        self.block2 = Block(128, 256, 2, 2)
        self.block3 = Block(256, 728, 2, 2)
        for i in range(middle_blocks):
            setattr(self, f"block{4 + i}", Block(728, 728, 3, 1))
        setattr(self, f"block{4 + middle_blocks}", Block(728, 1024, 2, 2, grow_first=False))
        self.conv3 = SeparableConv2d(1024, 1536)
        self.bn3 = nn.BatchNorm2d(1536)
        self.conv4 = SeparableConv2d(1536, 2048)
        self.bn4 = nn.BatchNorm2d(2048)
        self.fc = nn.Linear(2048, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))             # 299 -> 149
        x = F.relu(self.bn2(self.conv2(x)))             # 149 -> 147
        for i in range(1, self.middle_blocks + 5):      # 147 -> 74 -> 37 -> 19 (middle) -> 10
            x = getattr(self, f"block{i}")(x)
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.relu(self.bn4(self.conv4(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def xception(num_classes=1000, in_channels=3, middle_blocks=8):
    """Xception: 22,855,952 parameters with the full 8-block middle flow (Keras Xception's trainable
    count, timm legacy_xception); each middle block has 3 * (728 * 9 + 728 * 728 + 2 * 728)
    = 1,613,976, so middle_blocks=m gives 22,855,952 - (8 - m) * 1,613,976."""
    return Xception(num_classes, in_channels, middle_blocks)
