"""Adadelta / Rprop / ASGD / LBFGS against torch.optim: float64 trajectories from the same
gradients (or the same loss, for LBFGS), state_dict layout and values, state_dict hand-over in
both directions, argument validation, LBFGS's closure and param-group rules, LR schedulers."""
import copy

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.optim as optim
from tensorlite.optim import lr_scheduler as L
from tensorlite.testing.strategies import small_shapes


# ---------------------------------------------------------------------- helpers
def t2l(v, torch):
    """A torch state value (tensors, lists, dicts) as tensorlite values."""
    if isinstance(v, torch.Tensor):
        return tl.tensor(v.detach().numpy().copy())
    if isinstance(v, dict):
        return {k: t2l(x, torch) for k, x in v.items()}
    if isinstance(v, list):
        return [t2l(x, torch) for x in v]
    return copy.deepcopy(v)


def l2t(v, torch):
    if isinstance(v, tl.Tensor):
        return torch.from_numpy(np.array(v.numpy(), copy=True))
    if isinstance(v, dict):
        return {k: l2t(x, torch) for k, x in v.items()}
    if isinstance(v, list):
        return [l2t(x, torch) for x in v]
    return copy.deepcopy(v)


def assert_same_value(tv, lv, torch, path="", rtol=1e-10, atol=1e-13):
    """Same structure, same kinds (tensor / list / int / float / None), same dtypes, close values."""
    if isinstance(tv, torch.Tensor):
        assert isinstance(lv, tl.Tensor), (path, type(lv))
        assert str(lv.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], (path, lv.dtype, tv.dtype)
        assert tuple(lv.shape) == tuple(tv.shape), path
        np.testing.assert_allclose(lv.numpy(), tv.detach().numpy(), rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(tv, list):
        assert isinstance(lv, list) and len(lv) == len(tv), path
        for i, (a, b) in enumerate(zip(tv, lv)):
            assert_same_value(a, b, torch, f"{path}[{i}]", rtol, atol)
    elif tv is None:
        assert lv is None, path
    else:
        assert type(lv) is type(tv), (path, type(lv), type(tv))
        assert lv == pytest.approx(tv, rel=rtol, abs=atol), path


def assert_same_state(to, lo, torch, rtol=1e-10, atol=1e-13):
    ts, ls = to.state_dict(), lo.state_dict()
    assert sorted(ts["state"]) == sorted(ls["state"])
    for k, tst in ts["state"].items():
        assert list(ls["state"][k]) == list(tst), k          # same keys, same order
        for name, tv in tst.items():
            assert_same_value(tv, ls["state"][k][name], torch, f"state[{k}][{name!r}]", rtol, atol)
    assert len(ts["param_groups"]) == len(ls["param_groups"])
    for tg, lg in zip(ts["param_groups"], ls["param_groups"]):
        assert list(lg) == list(tg)
        for key, val in tg.items():
            assert lg[key] == val, key


def assert_same_params(tp, lp, rtol=1e-11, atol=1e-13):
    for a, b in zip(tp, lp):
        assert tuple(b.shape) == tuple(a.shape)
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=rtol, atol=atol)


PARAM_SHAPES = st.lists(small_shapes(max_dims=3, max_numel=8), min_size=1, max_size=3).map(
    lambda s: [(), (1, 3)] + s)                      # always a 0-d and a size-1-dim parameter


def make_params(torch, init):
    return ([torch.tensor(a.copy(), requires_grad=True) for a in init],
            [tl.tensor(a.copy(), requires_grad=True) for a in init])


def feed(tp, lp, grads, skip=()):
    for i, (a, b, g) in enumerate(zip(tp, lp, grads)):
        if i in skip:
            a.grad = b.grad = None
        else:
            a.grad, b.grad = a.new_tensor(g.copy()), tl.tensor(g.copy())


