"""Hostile inputs to tl.nn (layers, losses, containers, Module, init, utils), tl.optim (optimizers,
schedulers, clipping), tl.data (datasets, samplers, DataLoader, transforms) and tl.save / tl.load.
Same rules as test_hostile_inputs.py: each row must raise ValueError, TypeError or IndexError whose
message names the function, the argument and the offending value.

Last, the exhaustiveness test: every public callable of tl, tl.nn, tl.nn.functional, tl.nn.init,
tl.nn.utils, tl.optim, tl.optim.lr_scheduler, tl.data and tl.data.transforms is exercised by a row
of one of the three tables (this one, test_hostile_inputs.py, test_hostile_inputs_porting.py) or
named, with the reason, in ALLOW (or, while another engineer is still writing the op, in PENDING_H10)."""
import atexit
import os
import shutil
import tempfile
import types

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F
import tensorlite.nn.init as init
import tensorlite.nn.utils as nn_utils
import tensorlite.optim as optim
import tensorlite.optim.lr_scheduler as sched
import tensorlite.data as data
import tensorlite.data.transforms as T
from tensorlite.errors import ShapeError, DTypeError, ArgumentError
from tensorlite.serialization import CheckpointError

from hostile import C, check_row, params
import test_hostile_inputs
import test_hostile_inputs_porting

TMP = tempfile.mkdtemp(prefix="tl-hostile-")
atexit.register(shutil.rmtree, TMP, True)


