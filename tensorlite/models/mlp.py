"""The lecture's multilayer perceptron on flattened CIFAR-10 images.

The lecture builds it in MATLAB as newff(..., [1000, 512, 10], {'tansig', 'tansig', 'logsig'}): the
3x32x32 image flattened to 3072 inputs, hidden layers of 1000 and 512 tanh units, 10 outputs
(40.07% test accuracy). Here the output layer returns logits for CrossEntropyLoss instead of
MATLAB's logsig outputs trained on mean squared error."""
from .. import nn
from ..nn import functional as F

_ACTIVATIONS = {"tanh": F.tanh, "relu": F.relu, "sigmoid": F.sigmoid}


class MLP(nn.Module):
    """Flatten -> (Linear -> activation) per hidden size -> Linear; layers are fc1, fc2, ..."""

    def __init__(self, in_features=3072, hidden=(1000, 512), num_classes=10, activation="tanh"):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        sizes = [in_features, *hidden, num_classes]
        self.num_layers = len(sizes) - 1
        for i in range(self.num_layers):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x):
        act = _ACTIVATIONS[self.activation]
        x = x.flatten(1)
        for i in range(1, self.num_layers):
            x = act(getattr(self, f"fc{i}")(x))
        return getattr(self, f"fc{self.num_layers}")(x)


def mlp_cifar10(num_classes=10, in_features=3072, hidden=(1000, 512), activation="tanh"):
    """The lecture's CIFAR-10 MLP, 3072 -> 1000 -> 512 -> 10 with tanh hidden layers.

    3,590,642 parameters (3072*1000 + 1000 + 1000*512 + 512 + 512*10 + 10; the lecture: "more
    than 3 million weights"), all trainable."""
    return MLP(in_features, hidden, num_classes, activation)