# ---------------------------------------------------------------------- hyper-parameters
ELEMENTWISE = {
    "Adadelta": st.fixed_dictionaries({
        "lr": st.sampled_from([1.0, 0.5, 2.0, 0.0]), "rho": st.sampled_from([0.9, 0.5, 0.99, 0.0, 1.0]),
        "eps": st.sampled_from([1e-6, 1e-3]), "weight_decay": st.sampled_from([0, 0.1, 1.5]),
        "maximize": st.booleans()}),
    "Rprop": st.fixed_dictionaries({
        "lr": st.sampled_from([1e-2, 0.1, 0.003]),
        "etas": st.tuples(st.sampled_from([0.5, 0.3, 0.9]), st.sampled_from([1.2, 1.05, 2.0])),
        "step_sizes": st.tuples(st.sampled_from([1e-6, 1e-3, 0.02]), st.sampled_from([50, 0.05, 0.3])),
        "maximize": st.booleans()}),
    "ASGD": st.fixed_dictionaries({
        "lr": st.sampled_from([1e-2, 0.1, 0.5]), "lambd": st.sampled_from([1e-4, 0.05, 0.0]),
        "alpha": st.sampled_from([0.75, 0.5, 1.0]), "t0": st.sampled_from([1e6, 0, 2, 5.0]),
        "weight_decay": st.sampled_from([0, 0.1]), "maximize": st.booleans()}),
}


def _grads(rng, shapes, n):
    return [[rng.standard_normal(s) for s in shapes] for _ in range(n)]


def _pair(torch, name, kw, tp, lp, groups):
    if groups:      # two param groups, the second with its own lr
        tgs = [{"params": tp[:1]}, {"params": tp[1:], "lr": 0.03}]
        lgs = [{"params": lp[:1]}, {"params": lp[1:], "lr": 0.03}]
        return getattr(torch.optim, name)(tgs, **kw), getattr(optim, name)(lgs, **kw)
    return getattr(torch.optim, name)(tp, **kw), getattr(optim, name)(lp, **kw)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@settings(max_examples=20)
@given(data=st.data())
def test_elementwise_matches_torch(torch, name, data):
    kw = data.draw(ELEMENTWISE[name], label="hyper-parameters")
    shapes = data.draw(PARAM_SHAPES, label="shapes")
    groups = data.draw(st.booleans(), label="two groups")
    n = data.draw(st.integers(1, 8), label="steps")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16), label="seed"))
    tp, lp = make_params(torch, [rng.standard_normal(s) for s in shapes])
    to, lo = _pair(torch, name, kw, tp, lp, groups)
    for k, grads in enumerate(_grads(rng, shapes, n)):
        skip = {len(shapes) - 1} if k == 0 else ({1} if k == 2 else ())   # late state / skipped step
        feed(tp, lp, grads, skip)
        to.step(), lo.step()
        assert_same_params(tp, lp)
    assert_same_state(to, lo, torch)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@settings(max_examples=8)
@given(data=st.data())
def test_elementwise_state_dict_hand_over(torch, name, data):
    kw = data.draw(ELEMENTWISE[name], label="hyper-parameters")
    shapes = [(), (1, 3), (2, 2)]
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16), label="seed"))
    tp, lp = make_params(torch, [rng.standard_normal(s) for s in shapes])
    to, lo = _pair(torch, name, kw, tp, lp, True)
    steps = _grads(rng, shapes, 8)
    for grads in steps[:4]:
        feed(tp, lp, grads)
        to.step(), lo.step()
    sd_t, sd_l = copy.deepcopy(to.state_dict()), copy.deepcopy(lo.state_dict())
    # torch -> tensorlite: a fresh tensorlite optimizer (other hyper-parameters) continues as a
    # fresh torch optimizer loading the same dict (loading casts ASGD's eta / mu, in both)
    tp2, lp2 = make_params(torch, [p.detach().numpy() for p in tp])
    to2, lo2 = _pair(torch, name, {}, tp2, lp2, True)
    to2.load_state_dict(sd_t)
    lo2.load_state_dict(t2l(sd_t, torch))
    assert_same_state(to2, lo2, torch)
    # tensorlite -> torch likewise
    tp3, lp3 = make_params(torch, [p.detach().numpy() for p in lp])
    to3, lo3 = _pair(torch, name, {}, tp3, lp3, True)
    to3.load_state_dict(l2t(sd_l, torch))
    lo3.load_state_dict(sd_l)
    for grads in steps[4:]:
        feed(tp2, lp2, grads), feed(tp3, lp3, grads)
        to2.step(), lo2.step(), to3.step(), lo3.step()
    assert_same_params(tp2, lp2)
    assert_same_params(tp3, lp3)
    assert_same_state(to2, lo2, torch)
    assert_same_state(to3, lo3, torch)


