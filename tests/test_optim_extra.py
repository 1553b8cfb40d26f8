"""Adagrad / Adamax / NAdam / RAdam and PolynomialLR / CosineAnnealingWarmRestarts / CyclicLR /
ChainedScheduler against torch.optim (float64 trajectories, lr sequences, state_dict layout and
round trips), bad arguments."""
import copy

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.optim as optim
from tensorlite.optim import lr_scheduler as L

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("ignore:.*lr_scheduler.step\\(\\)` before `optimizer.step:UserWarning")

SHAPES = [(3, 4), (5,), (2, 3)]
STEPS = 10

OPT_CASES = {
    "Adagrad": {},
    "Adagrad-wd": dict(lr=0.05, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-8),
    "Adagrad-max": dict(maximize=True),
    "Adamax": {},
    "Adamax-wd": dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.05, eps=1e-6),
    "NAdam": {},
    "NAdam-wd": dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01),
    "NAdam-decoupled": dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
    "RAdam": {},
    "RAdam-wd": dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1),
    "RAdam-decoupled": dict(weight_decay=0.1, decoupled_weight_decay=True),
}


def _data(seed, steps=STEPS):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return init, grads


def _pair(name, kw, init):
    cls = name.split("-")[0]
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    lp = [tl.tensor(a.copy(), requires_grad=True) for a in init]
    # two param groups, the second with its own lr
    t = getattr(torch.optim, cls)([{"params": tp[:2]}, {"params": tp[2:], "lr": 0.03}], **kw)
    o = getattr(optim, cls)([{"params": lp[:2]}, {"params": lp[2:], "lr": 0.03}], **kw)
    return t, tp, o, lp


def _step(t, tp, o, lp, grads, k, skip=None):
    for i, (a, b) in enumerate(zip(tp, lp)):
        if skip is not None and (k, i) in skip:
            a.grad = None
            b.grad = None
        else:
            a.grad = torch.tensor(grads[k][i].copy())
            b.grad = tl.tensor(grads[k][i].copy())
    t.step()
    o.step()


def _compare_params(tp, lp, rtol=1e-10):
    for a, b in zip(tp, lp):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=rtol, atol=1e-13)


def _compare_state(t, o, rtol=1e-10):
    ts, ls = t.state_dict(), o.state_dict()
    assert sorted(ts["state"]) == sorted(ls["state"])
    for k in ts["state"]:
        assert list(ts["state"][k]) == list(ls["state"][k]), k
        for name, tv in ts["state"][k].items():
            lv = ls["state"][k][name]
            np.testing.assert_allclose(np.asarray(lv.numpy(), dtype=np.float64), tv.double().numpy(), rtol=rtol,
                                       atol=1e-13, err_msg=name)
    for tg, lg in zip(ts["param_groups"], ls["param_groups"]):
        for key, val in lg.items():
            assert tg[key] == val, key


@pytest.mark.parametrize("name", sorted(OPT_CASES))
def test_optimizer_matches_torch(name):
    init, grads = _data(1)
    t, tp, o, lp = _pair(name, OPT_CASES[name], init)
    skip = {(0, 1), (3, 2)}            # a late first gradient and a skipped step
    for k in range(STEPS):
        _step(t, tp, o, lp, grads, k, skip)
        _compare_params(tp, lp)
    _compare_state(t, o)


@pytest.mark.parametrize("name", ["Adagrad", "Adamax", "NAdam", "RAdam"])
def test_defaults_and_state_keys(name):
    sig_t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
    sig_l = getattr(optim, name)([tl.zeros(2, requires_grad=True)]).defaults
    for key, val in sig_l.items():
        assert sig_t[key] == val, key


def test_adagrad_state_exists_before_first_step():
    t, tp, o, lp = _pair("Adagrad", dict(initial_accumulator_value=0.5), _data(0)[0])
    _compare_state(t, o)
    assert float(o.state[lp[0]]["step"]) == 0.0
    assert np.all(o.state[lp[0]]["sum"].numpy() == 0.5)


