"""The CIFAR ResNets of He et al. 2015 (section 4.2): depth 6n+2, stages of 16/32/64 channels on
32x32/16x16/8x8 maps, BatchNorm, and parameter-free identity shortcuts ("option A": subsample
and zero-pad the channels where the shape changes). ResNet-20 has 0.27M parameters."""
from .. import nn
from ..nn import functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.extra_channels = stride, planes - in_planes

    def shortcut(self, x):
        if self.stride == 1 and self.extra_channels == 0:
            return x
        x = x[:, :, ::self.stride, ::self.stride]
        half = self.extra_channels // 2
        return F.pad(x, (0, 0, 0, 0, half, self.extra_channels - half))

    def forward(self, x):
        # relu(bn1(conv1(x))), then relu(bn2(conv2(out)) + shortcut(x)), each BN fused with what follows it
        out = self.bn1.forward_relu(self.conv1(x))
        return self.bn2.forward_relu(self.conv2(out), residual=self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, depth=20, num_classes=10, in_channels=3):
        super().__init__()
        if (depth - 2) % 6 or depth < 8:
            raise ValueError(f"resnet(): depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, ...), got {depth}")
        n = (depth - 2) // 6
        self.depth = depth
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._stage(16, 16, n, 1)
        self.layer2 = self._stage(16, 32, n, 2)
        self.layer3 = self._stage(32, 64, n, 2)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    @staticmethod
    def _stage(in_planes, planes, blocks, stride):
        layers = [BasicBlock(in_planes, planes, stride)]
        layers += [BasicBlock(planes, planes, 1) for _ in range(blocks - 1)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.bn1.forward_relu(self.conv1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def resnet(depth, num_classes=10, in_channels=3):
    return CifarResNet(depth, num_classes, in_channels)


def resnet8(**kw):
    return CifarResNet(8, **kw)


def resnet14(**kw):
    return CifarResNet(14, **kw)


def resnet20(**kw):
    return CifarResNet(20, **kw)


def resnet32(**kw):
    return CifarResNet(32, **kw)


def resnet44(**kw):
    return CifarResNet(44, **kw)


def resnet56(**kw):
    return CifarResNet(56, **kw)
