"""What ported PyTorch scripts hit in tensorlite.nn: the bias / affine / track_running_stats /
elementwise_affine switches of every module that has one (parameters, buffers, state-dict keys,
repr and outputs against torch), the state-dict machinery (per-module _load_from_state_dict,
_metadata versions, BatchNorm checkpoints without num_batches_tracked), activation reprs and
inplace=True, DataParallel, the torch.nn.modules.* import paths and Module's bulk operations.

Oracles: torch's own modules (built with the same arguments, state copied across as numpy
arrays) and finite differences (tl.autograd.gradcheck in float64) for the in-place paths.
"""
import copy
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn as nn
from tensorlite.errors import ArgumentError

torch = pytest.importorskip("torch")
TNN = torch.nn
FAST = settings(max_examples=15, deadline=None)


def _np_state(module):
    return OrderedDict((k, v.detach().numpy().copy()) for k, v in module.state_dict().items())


def _structure(m):
    """Everything about a module's registration that a port can observe."""
    return {
        "params": [(n, tuple(p.shape)) for n, p in m.named_parameters()],
        "buffers": [(n, tuple(b.shape)) for n, b in m.named_buffers()],
        "param_slots": list(m._parameters),                 # None entries included: registered as None
        "buffer_slots": list(m._buffers),
        "none_slots": sorted(k for k, v in list(m._parameters.items()) + list(m._buffers.items()) if v is None),
        "state_dict": [(k, tuple(v.shape)) for k, v in m.state_dict().items()],
        "repr": repr(m),
    }


def _assert_same_module(m, tm, x, tol=1e-5):
    assert _structure(m) == _structure(tm)
    m.load_state_dict(_np_state(tm))                         # strict: keys must agree exactly
    for mode in ("eval", "train"):
        getattr(m, mode)()
        getattr(tm, mode)()
        y, ty = m(tl.tensor(x)), tm(torch.tensor(x))
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol, err_msg=mode)
    for k, v in tm.state_dict().items():                      # running statistics after a training step
        np.testing.assert_allclose(m.state_dict()[k].numpy(), v.numpy(), rtol=tol, atol=tol, err_msg=k)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ================================================================== switches
