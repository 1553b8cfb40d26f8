"""Reference networks. Each builder returns a tl.nn.Module with PyTorch-style state-dict keys."""
from .lenet import LeNet5, lenet5  # noqa: F401
from .resnet_cifar import CifarResNet, BasicBlock, resnet, resnet8, resnet14, resnet20, resnet32, resnet44, resnet56  # noqa: F401

_BUILDERS = {"lenet5": lenet5, "resnet8": resnet8, "resnet14": resnet14, "resnet20": resnet20,
             "resnet32": resnet32, "resnet44": resnet44, "resnet56": resnet56}


def get_model(name, **kwargs):
    """Build a model by name (as used by `python -m tensorlite.train --model NAME`)."""
    if name not in _BUILDERS:
        raise ValueError(f"get_model(): unknown model {name!r}; available: {', '.join(sorted(_BUILDERS))}")
    return _BUILDERS[name](**kwargs)


def available_models():
    return sorted(_BUILDERS)