@pytest.mark.parametrize("name", ["Adadelta", "Rprop", "ASGD", "LBFGS"])
def test_defaults_and_state_dtypes(torch, name):
    td = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
    ld = getattr(optim, name)([tl.zeros(2, requires_grad=True)]).defaults
    assert list(ld) == list(td)
    for key, val in td.items():
        assert ld[key] == val, key
    if name == "LBFGS":
        return
    # one float32 step: state dtypes ('step' / 'eta' / 'mu' float32 0-d tensors) as torch
    tp, lp = make_params(torch, [np.ones((2, 3), np.float32), np.ones((), np.float32)])
    to, lo = getattr(torch.optim, name)(tp), getattr(optim, name)(lp)
    feed(tp, lp, [np.full((2, 3), 0.5, np.float32), np.full((), -0.25, np.float32)])
    to.step(), lo.step()
    assert_same_params(tp, lp, rtol=1e-6, atol=1e-7)
    assert_same_state(to, lo, torch, rtol=1e-6, atol=1e-7)


BAD_ARGS = [
    ("Adadelta", dict(lr=-1), "learning rate"), ("Adadelta", dict(rho=1.5), "rho"),
    ("Adadelta", dict(rho=-0.1), "rho"), ("Adadelta", dict(eps=-1e-6), "epsilon"),
    ("Adadelta", dict(weight_decay=-0.1), "weight_decay"),
    ("Rprop", dict(lr=-0.1), "learning rate"), ("Rprop", dict(etas=(1.0, 1.2)), "eta"),
    ("Rprop", dict(etas=(0.5, 0.9)), "eta"), ("Rprop", dict(etas=(0.0, 1.2)), "eta"),
    ("ASGD", dict(lr=-1e-2), "learning rate"), ("ASGD", dict(weight_decay=-1), "weight_decay"),
    ("LBFGS", dict(lr=-1), "learning rate"),
]


@pytest.mark.parametrize("name,kw,what", BAD_ARGS)
def test_bad_arguments(torch, name, kw, what):
    with pytest.raises(ValueError, match=f"Invalid {what}") as e:
        getattr(optim, name)([tl.zeros(2, requires_grad=True)], **kw)
    assert name in str(e.value)
    with pytest.raises(ValueError, match=f"Invalid {what}"):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)


@pytest.mark.parametrize("name", ["Adadelta", "Rprop", "ASGD", "LBFGS"])
def test_tensor_lr_must_have_one_element(torch, name):
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        getattr(optim, name)([tl.zeros(2, requires_grad=True)], lr=tl.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=torch.tensor([0.1, 0.2]))


def test_rprop_etas_must_be_a_pair(torch):
    with pytest.raises(TypeError, match="etas"):
        optim.Rprop([tl.zeros(2, requires_grad=True)], etas=0.5)
    with pytest.raises(TypeError):
        torch.optim.Rprop([torch.zeros(2, requires_grad=True)], etas=0.5)


