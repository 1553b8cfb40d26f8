"""Neural-network building blocks: Module, layers, losses, init (PyTorch's tensorlite.nn)."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from .parameter import Parameter, Buffer  # noqa: F401
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .layers import (Identity, Linear, Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,  # noqa: F401
                     AdaptiveAvgPool2d, AdaptiveMaxPool2d, BatchNorm1d, BatchNorm2d, BatchNorm3d, LocalResponseNorm,
                     Dropout, Dropout2d, ReLU, ReLU6, SiLU, LeakyReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax,
                     Flatten, Unflatten)
from .pooling import (AdaptiveAvgPool1d, AdaptiveMaxPool1d, LPPool1d, LPPool2d, MaxUnpool1d,  # noqa: F401
                      MaxUnpool2d)
from .upsampling import ConvTranspose2d, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d  # noqa: F401
from .loss import (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCEWithLogitsLoss,  # noqa: F401
                   BCELoss, HuberLoss, KLDivLoss)
from .loss import (CosineEmbeddingLoss, MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss,  # noqa: F401
                   MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss)
from .activation import (ELU, CELU, SELU, Mish, Hardswish, Hardsigmoid, Softsign, LogSigmoid,  # noqa: F401
                         Tanhshrink, Softmin, GLU, Softplus, Hardtanh, Threshold, PReLU)
from .activation import Hardshrink, Softshrink, RReLU, Softmax2d  # noqa: F401
from .distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from .vision import PixelShuffle, Unfold, PixelUnshuffle, ChannelShuffle, Fold  # noqa: F401
from .linear_extra import Bilinear, LazyLinear  # noqa: F401
from .dropout import Dropout1d, Dropout3d, AlphaDropout, FeatureAlphaDropout  # noqa: F401
from .normalization import LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, RMSNorm  # noqa: F401
from .sparse import Embedding, EmbeddingBag  # noqa: F401
from .padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d,  # noqa: F401
                      ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                      ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d)
from .sync_batchnorm import SyncBatchNorm  # noqa: F401
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell  # noqa: F401
from .attention import MultiheadAttention  # noqa: F401
from .transformer import (Transformer, TransformerEncoder, TransformerDecoder,  # noqa: F401
                          TransformerEncoderLayer, TransformerDecoderLayer)
from . import utils  # noqa: F401
from . import parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from . import modules  # noqa: F401  (torch.nn.modules.* import paths)
