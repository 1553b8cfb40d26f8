"""The lecture material's Keras CNNs for 28x28 grey images (MNIST, Fashion-MNIST), layer for layer.

Layers carry the names Keras gives them in the lecture's model.summary() tables, and ReLU is applied
inside the layer that has activation='relu', so `model.summary((1, 28, 28))` lists the same rows,
output shapes and parameter counts as Keras. The final softmax is left to CrossEntropyLoss (the
models return logits). Initialization follows Keras: Glorot-uniform kernels and zero biases
(he_normal where the lecture asks for it); BatchNormalization uses Keras' momentum 0.99 and
epsilon 0.001. Keras flattens channels-last, tensorlite channels-first: the same parameter counts."""
import math

from .. import nn
from ..nn import functional as F


def _he_normal_(w):
    """Keras' he_normal: truncated normal (at 2 std) with std sqrt(2 / fan_in) / 0.8796..."""
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(w)
    std = math.sqrt(2.0 / fan_in) / 0.87962566103423978
    return nn.init.trunc_normal_(w, 0.0, std, -2 * std, 2 * std)


class _KerasSequential(nn.Module):
    """Named layers run in registration order; layers named in `relu` are followed by ReLU."""

    def __init__(self, layers, relu=()):
        super().__init__()
        for name, layer in layers:
            self.add_module(name, layer)
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        self._relu = frozenset(relu)

    def forward(self, x):
        for name, layer in self._modules.items():
            x = layer(x)
            if name in self._relu:
                x = F.relu(x)
        return x


def _bn(n):
    return nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)   # Keras BatchNormalization defaults


class KerasMnistSimpleCNN(_KerasSequential):
    """Conv2D(8, 3) (no activation, as in the lecture) -> MaxPooling2D(2) -> Flatten -> Dense(10)."""

    def __init__(self, num_classes=10, in_channels=1, num_filters=8, filter_size=3, pool_size=2):
        side = (28 - filter_size + 1) // pool_size
        super().__init__([("conv2d", nn.Conv2d(in_channels, num_filters, filter_size)),
                          ("max_pooling2d", nn.MaxPool2d(pool_size)),
                          ("flatten", nn.Flatten()),
                          ("dense", nn.Linear(num_filters * side * side, num_classes))])


class KerasMnistCNN(_KerasSequential):
    """Conv2D(40, 5, same, relu) -> MaxPool2D(2) -> Dropout(0.25) -> Conv2D(32, 3, relu, he_normal)
    -> MaxPool2D(2) -> Dropout(0.25) -> Flatten -> Dense(64, relu) -> BatchNormalization
    -> Dropout(0.25) -> Dense(10)."""

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__([("conv1_1", nn.Conv2d(in_channels, 40, 5, padding="same")),
                          ("max_pooling2d_1", nn.MaxPool2d(2)),
                          ("dropout_1", nn.Dropout(0.25)),
                          ("conv1_2", nn.Conv2d(40, 32, 3)),
                          ("max_pooling2d_2", nn.MaxPool2d(2)),
                          ("dropout_2", nn.Dropout(0.25)),
                          ("flatten_1", nn.Flatten()),
                          ("dense_1", nn.Linear(6 * 6 * 32, 64)),
                          ("batch_normalization_1", _bn(64)),
                          ("dropout_3", nn.Dropout(0.25)),
                          ("dense_2", nn.Linear(64, num_classes))],
                         relu=("conv1_1", "conv1_2", "dense_1"))
        _he_normal_(self.conv1_2.weight)


class FashionMnistCNN(_KerasSequential):
    """Conv2D(64, 7, same) -> MaxPool(2) -> 2x Conv2D(128, 3, same) -> MaxPool(2) -> 2x Conv2D(256, 3, same)
    -> MaxPool(2) -> Flatten -> Dense(128) -> Dropout(0.5) -> Dense(64) -> Dropout(0.5) -> Dense(10);
    ReLU after every convolution and hidden Dense."""

    def __init__(self, num_classes=10, in_channels=1):
        same = dict(padding="same")
        super().__init__([("conv2d", nn.Conv2d(in_channels, 64, 7, **same)),
                          ("max_pooling2d", nn.MaxPool2d(2)),
                          ("conv2d_1", nn.Conv2d(64, 128, 3, **same)),
                          ("conv2d_2", nn.Conv2d(128, 128, 3, **same)),
                          ("max_pooling2d_1", nn.MaxPool2d(2)),
                          ("conv2d_3", nn.Conv2d(128, 256, 3, **same)),
                          ("conv2d_4", nn.Conv2d(256, 256, 3, **same)),
                          ("max_pooling2d_2", nn.MaxPool2d(2)),
                          ("flatten", nn.Flatten()),
                          ("dense", nn.Linear(256 * 3 * 3, 128)),
                          ("dropout", nn.Dropout(0.5)),
                          ("dense_1", nn.Linear(128, 64)),
                          ("dropout_1", nn.Dropout(0.5)),
                          ("dense_2", nn.Linear(64, num_classes))],
                         relu=("conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4", "dense", "dense_1"))


def keras_mnist_simple(num_classes=10, in_channels=1):
    """The lecture's first Keras MNIST CNN: 13,610 parameters (Conv2D 80, Dense 1352*10 + 10 = 13,530),
    counted from the lecture's code (num_filters=8, filter_size=3, pool_size=2)."""
    return KerasMnistSimpleCNN(num_classes, in_channels)


def keras_mnist_cnn(num_classes=10, in_channels=1):
    """The lecture's Keras MNIST CNN: 87,290 parameters, 87,162 trainable and 128 non-trainable
    (BatchNormalization's moving mean and variance), as in the lecture's model.summary() table."""
    return KerasMnistCNN(num_classes, in_channels)


def fashion_mnist_cnn(num_classes=10, in_channels=1):
    """The lecture's Fashion-MNIST CNN (from Geron, Hands-On Machine Learning, ch. 14): 1,413,834
    parameters, all trainable (the figure Keras' summary() prints for that model)."""
    return FashionMnistCNN(num_classes, in_channels)