@pytest.mark.parametrize("name", ["Adagrad-wd", "Adamax-wd", "NAdam-wd", "RAdam-wd"])
def test_state_dict_round_trip_resumes(name):
    init, grads = _data(2)
    t, tp, o, lp = _pair(name, OPT_CASES[name], init)
    for k in range(4):
        _step(t, tp, o, lp, grads, k)
    sd = copy.deepcopy(o.state_dict())
    t.load_state_dict(t.state_dict())   # loading casts NAdam's float32 mu_product to the param dtype (both)
    # a fresh tensorlite optimizer on copies of the parameters, loaded from the state dict
    lp2 = [tl.tensor(p.detach().numpy().copy(), requires_grad=True) for p in lp]
    cls = getattr(optim, name.split("-")[0])
    o2 = cls([{"params": lp2[:2]}, {"params": lp2[2:], "lr": 0.5}])
    o2.load_state_dict(sd)
    assert o2.param_groups[1]["lr"] == 0.03
    for k in range(4, STEPS):
        _step(t, tp, o2, lp2, grads, k)
    _compare_params(tp, lp2)
    # and torch loads tensorlite's state dict (same layout)
    tsd = {"state": {k: {n: torch.tensor(v.numpy()) for n, v in st.items()} for k, st in sd["state"].items()},
           "param_groups": sd["param_groups"]}
    t2 = getattr(torch.optim, name.split("-")[0])([{"params": [torch.zeros(s) for s in SHAPES[:2]]},
                                                   {"params": [torch.zeros(SHAPES[2])]}])
    t2.load_state_dict(tsd)


@pytest.mark.parametrize("name,kw,arg", [
    ("Adagrad", dict(lr=-0.1), "lr"), ("Adagrad", dict(lr_decay=-1.0), "lr_decay"),
    ("Adagrad", dict(weight_decay=-1.0), "weight_decay"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    ("Adagrad", dict(eps=-1.0), "eps"),
    ("Adamax", dict(lr=-0.1), "lr"), ("Adamax", dict(betas=(1.0, 0.9)), "beta"),
    ("Adamax", dict(eps=float("nan")), "eps"),
    ("NAdam", dict(lr=-0.1), "lr"), ("NAdam", dict(momentum_decay=-1.0), "momentum_decay"),
    ("NAdam", dict(betas=(0.9, -0.1)), "beta"),
    ("RAdam", dict(lr=-0.1), "lr"), ("RAdam", dict(weight_decay=-0.5), "weight_decay"),
])
def test_bad_optimizer_arguments(name, kw, arg):
    with pytest.raises(ValueError, match=arg) as e:
        getattr(optim, name)([tl.zeros(2, requires_grad=True)], **kw)
    assert name in str(e.value)
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)


# ---------------------------------------------------------------------- schedulers
def _make(lib, opt_name="SGD", **kw):
    """An optimizer of library `lib` (tensorlite.optim or torch.optim) with two param groups."""
    if lib is optim:
        ps = [tl.zeros(2, requires_grad=True) for _ in range(2)]
    else:
        ps = [torch.zeros(2, requires_grad=True) for _ in range(2)]
    kw = kw or ({"lr": 0.1, "momentum": 0.9} if opt_name == "SGD" else {"lr": 0.1})
    return getattr(lib, opt_name)([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.25}], **kw)


def _chained(S, o):
    return S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=7), S.ExponentialLR(o, gamma=0.95),
                               S.PolynomialLR(o, total_iters=40, power=2.0)])