BOOL = (True, False)
SWITCH_CASES = (
    [(f"Linear(bias={b})", "Linear", (3, 4), dict(bias=b), (2, 3)) for b in BOOL]
    + [(f"Conv1d(bias={b})", "Conv1d", (2, 4, 3), dict(bias=b), (2, 2, 7)) for b in BOOL]
    + [(f"Conv2d(bias={b})", "Conv2d", (2, 4, 3), dict(bias=b, padding=1), (2, 2, 5, 5)) for b in BOOL]
    + [(f"ConvTranspose2d(bias={b})", "ConvTranspose2d", (2, 4, 3), dict(bias=b, stride=2), (2, 2, 4, 4))
       for b in BOOL]
    + [(f"{cls}(affine={a}, track={t}, bias={b})", cls, (3,),
        dict(affine=a, track_running_stats=t, bias=b), shape)
       for cls, shape in (("BatchNorm1d", (4, 3)), ("BatchNorm2d", (4, 3, 2, 2)), ("BatchNorm3d", (2, 3, 2, 2, 2)),
                          ("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 4)))
       for a in BOOL for t in BOOL for b in BOOL]
    + [(f"LayerNorm(elementwise_affine={a}, bias={b})", "LayerNorm", ((3, 4),),
        dict(elementwise_affine=a, bias=b), (2, 3, 4)) for a in BOOL for b in BOOL]
    + [(f"GroupNorm(affine={a}, bias={b})", "GroupNorm", (2, 4), dict(affine=a, bias=b), (2, 4, 3))
       for a in BOOL for b in BOOL]
)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_recurrent_bias_switch_matches_torch_structure(cls):
    # structure and strict loading only: the recurrent layers' numerics are tested with their code
    for b in BOOL:
        m, tm = getattr(nn, cls)(3, 4, bias=b), getattr(TNN, cls)(3, 4, bias=b)
        assert _structure(m) == _structure(tm)
        m.load_state_dict(_np_state(tm))


@pytest.mark.parametrize("case", SWITCH_CASES, ids=[c[0] for c in SWITCH_CASES])
def test_switches_match_torch(case):
    _, cls, args, kwargs, shape = case
    torch.manual_seed(0)
    m, tm = getattr(nn, cls)(*args, **kwargs), getattr(TNN, cls)(*args, **kwargs)
    _assert_same_module(m, tm, _x(*shape))


@pytest.mark.parametrize("bias", BOOL)
def test_syncbatchnorm_switches_match_torch_structure(bias):
    for affine in BOOL:
        for track in BOOL:
            kw = dict(affine=affine, track_running_stats=track)
            m, tm = nn.SyncBatchNorm(3, **kw), TNN.SyncBatchNorm(3, **kw)
            assert _structure(m) == _structure(tm)
            m.load_state_dict(_np_state(tm))


@pytest.mark.parametrize("kwargs", [dict(bias=False), dict(bias=True, add_bias_kv=True)])
def test_attention_switches_match_torch_structure(kwargs):
    for m, tm in ((nn.MultiheadAttention(4, 2, **kwargs), TNN.MultiheadAttention(4, 2, **kwargs)),
                  (nn.TransformerEncoderLayer(4, 2, 8, bias=kwargs["bias"]),
                   TNN.TransformerEncoderLayer(4, 2, 8, bias=kwargs["bias"]))):
        assert _structure(m) == _structure(tm)
        m.load_state_dict(_np_state(tm))


def test_linear_without_bias_is_what_torch_gives():
    m = nn.Linear(3, 4, bias=False)
    assert m.bias is None and "bias" in m._parameters and list(m.state_dict()) == ["weight"]
    assert [n for n, _ in m.named_parameters()] == ["weight"] and repr(m).endswith("bias=False)")
    y = m(tl.ones(2, 3))
    np.testing.assert_allclose(y.detach().numpy(), np.ones((2, 3)) @ m.weight.detach().numpy().T, rtol=1e-6)
    with pytest.raises(ArgumentError, match="Unexpected key.*bias"):
        m.load_state_dict({"weight": np.zeros((4, 3), np.float32), "bias": np.zeros(4, np.float32)})


def test_batchnorm_without_running_stats_registers_none_buffers():
    m = nn.BatchNorm2d(3, track_running_stats=False)
    assert m.running_mean is None and m.running_var is None and m.num_batches_tracked is None
    assert list(m._buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(m.state_dict()) == ["weight", "bias"]
    m.eval()                                           # no running stats: batch statistics even in eval
    y = m(tl.tensor(_x(4, 3, 2, 2)))
    ty = TNN.BatchNorm2d(3, track_running_stats=False).eval()(torch.tensor(_x(4, 3, 2, 2)))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)


@FAST
@given(st.integers(1, 5), st.integers(1, 5), st.booleans(), st.integers(1, 3))
def test_linear_switch_property(fin, fout, bias, batch):
    torch.manual_seed(fin * 7 + fout)
    m, tm = nn.Linear(fin, fout, bias=bias), TNN.Linear(fin, fout, bias=bias)
    _assert_same_module(m, tm, _x(batch, fin, seed=fout))


# ================================================================== state dict machinery
def test_state_dict_metadata_matches_torch():
    def build(lib):
        return lib.Sequential(lib.Conv2d(1, 2, 3), lib.BatchNorm2d(2), lib.Sequential(lib.ReLU(), lib.Linear(2, 2)))
    sd, tsd = build(nn).state_dict(), build(TNN).state_dict()
    assert isinstance(sd, OrderedDict)
    assert dict(sd._metadata) == {k: dict(v) for k, v in tsd._metadata.items()}
    assert sd._metadata["1"] == {"version": 2} and sd._metadata[""] == {"version": 1}
    assert copy.deepcopy(sd)._metadata == sd._metadata


def _old_batchnorm_checkpoint():
    tm = TNN.BatchNorm2d(3)
    tm.train()(torch.randn(4, 3, 2, 2))
    sd = tm.state_dict()
    del sd["num_batches_tracked"]
    return tm, sd


def test_batchnorm_checkpoint_without_num_batches_tracked_loads_strictly():
    tm, tsd = _old_batchnorm_checkpoint()
    plain = {k: v.numpy().copy() for k, v in tsd.items()}        # an old checkpoint: no _metadata
    fresh = TNN.BatchNorm2d(3)
    fresh.load_state_dict(OrderedDict((k, torch.tensor(v)) for k, v in plain.items()))   # torch accepts it
    m = nn.BatchNorm2d(3)
    m.train()(tl.randn(4, 3, 2, 2))
    m.train()(tl.randn(4, 3, 2, 2))
    result = m.load_state_dict(plain)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_allclose(m.running_mean.numpy(), tm.running_mean.numpy(), rtol=1e-6)
    assert m.num_batches_tracked.dtype == tl.int64 and int(m.num_batches_tracked.item()) == 2   # kept, as torch
    assert "num_batches_tracked" not in plain                    # the caller's dict is left alone


def test_batchnorm_version_2_checkpoint_still_needs_num_batches_tracked():
    _, tsd = _old_batchnorm_checkpoint()                          # torch's dict keeps _metadata version 2
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        TNN.BatchNorm2d(3).load_state_dict(tsd)
    sd = OrderedDict((k, v.numpy().copy()) for k, v in tsd.items())
    sd._metadata = tsd._metadata
    with pytest.raises(ArgumentError, match='Missing key.*"num_batches_tracked"'):
        nn.BatchNorm2d(3).load_state_dict(sd)


def test_nested_old_checkpoint_fills_only_batchnorm_entries():
    tnet = TNN.Sequential(TNN.Conv2d(1, 3, 3), TNN.BatchNorm2d(3))
    sd = {k: v.numpy().copy() for k, v in tnet.state_dict().items() if not k.endswith("num_batches_tracked")}
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3))
    net.load_state_dict(sd)
    np.testing.assert_array_equal(net[0].weight.detach().numpy(), sd["0.weight"])
    bad = dict(sd)
    del bad["0.bias"]                                             # other keys are still required
    with pytest.raises(ArgumentError, match='"0.bias"'):
        net.load_state_dict(bad)