@pytest.mark.parametrize("name", ["Adadelta", "Rprop", "ASGD", "LBFGS"])
def test_tensor_lr_matches_torch(torch, name):
    rng = np.random.default_rng(7)
    shapes = [(3,), (2, 1)]
    t_loss, l_loss = _quadratic_problem(torch, rng, shapes)
    tp, lp = make_params(torch, [rng.standard_normal(s) for s in shapes])
    to = getattr(torch.optim, name)(tp, lr=torch.tensor(0.5, dtype=torch.float64))
    lo = getattr(optim, name)(lp, lr=tl.tensor(0.5, dtype=tl.float64))
    ct, cl = _closure(to, tp, t_loss), _closure(lo, lp, l_loss)
    for _ in range(3):
        to.step(ct), lo.step(cl)
        assert_same_params(tp, lp, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------- LBFGS
def _quadratic(lib, A, b):
    def loss(params):
        v = lib.cat([p.reshape(-1) for p in params])
        return 0.5 * (v * (A @ v)).sum() - (b * v).sum() + 0.25 * (v ** 4).sum()
    return loss


def _rosenbrock(lib):
    def loss(params):
        x, y = params[0].reshape(-1), params[1].reshape(-1)
        return ((1 - x) ** 2).sum() + (100 * (y - x ** 2) ** 2).sum()
    return loss


def _lbfgs_pair(torch, init, kw):
    tp, lp = make_params(torch, init)
    return tp, lp, torch.optim.LBFGS(tp, **kw), optim.LBFGS(lp, **kw)


def _closure(opt, params, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn(params)
        loss.backward()
        return loss
    return closure


def _run_lbfgs(torch, tp, lp, to, lo, t_loss, l_loss, steps, rtol):
    ct, cl = _closure(to, tp, t_loss), _closure(lo, lp, l_loss)
    for _ in range(steps):
        a, b = to.step(ct), lo.step(cl)
        assert isinstance(b, tl.Tensor)
        assert float(b) == pytest.approx(float(a.detach()), rel=rtol, abs=1e-12)
        assert_same_params(tp, lp, rtol=rtol, atol=1e-12)


def _quadratic_problem(torch, rng, shapes):
    n = sum(int(np.prod(s)) for s in shapes)
    m = rng.standard_normal((n, n))
    A = m @ m.T / n + np.eye(n)
    b = rng.standard_normal(n)
    return (_quadratic(torch, torch.tensor(A), torch.tensor(b)), _quadratic(tl, tl.tensor(A), tl.tensor(b)))


LBFGS_KW = st.fixed_dictionaries({
    "max_iter": st.sampled_from([1, 3, 20]), "max_eval": st.sampled_from([None, 4, 30]),
    "history_size": st.sampled_from([1, 3, 100]), "tolerance_grad": st.sampled_from([1e-7, 1e-3]),
    "tolerance_change": st.sampled_from([1e-9, 1e-4]), "line_search_fn": st.sampled_from([None, "strong_wolfe"])})
# large steps only with the line search (fixed steps that large diverge)
LBFGS_KW = LBFGS_KW.flatmap(lambda kw: st.sampled_from(
    [1, 0.5, 0.1] + ([4.0, 30.0] if kw["line_search_fn"] else [])).map(lambda lr: dict(kw, lr=lr)))


@settings(max_examples=25)
@given(data=st.data())
def test_lbfgs_quadratic_matches_torch(torch, data):
    kw = data.draw(LBFGS_KW, label="hyper-parameters")
    shapes = data.draw(PARAM_SHAPES, label="shapes")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16), label="seed"))
    t_loss, l_loss = _quadratic_problem(torch, rng, shapes)
    tp, lp, to, lo = _lbfgs_pair(torch, [rng.standard_normal(s) for s in shapes], kw)
    _run_lbfgs(torch, tp, lp, to, lo, t_loss, l_loss, data.draw(st.integers(1, 4), label="steps"), 1e-9)
    # near the minimum 'ro' = 1 / (y.s) magnifies round-off in the small history terms
    assert_same_state(to, lo, torch, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size", [100, 3])
def test_lbfgs_rosenbrock_matches_torch(torch, line_search_fn, history_size):
    init = [np.array([-1.2, 0.5, 1.3]), np.array([[1.0], [0.2], [1.1]])]
    kw = dict(max_iter=5, history_size=history_size, line_search_fn=line_search_fn)
    tp, lp, to, lo = _lbfgs_pair(torch, init, kw)
    _run_lbfgs(torch, tp, lp, to, lo, _rosenbrock(torch), _rosenbrock(tl), 4, 1e-8)
    assert_same_state(to, lo, torch, rtol=1e-7, atol=1e-10)
    if line_search_fn is not None:    # heads for the minimum (1, 1), loss 0
        _run_lbfgs(torch, tp, lp, to, lo, _rosenbrock(torch), _rosenbrock(tl), 6, 1e-6)
        assert float(_rosenbrock(tl)(lp)) < 1e-2 * float(_rosenbrock(tl)([tl.tensor(a) for a in init]))


def _wiggly(lib, w, a):
    def loss(params):
        x = params[0]
        return ((x * w).sin() * a + 0.05 * x ** 2 + (x * 0.5).abs()).sum()
    return loss


def _abs(lib):
    return lambda params: params[0].abs().sum() + 0.01 * (params[0] ** 2).sum()


# deterministic cases for the line search's branches: extrapolation, running out of evaluations,
# the no-minimizer midpoint, zoom steps moved off the bracket ends, a bracket shrunk to nothing
@pytest.mark.parametrize("problem,lr,max_eval", [
    ("wiggly", 1, 40), ("wiggly", 20, 40), ("abs", 1, None), ("abs", 3, 40), ("rosenbrock", 0.01, None),
    ("rosenbrock", 10, 40)])
def test_lbfgs_line_search_branches_match_torch(torch, problem, lr, max_eval):
    rng = np.random.default_rng(0)
    if problem == "rosenbrock":
        init = [np.array([-1.2, 0.5, 1.3]), np.array([[1.0], [0.2], [1.1]])]
        t_loss, l_loss = _rosenbrock(torch), _rosenbrock(tl)
    elif problem == "wiggly":
        w, a = rng.uniform(0.5, 4, 3), float(rng.uniform(0.5, 3))
        init = [rng.standard_normal(3) * 2]
        t_loss, l_loss = _wiggly(torch, torch.tensor(w), a), _wiggly(tl, tl.tensor(w), a)
    else:
        init = [np.array([0.7, -1.3, 2.1])]
        t_loss, l_loss = _abs(torch), _abs(tl)
    kw = dict(lr=lr, max_iter=6, max_eval=max_eval, line_search_fn="strong_wolfe")
    tp, lp, to, lo = _lbfgs_pair(torch, init, kw)
    _run_lbfgs(torch, tp, lp, to, lo, t_loss, l_loss, 3, 1e-8)
    assert_same_state(to, lo, torch, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_state_dict_hand_over(torch, line_search_fn):
    rng = np.random.default_rng(3)
    shapes = [(), (2, 1), (3,)]
    t_loss, l_loss = _quadratic_problem(torch, rng, shapes)
    init = [rng.standard_normal(s) for s in shapes]
    kw = dict(max_iter=2, history_size=3, line_search_fn=line_search_fn)
    tp, lp, to, lo = _lbfgs_pair(torch, init, kw)
    _run_lbfgs(torch, tp, lp, to, lo, t_loss, l_loss, 2, 1e-10)
    sd_t, sd_l = copy.deepcopy(to.state_dict()), copy.deepcopy(lo.state_dict())
    # torch -> tensorlite, against torch continuing; and tensorlite -> a fresh torch optimizer
    tp2, lp2, _, lo2 = _lbfgs_pair(torch, [p.detach().numpy() for p in tp], kw)
    lo2.load_state_dict(t2l(sd_t, torch))
    assert_same_state(to, lo2, torch)
    tp3, lp3, to3, _ = _lbfgs_pair(torch, [p.detach().numpy() for p in lp], kw)
    to3.load_state_dict(l2t(sd_l, torch))
    _run_lbfgs(torch, tp, lp2, to, lo2, t_loss, l_loss, 2, 1e-9)
    _run_lbfgs(torch, tp3, lp, to3, lo, t_loss, l_loss, 2, 1e-9)
    assert_same_state(to, lo2, torch, rtol=1e-9, atol=1e-12)
    assert_same_state(to3, lo, torch, rtol=1e-9, atol=1e-12)


def test_lbfgs_float32_state_dtypes(torch):
    init = [np.array([-1.2, 0.5], np.float32), np.array([1.0, 0.2], np.float32)]
    tp, lp, to, lo = _lbfgs_pair(torch, init, dict(max_iter=3, line_search_fn="strong_wolfe"))
    _run_lbfgs(torch, tp, lp, to, lo, _rosenbrock(torch), _rosenbrock(tl), 1, 1e-4)
    assert_same_state(to, lo, torch, rtol=1e-3, atol=1e-5)


def test_lbfgs_needs_a_closure_and_one_group(torch):
    p = tl.zeros(2, requires_grad=True)
    o = optim.LBFGS([p])
    with pytest.raises(TypeError, match="closure"):
        o.step()
    with pytest.raises(TypeError, match="closure"):
        torch.optim.LBFGS([torch.zeros(2, requires_grad=True)]).step()
    groups = [{"params": [tl.zeros(2, requires_grad=True)]}, {"params": [tl.zeros(1, requires_grad=True)]}]
    msg = "LBFGS doesn't support per-parameter options"
    with pytest.raises(ValueError, match=msg):
        optim.LBFGS(groups)
    with pytest.raises(ValueError, match=msg):
        torch.optim.LBFGS([{"params": [torch.zeros(2, requires_grad=True)]},
                           {"params": [torch.zeros(1, requires_grad=True)]}])
    # a second group added later fails at the step, as torch
    o.add_param_group({"params": [tl.zeros(1, requires_grad=True)]})
    with pytest.raises(AssertionError, match="one param_group"):
        o.step(_closure(o, [p], lambda ps: (ps[0] ** 2).sum()))
    # an unknown line search fails at the step, as torch
    q = tl.tensor([1.0, 2.0], requires_grad=True)
    o = optim.LBFGS([q], line_search_fn="armijo")
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        o.step(_closure(o, [q], lambda ps: (ps[0] ** 2).sum()))


def test_lbfgs_optimal_start_returns_early(torch):
    p = tl.tensor([0.0, 0.0], requires_grad=True)
    o = optim.LBFGS([p])
    loss = o.step(_closure(o, [p], lambda ps: (ps[0] ** 2).sum()))
    assert float(loss) == 0.0
    assert dict(o.state[p]) == {"func_evals": 1, "n_iter": 0}
    np.testing.assert_array_equal(p.detach().numpy(), [0.0, 0.0])


# ---------------------------------------------------------------------- schedulers
@pytest.mark.parametrize("name,kw,sched,skw", [
    ("Adadelta", {}, "StepLR", dict(step_size=2, gamma=0.7)),          # the MNIST example's idiom
    ("Rprop", {}, "ExponentialLR", dict(gamma=0.9)),
    ("ASGD", dict(lr=0.1, t0=2), "CosineAnnealingLR", dict(T_max=5)),
    ("LBFGS", dict(max_iter=2), "StepLR", dict(step_size=1, gamma=0.5)),
])
def test_schedulers_drive_these_optimizers(torch, name, kw, sched, skw):
    rng = np.random.default_rng(5)
    shapes = [(3,), (2, 2)]
    t_loss, l_loss = _quadratic_problem(torch, rng, shapes)
    tp, lp = make_params(torch, [rng.standard_normal(s) for s in shapes])
    to, lo = getattr(torch.optim, name)(tp, **kw), getattr(optim, name)(lp, **kw)
    ts, ls = getattr(torch.optim.lr_scheduler, sched)(to, **skw), getattr(L, sched)(lo, **skw)
    ct, cl = _closure(to, tp, t_loss), _closure(lo, lp, l_loss)
    for _ in range(6):
        to.step(ct), lo.step(cl)
        ts.step(), ls.step()
        assert ls.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
        assert lo.param_groups[0]["lr"] == pytest.approx(to.param_groups[0]["lr"], rel=1e-12)
        assert_same_params(tp, lp, rtol=1e-9, atol=1e-12)
