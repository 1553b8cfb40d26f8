"""tensorlite.optim: SGD / Adam / AdamW / RMSprop against torch.optim, hand-computed references,
zero_grad, state_dict round trips (bit-identical resume), replaced parameter storage, bad
arguments, gradient clipping."""
import copy
import math
import pickle
import zlib
from collections import defaultdict

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.optim as optim
from tensorlite.optim import clip_grad_norm_, clip_grad_value_

SHAPES = [(3, 4), (5,), (2, 3, 2), (7,), (1,), (4, 1)]
# (step, param) pairs that get no gradient: param 3 gets its first gradient at step 2 (first-step
# momentum semantics late), param 5 never gets one (no state, never changes).
NO_GRAD = {(0, 1), (0, 3), (1, 3), (2, 2), (4, 0)} | {(k, 5) for k in range(10)}
STEPS = 6


def _data(seed, dtype, steps=STEPS):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    return init, grads


def _groups(params, group_kw):
    """Two param groups (params 0-2 and 3-5), the second with its own hyper-parameters."""
    return [{"params": params[:3]}, dict({"params": params[3:], "lr": 0.03}, **group_kw)]


def _set_grads(params, grads, k, make):
    for i, p in enumerate(params):
        p.grad = None if (k, i) in NO_GRAD else make(grads[k][i].copy())


def _f64(values, requires_grad=False):
    # (from a numpy array: tl.tensor(list, dtype=float64) rounds Python floats through float32)
    return tl.from_numpy(np.array(values, dtype=np.float64)).requires_grad_(requires_grad)


def _tl_params(init):
    return [tl.from_numpy(a.copy()).requires_grad_() for a in init]


def _run_tl(cls, kw, group_kw, init, grads, steps=STEPS):
    params = _tl_params(init)
    opt = getattr(optim, cls)(_groups(params, group_kw), **kw)
    history = []
    for k in range(steps):
        _set_grads(params, grads, k, tl.from_numpy)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return params, opt, history


CONFIGS = [
    ("SGD", dict(lr=0.1), {}),
    ("SGD", dict(lr=0.1, momentum=0.9), {}),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5), {"momentum": 0.5}),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), {}),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1), {"weight_decay": 0.0}),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True), {}),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True), {"momentum": 0}),
    ("Adam", dict(lr=0.05), {}),
    ("Adam", dict(lr=0.05, amsgrad=True), {}),
    ("Adam", dict(lr=0.05, weight_decay=0.1), {"weight_decay": 0.3}),
    ("Adam", dict(lr=0.05, maximize=True, eps=1e-3), {}),
    ("Adam", dict(lr=0.05, betas=(0.3, 0.8)), {"betas": (0.95, 0.99)}),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1, maximize=True), {"amsgrad": False}),
    ("AdamW", dict(lr=0.05), {}),
    ("AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.5), {}),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, maximize=True, betas=(0.7, 0.9)), {"weight_decay": 0.0}),
    ("RMSprop", dict(lr=0.01), {}),
    ("RMSprop", dict(lr=0.01, centered=True), {}),
    ("RMSprop", dict(lr=0.01, momentum=0.9), {"momentum": 0.0}),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1), {}),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True, eps=1e-4), {"alpha": 0.9}),
    ("RMSprop", dict(lr=0.01, maximize=True, weight_decay=0.05), {}),
]