def _renaming_class(base_module, base_param):
    class Renamed(base_module):
        """A layer that renamed its parameter 'w' to 'weight' in version 2."""
        _version = 2

        def __init__(self):
            super().__init__()
            self.weight = base_param(np.zeros(3, np.float32))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                                  unexpected_keys, error_msgs):
            if local_metadata.get("version", None) is None and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                          unexpected_keys, error_msgs)
    return Renamed


def test_custom_load_from_state_dict_override_works_as_in_torch():
    Ours = _renaming_class(nn.Module, lambda a: nn.Parameter(tl.tensor(a)))
    Theirs = _renaming_class(TNN.Module, lambda a: TNN.Parameter(torch.tensor(a)))
    old = {"inner.w": np.arange(3, dtype=np.float32)}
    ours, theirs = nn.Sequential(OrderedDict(inner=Ours())), TNN.Sequential(OrderedDict(inner=Theirs()))
    r = ours.load_state_dict(old)
    tr = theirs.load_state_dict({k: torch.tensor(v) for k, v in old.items()})
    assert (r.missing_keys, r.unexpected_keys) == (tr.missing_keys, tr.unexpected_keys) == ([], [])
    np.testing.assert_array_equal(ours.inner.weight.detach().numpy(), theirs.inner.weight.detach().numpy())
    assert ours.state_dict()._metadata["inner"] == {"version": 2}


def test_non_strict_and_mismatch_reporting_follows_torch():
    m, tm = nn.Sequential(nn.Linear(2, 3), nn.ReLU()), TNN.Sequential(TNN.Linear(2, 3), TNN.ReLU())
    sd = {"0.weight": np.zeros((3, 2), np.float32), "1.extra": np.zeros(1, np.float32),
          "2.weight": np.zeros(1, np.float32)}
    r = m.load_state_dict(sd, strict=False)
    tr = tm.load_state_dict({k: torch.tensor(v) for k, v in sd.items()}, strict=False)
    assert (r.missing_keys, r.unexpected_keys) == (tr.missing_keys, tr.unexpected_keys)
    with pytest.raises(ArgumentError, match="size mismatch for 0.bias"):
        m.load_state_dict({"0.weight": np.zeros((3, 2)), "0.bias": np.zeros(4)}, strict=False)
    scalar = nn.Module()
    scalar.register_buffer("step", tl.tensor(0.0))
    scalar.load_state_dict({"step": np.array([5.0])})              # old (1,)-shaped scalars load
    assert scalar.step.item() == 5.0