def _file(name, blob):
    path = os.path.join(TMP, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(blob)
    return path


def _idx(arr):
    """An IDX (MNIST) file holding the uint8 array `arr`."""
    return bytes([0, 0, 8, arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape) + arr.tobytes()


MNIST_ROOT = os.path.join(TMP, "mnist")
_file("mnist/train-images-idx3-ubyte", _idx(np.zeros((3, 28, 28), np.uint8)))
_file("mnist/train-labels-idx1-ubyte", _idx(np.array([0, 1, 2], np.uint8)))
JUNK = _file("junk.safetensors", b"not a checkpoint")
GOOD = os.path.join(TMP, "good.safetensors")
tl.save({"w": tl.zeros(2)}, GOOD)
MISSING = os.path.join(TMP, "missing.safetensors")

x23, x45, img = tl.randn(2, 3), tl.randn(4, 5), tl.randn(2, 3, 8, 8)
logits, labels, probs = tl.randn(4, 3), tl.tensor([0, 2, 1, 0]), tl.rand(4, 3)
ds = data.TensorDataset(tl.randn(4, 3), tl.tensor([0, 1, 0, 1]))
u8 = np.zeros((8, 8, 3), np.uint8)


def P():
    return [nn.Parameter(tl.randn(3))]


def sgd(**kw):
    return optim.SGD(P(), lr=0.1, **kw)


def _stepped_state():
    """A state_dict of an SGD with momentum whose buffer has the wrong number of elements."""
    opt = sgd(momentum=0.9)
    opt.param_groups[0]["params"][0].grad = tl.ones(3)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = tl.zeros(5)
    return opt, sd


NN = [
    # ---- layers: constructors and forward calls with wrong input shapes
    C(nn.Linear, -1, 3).raises(ValueError, "Linear", "in_features", "-1"),
    C(nn.Linear, 3, 2.5).raises(ValueError, "Linear", "out_features", "2.5"),
    C(lambda: nn.Linear(3, 2)(tl.randn(4, 5)), covers=nn.Linear).raises(ShapeError, "linear()", "weight", "(2, 3)"),
    C(nn.Conv2d, 3, 6, 0).raises(ValueError, "Conv2d", "kernel_size", "0"),
    C(nn.Conv2d, 3, 6, (1, 2, 3)).raises(ValueError, "Conv2d", "kernel_size", "(1, 2, 3)"),
    C(nn.Conv2d, 0, 6, 3).raises(ValueError, "Conv2d", "in_channels", "0"),
    C(nn.Conv2d, 3, 6, 3, groups=2).raises(ValueError, "Conv2d", "groups", "(2)"),
    C(nn.Conv2d, 3, 6, 3, padding_mode="wrap").raises(ValueError, "Conv2d", "padding_mode", "'wrap'"),
    C(lambda: nn.Conv2d(3, 6, 3)(tl.randn(2, 4, 8, 8)), covers=nn.Conv2d).raises(ShapeError, "conv2d()", "weight",
                                                                                 "(2, 4, 8, 8)"),
    C(lambda: nn.Conv2d(3, 6, 3, stride=0)(img), covers=nn.Conv2d).raises(ValueError, "conv2d()", "stride", "0"),
    C(lambda: nn.MaxPool2d(0)(img), covers=nn.MaxPool2d).raises(ValueError, "max_pool2d()", "kernel_size", "0"),
    C(lambda: nn.MaxPool2d(2)(tl.randn(8)), covers=nn.MaxPool2d).raises(ShapeError, "max_pool2d()", "input",
                                                                        "(8,)"),
    C(lambda: nn.AvgPool2d(3, padding=2)(img), covers=nn.AvgPool2d).raises(ValueError, "avg_pool2d()", "padding",
                                                                           "(2, 2)"),
    C(lambda: nn.AdaptiveAvgPool2d(-2)(img), covers=nn.AdaptiveAvgPool2d).raises(
        ValueError, "adaptive_avg_pool2d()", "output_size", "-2"),
    C(nn.BatchNorm1d, 0).raises(ValueError, "BatchNorm1d", "num_features", "0"),
    C(lambda: nn.BatchNorm1d(3)(tl.randn(2, 4)), covers=nn.BatchNorm1d).raises(ValueError, "BatchNorm1d", "input",
                                                                               "(2, 4)"),
    C(lambda: nn.BatchNorm2d(3)(tl.randn(2, 3, 4)), covers=nn.BatchNorm2d).raises(ValueError, "BatchNorm2d",
                                                                                  "input", "(2, 3, 4)"),
    C(lambda: nn.BatchNorm3d(3)(img), covers=nn.BatchNorm3d).raises(ValueError, "BatchNorm3d", "input",
                                                                    "(2, 3, 8, 8)"),
    C(lambda: nn.BatchNorm2d(3, eps=-1.0)(img), covers=nn.BatchNorm2d).raises(ValueError, "batch_norm()", "eps",
                                                                              "-1.0"),
    C(lambda: nn.LocalResponseNorm(0)(img), covers=nn.LocalResponseNorm).raises(ValueError, "local_response_norm()",
                                                                                "size", "0"),
    C(nn.Dropout, 1.5).raises(ValueError, "Dropout", "'p'", "1.5"),
    C(nn.Dropout2d, -0.5).raises(ValueError, "Dropout2d", "'p'", "-0.5"),
    C(lambda: nn.Dropout2d()(tl.randn(5)), covers=nn.Dropout2d).raises(ShapeError, "dropout2d()", "input", "(5,)"),
    C(lambda: nn.ReLU()(x23 > 0), covers=nn.ReLU).raises(TypeError, "relu()", "input", "bool"),
    C(lambda: nn.ReLU6()("x"), covers=nn.ReLU6).raises(TypeError, "relu6()", "input", "str"),
    C(lambda: nn.SiLU()(None), covers=nn.SiLU).raises(TypeError, "silu()", "input", "NoneType"),
    C(lambda: nn.LeakyReLU("a")(x23), covers=nn.LeakyReLU).raises(TypeError, "leaky_relu()", "negative_slope",
                                                                  "'a'"),
    C(lambda: nn.GELU("fast")(x23), covers=nn.GELU).raises(ValueError, "gelu()", "approximate", "'fast'"),
    C(lambda: nn.Tanh()("x"), covers=nn.Tanh).raises(TypeError, "tanh()", "input", "str"),
    C(lambda: nn.Sigmoid()(None), covers=nn.Sigmoid).raises(TypeError, "sigmoid()", "input", "NoneType"),
    C(lambda: nn.Softmax(dim=2)(x23), covers=nn.Softmax).raises(IndexError, "softmax()", "dim", "2"),
    C(lambda: nn.LogSoftmax(dim="1")(x23), covers=nn.LogSoftmax).raises(TypeError, "log_softmax()", "dim", "str"),
    C(lambda: nn.Flatten(2, 1)(img), covers=nn.Flatten).raises(ValueError, "flatten()", "start_dim", "2"),
    C(nn.Unflatten, 1, 5).raises(TypeError, "Unflatten", "unflattened_size", "5"),
    C(lambda: nn.Unflatten(1, (2, 2))(x23), covers=nn.Unflatten).raises(ShapeError, "unflatten()", "sizes",
                                                                        "[2, 2]"),
    # ---- losses
    C(nn.CrossEntropyLoss, reduction="avg").raises(ValueError, "CrossEntropyLoss", "reduction", "'avg'"),
    C(nn.CrossEntropyLoss, weight=[1.0, 2.0]).raises(TypeError, "CrossEntropyLoss", "weight", "list"),
    C(lambda: nn.CrossEntropyLoss()(logits, tl.tensor([0, 9, 1, 0])), covers=nn.CrossEntropyLoss).raises(
        IndexError, "cross_entropy()", "target", "9"),
    C(nn.NLLLoss, reduction=None).raises(ValueError, "NLLLoss", "reduction", "None"),
    C(lambda: nn.NLLLoss()(logits, labels.float()), covers=nn.NLLLoss).raises(TypeError, "nll_loss()", "target",
                                                                             "float32"),
    C(lambda: nn.MSELoss()(x23, x45), covers=nn.MSELoss).raises(ShapeError, "mse_loss()", "target", "(4, 5)"),
    C(lambda: nn.L1Loss()(x23, "a"), covers=nn.L1Loss).raises(TypeError, "l1_loss()", "target", "str"),
    C(lambda: nn.SmoothL1Loss(beta=-1.0)(x23, x23), covers=nn.SmoothL1Loss).raises(ValueError, "smooth_l1_loss()",
                                                                                   "beta", "-1.0"),
    C(nn.BCEWithLogitsLoss, pos_weight=[1.0]).raises(TypeError, "BCEWithLogitsLoss", "pos_weight", "list"),
    C(lambda: nn.BCEWithLogitsLoss()(logits, probs[:2]), covers=nn.BCEWithLogitsLoss).raises(
        ShapeError, "binary_cross_entropy_with_logits()", "target", "(2, 3)"),
    C(lambda: nn.BCELoss()(tl.tensor([1.5]), tl.tensor([1.0])), covers=nn.BCELoss).raises(
        ValueError, "binary_cross_entropy()", "input", "1.5"),
    # ---- containers, Module, Parameter, Buffer
    C(nn.Sequential, nn.ReLU(), 5).raises(TypeError, "add_module()", "module", "int"),
    C(lambda: nn.Sequential(nn.ReLU())[3], covers=nn.Sequential).raises(IndexError, "Sequential", "index", "3"),
    C(lambda: nn.Sequential(nn.ReLU())["a"], covers=nn.Sequential).raises(TypeError, "Sequential", "index", "'a'"),
    C(nn.ModuleList, 5).raises(TypeError, "ModuleList", "modules", "int"),
    C(nn.ModuleList, [nn.ReLU(), "x"]).raises(TypeError, "add_module()", "module", "str"),
    C(nn.ModuleDict, {"a": 1}).raises(TypeError, "add_module()", "module", "int"),
    C(nn.ModuleDict, {"a.b": nn.ReLU()}).raises(KeyError, "add_module()", "name", "'a.b'"),
    C(nn.ModuleDict, 5).raises(TypeError, "ModuleDict.update()", "modules", "int"),
    C(lambda: nn.Linear(3, 2).load_state_dict({"weight": tl.zeros(2, 3)}), covers=nn.Module).raises(
        ArgumentError, "load_state_dict()", "state_dict", '"bias"'),
    C(lambda: nn.Linear(3, 2).load_state_dict({"weight": tl.zeros(3, 3), "bias": tl.zeros(2)}),
      covers=nn.Module).raises(ArgumentError, "load_state_dict()", "weight", "(3, 3)"),
    C(lambda: nn.Linear(3, 2).load_state_dict([1]), covers=nn.Module).raises(TypeError, "load_state_dict()",
                                                                             "state_dict", "list"),
    C(lambda: nn.Linear(3, 2).register_parameter("a.b", None), covers=nn.Module).raises(
        KeyError, "register_parameter()", "name", "'a.b'"),
    C(lambda: nn.Linear(3, 2).register_parameter("w", tl.zeros(2)), covers=nn.Module).raises(
        TypeError, "register_parameter()", "parameter 'w'", "Tensor"),
    C(lambda: nn.Linear(3, 2).register_buffer("b", [1]), covers=nn.Module).raises(TypeError, "register_buffer()",
                                                                                  "buffer 'b'", "list"),
    C(lambda: nn.Linear(3, 2).train("yes"), covers=nn.Module).raises(ValueError, "train()", "mode", "'yes'"),
    C(lambda: nn.Linear(3, 2).to("cuda"), covers=nn.Module).raises(ValueError, "Module.to()", "device", "'cuda'"),
    C(lambda: nn.Linear(3, 2).to(tl.int64), covers=nn.Module).raises(TypeError, "Module.to()", "dtype", "int64"),
    C(nn.Parameter, "abc").raises(TypeError, "Parameter()", "data", "'abc'"),
    C(nn.Parameter, tl.tensor([1, 2])).raises(DTypeError, "Parameter()", "data", "int64"),
    C(nn.Buffer, "abc").raises(TypeError, "Buffer()", "data", "str"),
    # ---- tl.nn.init, tl.nn.utils
    C(init.kaiming_normal_, tl.zeros(3)).raises(ValueError, "kaiming_normal_()", "tensor", "(3,)"),
    C(init.kaiming_uniform_, tl.zeros(3, 3), mode="fan").raises(ValueError, "kaiming_uniform_()", "mode", "'fan'"),
    C(init.xavier_uniform_, tl.zeros(3)).raises(ValueError, "xavier_uniform_()", "tensor", "(3,)"),
    C(init.xavier_normal_, [1, 2]).raises(TypeError, "xavier_normal_()", "tensor", "list"),
    C(init.uniform_, tl.zeros(3), 1.0, 0.0).raises(ValueError, "uniform_()", "a=1.0", "b=0.0"),
    C(init.normal_, tl.zeros(3), std=-1.0).raises(ValueError, "normal_()", "std", "-1.0"),
    C(init.trunc_normal_, tl.zeros(3), a=2.0, b=-2.0).raises(ValueError, "trunc_normal_()", "a=2.0", "b=-2.0"),
    C(init.trunc_normal_, tl.zeros(3), mean=100.0).raises(ValueError, "trunc_normal_()", "mean", "100.0"),
    C(init.constant_, tl.zeros(3), "a").raises(TypeError, "constant_()", "val", "'a'"),
    C(init.zeros_, None).raises(TypeError, "zeros_()", "tensor", "NoneType"),
    C(init.ones_, [1]).raises(TypeError, "ones_()", "tensor", "list"),
    C(init.eye_, tl.zeros(2, 2, 2)).raises(ValueError, "eye_()", "tensor", "(2, 2, 2)"),
    C(init.orthogonal_, tl.zeros(3)).raises(ValueError, "orthogonal_()", "tensor", "(3,)"),
    C(init.calculate_gain, "swish").raises(ValueError, "calculate_gain()", "nonlinearity", "'swish'"),
    C(init.calculate_gain, "leaky_relu", "a").raises(ValueError, "calculate_gain()", "param", "'a'"),
    C(nn_utils.clip_grad_norm_, P(), -1.0).raises(ValueError, "clip_grad_norm_()", "max_norm", "-1.0"),
    C(nn_utils.clip_grad_value_, P(), "a").raises(TypeError, "clip_grad_value_()", "clip_value", "'a'"),
    C(nn_utils.parameters_to_vector, []).raises(ValueError, "parameters_to_vector()", "parameters", "[]"),
    C(nn_utils.parameters_to_vector, [1]).raises(TypeError, "parameters_to_vector()", "parameters", "int"),
    C(nn_utils.vector_to_parameters, tl.zeros(2), P()).raises(ValueError, "vector_to_parameters()", "vec", "(2,)"),
    C(nn_utils.vector_to_parameters, [1.0], P()).raises(TypeError, "vector_to_parameters()", "vec", "list"),
]

img1d = tl.randn(2, 3, 8)

NN_EXTRA = [
    # ---- normalization, embedding, convolution, pooling, padding modules (tensorlite/nn/normalization.py, ...)
    C(nn.LayerNorm, 0).raises(ValueError, "LayerNorm", "normalized_shape", "0"),
    C(nn.LayerNorm, "a").raises(TypeError, "LayerNorm", "normalized_shape", "'a'"),
    C(lambda: nn.LayerNorm(4)(x23), covers=nn.LayerNorm).raises(ShapeError, "layer_norm()", "normalized_shape",
                                                                "(2, 3)"),
    C(nn.GroupNorm, 2, 3).raises(ValueError, "GroupNorm", "num_channels", "(3)"),
    C(nn.GroupNorm, 0, 4).raises(ValueError, "GroupNorm", "num_groups", "0"),
    C(lambda: nn.GroupNorm(1, 4)(img), covers=nn.GroupNorm).raises(ShapeError, "group_norm()", "weight",
                                                                   "(2, 3, 8, 8)"),
    C(nn.InstanceNorm2d, -1).raises(ValueError, "InstanceNorm2d", "num_features", "-1"),
    C(lambda: nn.InstanceNorm2d(3)(x23), covers=nn.InstanceNorm2d).raises(ValueError, "InstanceNorm2d", "input",
                                                                          "(2, 3)"),
    C(lambda: nn.InstanceNorm1d(3)(img), covers=nn.InstanceNorm1d).raises(ValueError, "InstanceNorm1d", "input",
                                                                          "(2, 3, 8, 8)"),
    C(F.instance_norm, x23).raises(ShapeError, "instance_norm()", "input", "(2, 3)"),
    C(F.instance_norm, img, weight=tl.ones(4)).raises(ShapeError, "instance_norm()", "weight", "(4,)"),
    C(F.instance_norm, tl.randn(2, 3, 1)).raises(ValueError, "instance_norm()", "spatial", "(2, 3, 1)"),
    C(nn.Embedding, 5, 3, padding_idx=5).raises(ValueError, "Embedding", "padding_idx", "5"),
    C(nn.Embedding, -1, 3).raises(ValueError, "Embedding", "num_embeddings", "-1"),
    C(lambda: nn.Embedding(5, 3)(tl.tensor([7])), covers=nn.Embedding).raises(IndexError, "embedding()", "input",
                                                                              "7"),
    C(F.embedding, tl.tensor([0, -1]), x45).raises(IndexError, "embedding()", "input", "-1"),
    C(F.embedding, tl.tensor([0.5]), x45).raises(TypeError, "embedding()", "input", "float32"),
    C(F.embedding, tl.tensor([0]), tl.randn(4)).raises(ShapeError, "embedding()", "weight", "(4,)"),
    C(F.embedding, tl.tensor([0]), x45, padding_idx=9).raises(ValueError, "embedding()", "padding_idx", "9"),
    C(F.embedding, tl.tensor([0]), x45, max_norm=-1.0).raises(ValueError, "embedding()", "max_norm", "-1.0"),
    C(nn.Conv1d, 3, 6, 0).raises(ValueError, "Conv1d", "kernel_size", "0"),
    C(nn.Conv1d, 3, 6, (1, 2)).raises(ValueError, "Conv1d", "kernel_size", "(1, 2)"),
    C(nn.Conv1d, 3, 6, 3, groups=2).raises(ValueError, "Conv1d", "groups", "(2)"),
    C(lambda: nn.Conv1d(3, 6, 3)(tl.randn(2, 4, 8)), covers=nn.Conv1d).raises(ShapeError, "conv1d()", "weight",
                                                                              "(2, 4, 8)"),
    C(lambda: nn.MaxPool1d(0)(img1d), covers=nn.MaxPool1d).raises(ValueError, "max_pool1d()", "kernel_size", "0"),
    C(F.max_pool1d, img, 2).raises(ShapeError, "max_pool1d()", "input", "(2, 3, 8, 8)"),
    C(F.max_pool1d, img1d, 2, padding=2).raises(ValueError, "max_pool1d()", "padding", "2"),
    C(F.max_pool1d, img1d, 2, stride="a").raises(TypeError, "max_pool1d()", "stride", "'a'"),
    C(nn.AvgPool1d, (2, 2)).raises(ValueError, "AvgPool1d", "kernel_size", "(2, 2)"),
    C(lambda: nn.AvgPool1d(2)(img), covers=nn.AvgPool1d).raises(ShapeError, "avg_pool1d()", "input",
                                                                "(2, 3, 8, 8)"),
    C(F.avg_pool1d, img1d, (2, 2)).raises(TypeError, "avg_pool1d()", "kernel_size", "(2, 2)"),
    C(F.avg_pool1d, img1d, 9).raises(ShapeError, "avg_pool1d()", "kernel_size", "9"),
    C(lambda: nn.AdaptiveMaxPool2d(-2)(img), covers=nn.AdaptiveMaxPool2d).raises(
        ValueError, "adaptive_max_pool2d()", "output_size", "-2"),
    C(nn.ZeroPad2d, (1, 2, 3)).raises(TypeError, "ZeroPad2d", "padding", "(1, 2, 3)"),
    C(lambda: nn.ZeroPad2d(-5)(x23), covers=nn.ZeroPad2d).raises(ValueError, "pad()", "pad", "(-5, -5, -5, -5)"),
    C(nn.ConstantPad2d, 1, "a").raises(TypeError, "ConstantPad2d", "value", "'a'"),
    C(nn.ConstantPad2d, 1.5, 0.0).raises(TypeError, "ConstantPad2d", "padding", "1.5"),
    C(nn.ParameterList, [1]).raises(TypeError, "ParameterList.append()", "value", "int"),
    C(nn.ParameterList, 5).raises(TypeError, "ParameterList.extend()", "values", "int"),
    C(lambda: nn.ParameterList()[0], covers=nn.ParameterList).raises(IndexError, "ParameterList", "index", "0"),
    C(nn.ParameterDict, {"a": 1}).raises(TypeError, "ParameterDict", "'a'", "int"),
    C(nn.ParameterDict, 5).raises(TypeError, "ParameterDict.update()", "parameters", "int"),
    C(nn.ParameterDict, {"a.b": tl.zeros(1)}).raises(KeyError, "register_parameter()", "name", "'a.b'"),
    C(nn.HuberLoss, reduction="avg").raises(ValueError, "HuberLoss", "reduction", "'avg'"),
    C(lambda: nn.HuberLoss(delta=-1.0)(x23, x23), covers=nn.HuberLoss).raises(ValueError, "huber_loss()", "delta",
                                                                              "-1.0"),
    C(nn.KLDivLoss, reduction="avg").raises(ValueError, "KLDivLoss", "reduction", "'avg'"),
    # ---- activations (tensorlite/ops/activation.py, tensorlite/nn/activation.py)
    C(F.elu, x23 > 0).raises(TypeError, "elu()", "input", "bool"),
    C(F.elu, x23, alpha="a").raises(TypeError, "elu()", "alpha", "'a'"),
    C(lambda: nn.ELU(alpha=[1.0])(x23), covers=nn.ELU).raises(TypeError, "elu()", "alpha", "[1.0]"),
    C(F.selu, "x").raises(TypeError, "selu()", "input", "str"),
    C(lambda: nn.SELU()(x23 > 0), covers=nn.SELU).raises(TypeError, "selu()", "input", "bool"),
    C(F.celu, x23, alpha=0.0).raises(ValueError, "celu()", "alpha", "0.0"),
    C(lambda: nn.CELU(alpha=0)(x23), covers=nn.CELU).raises(ValueError, "celu()", "alpha", "0"),
    C(F.mish, None).raises(TypeError, "mish()", "input", "NoneType"),
    C(lambda: nn.Mish()("x"), covers=nn.Mish).raises(TypeError, "mish()", "input", "str"),
    C(F.softsign, x23 > 0).raises(TypeError, "softsign()", "input", "bool"),
    C(lambda: nn.Softsign()(None), covers=nn.Softsign).raises(TypeError, "softsign()", "input", "NoneType"),
    C(F.hardswish, "x").raises(TypeError, "hardswish()", "input", "str"),
    C(lambda: nn.Hardswish()(x23 > 0), covers=nn.Hardswish).raises(TypeError, "hardswish()", "input", "bool"),
    C(F.hardsigmoid, None).raises(TypeError, "hardsigmoid()", "input", "NoneType"),
    C(lambda: nn.Hardsigmoid()("x"), covers=nn.Hardsigmoid).raises(TypeError, "hardsigmoid()", "input", "str"),
    C(F.logsigmoid, x23 > 0).raises(TypeError, "logsigmoid()", "input", "bool"),
    C(lambda: nn.LogSigmoid()(None), covers=nn.LogSigmoid).raises(TypeError, "logsigmoid()", "input", "NoneType"),
    C(F.tanhshrink, "x").raises(TypeError, "tanhshrink()", "input", "str"),
    C(lambda: nn.Tanhshrink()(x23 > 0), covers=nn.Tanhshrink).raises(TypeError, "tanhshrink()", "input", "bool"),
    C(F.softmin, x23, dim=2).raises(IndexError, "softmin()", "dim", "2"),
    C(lambda: nn.Softmin(dim="1")(x23), covers=nn.Softmin).raises(TypeError, "softmin()", "dim", "str"),
    C(F.glu, tl.randn(3, 3), dim=0).raises(ShapeError, "glu()", "dim", "size 3"),
    C(F.glu, tl.tensor(1.0)).raises(ShapeError, "glu()", "input", "shape ()"),
    C(lambda: nn.GLU(dim=2)(x23), covers=nn.GLU).raises(IndexError, "glu()", "dim", "2"),
    C(F.prelu, img, tl.ones(2)).raises(ShapeError, "prelu()", "weight", "(2,)"),
    C(F.prelu, x23, [0.25]).raises(TypeError, "prelu()", "weight", "list"),
    C(nn.PReLU, 0).raises(ValueError, "PReLU", "num_parameters", "0"),
    C(nn.PReLU, 1, init="a").raises(TypeError, "PReLU", "init", "'a'"),
    C(lambda: nn.PReLU(4)(img), covers=nn.PReLU).raises(ShapeError, "prelu()", "weight", "(4,)"),
    C(F.threshold, x23, "a", 0.0).raises(TypeError, "threshold()", "threshold", "'a'"),
    C(lambda: nn.Threshold(0.1, None)(x23), covers=nn.Threshold).raises(TypeError, "threshold()", "value",
                                                                        "None"),
    C(lambda: nn.Softplus()("x"), covers=nn.Softplus).raises(TypeError, "softplus()", "input", "str"),
    C(nn.Hardtanh, 1.0, -1.0).raises(ValueError, "Hardtanh", "min_val", "1.0"),
    # ---- normalize, distances, pixel_shuffle
    C(F.normalize, x23, p=0).raises(ValueError, "normalize()", "'p'", "0"),
    C(F.normalize, x23, dim=2).raises(IndexError, "normalize()", "dim", "2"),
    C(F.normalize, x23, eps=-1.0).raises(ValueError, "normalize()", "eps", "-1.0"),
    C(F.cosine_similarity, x23, x45).raises(ShapeError, "cosine_similarity()", "x2", "(4, 5)"),
    C(F.cosine_similarity, x23, x23, dim=3).raises(IndexError, "cosine_similarity()", "dim", "3"),
    C(lambda: nn.CosineSimilarity()(x23, "a"), covers=nn.CosineSimilarity).raises(TypeError, "cosine_similarity()",
                                                                                 "x2", "str"),
    C(F.pairwise_distance, x23, x45).raises(ShapeError, "pairwise_distance()", "x2", "(4, 5)"),
    C(F.pairwise_distance, x23, x23, p=-1).raises(ValueError, "pairwise_distance()", "'p'", "-1"),
    C(lambda: nn.PairwiseDistance(eps=-1.0)(x23, x23), covers=nn.PairwiseDistance).raises(
        ValueError, "pairwise_distance()", "eps", "-1.0"),
    C(F.pixel_shuffle, img, 2).raises(ShapeError, "pixel_shuffle()", "upscale_factor", "(2, 3, 8, 8)"),
    C(F.pixel_shuffle, x23, 2).raises(ShapeError, "pixel_shuffle()", "input", "(2, 3)"),
    C(F.pixel_shuffle, img, 0).raises(ValueError, "pixel_shuffle()", "upscale_factor", "0"),
    C(lambda: nn.PixelShuffle(1.5)(img), covers=nn.PixelShuffle).raises(TypeError, "pixel_shuffle()",
                                                                        "upscale_factor", "1.5"),
    C(F.unfold, x23, 2).raises(ShapeError, "unfold()", "input", "(2, 3)"),
    C(F.unfold, img, 0).raises(ValueError, "unfold()", "kernel_size", "0"),
    C(F.unfold, img, 2, padding=-1).raises(ValueError, "unfold()", "padding", "-1"),
    C(F.unfold, img, 9).raises(ShapeError, "unfold()", "kernel_size", "(9, 9)"),
    C(lambda: nn.Unfold((2, 2, 2))(img), covers=nn.Unfold).raises(TypeError, "unfold()", "kernel_size",
                                                                  "(2, 2, 2)"),
]

OPTIM = [
    # ---- optimizers: bad hyper-parameters, params that are not leaf tensors, bad state dicts
    C(optim.SGD, P(), lr=-1.0).raises(ValueError, "SGD", "lr", "-1.0"),
    C(optim.SGD, P(), lr=float("nan")).raises(ValueError, "SGD", "lr", "nan"),
    C(optim.SGD, P(), lr=0.1, momentum=-0.5).raises(ValueError, "SGD", "momentum", "-0.5"),
    C(optim.SGD, P(), lr=0.1, nesterov=True).raises(ValueError, "SGD", "momentum", "momentum=0"),
    C(optim.SGD, [], lr=0.1).raises(ValueError, "SGD", "params", "empty"),
    C(optim.SGD, tl.zeros(3), lr=0.1).raises(TypeError, "SGD", "params", "Tensor"),
    C(optim.SGD, 5, lr=0.1).raises(TypeError, "SGD", "params", "int"),
    C(optim.SGD, ["a"], lr=0.1).raises(TypeError, "SGD", "params", "str"),
    C(optim.SGD, [tl.ones(3, requires_grad=True) * 2], lr=0.1).raises(ValueError, "SGD", "params", "non-leaf"),
    C(optim.SGD, [{"params": set(P())}], lr=0.1).raises(TypeError, "SGD", "params", "set"),
    C(optim.SGD, [{"lr": 0.1}]).raises(ValueError, "SGD", "'params'", "['lr']"),
    C(lambda: sgd().add_param_group(5), covers=optim.SGD).raises(TypeError, "SGD", "param_group", "int"),
    C(lambda: optim.SGD(P() * 2, lr=0.1), covers=optim.SGD).raises(ValueError, "SGD", "params", "more than once"),
    C(lambda: sgd().load_state_dict({}), covers=optim.SGD).raises(ValueError, "SGD.load_state_dict()",
                                                                  "state_dict", "[]"),
    C(lambda: sgd().load_state_dict({"state": {}, "param_groups": []}), covers=optim.SGD).raises(
        ValueError, "SGD.load_state_dict()", "state_dict", "(0 vs 1)"),
    C(lambda: (lambda o, sd: o.load_state_dict(sd))(*_stepped_state()), covers=optim.SGD).raises(
        ValueError, "SGD.load_state_dict()", "momentum_buffer", "5 elements"),
    C(optim.Adam, P(), betas=(1.5, 0.9)).raises(ValueError, "Adam", "beta", "1.5"),
    C(optim.Adam, P(), betas=0.9).raises(ValueError, "Adam", "betas", "0.9"),
    C(optim.Adam, P(), eps=-1e-8).raises(ValueError, "Adam", "eps", "-1e-08"),
    C(optim.AdamW, P(), weight_decay=-0.1).raises(ValueError, "AdamW", "weight_decay", "-0.1"),
    C(optim.AdamW, P(), lr="fast").raises(ValueError, "AdamW", "lr", "fast"),
    C(optim.RMSprop, P(), alpha=-0.9).raises(ValueError, "RMSprop", "alpha", "-0.9"),
    C(optim.RMSprop, P(), momentum=float("nan")).raises(ValueError, "RMSprop", "momentum", "nan"),
    C(optim.Adagrad, P(), lr=-0.1).raises(ValueError, "Adagrad", "lr", "-0.1"),
    C(optim.Adagrad, P(), lr_decay=float("nan")).raises(ValueError, "Adagrad", "lr_decay", "nan"),
    C(optim.Adagrad, P(), initial_accumulator_value=-1.0).raises(ValueError, "Adagrad",
                                                                 "initial_accumulator_value", "-1.0"),
    C(optim.Adamax, P(), betas=(1.0, 0.9)).raises(ValueError, "Adamax", "beta", "1.0"),
    C(optim.Adamax, P(), eps="tiny").raises(ValueError, "Adamax", "eps", "tiny"),
    C(optim.NAdam, P(), momentum_decay=-0.004).raises(ValueError, "NAdam", "momentum_decay", "-0.004"),
    C(optim.NAdam, P(), weight_decay=-0.1).raises(ValueError, "NAdam", "weight_decay", "-0.1"),
    C(optim.RAdam, P(), lr=float("inf") * -1).raises(ValueError, "RAdam", "lr", "-inf"),
    C(optim.RAdam, P(), betas=0.9).raises(ValueError, "RAdam", "betas", "0.9"),
    C(optim.Optimizer, [], {}).raises(ValueError, "Optimizer", "params", "empty"),
    C(optim.clip_grad_norm_, P(), "a").raises(TypeError, "clip_grad_norm_()", "max_norm", "'a'"),
    C(optim.clip_grad_norm_, P(), float("nan")).raises(ValueError, "clip_grad_norm_()", "max_norm", "nan"),
    C(optim.clip_grad_norm_, P(), 1.0, norm_type="fro").raises(TypeError, "clip_grad_norm_()", "norm_type", "'fro'"),
    C(optim.clip_grad_norm_, 5, 1.0).raises(TypeError, "clip_grad_norm_()", "parameters", "int"),
    C(optim.clip_grad_value_, P(), -1.0).raises(ValueError, "clip_grad_value_()", "clip_value", "-1.0"),
    # ---- learning-rate schedulers
    C(sched.LRScheduler, [1]).raises(TypeError, "LRScheduler", "optimizer", "list"),
    C(sched.StepLR, [1], 5).raises(TypeError, "StepLR", "optimizer", "list"),
    C(sched.StepLR, sgd(), 0).raises(ValueError, "StepLR", "step_size", "0"),
    C(sched.StepLR, sgd(), 2, gamma=-0.5).raises(ValueError, "StepLR", "gamma", "-0.5"),
    C(sched.MultiStepLR, sgd(), 5).raises(TypeError, "MultiStepLR", "milestones", "5"),
    C(sched.MultiStepLR, sgd(), [2, 4], gamma="a").raises(TypeError, "MultiStepLR", "gamma", "'a'"),
    C(sched.ConstantLR, sgd(), factor=1.5).raises(ValueError, "ConstantLR", "factor", "1.5"),
    C(sched.LinearLR, sgd(), start_factor=0.0).raises(ValueError, "LinearLR", "start_factor", "0.0"),
    C(sched.LinearLR, sgd(), total_iters=0).raises(ValueError, "LinearLR", "total_iters", "0"),
    C(sched.ExponentialLR, sgd(), -0.9).raises(ValueError, "ExponentialLR", "gamma", "-0.9"),
    C(sched.ExponentialLR, sgd(), float("nan")).raises(ValueError, "ExponentialLR", "gamma", "nan"),
    C(sched.CosineAnnealingLR, sgd(), 0).raises(ValueError, "CosineAnnealingLR", "T_max", "0"),
    C(sched.LambdaLR, sgd(), 0.5).raises(TypeError, "LambdaLR", "lr_lambda", "0.5"),
    C(sched.LambdaLR, sgd(), [lambda e: 1.0] * 2).raises(ValueError, "LambdaLR", "lr_lambda", "got 2"),
    C(sched.MultiplicativeLR, "opt", lambda e: 0.9).raises(TypeError, "MultiplicativeLR", "optimizer", "str"),
    C(sched.OneCycleLR, sgd(), 0.1).raises(ValueError, "OneCycleLR", "total_steps", "None"),
    C(sched.OneCycleLR, sgd(), 0.1, total_steps=0).raises(ValueError, "OneCycleLR", "total_steps", "0"),
    C(sched.OneCycleLR, sgd(), 0.1, total_steps=10, pct_start=1.5).raises(ValueError, "OneCycleLR", "pct_start",
                                                                        "1.5"),
    C(sched.OneCycleLR, sgd(), [0.1, 0.2], total_steps=10).raises(ValueError, "OneCycleLR", "max_lr", "got 2"),
    C(sched.SequentialLR, sgd(), [], []).raises(ValueError, "SequentialLR", "scheduler", "no scheduler"),
    C(lambda: (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2)] * 2, []))(sgd()),
      covers=sched.SequentialLR).raises(ValueError, "SequentialLR", "milestone", "equal to 0"),
    C(lambda: sched.SequentialLR(sgd(), [sched.StepLR(sgd(), 2)], []), covers=sched.SequentialLR).raises(
        ValueError, "SequentialLR", "optimizer", "StepLR"),
    C(sched.ReduceLROnPlateau, sgd(), factor=1.5).raises(ValueError, "ReduceLROnPlateau", "factor", "1.5"),
    C(sched.ReduceLROnPlateau, sgd(), mode="avg").raises(ValueError, "ReduceLROnPlateau", "mode", "'avg'"),
    C(sched.ReduceLROnPlateau, sgd(), threshold_mode="x").raises(ValueError, "ReduceLROnPlateau",
                                                                 "threshold_mode", "'x'"),
    C(sched.ReduceLROnPlateau, sgd(), min_lr=[0, 0]).raises(ValueError, "ReduceLROnPlateau", "min_lr", "got 2"),
    C(sched.PolynomialLR, sgd(), total_iters=0).raises(ValueError, "PolynomialLR", "total_iters", "0"),
    C(sched.PolynomialLR, sgd(), power=float("nan")).raises(ValueError, "PolynomialLR", "power", "nan"),
    C(sched.CosineAnnealingWarmRestarts, sgd(), 0).raises(ValueError, "CosineAnnealingWarmRestarts", "T_0", "0"),
    C(sched.CosineAnnealingWarmRestarts, sgd(), 5, T_mult=1.5).raises(ValueError, "CosineAnnealingWarmRestarts",
                                                                      "T_mult", "1.5"),
    C(lambda: sched.CosineAnnealingWarmRestarts(sgd(), 5).step(-2), covers=sched.CosineAnnealingWarmRestarts).raises(
        ValueError, "CosineAnnealingWarmRestarts", "epoch", "-2"),
    C(sched.CyclicLR, sgd(), 0.01, 0.1, mode="sine").raises(ValueError, "CyclicLR", "mode", "'sine'"),
    C(sched.CyclicLR, sgd(), 0.01, 0.1, step_size_up=-5).raises(ValueError, "CyclicLR", "step_size_up", "-5"),
    C(sched.CyclicLR, sgd(), [0.01, 0.02], 0.1).raises(ValueError, "CyclicLR", "base_lr", "got 2"),
    C(sched.CyclicLR, optim.Adagrad(P()), 0.01, 0.1).raises(ValueError, "CyclicLR", "cycle_momentum", "Adagrad"),
    C(sched.ChainedScheduler, []).raises(ValueError, "ChainedScheduler", "schedulers", "no scheduler"),
    C(sched.ChainedScheduler, "abc").raises(TypeError, "ChainedScheduler", "schedulers", "str"),
    C(lambda: sched.ChainedScheduler([sched.StepLR(sgd(), 2), sched.StepLR(sgd(), 2)]),
      covers=sched.ChainedScheduler).raises(ValueError, "ChainedScheduler", "optimizer", "StepLR"),
]

