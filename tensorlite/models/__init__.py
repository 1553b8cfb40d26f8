"""Reference networks. Each builder returns a tl.nn.Module with PyTorch-style state-dict keys."""
from .lenet import LeNet5, lenet5  # noqa: F401
from .resnet_cifar import CifarResNet, BasicBlock, resnet, resnet8, resnet14, resnet20, resnet32, resnet44, resnet56  # noqa: F401
from .mlp import MLP, mlp_cifar10  # noqa: F401
from .lecture_cnn import MatlabCifarCNN, matlab_cnn, matlab_cnn_bn  # noqa: F401
from .keras_cnn import (KerasMnistSimpleCNN, KerasMnistCNN, FashionMnistCNN, keras_mnist_simple,  # noqa: F401
                        keras_mnist_cnn, fashion_mnist_cnn)
from .alexnet import AlexNet, ZFNet, alexnet, zfnet  # noqa: F401
from .vgg import VGG, vgg, vgg16, vgg19, vgg16_bn, vgg19_bn  # noqa: F401
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet  # noqa: F401
from .xception import Xception, SeparableConv2d, xception  # noqa: F401
from .resnet_imagenet import ResNet, resnet18, resnet34, resnet50  # noqa: F401

_BUILDERS = {"lenet5": lenet5, "resnet8": resnet8, "resnet14": resnet14, "resnet20": resnet20,
             "resnet32": resnet32, "resnet44": resnet44, "resnet56": resnet56}
# The lecture's networks (issue 5).
_BUILDERS.update({"mlp_cifar10": mlp_cifar10, "matlab_cnn": matlab_cnn, "matlab_cnn_bn": matlab_cnn_bn,
                  "keras_mnist_simple": keras_mnist_simple, "keras_mnist_cnn": keras_mnist_cnn,
                  "fashion_mnist_cnn": fashion_mnist_cnn, "alexnet": alexnet, "zfnet": zfnet,
                  "vgg16": vgg16, "vgg19": vgg19, "vgg16_bn": vgg16_bn, "vgg19_bn": vgg19_bn,
                  "googlenet": googlenet, "xception": xception,
                  "resnet18": resnet18, "resnet34": resnet34, "resnet50": resnet50})


def get_model(name, **kwargs):
    """Build a model by name (as used by `python -m tensorlite.train --model NAME`)."""
    if name not in _BUILDERS:
        raise ValueError(f"get_model(): unknown model {name!r}; available: {', '.join(sorted(_BUILDERS))}")
    return _BUILDERS[name](**kwargs)


def available_models():
    return sorted(_BUILDERS)