def test_extra_state_and_load_hooks():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.tag = nn.Linear(2, 2), "fresh"

        def get_extra_state(self):
            return {"tag": self.tag}

        def set_extra_state(self, state):
            self.tag = state["tag"]
    a, b = WithExtra(), WithExtra()
    a.tag = "trained"
    assert list(a.state_dict()) == ["_extra_state", "lin.weight", "lin.bias"]
    seen = []
    b.register_load_state_dict_post_hook(lambda mod, keys: seen.append((mod, list(keys.missing_keys))))
    b.load_state_dict(a.state_dict())
    assert b.tag == "trained" and seen == [(b, [])]
    with pytest.raises(ArgumentError, match="_extra_state"):
        WithExtra().load_state_dict({"lin.weight": tl.zeros(2, 2), "lin.bias": tl.zeros(2)})


# ================================================================== activations and dropout
ACTIVATIONS = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("SiLU", (), {}), ("SiLU", (), {"inplace": True}), ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}),
    ("ELU", (), {}), ("ELU", (0.5,), {"inplace": True}), ("CELU", (), {}), ("CELU", (2.0, True), {}),
    ("SELU", (), {}), ("SELU", (True,), {}), ("Mish", (), {}), ("Mish", (), {"inplace": True}),
    ("Hardswish", (), {}), ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}), ("Hardsigmoid", (True,), {}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 0.5, True), {}), ("Threshold", (0.1, 20.0), {}),
    ("Threshold", (0.1, -1.0), {"inplace": True}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("Tanh", (), {}), ("Sigmoid", (), {}), ("Softplus", (), {}), ("Softplus", (2.0, 10.0), {}),
    ("Softsign", (), {}), ("LogSigmoid", (), {}), ("Tanhshrink", (), {}), ("Softmax", (), {"dim": 1}),
    ("LogSoftmax", (1,), {}), ("Softmin", (-1,), {}), ("GLU", (), {}), ("PReLU", (), {}), ("PReLU", (3, 0.1), {}),
    ("Identity", (), {}),
]
DROPOUTS = [("Dropout", (), {}), ("Dropout", (0.2, True), {}), ("Dropout", (1,), {}), ("Dropout2d", (), {}),
            ("Dropout2d", (0.3,), {"inplace": True})]


@pytest.mark.parametrize("name,args,kwargs", ACTIVATIONS + DROPOUTS)
def test_activation_and_dropout_repr_match_torch(name, args, kwargs):
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(TNN, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    assert getattr(m, "inplace", None) == getattr(tm, "inplace", None)


INPLACE = [(n, a, k) for n, a, k in ACTIVATIONS if k.get("inplace") or any(v is True for v in a)]


@pytest.mark.parametrize("name,args,kwargs", INPLACE)
def test_inplace_activations_write_into_their_input_as_torch(name, args, kwargs):
    x = _x(3, 4) * 3
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(TNN, name)(*args, **kwargs)
    t, tt = tl.tensor(x), torch.tensor(x)
    y, ty = m(t), tm(tt)
    assert (y is t) and (ty is tt)
    np.testing.assert_allclose(t.numpy(), tt.numpy(), rtol=1e-6, atol=1e-6)
    # through autograd: on a non-leaf, as torch allows
    leaf, tleaf = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (m(leaf * 2.0) * leaf).sum().backward()
    (tm(tleaf * 2.0) * tleaf).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError, match="leaf"):
        m(tl.tensor(x, requires_grad=True))


@pytest.mark.parametrize("name,args,kwargs", INPLACE)
def test_inplace_activations_gradcheck(name, args, kwargs):
    m = getattr(nn, name)(*args, **kwargs)
    x = tl.tensor(np.array([-2.3, -0.7, 0.3, 1.4, 2.9, -4.1], np.float64), requires_grad=True)
    assert tl.autograd.gradcheck(lambda a: m(a * 1.0) + a, [x])