def _cfg_id(c):
    return c[0] + "-" + ",".join(f"{k}={v}" for k, v in c[1].items()) + ("|" + str(c[2]) if c[2] else "")


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=[_cfg_id(c) for c in CONFIGS])
def test_matches_torch(torch, cfg, dtype):
    cls, kw, group_kw = cfg
    init, grads = _data(zlib.crc32(_cfg_id(cfg).encode()), dtype)
    tparams = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    topt = getattr(torch.optim, cls)(_groups(tparams, group_kw), **kw)
    params, opt, history = _run_tl(cls, kw, group_kw, init, grads)
    tol = dict(rtol=1e-11, atol=1e-13) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for k in range(STEPS):
        _set_grads(tparams, grads, k, torch.from_numpy)
        topt.step()
        for i, (tp, mine) in enumerate(zip(tparams, history[k])):
            np.testing.assert_allclose(mine, tp.detach().numpy(), **tol, err_msg=f"step {k} param {i}")
    np.testing.assert_array_equal(params[5].detach().numpy(), init[5])      # never had a gradient
    # the state matches torch's state_dict entry for entry
    ts, ms = topt.state_dict(), opt.state_dict()
    assert sorted(ts["state"]) == sorted(ms["state"])
    assert 5 not in ms["state"]
    for idx, tstate in ts["state"].items():
        assert list(tstate) == list(ms["state"][idx]), idx
        for name, tv in tstate.items():
            mv = ms["state"][idx][name]
            if name == "step":
                assert float(mv) == float(tv)
            else:
                assert mv.dtype == tl.float64 if dtype == np.float64 else mv.dtype == tl.float32
                np.testing.assert_allclose(mv.numpy(), tv.numpy(), **tol, err_msg=f"{idx} {name}")
    for tg, mg in zip(ts["param_groups"], ms["param_groups"]):
        assert tg["params"] == mg["params"]
        for key in mg:
            assert tg[key] == mg[key], key


def test_float16_params_follow_float32_math():
    init, grads = _data(3, np.float16, steps=3)
    p16 = _tl_params(init)
    p32 = _tl_params([a.astype(np.float32) for a in init])
    o16 = optim.Adam(p16, lr=0.01, amsgrad=True)
    o32 = optim.Adam(p32, lr=0.01, amsgrad=True)
    for k in range(3):
        _set_grads(p16, grads, k, tl.from_numpy)
        _set_grads(p32, [[g.astype(np.float32) for g in gs] for gs in grads], k, tl.from_numpy)
        o16.step()
        o32.step()
    for a, b in zip(p16, p32):
        assert a.dtype == tl.float16
        np.testing.assert_allclose(a.detach().numpy().astype(np.float32), b.detach().numpy(), rtol=3e-3, atol=3e-3)


# ---------------------------------------------------------------------- references without torch
def test_sgd_momentum_weight_decay_hand_computed():
    p = _f64([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5, momentum=0.9, weight_decay=0.1)
    # step 1: d = g + 0.1 p = [0.6, 0.05]; buf = d; p = p - 0.5 d = [0.7, -2.025]
    p.grad = _f64([0.5, 0.25])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.7, -2.025], rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [0.6, 0.05], rtol=0, atol=1e-15)
    # step 2: d = [-1 + 0.07, 2 - 0.2025] = [-0.93, 1.7975]; buf = 0.9 [0.6, 0.05] + d = [-0.39, 1.8425]
    #         p = [0.7, -2.025] - 0.5 buf = [0.895, -2.94625]
    p.grad = _f64([-1.0, 2.0])
    opt.step()
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [-0.39, 1.8425], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.detach().numpy(), [0.895, -2.94625], rtol=0, atol=1e-15)