DATA = [
    # ---- DataLoader, datasets, samplers, collation: bad sizes, bad samplers, indices out of range
    C(data.DataLoader, ds, batch_size=0).raises(ValueError, "DataLoader()", "batch_size", "0"),
    C(data.DataLoader, ds, batch_size=-2).raises(ValueError, "DataLoader()", "batch_size", "-2"),
    C(data.DataLoader, ds, batch_size=2.5).raises(ValueError, "DataLoader()", "batch_size", "2.5"),
    C(data.DataLoader, 5).raises(TypeError, "DataLoader()", "dataset", "int"),
    C(data.DataLoader, ds, sampler=5).raises(TypeError, "DataLoader()", "sampler", "int"),
    C(data.DataLoader, ds, batch_sampler="ab").raises(TypeError, "DataLoader()", "batch_sampler", "str"),
    C(data.DataLoader, ds, sampler=[0, 1], shuffle=True).raises(ValueError, "DataLoader()", "sampler",
                                                                "shuffle=True"),
    C(data.DataLoader, ds, num_workers=-1).raises(ValueError, "DataLoader()", "num_workers", "-1"),
    C(data.DataLoader, ds, collate_fn=5).raises(TypeError, "DataLoader()", "collate_fn", "int"),
    C(data.DataLoader, ds, timeout=-1).raises(ValueError, "DataLoader()", "timeout", "-1"),
    C(lambda: list(data.DataLoader(ds, sampler=[0, 7], batch_size=2)), covers=data.DataLoader).raises(
        IndexError, "TensorDataset", "index", "7"),
    C(lambda: ds[4], covers=data.TensorDataset).raises(IndexError, "TensorDataset", "index", "4"),
    C(data.TensorDataset, tl.zeros(3), tl.zeros(4)).raises(ValueError, "TensorDataset()", "tensor", "(4,)"),
    C(data.TensorDataset, [1, 2]).raises(TypeError, "TensorDataset()", "argument 0", "list"),
    C(data.TensorDataset).raises(ValueError, "TensorDataset()", "tensor", "at least one"),
    C(lambda: data.Subset(ds, [0, 1])[2], covers=data.Subset).raises(IndexError, "Subset", "index", "2"),
    C(data.Subset, ds, 3).raises(TypeError, "Subset()", "indices", "int"),
    C(lambda: data.Subset(ds, [9])[0], covers=data.Subset).raises(IndexError, "TensorDataset", "index", "9"),
    C(data.ConcatDataset, []).raises(ValueError, "ConcatDataset()", "datasets", "empty"),
    C(data.ConcatDataset, [ds, 5]).raises(TypeError, "ConcatDataset()", "datasets", "int"),
    C(lambda: data.ConcatDataset([ds, ds])[8], covers=data.ConcatDataset).raises(IndexError, "ConcatDataset",
                                                                                 "index", "8"),
    C(lambda: list(data.ChainDataset([ds])), covers=data.ChainDataset).raises(TypeError, "ChainDataset",
                                                                              "datasets", "TensorDataset"),
    C(data.random_split, ds, [3, 3]).raises(ValueError, "random_split()", "lengths", "(6)"),
    C(data.random_split, ds, 2).raises(TypeError, "random_split()", "lengths", "2"),
    C(data.random_split, ds, [-1, 5]).raises(ValueError, "random_split()", "lengths", "-1"),
    C(data.random_split, 5, [1]).raises(TypeError, "random_split()", "dataset", "int"),
    C(data.SequentialSampler, 5).raises(TypeError, "SequentialSampler()", "data_source", "int"),
    C(data.RandomSampler, ds, num_samples=0).raises(ValueError, "RandomSampler()", "num_samples", "0"),
    C(data.RandomSampler, ds, replacement="yes").raises(TypeError, "RandomSampler()", "replacement", "'yes'"),
    C(data.SubsetRandomSampler, "abc").raises(TypeError, "SubsetRandomSampler()", "indices", "str"),
    C(data.SubsetRandomSampler, [0.5, 1.5]).raises(TypeError, "SubsetRandomSampler()", "indices", "float64"),
    C(data.WeightedRandomSampler, [0.5, -1.0], 2).raises(ValueError, "WeightedRandomSampler()", "weights", "-1.0"),
    C(data.WeightedRandomSampler, [0.5, float("nan")], 2).raises(ValueError, "WeightedRandomSampler()", "weights",
                                                                 "nan"),
    C(data.WeightedRandomSampler, [0.5, 0.5], 0).raises(ValueError, "WeightedRandomSampler()", "num_samples", "0"),
    C(data.WeightedRandomSampler, [0.5, 0.0], 2, replacement=False).raises(ValueError, "WeightedRandomSampler()",
                                                                           "num_samples", "=2"),
    C(data.BatchSampler, data.SequentialSampler(ds), 0, False).raises(ValueError, "BatchSampler()", "batch_size",
                                                                      "0"),
    C(data.BatchSampler, 5, 2, False).raises(TypeError, "BatchSampler()", "sampler", "int"),
    C(data.BatchSampler, data.SequentialSampler(ds), 2, "no").raises(ValueError, "BatchSampler()", "drop_last",
                                                                     "'no'"),
    C(data.default_collate, []).raises(ValueError, "default_collate()", "batch", "empty"),
    C(data.default_collate, [tl.zeros(2), tl.zeros(3)]).raises(ShapeError, "default_collate", "stack", "[3]"),
    C(data.default_collate, [object()]).raises(TypeError, "default_collate()", "batch", "object"),
    C(data.StackedSamples, []).raises(ValueError, "StackedSamples()", "columns", "empty"),
    C(lambda: data.StackedSamples([[1, 2]])[5], covers=data.StackedSamples).raises(IndexError, "StackedSamples",
                                                                                   "index", "5"),
    C(data.MNIST, root=123).raises(TypeError, "MNIST()", "root", "int"),
    C(data.MNIST, root=MNIST_ROOT, transform=5).raises(TypeError, "MNIST()", "transform", "int"),
    C(lambda: data.MNIST(root=MNIST_ROOT)[3], covers=data.MNIST).raises(IndexError, "MNIST", "index", "3"),
    C(lambda: data.MNIST(root=MNIST_ROOT).__getitems__([0, -7]), covers=data.MNIST).raises(IndexError, "MNIST",
                                                                                           "index", "-7"),
    C(data.FashionMNIST, root=b"x", target_transform="y").raises(TypeError, "FashionMNIST()", "target_transform",
                                                                 "str"),
    C(data.CIFAR10, root=123).raises(TypeError, "CIFAR10()", "root", "int"),
    C(data.CIFAR10, transform="x").raises(TypeError, "CIFAR10()", "transform", "str"),
    # ---- transforms: wrong image shapes and dtypes, bad sizes, probabilities and ranges
    C(T.ToTensor(), np.zeros((2,) * 5, np.uint8), covers=T.ToTensor).raises(ValueError, "ToTensor()", "pic",
                                                                            "(2, 2, 2, 2, 2)"),
    C(T.ToTensor(), tl.zeros(3, 8, 8), covers=T.ToTensor).raises(TypeError, "ToTensor()", "pic", "Tensor"),
    C(T.ToTensor(), [1, 2], covers=T.ToTensor).raises(TypeError, "ToTensor()", "pic", "list"),
    C(T.Normalize, (0.5,), (0.0,)).raises(ValueError, "Normalize()", "std", "0.0"),
    C(T.Normalize, (0.5,), (float("nan"),)).raises(ValueError, "Normalize()", "std", "nan"),
    C(T.Normalize, "abc", (1.0,)).raises(TypeError, "Normalize()", "mean", "'abc'"),
    C(T.Normalize((0.5,) * 3, (0.2,) * 3), tl.zeros(4, 8, 8), covers=T.Normalize).raises(
        ValueError, "Normalize()", "mean", "4 channels"),
    C(T.Normalize((0.5,), (0.2,)), tl.zeros(8, 8), covers=T.Normalize).raises(ValueError, "Normalize()", "tensor",
                                                                              "(8, 8)"),
    C(T.Normalize((0.5,), (0.2,)), u8, covers=T.Normalize).raises(TypeError, "Normalize()", "float", "uint8"),
    C(T.Pad, -1).raises(ValueError, "Pad()", "padding", "-1"),
    C(T.Pad, 2 ** 62).raises(ValueError, "Pad()", "padding", str(2 ** 62)),
    C(T.Pad, (1, 2, 3)).raises(ValueError, "Pad()", "padding", "(1, 2, 3)"),
    C(T.Pad, 1, padding_mode="wrap").raises(ValueError, "Pad()", "padding_mode", "'wrap'"),
    C(T.Pad(10, padding_mode="reflect"), u8, covers=T.Pad).raises(ValueError, "Pad()", "padding", "(10, 10, 10, 10)"),
    C(T.Pad(1), np.zeros((8,), np.uint8), covers=T.Pad).raises(ValueError, "Pad()", "image", "(8,)"),
    C(T.CenterCrop, 0).raises(ValueError, "CenterCrop()", "size", "0"),
    C(T.CenterCrop, 2 ** 62).raises(ValueError, "CenterCrop()", "size", str(2 ** 62)),
    C(T.CenterCrop(4), "img", covers=T.CenterCrop).raises(TypeError, "CenterCrop()", "image", "str"),
    C(T.RandomCrop(16), u8, covers=T.RandomCrop).raises(ValueError, "RandomCrop()", "size", "(16, 16)"),
    C(T.RandomCrop, (4, 4, 4)).raises(ValueError, "RandomCrop()", "size", "(4, 4, 4)"),
    C(T.RandomHorizontalFlip, 1.5).raises(ValueError, "RandomHorizontalFlip()", "p", "1.5"),
    C(T.RandomVerticalFlip, "a").raises(TypeError, "RandomVerticalFlip()", "p", "'a'"),
    C(T.Resize, -4).raises(ValueError, "Resize()", "size", "-4"),
    C(T.Resize, 8, interpolation="cubic").raises(ValueError, "Resize()", "interpolation", "'cubic'"),
    C(T.RandomResizedCrop, 8, scale=(1.0, 0.5)).raises(ValueError, "RandomResizedCrop()", "scale", "(1.0, 0.5)"),
    C(T.RandomResizedCrop, 8, ratio=(-1, 1)).raises(ValueError, "RandomResizedCrop()", "ratio", "-1"),
    C(T.RandomAffine, -5).raises(ValueError, "RandomAffine()", "degrees", "-5"),
    C(T.RandomAffine, 0, translate=(2, 0)).raises(ValueError, "RandomAffine()", "translate", "(2.0, 0.0)"),
    C(T.RandomAffine, 0, scale=(-1, 1)).raises(ValueError, "RandomAffine()", "scale", "-1"),
    C(T.RandomRotation, -10).raises(ValueError, "RandomRotation()", "degrees", "-10"),
    C(T.RandomRotation, 10, expand=True).raises(ValueError, "RandomRotation()", "expand", "True"),
    C(T.RandomZoom, (0, 1)).raises(ValueError, "RandomZoom()", "scale", "(0.0, 1.0)"),
    C(T.RandomTranslate, (2, 0)).raises(ValueError, "RandomTranslate()", "translate", "(2.0, 0.0)"),
    C(T.ColorJitter, brightness=-1).raises(ValueError, "ColorJitter()", "brightness", "-1"),
    C(T.ColorJitter, hue=0.9).raises(ValueError, "ColorJitter()", "hue", "0.9"),
    C(T.Compose, [T.ToTensor(), 5]).raises(TypeError, "Compose()", "transform 1", "5"),
    C(T.Compose, 5).raises(TypeError, "Compose()", "transforms", "int"),
    C(T.Lambda, 5).raises(TypeError, "Lambda()", "lambd", "int"),
]