def test_inplace_dropout_writes_into_its_input():
    x = tl.ones(200, 10)
    tl.manual_seed(0)
    y = nn.Dropout(0.5, inplace=True)(x)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0} and 0 < (x.numpy() == 0).mean() < 1
    z = tl.ones(3, 4)
    assert nn.Dropout(0.5, inplace=True).eval()(z) is z and (z.numpy() == 1).all()
    with pytest.raises(ValueError, match="Dropout.*'p'"):
        nn.Dropout(1.5)


# ================================================================== DataParallel
def test_dataparallel_is_a_cpu_pass_through_as_in_torch():
    torch.manual_seed(0)
    tnet = TNN.DataParallel(TNN.Sequential(TNN.Linear(3, 4), TNN.ReLU()))
    net = nn.DataParallel(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), device_ids=None, output_device=None, dim=0)
    assert isinstance(net.module, nn.Sequential) and net.device_ids == tnet.device_ids == []
    assert list(net.state_dict()) == list(tnet.state_dict()) == ["module.0.weight", "module.0.bias"]
    assert repr(net) == repr(tnet)
    net.load_state_dict(_np_state(tnet))
    x = _x(2, 3)
    np.testing.assert_allclose(net(tl.tensor(x)).detach().numpy(), tnet(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6)
    plain = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    plain.load_state_dict({k[len("module."):]: v for k, v in net.state_dict().items()})
    assert nn.parallel.data_parallel(plain, tl.tensor(x)).shape == (2, 4)
    with pytest.raises(TypeError, match="DataParallel"):
        nn.DataParallel(lambda v: v)


# ================================================================== torch.nn.modules paths
PATHS = {
    "module": ["Module"], "linear": ["Identity", "Linear"], "conv": ["_ConvNd", "Conv1d", "Conv2d",
                                                                      "ConvTranspose2d", "_ConvTransposeNd"],
    "activation": ["ReLU", "LeakyReLU", "ELU", "GELU", "Softmax", "PReLU", "Hardtanh", "MultiheadAttention"],
    "container": ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"],
    "dropout": ["_DropoutNd", "Dropout", "Dropout2d"],
    "pooling": ["MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "_MaxPoolNd", "_AvgPoolNd"],
    "normalization": ["LayerNorm", "GroupNorm", "LocalResponseNorm"],
    "batchnorm": ["_NormBase", "_BatchNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"],
    "instancenorm": ["_InstanceNorm", "InstanceNorm1d", "InstanceNorm2d"],
    "loss": ["_Loss", "_WeightedLoss", "CrossEntropyLoss", "MSELoss", "NLLLoss"],
    "sparse": ["Embedding"], "flatten": ["Flatten", "Unflatten"], "upsampling": ["Upsample"],
    "rnn": ["LSTM", "GRU", "RNNBase"], "transformer": ["TransformerEncoderLayer"],
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_torch_nn_modules_paths(path):
    import importlib
    ours, theirs = importlib.import_module(f"tensorlite.nn.modules.{path}"), importlib.import_module(
        f"torch.nn.modules.{path}")
    for name in PATHS[path]:
        assert hasattr(theirs, name), name                         # the path is a real torch path
        obj = getattr(ours, name)
        public = getattr(nn, name, None)
        assert public is None or public is obj                     # one implementation, several paths
        assert issubclass(obj, nn.Module)
    assert getattr(tl.nn.modules, path) is ours                    # reachable as an attribute too


def test_modules_utils_match_torch():
    from tensorlite.nn.modules.utils import _single, _pair, _triple, _quadruple, _ntuple, _reverse_repeat_tuple
    from torch.nn.modules import utils as tu
    for v in (3, (1, 2), [4, 5, 6], (7,)):
        for ours, theirs in ((_single, tu._single), (_pair, tu._pair), (_triple, tu._triple),
                             (_quadruple, tu._quadruple), (_ntuple(5), tu._ntuple(5))):
            assert ours(v) == theirs(v)
    assert _pair.__name__ == "_pair"
    assert _reverse_repeat_tuple((1, 2, 3), 2) == tu._reverse_repeat_tuple((1, 2, 3), 2)
    assert tl.nn.modules.module.Module is nn.Module and tl.nn.modules.Linear is nn.Linear


def _user_loss(base):
    class Scaled(base):
        def __init__(self, scale, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def forward(self, a, b):
            d = (a - b) ** 2 * self.scale
            return {"mean": d.mean(), "sum": d.sum(), "none": d}[self.reduction]
    return Scaled


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"}, {"reduction": "none"},
                                    {"size_average": False}, {"reduce": False}])
def test_user_loss_subclass_of__Loss_works_as_in_torch(kwargs):
    from tensorlite.nn.modules.loss import _Loss
    from torch.nn.modules.loss import _Loss as TLoss
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _user_loss(_Loss)(2.0, **kwargs), _user_loss(TLoss)(2.0, **kwargs)
    assert ours.reduction == theirs.reduction
    a, b = _x(3, 2), _x(3, 2, seed=1)
    np.testing.assert_allclose(ours(tl.tensor(a), tl.tensor(b)).numpy(), theirs(torch.tensor(a), torch.tensor(b)),
                               rtol=1e-6)
    assert repr(ours) == repr(theirs) == "Scaled()"


def test_weighted_loss_base_and_legacy_arguments():
    from tensorlite.nn.modules.loss import _WeightedLoss
    w = _WeightedLoss(weight=tl.ones(3))
    assert list(w.state_dict()) == ["weight"] and w.reduction == "mean"
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.KLDivLoss(reduce=False).reduction == TNN.KLDivLoss(reduce=False).reduction == "none"
    assert nn.CrossEntropyLoss(None, None, 3).ignore_index == TNN.CrossEntropyLoss(None, None, 3).ignore_index
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def test_user_batchnorm_and_conv_subclasses():
    from tensorlite.nn.modules.batchnorm import _BatchNorm
    from tensorlite.nn.modules.conv import _ConvNd

    class AnyDimBN(_BatchNorm):
        def _check_input_dim(self, input):
            if input.ndim < 2:
                raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
    bn = AnyDimBN(3)
    y = bn(tl.tensor(_x(4, 3, 2, 2, 2, 2)))
    assert y.shape == (4, 3, 2, 2, 2, 2) and int(bn.num_batches_tracked.item()) == 1
    assert list(bn.state_dict()) == list(TNN.BatchNorm2d(3).state_dict())
    for conv in (nn.Conv1d(1, 2, 3), nn.Conv2d(1, 2, 3), nn.ConvTranspose2d(1, 2, 3)):
        assert isinstance(conv, _ConvNd)
    assert nn.ConvTranspose2d(1, 2, 3).transposed and not nn.Conv2d(1, 2, 3).transposed


# ================================================================== Module
class _Frozen:
    """A block whose train() keeps its BatchNorm in eval mode (a common fine-tuning idiom)."""

    @staticmethod
    def build(lib):
        class FrozenBN(lib.Module):
            def __init__(self):
                super().__init__()
                self.bn = lib.BatchNorm1d(2)

            def train(self, mode=True):
                super().train(mode)
                self.bn.eval()
                return self
        return lib.Sequential(lib.Linear(2, 2), FrozenBN())


def test_train_goes_through_children_overrides():
    net, tnet = _Frozen.build(nn), _Frozen.build(TNN)
    net.eval().train()
    tnet.eval().train()
    assert [m.training for m in net.modules()] == [m.training for m in tnet.modules()] == [True, True, True, False]


def test_nested_repr_and_traversal_match_torch():
    def build(lib):
        shared = lib.Linear(2, 2)
        return lib.Sequential(OrderedDict(
            enc=lib.Sequential(lib.Conv2d(1, 2, 3, bias=False), lib.BatchNorm2d(2), lib.ReLU(inplace=True)),
            blocks=lib.ModuleList([shared, lib.Dropout(0.1), shared]),
            heads=lib.ModuleDict({"a": lib.Linear(2, 3), "b": lib.Identity()}),
            pl=lib.ParameterList([lib.Parameter(lib.init.ones_(lib.Linear(1, 2).weight))])))
    net, tnet = build(nn), build(TNN)
    assert repr(net) == repr(tnet).replace("torch.float32", "tensorlite.float32")
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert ([n for n, _ in net.named_modules(remove_duplicate=False, prefix="m")] ==
            [n for n, _ in tnet.named_modules(remove_duplicate=False, prefix="m")])
    memo = set()
    list(net.named_modules(memo=memo))
    assert net.blocks[0] in memo and len(memo) == len(list(net.modules()))
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    assert net.get_submodule("heads.a") is net.heads["a"] and net.get_buffer("enc.1.running_mean") is not None
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    tseen = []
    tnet.apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen


def test_module_init_and_registration_errors_as_torch():
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        nn.Module(foo=1)
    m = nn.Module()
    m.register_module("child", nn.ReLU())
    assert m.child is m._modules["child"]
    m.plain = 3
    with pytest.raises(KeyError, match="already exists"):
        m.add_module("plain", nn.ReLU())
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("plain", None)


def test_to_and_dtype_casts():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    w = m[0].weight
    m(tl.randn(4, 2)).sum().backward()
    assert m.to("cpu") is m and m.to(device="cpu:0") is m and m.cpu() is m
    m.double()
    assert m[0].weight is w and w.dtype == tl.float64 and w.grad.dtype == tl.float64       # cast in place
    assert m[1].num_batches_tracked.dtype == tl.int64                                      # ints stay
    m.to(tl.zeros(1, dtype=tl.float32))
    assert w.dtype == tl.float32
    m.half()
    assert m[1].running_mean.dtype == tl.float16
    m.to("cpu", tl.float32, non_blocking=False)
    assert w.dtype == tl.float32
    for bad in ("cuda", "cuda:1", "mps", 0):
        with pytest.raises(ArgumentError, match="Module.to\\(\\).*device") as e:
            m.to(bad)
        assert repr(bad) in str(e.value)
    device = getattr(tl, "device", None)
    if isinstance(device, type):
        assert m.to(device("cpu")) is m
        with pytest.raises(ArgumentError, match="cuda"):
            m.to(device("cuda"))
    with pytest.raises(ArgumentError, match="cuda"):
        m.cuda()
    with pytest.raises(TypeError, match="floating point"):
        m.to(tl.int64)
    with pytest.raises(ArgumentError, match="device"):
        nn.Linear(2, 2, device="cuda")
    assert nn.Linear(2, 2, device="cpu").weight.shape == (2, 2)


def test_zero_grad_requires_grad_and_state_dict_forms():
    m = nn.Linear(2, 2)
    m(tl.ones(1, 2)).sum().backward()
    m.zero_grad()
    assert m.weight.grad is None                                   # set_to_none=True by default
    m(tl.ones(1, 2)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert (m.weight.grad.numpy() == 0).all()
    assert m.requires_grad_(False) is m and not any(p.requires_grad for p in m.parameters())
    sd = m.state_dict(prefix="lin.", keep_vars=True)
    assert list(sd) == ["lin.weight", "lin.bias"] and sd["lin.weight"] is m.weight
    dest = OrderedDict()
    assert m.state_dict(destination=dest) is dest and list(dest) == ["weight", "bias"]


REPRS = ["Flatten()", "Unflatten(1, (2, 3))", "Identity()", "Embedding(3, 4)",
         "Embedding(3, 4, padding_idx=1, max_norm=1.0)",
         "MaxPool2d(2)", "MaxPool2d(3, 2, 1)", "AvgPool2d(2)", "AvgPool2d(3, 2, 1)", "AdaptiveAvgPool2d(1)",
         "AdaptiveAvgPool2d((2, 3))", "AdaptiveMaxPool2d(2)", "Upsample(scale_factor=2)",
         "Upsample(size=(4, 4), mode='bilinear')", "UpsamplingNearest2d(scale_factor=2)",
         "UpsamplingBilinear2d(scale_factor=2)", "MaxPool1d(2)", "AvgPool1d(2)", "LocalResponseNorm(2)",
         "ZeroPad2d(1)", "ZeroPad2d((1, 2, 3, 4))", "ConstantPad2d(1, 2.0)", "PixelShuffle(2)", "Unfold(2)",
         "CosineSimilarity()", "PairwiseDistance()", "CrossEntropyLoss(label_smoothing=0.1)",
         "MSELoss(reduction='sum')", "NLLLoss()", "BCELoss()", "BCEWithLogitsLoss()", "HuberLoss()",
         "SmoothL1Loss()", "KLDivLoss()", "L1Loss()",
         "Conv2d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False)", "Conv1d(2, 4, 3, padding='valid')",
         "Conv1d(2, 4, 3, padding='same')", "Conv2d(2, 4, (1, 3))",
         "ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2)",
         "BatchNorm2d(3, momentum=None)", "LayerNorm([2, 3], eps=1e-6)", "GroupNorm(2, 4)",
         "InstanceNorm1d(3, affine=True)", "Sequential()", "ModuleList()", "ModuleDict()", "SyncBatchNorm(3)"]


@pytest.mark.parametrize("expr", REPRS)
def test_module_reprs_match_torch(expr):
    assert repr(eval("nn." + expr)) == repr(eval("TNN." + expr))


MINE = {f"tensorlite.nn.{f}" for f in ("module", "linear", "conv", "pooling", "batchnorm", "instancenorm",
                                       "normalization", "dropout", "activation", "flatten", "container", "loss",
                                       "upsampling", "sparse", "padding", "pixelshuffle", "fold", "channelshuffle",
                                       "distance", "parallel")}
CLASSES = sorted(n for n in dir(nn) if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
                 and getattr(nn, n).__module__ in MINE and hasattr(TNN, n))


def test_class_hierarchy_matches_torch():
    """isinstance checks in user code (e.g. `isinstance(m, nn.ReLU)` to swap activations) see what
    they see with torch: SiLU is no ReLU, LogSoftmax no Softmax, Dropout2d no Dropout."""
    wrong = [(a, b) for a in CLASSES for b in CLASSES
             if issubclass(getattr(nn, a), getattr(nn, b)) != issubclass(getattr(TNN, a), getattr(TNN, b))]
    assert wrong == []


@pytest.mark.parametrize("name", CLASSES)
def test_constructor_signature_matches_torch(name):
    import inspect

    def sig(cls):
        return [(p.name, p.default, p.kind) for p in inspect.signature(cls.__init__).parameters.values()]
    assert sig(getattr(nn, name)) == sig(getattr(TNN, name))


@pytest.mark.parametrize("expr", ["CrossEntropyLoss()", "CrossEntropyLoss(weight=W3)", "NLLLoss(W3)", "BCELoss()",
                                  "BCEWithLogitsLoss(pos_weight=W3)", "BCEWithLogitsLoss(W3, pos_weight=W3)",
                                  "Embedding(4, 3, padding_idx=0)", "PReLU(3)", "MSELoss()"])
def test_optional_buffers_match_torch(expr):
    ours = eval("nn." + expr, {"nn": nn, "W3": tl.ones(3)})
    theirs = eval("TNN." + expr, {"TNN": TNN, "W3": torch.ones(3)})
    assert _structure(ours) == _structure(theirs)
    ours.load_state_dict(theirs.state_dict())                    # torch tensors load directly too
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].numpy(), v.detach().numpy())


@pytest.mark.parametrize("build", [
    lambda lib: lib.ModuleList([lib.Linear(2, 2) for _ in range(3)] + [lib.ReLU(), lib.Linear(2, 2)]),
    lambda lib: lib.ModuleList([lib.ReLU(), lib.ReLU(), lib.Sequential(lib.ReLU()), lib.Sequential(lib.ReLU())]),
    lambda lib: lib.ModuleList([lib.ReLU()]),
    lambda lib: lib.ModuleList(),
    lambda lib: lib.Sequential(lib.ReLU(), lib.ReLU(), lib.ModuleList([lib.Tanh(), lib.Tanh()])),
])
def test_modulelist_repr_groups_repeats_as_torch(build):
    assert repr(build(nn)) == repr(build(TNN))


def test_container_editing_matches_torch():
    def edit(lib):
        seq = lib.Sequential(lib.ReLU(), lib.Tanh(), lib.Sigmoid(), lib.Identity())
        del seq[1]
        seq.insert(1, lib.ELU())
        seq.insert(-1, lib.SiLU())
        seq.append(lib.GELU())
        popped = seq.pop(0)
        ml = lib.ModuleList([lib.ReLU(), lib.Tanh(), lib.Sigmoid()])
        del ml[0]
        ml += [lib.ELU()]
        both = ml + lib.ModuleList([lib.Identity()])
        return [list(seq._modules), repr(seq), repr(popped), list(ml._modules), repr(both), repr(seq[1:])]
    assert edit(nn) == edit(TNN)