def test_sgd_dampening_nesterov_hand_computed():
    p = _f64([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.5, dampening=0.5)
    p.grad = _f64([2.0])
    opt.step()                                  # buf = 2 (no dampening on the first step); p = 1 - 0.2
    assert p.item() == pytest.approx(0.8, abs=1e-15)
    p.grad = _f64([2.0])
    opt.step()                                  # buf = 0.5*2 + 0.5*2 = 2; p = 0.8 - 0.2
    assert p.item() == pytest.approx(0.6, abs=1e-15)
    q = _f64([1.0], requires_grad=True)
    opt = optim.SGD([q], lr=0.1, momentum=0.5, nesterov=True)
    q.grad = _f64([2.0])
    opt.step()                                  # buf = 2; d = 2 + 0.5*2 = 3; q = 1 - 0.3
    assert q.item() == pytest.approx(0.7, abs=1e-15)


def test_adam_hand_computed():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = _f64([1.0, -1.0], requires_grad=True)
    opt = optim.Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    g1, g2 = [0.5, -0.2], [0.1, 0.4]
    # textbook form: m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t), p -= lr m_hat / (sqrt(v_hat) + eps)
    # step 1: m_hat = g, v_hat = g^2 -> p -= lr * g / (|g| + eps)
    expected1 = [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -1.0 + 0.1 * 0.2 / (0.2 + 1e-8)]
    p.grad = _f64(g1)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), expected1, rtol=1e-13)
    np.testing.assert_allclose(opt.state[p]["exp_avg"].numpy(), [0.05, -0.02], rtol=1e-13)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"].numpy(), [0.00025, 0.00004], rtol=1e-12)
    # step 2: m = [0.9*0.05 + 0.01, 0.9*-0.02 + 0.04] = [0.055, 0.022]
    #         v = [0.999*0.00025 + 0.001*0.01, 0.999*0.00004 + 0.001*0.16] = [0.00025975, 0.00019996]
    m = [0.055, 0.022]
    v = [0.00025975, 0.00019996]
    expected2 = [e - lr * (mi / (1 - b1 ** 2)) / (math.sqrt(vi / (1 - b2 ** 2)) + eps)
                 for e, mi, vi in zip(expected1, m, v)]
    p.grad = _f64(g2)
    opt.step()
    np.testing.assert_allclose(opt.state[p]["exp_avg"].numpy(), m, rtol=1e-13)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"].numpy(), v, rtol=1e-12)
    np.testing.assert_allclose(p.detach().numpy(), expected2, rtol=1e-12)
    assert float(opt.state[p]["step"]) == 2.0


def test_adamw_and_rmsprop_hand_computed():
    p = _f64([2.0], requires_grad=True)
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = _f64([0.3])
    opt.step()                                 # p = 2 * (1 - 0.05) - 0.1 * 0.3 / (0.3 + 1e-8)
    assert p.item() == pytest.approx(1.9 - 0.1 * 0.3 / (0.3 + 1e-8), rel=1e-14)
    q = _f64([1.0], requires_grad=True)
    opt = optim.RMSprop([q], lr=0.01, alpha=0.9)
    q.grad = _f64([2.0])
    opt.step()                                 # v = 0.1 * 4 = 0.4; q = 1 - 0.01 * 2 / (sqrt(0.4) + 1e-8)
    assert q.item() == pytest.approx(1 - 0.02 / (math.sqrt(0.4) + 1e-8), rel=1e-14)


# ---------------------------------------------------------------------- behaviour
def test_params_without_grad_are_skipped_and_state_untouched():
    a = tl.randn(3, requires_grad=True)
    b = tl.randn(4, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = tl.ones(3)
    b0 = b.detach().numpy().copy()
    opt.step()
    assert b not in opt.state and float(opt.state[a]["step"]) == 1
    np.testing.assert_array_equal(b.detach().numpy(), b0)
    saved = opt.state[a]["exp_avg"].numpy().copy()
    a.grad = None
    b.grad = tl.ones(4)
    a0 = a.detach().numpy().copy()
    opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), a0)
    np.testing.assert_array_equal(opt.state[a]["exp_avg"].numpy(), saved)
    assert float(opt.state[a]["step"]) == 1 and float(opt.state[b]["step"]) == 1
    a.grad = tl.ones(3)
    opt.step()
    assert float(opt.state[a]["step"]) == 2 and float(opt.state[b]["step"]) == 2


def test_zero_grad_set_to_none_default():
    p = tl.randn(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = tl.ones(3)
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_in_place_keeps_the_grad_tensor_and_backward_accumulates():
    w = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and not g.requires_grad
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0])
    (w * w).sum().backward()                     # accumulates into the zeroed gradient
    assert w.grad is g
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0, 6.0])
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6, 2.4], rtol=1e-6)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0, 0.0])
    (3 * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0, 3.0])