SCHEDULERS = {
    "PolynomialLR": (lambda S, o: S.PolynomialLR(o, total_iters=30, power=2.0), "SGD", 60),
    "PolynomialLR-default": (lambda S, o: S.PolynomialLR(o), "SGD", 20),
    "CosineAnnealingWarmRestarts": (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=1e-3), "SGD", 60),
    "CosineAnnealingWarmRestarts-mult": (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2), "SGD",
                                         100),
    "CyclicLR-triangular": (lambda S, o: S.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=5), "SGD", 60),
    "CyclicLR-triangular2": (lambda S, o: S.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=4, step_size_down=7,
                                                     mode="triangular2"), "SGD", 80),
    "CyclicLR-exp_range": (lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=6, mode="exp_range", gamma=0.97,
                                                   base_momentum=0.7, max_momentum=0.95), "SGD", 80),
    "CyclicLR-adam-beta1": (lambda S, o: S.CyclicLR(o, 0.001, 0.01, step_size_up=5, base_momentum=0.8,
                                                    max_momentum=0.9), "Adam", 40),
    "CyclicLR-no-momentum": (lambda S, o: S.CyclicLR(o, 0.001, 0.01, step_size_up=3, cycle_momentum=False),
                             "RMSprop", 30),
    "CyclicLR-scale_fn": (lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 0.9 ** x,
                                                  scale_mode="iterations"), "SGD", 40),
    "ChainedScheduler": (_chained, "SGD", 60),
}


def _groups_state(o):
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in o.param_groups]


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_matches_torch(name):
    build, opt_name, n = SCHEDULERS[name]
    ot, ol = _make(torch.optim, opt_name), _make(optim, opt_name)
    st, sl = build(torch.optim.lr_scheduler, ot), build(L, ol)
    assert sl.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-13, abs=1e-15)
    for _ in range(n):
        ot.step(), ol.step()
        st.step(), sl.step()
        assert sl.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12, abs=1e-15)
        for (a, ma, ba), (b, mb, bb) in zip(_groups_state(ot), _groups_state(ol)):
            assert b == pytest.approx(a, rel=1e-12, abs=1e-15)
            assert (mb is None) == (ma is None) and (mb is None or mb == pytest.approx(ma, rel=1e-12))
            assert (bb is None) == (ba is None) and (bb is None or bb == pytest.approx(ba, rel=1e-12))
    if hasattr(st, "last_epoch"):
        assert sl.last_epoch == st.last_epoch


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_state_dict_round_trip(name):
    build, opt_name, n = SCHEDULERS[name]
    ot, ol = _make(torch.optim, opt_name), _make(optim, opt_name)
    st, sl = build(torch.optim.lr_scheduler, ot), build(L, ol)
    half = n // 2 + 1
    for _ in range(half):
        ot.step(), ol.step(), st.step(), sl.step()
    sd_t, sd_l = st.state_dict(), sl.state_dict()
    assert set(sd_l) <= set(sd_t) | {"_is_initial"}, set(sd_l) ^ set(sd_t)
    osd = copy.deepcopy(ol.state_dict())
    sd_l = copy.deepcopy(sd_l)
    # continue from the saved state in a freshly built optimizer + scheduler
    ol2 = _make(optim, opt_name)
    sl2 = build(L, ol2)
    ol2.load_state_dict(osd)
    sl2.load_state_dict(sd_l)
    assert sl2.get_last_lr() == sl.get_last_lr()
    for _ in range(n - half):
        ot.step(), ol2.step(), st.step(), sl2.step()
        assert sl2.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12, abs=1e-15)


def test_cosine_warm_restarts_fractional_epochs():
    ot, ol = _make(torch.optim), _make(optim)
    for T_mult in (1, 2):
        st = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ot, T_0=4, T_mult=T_mult, eta_min=0.01)
        sl = L.CosineAnnealingWarmRestarts(ol, T_0=4, T_mult=T_mult, eta_min=0.01)
        iters = 7
        for epoch in range(20):
            for i in range(iters):
                e = epoch + i / iters
                st.step(e), sl.step(e)
                assert sl.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12)
                assert (sl.last_epoch, sl.T_i) == (st.last_epoch, st.T_i)
                assert sl.T_cur == pytest.approx(st.T_cur, rel=1e-12)
        # back to plain steps after explicit epochs
        for _ in range(10):
            st.step(), sl.step()
            assert sl.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12)


