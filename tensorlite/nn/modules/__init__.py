"""tensorlite.nn.modules: PyTorch's torch.nn.modules import paths (torch.nn.modules.conv._ConvNd,
.loss._Loss, .batchnorm._BatchNorm, .module.Module, .utils._pair, ...). Each submodule re-exports
the one implementation from tensorlite.nn; none holds code of its own but utils."""
from . import channelshuffle  # noqa: F401
from . import (activation, batchnorm, container, conv, distance, dropout, flatten, fold,  # noqa: F401
               instancenorm, linear, loss, module, normalization, padding, pixelshuffle, pooling, rnn, sparse,
               transformer, upsampling, utils)
from .module import Module  # noqa: F401
from .linear import Identity, Linear, Bilinear, LazyLinear  # noqa: F401
from .channelshuffle import ChannelShuffle  # noqa: F401
from .conv import Conv1d, Conv2d, ConvTranspose2d  # noqa: F401
from .activation import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