def test_in_place_and_gathered_grads_give_identical_steps():
    init, grads = _data(11, np.float32)
    runs = []
    for in_place in (False, True):
        params = [tl.from_numpy(a.copy()).requires_grad_() for a in init[:5]]
        opt = optim.Adam(params, lr=0.01, weight_decay=0.01)
        for k in range(4):
            if in_place:
                opt.zero_grad(set_to_none=False)
                for p, g in zip(params, grads[k]):
                    if p.grad is None:
                        p.grad = tl.from_numpy(g.copy())
                    else:
                        p.grad._data[...] = g
            else:
                opt.zero_grad()
                for p, g in zip(params, grads[k]):
                    p.grad = tl.from_numpy(g.copy())
            opt.step()
        runs.append([p.detach().numpy().copy() for p in params])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_closure_runs_with_grad_enabled_and_its_loss_is_returned():
    w = tl.tensor([1.0, -1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tl.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(2.0)
    np.testing.assert_allclose(w.detach().numpy(), [0.8, -0.8], rtol=1e-6)
    assert opt.step() is None


def test_training_with_autograd_and_parameters_matches_torch(torch):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    w0, b0 = rng.standard_normal((3, 1)), rng.standard_normal((1,))
    P = tl.nn.Parameter
    w, b = P(tl.tensor(w0, dtype=tl.float64)), P(tl.tensor(b0, dtype=tl.float64))
    tw = torch.tensor(w0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    opt = optim.AdamW([w, b], lr=0.05, amsgrad=True)
    topt = torch.optim.AdamW([tw, tb], lr=0.05, amsgrad=True)
    X, Y = tl.tensor(x), tl.tensor(y)
    TX, TY = torch.tensor(x), torch.tensor(y)
    for _ in range(20):
        opt.zero_grad()
        loss = ((X @ w + b - Y) ** 2).mean()
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = ((TX @ tw + tb - TY) ** 2).mean()
        tloss.backward()
        topt.step()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-10)


def test_step_bumps_the_version_counter_of_updated_params():
    a, b = tl.randn(2, requires_grad=True), tl.randn(2, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    va, vb = a._version, b._version
    a.grad = tl.ones(2)
    opt.step()
    assert a._version > va and b._version == vb


def test_state_tensors_are_views_into_the_optimizer_state():
    p = tl.tensor([1.0, 1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0, momentum=1.0)
    p.grad = tl.tensor([1.0, 1.0])
    opt.step()                                   # buf = 1, p = 0
    opt.state[p]["momentum_buffer"].mul_(10)     # buf = 10
    opt.step()                                   # buf = 10 + 1, p = -11
    np.testing.assert_allclose(p.detach().numpy(), [-11.0, -11.0])


def test_resetting_state_dict_object_restarts_the_optimizer():
    init, grads = _data(4, np.float64, steps=4)
    params = _tl_params(init[:3])
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for k in range(2):
        _set_grads(params, grads, k, tl.from_numpy)
        opt.step()
    opt.state = defaultdict(dict)                # a common way to reset an optimizer
    fresh = optim.SGD(_tl_params([p.detach().numpy() for p in params]), lr=0.1, momentum=0.9)
    for k in range(2, 4):
        _set_grads(params, grads, k, tl.from_numpy)
        _set_grads(fresh.param_groups[0]["params"], grads, k, tl.from_numpy)
        opt.step()
        fresh.step()
    for a, b in zip(params, fresh.param_groups[0]["params"]):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_multiple_dtypes_and_groups():
    a = tl.randn(3, dtype=tl.float64, requires_grad=True)
    b = tl.randn(4, dtype=tl.float32, requires_grad=True)
    c = tl.randn(2, dtype=tl.float32, requires_grad=True)
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 1.0}], lr=0.5)
    before = [t.detach().numpy().copy() for t in (a, b, c)]
    for t in (a, b, c):
        t.grad = tl.ones_like(t)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), before[0] - 0.5)
    np.testing.assert_allclose(b.detach().numpy(), before[1] - 0.5, rtol=1e-6)
    np.testing.assert_allclose(c.detach().numpy(), before[2] - 1.0, rtol=1e-6)
    assert a.dtype == tl.float64 and b.dtype == tl.float32


def test_add_param_group_after_steps():
    a = tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = tl.tensor([1.0])
    opt.step()
    b = tl.tensor([1.0], requires_grad=True)
    opt.add_param_group({"params": b, "lr": 1.0})
    assert opt.param_groups[1]["momentum"] == 0.9
    a.grad, b.grad = tl.tensor([1.0]), tl.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(1 - 0.1 - 0.1 * 1.9)
    assert b.item() == pytest.approx(0.0)
    assert sorted(opt.state_dict()["state"]) == [0, 1]


