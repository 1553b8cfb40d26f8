"""tensorlite.optim: optimizers, learning-rate schedulers and gradient clipping (torch.optim's API).

Optimizers: SGD, Adam, AdamW, RMSprop (PyTorch's update rules, param groups, state_dict layout);
Adagrad, Adamax, NAdam, RAdam (same API and state layout; a plain numpy update per parameter).
Adadelta, Rprop, ASGD (likewise) and LBFGS (step(closure); optional strong-Wolfe line search).
Each param group is stored per dtype in one flat buffer (every parameter's storage is a view into
it) and one step runs one fused Numba kernel over the whole group.  The layout is public:

  optimizer.flat_buckets(group=None) -> [FlatBucket]   params, offsets, dtype, data, grad, buffers
  optimizer.flat_params(group=0)     -> [Tensor]       one flat tensor per dtype, sharing storage
  optimizer.flat_grads(group=0)      -> [Tensor]       gradients gathered into the flat gradient
                                                       buffer (and re-pointed at it): reduce them
                                                       in place, then step() copies nothing
  optimizer.zero_grad(set_to_none=False)               zeroes the gradients inside that buffer

Schedulers: tensorlite.optim.lr_scheduler (StepLR, MultiStepLR, ConstantLR, LinearLR,
ExponentialLR, CosineAnnealingLR, LambdaLR, MultiplicativeLR, OneCycleLR, SequentialLR,
ReduceLROnPlateau, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, ChainedScheduler).
Clipping: clip_grad_norm_, clip_grad_value_ (also tl.nn.utils).
"""
from .optimizer import Optimizer, FlatBucket, required
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adaptive import Adagrad, Adamax, NAdam, RAdam
from .classic import Adadelta, Rprop, ASGD
from .lbfgs import LBFGS
from ._clip import clip_grad_norm_, clip_grad_value_
from . import lr_scheduler

__all__ = ["Optimizer", "FlatBucket", "required", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam",
           "RAdam", "Adadelta", "Rprop", "ASGD", "LBFGS", "lr_scheduler",
           "clip_grad_norm_", "clip_grad_value_"]