FILES = [
    # ---- tl.save / tl.load: bad paths, non-tensor values, files that are not checkpoints
    C(tl.save, {"w": x23}, None).raises(TypeError, "tl.save", "'f'", "NoneType"),
    C(tl.save, {"w": x23}, TMP).raises(CheckpointError, "tl.save", "'f'", TMP),
    C(tl.save, {"w": object()}, os.path.join(TMP, "o.safetensors")).raises(TypeError, "tl.save", "'w'", "object"),
    C(tl.save, {("a",): x23}, os.path.join(TMP, "k.safetensors")).raises(TypeError, "tl.save", "key", "('a',)"),
    C(tl.save, {"w": x23}, os.path.join(TMP, "m.safetensors"), metadata={"a": 1}).raises(TypeError, "tl.save",
                                                                                      "metadata", "1"),
    C(tl.load, 123).raises(TypeError, "tl.load", "'f'", "int"),
    C(tl.load, MISSING).raises(FileNotFoundError, "tl.load", "'f'", MISSING),
    C(tl.load, TMP).raises(CheckpointError, "tl.load", "'f'", TMP),
    C(tl.load, JUNK).raises(CheckpointError, "tl.load", JUNK, "not a safetensors"),
    C(tl.load, GOOD, map_location="cuda").raises(ValueError, "tl.load", "map_location", "'cuda'"),
]