def test_named_parameters_are_accepted():
    a, b = tl.randn(2, requires_grad=True), tl.randn(2, requires_grad=True)
    opt = optim.SGD([("a", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    assert opt.param_groups[0]["params"][0] is a


def test_two_optimizers_over_the_same_parameter():
    p = _f64([1.0], requires_grad=True)
    o1, o2 = optim.SGD([p], lr=0.1), optim.SGD([p], lr=1.0)
    for o in (o1, o2, o1):
        p.grad = _f64([1.0])
        o.step()
    assert p.item() == pytest.approx(1 - 0.1 - 1.0 - 0.1)


# ---------------------------------------------------------------------- replaced parameter storage
def test_assigning_p_data_is_readopted():
    p = tl.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = tl.tensor([1.0, 1.0])
    opt.step()
    p.data = tl.tensor([10.0, 20.0])                # new storage; the state stays
    opt.step()                                     # buf = 1.9
    np.testing.assert_allclose(p.detach().numpy(), [10 - 0.19, 20 - 0.19], rtol=1e-6)


def test_shape_and_dtype_changes_rebuild_the_layout_and_keep_state():
    p = tl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    q = tl.tensor([5.0], requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1, momentum=0.5)
    p.grad, q.grad = tl.ones(2, 2), tl.ones(1)
    opt.step()
    p.data = p.data.reshape(4)                       # new shape, same number of elements
    q.data = q.data.to(tl.float64)                   # new dtype: the state follows
    p.grad, q.grad = tl.ones(4), tl.ones(1, dtype=tl.float64)
    opt.step()                                       # buf = 1.5 for both
    np.testing.assert_allclose(p.detach().numpy(), [0.75, 1.75, 2.75, 3.75], rtol=1e-6)
    assert q.dtype == tl.float64 and q.item() == pytest.approx(5 - 0.25)
    assert opt.state[q]["momentum_buffer"].dtype == tl.float64
    p.data = tl.zeros(3)                             # the state no longer fits
    p.grad = tl.ones(3)
    with pytest.raises(RuntimeError, match="elements"):
        opt.step()


def test_group_params_list_changed_by_hand():
    a, b = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    opt.param_groups[0]["params"].append(b)
    a.grad, b.grad = tl.ones(1), tl.ones(1)
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.9)


def test_deepcopy_and_pickle_make_independent_optimizers():
    p = tl.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = tl.ones(2)
    opt.step()
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        q = clone.param_groups[0]["params"][0]
        assert q is not p
        q.grad = tl.ones(2)
        before = p.detach().numpy().copy()
        clone.step()
        np.testing.assert_array_equal(p.detach().numpy(), before)
        assert float(clone.state[q]["step"]) == 2
        np.testing.assert_allclose(q.detach().numpy(), before - 0.1, rtol=1e-5)


# ---------------------------------------------------------------------- state_dict
def _resume_case(cls, kw, dtype, via_file=None):
    init, grads = _data(21, dtype, steps=6)
    params = _tl_params(init)
    opt = getattr(optim, cls)(_groups(params, {"lr": 0.02}), **kw)
    for k in range(3):
        _set_grads(params, grads, k, tl.from_numpy)
        opt.step()
    saved = opt.state_dict()
    saved_params = [p.detach().numpy().copy() for p in params]
    if via_file is not None:
        tl.save(saved, via_file)
        saved = tl.load(via_file)
    for k in range(3, 6):
        _set_grads(params, grads, k, tl.from_numpy)
        opt.step()
    # a fresh optimizer with different hyper-parameters: the loaded ones must win
    params2 = _tl_params(saved_params)
    opt2 = getattr(optim, cls)(_groups(params2, {"lr": 0.5}), lr=0.9)
    opt2.load_state_dict(saved)
    for k in range(3, 6):
        _set_grads(params2, grads, k, tl.from_numpy)
        opt2.step()
    for a, b in zip(params, params2):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    s1, s2 = opt.state_dict(), opt2.state_dict()
    assert s1["param_groups"] == s2["param_groups"]
    for idx in s1["state"]:
        for name, v in s1["state"][idx].items():
            np.testing.assert_array_equal(np.asarray(v.numpy()), np.asarray(s2["state"][idx][name].numpy()))


RESUME = [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=1e-2, nesterov=True)),
          ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=1e-3)),
          ("AdamW", dict(lr=0.01)),
          ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("cls,kw", RESUME, ids=[c for c, _ in RESUME])
