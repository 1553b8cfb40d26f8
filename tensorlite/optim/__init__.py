"""tensorlite.optim: optimizers, learning-rate schedulers and gradient clipping (torch.optim's API).

Optimizers: SGD, Adam, AdamW, RMSprop (PyTorch's update rules, param groups, state_dict layout;
one fused backend kernel call per param group, tensorlite.backend.optim); Adagrad, Adamax, NAdam,
RAdam, Adadelta, Rprop, ASGD (same API and state layout; a plain numpy update per parameter) and
LBFGS (step(closure); optional strong-Wolfe line search).  ``optimizer.state[p]`` is a dict of
tensors per parameter, as in PyTorch; parameters keep their own storage.

Schedulers: tensorlite.optim.lr_scheduler (StepLR, MultiStepLR, ConstantLR, LinearLR,
ExponentialLR, CosineAnnealingLR, LambdaLR, MultiplicativeLR, OneCycleLR, SequentialLR,
ReduceLROnPlateau, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, ChainedScheduler).
Clipping: clip_grad_norm_, clip_grad_value_ (also tl.nn.utils).
"""
from .optimizer import Optimizer, required
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adaptive import Adagrad, Adamax, NAdam, RAdam
from .classic import Adadelta, Rprop, ASGD
from .lbfgs import LBFGS
from ..nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from . import lr_scheduler

__all__ = ["Optimizer", "required", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam",
           "RAdam", "Adadelta", "Rprop", "ASGD", "LBFGS", "lr_scheduler",
           "clip_grad_norm_", "clip_grad_value_"]
