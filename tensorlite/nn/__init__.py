"""Neural-network building blocks: Module, layers, losses, init (PyTorch's tensorlite.nn)."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from .parameter import Parameter, Buffer  # noqa: F401
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict  # noqa: F401
from .layers import (Identity, Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d,  # noqa: F401
                     BatchNorm2d, LocalResponseNorm, Dropout, Dropout2d, ReLU, ReLU6, SiLU, LeakyReLU, GELU,
                     Tanh, Sigmoid, Softmax, LogSoftmax, Flatten, Unflatten)
from .upsampling import ConvTranspose2d, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d  # noqa: F401
from .loss import (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCEWithLogitsLoss,  # noqa: F401
                   BCELoss)
from .sync_batchnorm import SyncBatchNorm  # noqa: F401
from . import utils  # noqa: F401
from . import parallel  # noqa: F401