def test_state_dict_resume_is_bit_identical(cls, kw, dtype):
    _resume_case(cls, kw, dtype)


@pytest.mark.parametrize("cls,kw", RESUME[:2], ids=[c for c, _ in RESUME[:2]])
def test_state_dict_resume_through_a_checkpoint_file(cls, kw, tmp_path):
    _resume_case(cls, kw, np.float32, via_file=str(tmp_path / "opt.safetensors"))


def test_state_dict_layout_is_torchs():
    a, b, c = (tl.randn(2, requires_grad=True) for _ in range(3))
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    b.grad, c.grad = tl.ones(2), tl.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [1, 2]
    assert list(sd["state"][1]) == ["step", "exp_avg", "exp_avg_sq"]
    assert sd["state"][1]["step"].shape == () and sd["state"][1]["step"].dtype == tl.float32
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    # a snapshot: later steps do not change it
    before = sd["state"][1]["exp_avg"].numpy().copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][1]["exp_avg"].numpy(), before)


def test_state_dict_loads_into_torch_and_back(torch):
    init, grads = _data(8, np.float64, steps=4)
    params = _tl_params(init)
    opt = optim.Adam(_groups(params, {}), lr=0.01)
    _set_grads(params, grads, 0, tl.from_numpy)
    opt.step()
    sd = opt.state_dict()
    tparams = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    topt = torch.optim.Adam(_groups(tparams, {}), lr=0.01)
    tsd = {"state": {k: {n: torch.from_numpy(np.asarray(v.numpy()).copy()) for n, v in st.items()}
                     for k, st in sd["state"].items()},
           "param_groups": copy.deepcopy(sd["param_groups"])}
    topt.load_state_dict(tsd)
    for k in range(1, 4):
        _set_grads(params, grads, k, tl.from_numpy)
        _set_grads(tparams, grads, k, torch.from_numpy)
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_load_state_dict_validates():
    a, b = tl.randn(2, requires_grad=True), tl.randn(3, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = tl.ones(2), tl.ones(3)
    opt.step()
    sd = opt.state_dict()
    two_groups = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two_groups.load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)
    swapped = optim.SGD([b, a], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="elements"):
        swapped.load_state_dict(sd)
    with pytest.raises(ValueError):
        opt.load_state_dict({"state": {}})