ROWS = NN + NN_EXTRA + OPTIM + DATA + FILES


@pytest.mark.parametrize("row", params(ROWS))
def test_hostile_input_raises_a_clear_error(row):
    check_row(row)


# ---------------------------------------------------------------- exhaustiveness
NAMESPACES = {"tl": tl, "tl.nn": nn, "tl.nn.functional": F, "tl.nn.init": init, "tl.nn.utils": nn_utils,
              "tl.optim": optim, "tl.optim.lr_scheduler": sched, "tl.data": data, "tl.data.transforms": T}

# Public callables no row needs to exercise, each with the reason.
ALLOW = {
    "tl": {
        "no_grad", "enable_grad", "inference_mode",      # context managers; their one argument is a flag
        "is_grad_enabled", "get_default_dtype", "get_num_threads", "seed", "initial_seed",
        "get_rng_state",                                 # take no arguments
        "is_tensor",                                     # takes any object and answers True / False
        "dtype", "Size",                                 # type objects: users get instances from tensorlite
        "layout", "memory_format",                       # type objects: only the predefined instances exist
        "get_default_device", "get_printoptions", "get_float32_matmul_precision",
        "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
        "get_deterministic_debug_mode",                  # take no arguments
    },
    "tl.nn": {
        "Identity",                                      # accepts and returns anything, as PyTorch
        # covered in its own test file (added with the upsampling / distributed work):
        "ConvTranspose2d", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "SyncBatchNorm",
    },
    "tl.nn.functional": {"interpolate"},                 # covered in its own test file (upsampling)
    "tl.optim": {"FlatBucket"},                          # built by the optimizer; users only read it
    "tl.data": {
        "Dataset", "IterableDataset", "Sampler",         # abstract bases: users subclass them
        "get_worker_info",                               # takes no arguments
        "default_convert",                               # passes unknown types through unchanged, as PyTorch
        "DistributedSampler",                            # covered in its own test file (distributed)
    },
}


