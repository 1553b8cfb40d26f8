"""LeNet-5 for 32x32 images: conv5x5(6) - ReLU - maxpool2 - conv5x5(16) - ReLU - maxpool2 - 120 - 84 - classes."""
from .. import nn
from ..nn import functional as F


class LeNet5(nn.Module):
    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)     # 32x32 -> 28x28 -> 14x14
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)     # 14x14 -> 10x10 -> 5x5
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def lenet5(num_classes=10, in_channels=3):
    """LeNet-5; 62,006 parameters for 3-channel 32x32 input and 10 classes."""
    return LeNet5(num_classes, in_channels)