def test_polynomial_closed_form_and_resume_last_epoch():
    ot, ol = _make(torch.optim), _make(optim)
    st = torch.optim.lr_scheduler.PolynomialLR(ot, total_iters=10, power=0.5)
    sl = L.PolynomialLR(ol, total_iters=10, power=0.5)
    with pytest.warns(UserWarning):
        sl.step(4)
    with pytest.warns(UserWarning):
        st.step(4)
    assert sl.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-13)
    # resuming with last_epoch needs initial_lr (set by the first scheduler)
    s2t = torch.optim.lr_scheduler.PolynomialLR(ot, total_iters=10, power=0.5, last_epoch=4)
    s2l = L.PolynomialLR(ol, total_iters=10, power=0.5, last_epoch=4)
    for _ in range(8):
        s2t.step(), s2l.step()
        assert s2l.get_last_lr() == pytest.approx(s2t.get_last_lr(), rel=1e-12, abs=1e-15)
    with pytest.raises(KeyError, match="initial_lr"):
        L.PolynomialLR(_make(optim), last_epoch=3)


def test_cyclic_custom_scale_fn_state_dict():
    class Scale:
        def __init__(self):
            self.k = 0.5

        def __call__(self, x):
            return self.k ** x

    fn = Scale()
    sl = L.CyclicLR(_make(optim), 0.01, 0.1, step_size_up=3, scale_fn=fn)
    sd = sl.state_dict()
    assert sd["_scale_fn_custom"] == {"k": 0.5}
    fn.k = 0.9
    sl.load_state_dict(sd)
    assert fn.k == 0.5
    assert L.CyclicLR(_make(optim), 0.01, 0.1, scale_fn=lambda x: 1.0).state_dict()["_scale_fn_custom"] is None


@pytest.mark.parametrize("make,exc,words", [
    (lambda o: L.PolynomialLR(o, total_iters=0), ValueError, ["PolynomialLR", "total_iters", "0"]),
    (lambda o: L.PolynomialLR(o, power="2"), TypeError, ["PolynomialLR", "power", "'2'"]),
    (lambda o: L.PolynomialLR([1]), TypeError, ["PolynomialLR", "optimizer", "list"]),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, ["CosineAnnealingWarmRestarts", "T_0", "0"]),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2.5), ValueError, ["CosineAnnealingWarmRestarts", "T_0", "2.5"]),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError, ["T_mult", "0"]),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, eta_min="x"), ValueError, ["eta_min", "'x'"]),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5).step(-1), ValueError, ["epoch", "-1"]),
    (lambda o: L.CyclicLR(o, 0.01, 0.1, mode="square"), ValueError, ["CyclicLR", "mode", "'square'"]),
    (lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, ["CyclicLR", "step_size_up", "0"]),
    (lambda o: L.CyclicLR(o, [0.01], 0.1), ValueError, ["CyclicLR", "base_lr", "2"]),
    (lambda o: L.CyclicLR(o, 0.01, "high"), ValueError, ["CyclicLR", "max_lr", "'high'"]),
    (lambda o: L.CyclicLR(optim.Adagrad([tl.zeros(2, requires_grad=True)]), 0.01, 0.1), ValueError,
     ["CyclicLR", "cycle_momentum", "Adagrad"]),
    (lambda o: L.ChainedScheduler([]), ValueError, ["ChainedScheduler", "schedulers"]),
    (lambda o: L.ChainedScheduler([L.StepLR(o, 2), L.StepLR(_make(optim), 2)]), ValueError,
     ["ChainedScheduler", "optimizer", "StepLR"]),
    (lambda o: L.ChainedScheduler([L.ReduceLROnPlateau(o)]), ValueError, ["ChainedScheduler", "ReduceLROnPlateau"]),
    (lambda o: L.ChainedScheduler(5), TypeError, ["ChainedScheduler", "schedulers", "int"]),
])
def test_bad_scheduler_arguments(make, exc, words):
    with pytest.raises(exc) as e:
        make(_make(optim))
    for w in words:
        assert w in str(e.value), (w, str(e.value))