# Names whose only hostile rows fail today on ops H10 is still adding (tensorlite/ops/math_extra.py,
# shape_extra.py, statistics.py, indexing_extra.py, tensor.py); treated like ALLOW until fixed.
# The failing rows are test_hostile_inputs_porting.PENDING_ROWS (not run); names added while that
# table was written are listed with that reason.
PENDING_H10 = {
    "tl": {
        "result_type": "a non-Tensor operand gives 'tensorlite: unsupported operand type str', naming neither "
                       "result_type() nor the argument",
    },
}


def _all_rows():
    return test_hostile_inputs.ROWS + ROWS + test_hostile_inputs_porting.ROWS


def _public(mod):
    """Public callables of a namespace: its __all__ (or dir()), less modules, constants, dtype
    objects, exception classes and names imported from outside tensorlite."""
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    out = {}
    for n in names:
        obj = getattr(mod, n)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue
        if not (getattr(obj, "__module__", None) or "").startswith("tensorlite"):
            continue
        out[n] = obj
    return out


def test_every_public_callable_is_covered_or_allowed():
    covered = {id(r.covers) for r in _all_rows()}
    missing = {ns: sorted(n for n, obj in _public(mod).items()
                          if id(obj) not in covered and n not in ALLOW.get(ns, ()) and n not in PENDING_H10.get(ns, ()))
               for ns, mod in NAMESPACES.items()}
    assert not any(missing.values()), f"public names with no hostile-input row: {missing}"


