"""The lecture's MATLAB CIFAR-10 CNN (CNN_Code.m), optionally with BatchNorm after each convolution.

    conv 5x5x32 pad 2 [-> BN] -> max-pool 3 stride 2 -> ReLU
    -> conv 5x5x32 pad 2 [-> BN] -> ReLU -> avg-pool 3 stride 2
    -> conv 5x5x64 pad 2 [-> BN] -> ReLU -> avg-pool 3 stride 2 -> fc 64 -> ReLU -> fc 10

MATLAB pools without padding and rounds the output size down, (n - 3) // 2 + 1, so the maps are
32 -> 15 -> 7 -> 3 and fc1 sees 64 * 3 * 3 = 576 inputs, the size of the lecture's
`fc1.Weights = randn([64 576])`. (Rounding up would give 32 -> 16 -> 8 -> 4 and 1024 inputs.)

Initialization follows MATLAB's defaults: Glorot-uniform weights ('glorot') and zero biases;
BatchNorm starts at scale 1, offset 0. Lecture test accuracy: 71.08% without BatchNorm, 74.94%
with it."""
from .. import nn
from ..nn import functional as F


class MatlabCifarCNN(nn.Module):
    def __init__(self, num_classes=10, in_channels=3, batch_norm=False):
        super().__init__()
        self.batch_norm = batch_norm
        self.conv1 = nn.Conv2d(in_channels, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 32, 5, padding=2)
        self.conv3 = nn.Conv2d(32, 64, 5, padding=2)
        if batch_norm:
            self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(32), nn.BatchNorm2d(32), nn.BatchNorm2d(64)
        self.pool1 = nn.MaxPool2d(3, stride=2)
        self.pool2 = nn.AvgPool2d(3, stride=2)
        self.pool3 = nn.AvgPool2d(3, stride=2)
        self.fc1 = nn.Linear(64 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, num_classes)
        for m in (self.conv1, self.conv2, self.conv3, self.fc1, self.fc2):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    def _norm(self, i, x):
        return getattr(self, f"bn{i}")(x) if self.batch_norm else x

    def forward(self, x):
        x = F.relu(self.pool1(self._norm(1, self.conv1(x))))     # 32x32 -> 15x15
        x = self.pool2(F.relu(self._norm(2, self.conv2(x))))     # 15x15 -> 7x7
        x = self.pool3(F.relu(self._norm(3, self.conv3(x))))     # 7x7 -> 3x3
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def matlab_cnn(num_classes=10, in_channels=3, batch_norm=False):
    """The lecture's MATLAB CIFAR-10 CNN. 116,906 learnable parameters (conv 2,432 + 25,632 +
    51,264, fc 36,928 + 650, counted from the lecture's layer list); batch_norm=True adds
    2 * (32 + 32 + 64) = 256 learnable scales and offsets (117,162) and 256 running statistics."""
    return MatlabCifarCNN(num_classes, in_channels, batch_norm)


def matlab_cnn_bn(num_classes=10, in_channels=3):
    """matlab_cnn(batch_norm=True): 117,162 learnable parameters, 117,418 with running statistics."""
    return MatlabCifarCNN(num_classes, in_channels, batch_norm=True)
