"""nn.Module machinery, containers, layer defaults, init, summary, transfer-learning workflow."""
import math

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.bn = nn.BatchNorm2d(6)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(6 * 28 * 28, 10))
        self.register_buffer("scale", tl.ones(1))
        self.register_buffer("scratch", tl.zeros(2), persistent=False)

    def forward(self, x):
        return self.head(self.bn(self.conv1(x))) * self.scale


def test_registration_and_traversal_names_match_pytorch():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "scale", "scratch", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert list(net.state_dict()) == [
        "scale", "conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
        "bn.num_batches_tracked", "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "conv1", "bn", "head", "head.0", "head.1"]
    assert [type(m).__name__ for m in net.children()] == ["Conv2d", "BatchNorm2d", "Sequential"]


def test_state_dict_keys_match_torch_for_same_architecture():
    torch = pytest.importorskip("torch")
    tnet = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 5), torch.nn.BatchNorm2d(6), torch.nn.Flatten(),
                               torch.nn.Linear(6 * 28 * 28, 10))
    net = nn.Sequential(nn.Conv2d(3, 6, 5), nn.BatchNorm2d(6), nn.Flatten(), nn.Linear(6 * 28 * 28, 10))
    assert list(tnet.state_dict()) == list(net.state_dict())
    for k, v in tnet.state_dict().items():
        assert tuple(v.shape) == tuple(net.state_dict()[k].shape), k


def test_train_eval_propagate():
    net = Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_shared_parameters_counted_once():
    lin = nn.Linear(3, 3)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_load_state_dict_lists_every_offending_key_and_changes_nothing():
    a, b = Net(), Net()
    before = {k: v.numpy().copy() for k, v in b.state_dict().items()}
    sd = a.state_dict()
    del sd["conv1.bias"]
    sd["extra.weight"] = tl.zeros(1)
    sd["head.1.weight"] = tl.zeros(3, 3)
    with pytest.raises(RuntimeError) as e:
        b.load_state_dict(sd)
    msg = str(e.value)
    assert "conv1.bias" in msg and "extra.weight" in msg and "head.1.weight" in msg and "(3, 3)" in msg
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    del sd["head.1.weight"]
    res = b.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["conv1.bias", "head.1.weight"] and res.unexpected_keys == ["extra.weight"]
    np.testing.assert_array_equal(b.conv1.weight.detach().numpy(), a.conv1.weight.detach().numpy())


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(tl.ones(2))
    assert "w" in m._parameters
    with pytest.raises(TypeError):
        m.w = tl.ones(2)              # a plain tensor cannot replace a parameter
    m.w = None
    assert m.w is None
    with pytest.raises(AttributeError, match="nothere"):
        m.nothere


def test_forward_hooks_and_pre_hooks():
    lin = nn.Linear(2, 2)
    seen = []
    h1 = lin.register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, inp, out: seen.append(tuple(out.shape)) or out + 1)
    out = lin(tl.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(lin.bias.detach().numpy() + 1, (3, 2)),
                               rtol=1e-6)
    assert seen == [(3, 2)]
    h1.remove()
    h2.remove()
    assert lin._forward_hooks == {} and lin._forward_pre_hooks == {}


def test_sequential_indexing_and_slicing():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Linear)
    sub = seq[:2]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2
    assert tuple(sub(tl.ones(4, 2)).shape) == (4, 3)
    with pytest.raises(IndexError):
        seq[5]
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
    assert len(ml) == 2 and isinstance(ml[1], nn.Tanh)
    md = nn.ModuleDict({"a": nn.ReLU()})
    assert "a" in md and list(md.keys()) == ["a"]


def test_default_init_bounds_match_pytorch():
    tl.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    conv = nn.Conv2d(4, 8, 3)
    fan_in = 4 * 9
    assert np.abs(conv.weight.detach().numpy()).max() <= 1 / math.sqrt(fan_in)
    bn = nn.BatchNorm2d(5)
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.ones(5))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(5))
    assert bn.num_batches_tracked.dtype is tl.int64 and bn.num_batches_tracked.ndim == 0


@pytest.mark.parametrize("fn,expected_std", [
    (lambda t: nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu"), math.sqrt(2 / 400)),
    (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 400)),
    (lambda t: nn.init.xavier_uniform_(t), math.sqrt(2 / (400 + 300))),
    (lambda t: nn.init.xavier_normal_(t), math.sqrt(2 / (400 + 300))),
])
def test_init_distributions(fn, expected_std):
    tl.manual_seed(1)
    t = tl.empty(300, 400)
    fn(t)
    assert abs(t.numpy().std() - expected_std) < 0.03 * expected_std
    assert abs(t.numpy().mean()) < 0.05 * expected_std


def test_init_is_reproducible_under_manual_seed():
    tl.manual_seed(7)
    a = nn.Linear(5, 5).weight.detach().numpy().copy()
    tl.manual_seed(7)
    b = nn.Linear(5, 5).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2"):
        nn.init.xavier_uniform_(tl.empty(3))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swishy")


