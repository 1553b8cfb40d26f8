"""ImageNet ResNets (He et al. 2015, Table 1) as torchvision.models.resnet18/34/50, with torchvision's
module names and state-dict keys (conv1, bn1, layer1.0.conv1, ..., layer2.0.downsample.0, fc).

Stem: conv 7x7/2 (224 -> 112), max-pool 3/2 (-> 56); four stages of residual blocks at 64, 128,
256, 512 base channels on 56, 28, 14, 7 maps (the first block of stages 2-4 strides by 2);
global average pool; fc. Where a block changes shape, the shortcut is a strided 1x1 convolution
with BatchNorm (the paper's option B). Initialization as torchvision: Kaiming-normal (fan-out)
convolutions, BatchNorm 1 / 0, and PyTorch's default Linear init for fc."""
from .. import nn


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn1.forward_relu(self.conv1(x))           # relu(bn1(.)) in one fused pass
        identity = self.downsample(x) if self.downsample is not None else x
        return self.bn2.forward_relu(self.conv2(out), residual=identity)


class Bottleneck(nn.Module):
    """1x1 reduce -> 3x3 (carries the stride, as torchvision's "ResNet v1.5") -> 1x1 expand by 4."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn1.forward_relu(self.conv1(x))
        out = self.bn2.forward_relu(self.conv2(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return self.bn3.forward_relu(self.conv3(out), residual=identity)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, in_channels=3, zero_init_residual=False):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:      # each block starts as the identity
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn3.weight)
                elif isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.bn1.forward_relu(self.conv1(x)))     # 224 -> 112 -> 56
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))  # 56 -> 56 -> 28 -> 14 -> 7
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes=1000, in_channels=3, zero_init_residual=False):
    """ResNet-18 (BasicBlock, [2, 2, 2, 2]): 11,689,512 parameters (torchvision's documented count)."""
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, zero_init_residual)


def resnet34(num_classes=1000, in_channels=3, zero_init_residual=False):
    """ResNet-34 (BasicBlock, [3, 4, 6, 3]): 21,797,672 parameters (torchvision's documented count)."""
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels, zero_init_residual)


def resnet50(num_classes=1000, in_channels=3, zero_init_residual=False):
    """ResNet-50 (Bottleneck, [3, 4, 6, 3]), the lecture's Keras example network: 25,557,032
    parameters (torchvision's documented count)."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels, zero_init_residual)