def test_allow_list_names_exist_and_are_not_also_covered():
    covered = {id(r.covers) for r in _all_rows()}
    for ns, names in list(ALLOW.items()) + list(PENDING_H10.items()):
        mod = NAMESPACES[ns]
        for n in names:
            if hasattr(mod, n):
                assert id(getattr(mod, n)) not in covered, f"{ns}.{n} is covered; drop it from ALLOW"
    assert all(hasattr(tl, n) for n in ALLOW["tl"] | set(PENDING_H10["tl"]))
    assert not set(ALLOW["tl"]) & set(PENDING_H10["tl"])


def test_pending_rows_cover_pending_or_covered_names():
    """Every not-yet-run row exercises a name that is pending or covered by a passing row, so
    moving it into the table later changes no count."""
    covered = {id(r.covers) for r in _all_rows()}
    pending = {id(getattr(NAMESPACES[ns], n)) for ns, names in PENDING_H10.items() for n in names}
    assert all(id(r.covers) in covered | pending for r in test_hostile_inputs_porting.PENDING_ROWS)


def test_namespaces_do_not_leak_internals():
    """`from .ops import *` used to put autograd Function classes and argument helpers into tl."""
    for leaked in ("Add", "Relu", "Function", "namedtuple", "operands", "check_float", "values_indices",
                   "elementwise", "indexing", "movement", "reduction", "statistics", "math_extra", "shape_extra"):
        assert not hasattr(tl, leaked), leaked
    assert tl.linalg.__name__ == "tensorlite.linalg" and hasattr(tl.linalg, "lstsq")