def test_requires_grad_and_zero_grad():
    lin = nn.Linear(2, 2)
    lin(tl.ones(1, 2)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad()
    assert lin.weight.grad is None
    lin.requires_grad_(False)
    assert not lin(tl.ones(1, 2)).requires_grad


def test_keras_style_summary_counts_moving_stats_as_non_trainable():
    class KerasMLPHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1152, 64)
            self.bn = nn.BatchNorm1d(64)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            return self.out(self.bn(self.fc(x)))

    lines = []
    info = KerasMLPHead().summary((1, 1152,), print_fn=lines.append)
    assert info["total_params"] == 1152 * 64 + 64 + 4 * 64 + 650
    assert info["non_trainable_params"] == 128
    assert info["trainable_params"] == info["total_params"] - 128
    text = lines[0]
    assert "Total params: 74,698" in text and "(None, 64)" in text and "Non-trainable params: 128" in text


def test_transfer_learning_workflow_freeze_replace_head_param_groups():
    tl.manual_seed(0)
    body = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    model = nn.Sequential(body, nn.Linear(8, 5))
    model.requires_grad_(False)
    model[1] = nn.Linear(8, 3)                       # new head, trainable
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["1.weight", "1.bias"]
    before = body[0].weight.detach().numpy().copy()
    out = model(tl.randn(6, 4))
    out.sum().backward()
    assert body[0].weight.grad is None and model[1].weight.grad is not None
    with tl.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p.sub_(0.1 * p.grad)
    np.testing.assert_array_equal(body[0].weight.detach().numpy(), before)
    model.requires_grad_(True)                       # unfreeze for fine-tuning
    assert all(p.requires_grad for p in model.parameters())


def test_module_double_cast():
    lin = nn.Linear(3, 2).double()
    assert lin.weight.dtype is tl.float64
    assert lin(tl.ones(1, 3, dtype=tl.float64)).dtype is tl.float64


def keras_mnist_cnn():
    """The lecture's Keras MNIST CNN: Conv2D(40, 5, same) - MaxPool - Dropout(0.25) - Conv2D(32, 3) - MaxPool
    - Dropout - Dense(64) - BatchNorm - Dropout - Dense(10)."""
    return nn.Sequential(
        nn.Conv2d(1, 40, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(40, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(6 * 6 * 32, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 10))


def test_lecture_keras_cnn_summary_matches_keras_counts():
    lines = []
    info = keras_mnist_cnn().summary((1, 1, 28, 28), print_fn=lines.append)
    assert (info["total_params"], info["trainable_params"], info["non_trainable_params"]) == (87_290, 87_162, 128)
    shapes = [r[2] for r in info["rows"]]
    assert shapes[0] == (1, 40, 28, 28) and shapes[2] == (1, 40, 14, 14) and shapes[4] == (1, 32, 12, 12)
    assert shapes[6] == (1, 32, 6, 6) and shapes[8] == (1, 1152) and shapes[-1] == (1, 10)
    assert "Total params: 87,290" in lines[0] and "Trainable params: 87,162" in lines[0]


def test_lenet5_parameter_count_and_shapes():
    info = tl.models.lenet5().summary((1, 3, 32, 32), print_fn=None)
    assert info["total_params"] == 62_006 and info["non_trainable_params"] == 0
    assert [r[3] for r in info["rows"]] == [456, 2416, 48120, 10164, 850]
    assert [r[2] for r in info["rows"]] == [(1, 6, 28, 28), (1, 16, 10, 10), (1, 120), (1, 84), (1, 10)]


def test_fine_tuning_with_parameter_groups_uses_lower_lr_for_the_body():
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = tl.optim.SGD([{"params": model[0].parameters(), "lr": 0.001},
                        {"params": model[2].parameters()}], lr=0.1)
    w_body, w_head = model[0].weight.detach().numpy().copy(), model[2].weight.detach().numpy().copy()
    model(tl.randn(5, 4)).sum().backward()
    g_body, g_head = model[0].weight.grad.numpy().copy(), model[2].weight.grad.numpy().copy()
    opt.step()
    np.testing.assert_allclose(model[0].weight.detach().numpy(), w_body - 0.001 * g_body, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model[2].weight.detach().numpy(), w_head - 0.1 * g_head, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kw", [{}, {"bias": False}, {"affine": False}, {"momentum": None, "bias": False}])
def test_batchnorm_bias_flag_repr_keys_and_values_match_torch(kw):
    torch = pytest.importorskip("torch")
    ours, theirs = tl.nn.BatchNorm2d(3, **kw), torch.nn.BatchNorm2d(3, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32)
    for _ in range(2):
        np.testing.assert_allclose(ours(tl.from_numpy(x)).detach().numpy(),
                                   theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-6)


def test_summary_takes_a_batch_shape_returns_a_table_object_and_explains_a_sample_shape():
    net = tl.models.lenet5()
    lines = []
    info = net.summary((8, 3, 32, 32), print_fn=lines.append)
    assert repr(info) == str(info) == lines[0]                 # a REPL echo is the table, not a dict
    assert info.total_params == info["total_params"] == 62_006
    assert [r[2] for r in info.rows][0] == (8, 6, 28, 28) and info.input_size == (8, 3, 32, 32)
    same = net.summary((3, 32, 32), print_fn=None, batch_dim=0)
    assert same.rows[0][2] == (1, 6, 28, 28)
    with pytest.raises(Exception, match=r"summary\(\): LeNet5 failed on an input of shape \(3, 32\).*batch "
                                        r"dimension.*batch_dim=0"):
        net.summary((3, 32), print_fn=None)
    with pytest.raises(TypeError, match="input_size"):
        net.summary("3x32x32", print_fn=None)
    with pytest.raises(ValueError, match="batch_dim"):
        net.summary((3, 32, 32), print_fn=None, batch_dim=5)