def test_load_state_dict_clears_state_of_params_absent_from_it():
    a = _f64([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    sd0 = opt.state_dict()                     # no state yet
    a.grad = _f64([1.0])
    opt.step()
    opt.load_state_dict(sd0)
    assert a not in opt.state
    opt.step()                                 # momentum buffer starts afresh: buf = g
    assert a.item() == pytest.approx(1 - 0.1 - 0.1)
    np.testing.assert_array_equal(opt.state[a]["momentum_buffer"].numpy(), [1.0])


# ---------------------------------------------------------------------- bad arguments
def test_bad_params_arguments():
    p = tl.randn(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(3, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([3], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(ValueError, match="SGD: Invalid learning rate"):
        opt.add_param_group({"params": [tl.randn(2, requires_grad=True)], "lr": -1})


@pytest.mark.parametrize("cls,kw,match", [
    ("SGD", dict(lr=-0.1), "SGD: Invalid learning rate: -0.1 .*lr"),
    ("SGD", dict(momentum=-0.5), "SGD: Invalid momentum value: -0.5 .*momentum"),
    ("SGD", dict(weight_decay=-1e-4), "SGD: Invalid weight_decay value.*weight_decay"),
    ("SGD", dict(nesterov=True), "SGD: Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "SGD: Nesterov momentum requires"),
    ("Adam", dict(lr=-1.0), "Adam: Invalid learning rate"),
    ("Adam", dict(eps=-1e-8), "Adam: Invalid epsilon value.*eps"),
    ("Adam", dict(betas=(1.0, 0.999)), "Adam: Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Adam: Invalid beta parameter at index 1"),
    ("Adam", dict(betas=0.9), "Adam: betas must be a pair"),
    ("Adam", dict(weight_decay=-1), "Adam: Invalid weight_decay value"),
    ("AdamW", dict(betas=(0.9, 1.5)), "AdamW: Invalid beta parameter at index 1: 1.5"),
    ("AdamW", dict(lr=float("nan")), "AdamW: Invalid learning rate"),
    ("RMSprop", dict(alpha=-0.1), "RMSprop: Invalid alpha value"),
    ("RMSprop", dict(momentum=-0.1), "RMSprop: Invalid momentum value"),
    ("RMSprop", dict(eps=-1.0), "RMSprop: Invalid epsilon value"),
    ("RMSprop", dict(weight_decay=-1.0), "RMSprop: Invalid weight_decay value"),
])
def test_bad_hyper_parameters(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        getattr(optim, cls)([tl.randn(2, requires_grad=True)], **kw)


def test_custom_optimizer_subclass_torch_style():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=optim.required):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        st = self.state[p]
                        st["n"] = st.get("n", 0) + 1
                        with tl.no_grad():
                            p.sub_(group["lr"] * p.grad.sign())

    p = tl.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        SignSGD([p])
    opt = SignSGD([p], lr=0.5)
    p.grad = tl.tensor([3.0, -2.0])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.5, -0.5])
    assert opt.state_dict()["state"] == {0: {"n": 1}}
    assert "SignSGD (" in repr(opt) and "lr: 0.5" in repr(opt)


# ---------------------------------------------------------------------- gradient clipping
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    rng = np.random.default_rng(0)
    gs = [rng.standard_normal(s) for s in SHAPES[:4]]
    params = [tl.zeros(*s, dtype=tl.float64, requires_grad=True) for s in SHAPES[:4]]
    tparams = [torch.zeros(*s, dtype=torch.float64, requires_grad=True) for s in SHAPES[:4]]
    for p, tp, g in zip(params, tparams, gs):
        p.grad, tp.grad = tl.tensor(g), torch.tensor(g)
    params.append(tl.zeros(2, requires_grad=True))          # no grad: ignored
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    assert isinstance(total, tl.Tensor) and total.shape == () and total.dtype == tl.float64
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_edge_cases():
    p = tl.zeros(3, requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0           # no gradients at all
    p.grad = tl.tensor([3.0, 4.0, 0.0])
    total = clip_grad_norm_(p, 1.0)                          # a single tensor is accepted
    assert total.item() == pytest.approx(5.0) and total.dtype == tl.float32
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    p.grad = tl.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    clip_grad_norm_([p], 1.0)
    assert np.isnan(p.grad.numpy()).all()


def test_clip_grad_value_():
    p, q = tl.zeros(3, requires_grad=True), tl.zeros(2, requires_grad=True)
    p.grad = tl.tensor([-2.0, 0.5, 3.0])
    clip_grad_value_([p, q], 1.0)
    np.testing.assert_array_equal(p.grad.numpy(), [-1.0, 0.5, 1.0])
    assert q.grad is None


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_fused_steps_read_strided_gradients_in_the_parameters_order(name):
    # Linear's weight gradient comes out Fortran-ordered: the fused kernels must read it by index,
    # not in memory order, on every step (the state of the later steps shows a mix-up)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((16, 5)).astype(np.float32)
    kw = dict(lr=1e-2, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=1e-2)
    tw = torch.tensor(w0, requires_grad=True)
    lw = tl.tensor(w0, requires_grad=True)
    topt, lopt = getattr(torch.optim, name)([tw], **kw), getattr(tl.optim, name)([lw], **kw)
    for step in range(4):
        g = np.asfortranarray(rng.standard_normal((16, 5)).astype(np.float32))
        tw.grad, lw.grad = torch.tensor(g), tl.from_numpy(g)
        assert not lw.grad._data.flags.c_contiguous
        topt.step()
        lopt.step()
        np.testing.assert_allclose(lw.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=f"{name} step {step}")
