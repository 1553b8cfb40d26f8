"""tensorlite.optim.lr_scheduler against torch.optim.lr_scheduler (100+ steps each, two param
groups), hand-computed values, state_dict resume, bad arguments."""
import math
import warnings

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.optim as optim
from tensorlite.optim import lr_scheduler as L

# many tests step schedulers without an optimizer step (both libraries warn about that)
pytestmark = pytest.mark.filterwarnings("ignore:.*lr_scheduler.step\\(\\)` before `optimizer.step:UserWarning")


def _make(lib, opt_name="SGD", **kw):
    """An optimizer of library `lib` (tensorlite.optim or torch.optim) with two param groups."""
    if lib is optim:
        ps = [tl.zeros(2, requires_grad=True) for _ in range(2)]
    else:
        import torch
        ps = [torch.zeros(2, requires_grad=True) for _ in range(2)]
    kw = kw or ({"lr": 0.1, "momentum": 0.9} if opt_name == "SGD" else {"lr": 0.1})
    return getattr(lib, opt_name)([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.25}], **kw)


SCHEDULERS = {
    "StepLR": (lambda S, o: S.StepLR(o, step_size=7, gamma=0.5), 100),
    "MultiStepLR": (lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 80], gamma=0.3), 100),
    "ConstantLR": (lambda S, o: S.ConstantLR(o, factor=0.2, total_iters=20), 100),
    "LinearLR": (lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=37), 100),
    "LinearLR-default": (lambda S, o: S.LinearLR(o), 100),
    "ExponentialLR": (lambda S, o: S.ExponentialLR(o, gamma=0.97), 100),
    "CosineAnnealingLR": (lambda S, o: S.CosineAnnealingLR(o, T_max=30, eta_min=1e-3), 250),
    "CosineAnnealingLR-100": (lambda S, o: S.CosineAnnealingLR(o, T_max=100), 100),
    "LambdaLR": (lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e), 100),
    "LambdaLR-per-group": (lambda S, o: S.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.99 ** e]), 100),
    "MultiplicativeLR": (lambda S, o: S.MultiplicativeLR(o, lambda e: 0.98), 100),
    "OneCycleLR": (lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=100), 100),
    "OneCycleLR-3phase-linear": (lambda S, o: S.OneCycleLR(o, max_lr=1.0, epochs=10, steps_per_epoch=12,
                                                           three_phase=True, anneal_strategy="linear",
                                                           pct_start=0.25), 119),
    "OneCycleLR-no-momentum": (lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=60, cycle_momentum=False,
                                                         div_factor=10.0, final_div_factor=100.0), 60),
    "SequentialLR-warmup-cosine": (lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=10),
                                                                   S.CosineAnnealingLR(o, T_max=90)],
                                                               milestones=[10]), 150),
    "SequentialLR-three": (lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=5),
                                                           S.ExponentialLR(o, gamma=0.9),
                                                           S.StepLR(o, step_size=10, gamma=0.5)],
                                                       milestones=[5, 40]), 100),
}


def _compare(torch, build, n, opt_name="SGD", step_opt=True):
    topt, mopt = _make(torch.optim, opt_name), _make(optim, opt_name)
    ts, ms = build(torch.optim.lr_scheduler, topt), build(L, mopt)
    assert ts.get_last_lr() == ms.get_last_lr()
    for k in range(n):
        if step_opt:
            topt.step()
            mopt.step()
        ts.step()
        ms.step()
        assert ts.get_last_lr() == ms.get_last_lr(), k          # bit-identical in float64
        for tg, mg in zip(topt.param_groups, mopt.param_groups):
            assert tg["lr"] == mg["lr"]
            for key in ("momentum", "betas", "initial_lr", "max_lr", "min_lr"):
                if key in tg:
                    assert tuple(np.atleast_1d(tg[key])) == tuple(np.atleast_1d(mg[key])), (k, key)
    return ts, ms


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_matches_torch(torch, name):
    build, n = SCHEDULERS[name]
    _compare(torch, build, n)


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR-3phase-linear"])
def test_one_cycle_cycles_adam_beta1_like_torch(torch, name):
    build, n = SCHEDULERS[name]
    _compare(torch, build, n, opt_name="Adam")


def test_one_cycle_drives_adam_updates_like_torch(torch):
    """Scheduler + optimizer together: the cycled lr and beta1 reach the fused Adam kernel."""
    rng = np.random.default_rng(0)
    init = rng.standard_normal(5)
    p = tl.from_numpy(init.copy()).requires_grad_()
    tp = torch.tensor(init.copy(), requires_grad=True)
    opt, topt = optim.Adam([p], lr=0.1, weight_decay=0.01), torch.optim.Adam([tp], lr=0.1, weight_decay=0.01)
    s = L.OneCycleLR(opt, max_lr=0.5, total_steps=40)
    ts = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.5, total_steps=40)
    for _ in range(40):
        g = rng.standard_normal(5)
        p.grad, tp.grad = tl.from_numpy(g.copy()), torch.from_numpy(g.copy())
        opt.step()
        topt.step()
        s.step()
        ts.step()
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-11, atol=1e-13)


def _metric_script():
    rng = np.random.default_rng(0)
    return [float(x) for x in np.concatenate([np.linspace(1, 0.5, 20), 0.5 + 0.01 * rng.standard_normal(40),
                                              np.linspace(0.5, 0.2, 20), np.full(40, 0.2)])]


PLATEAU = {
    "min-rel": dict(patience=3, cooldown=2, factor=0.5, min_lr=[1e-3, 1e-2]),
    "min-abs": dict(patience=2, threshold=0.01, threshold_mode="abs", factor=0.3),
    "max-rel": dict(mode="max", patience=4, threshold=0.05),
    "max-abs-eps": dict(mode="max", patience=1, threshold=0.0, threshold_mode="abs", min_lr=0.05, eps=0.02),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(torch, name):
    kw = PLATEAU[name]
    metric = _metric_script()
    if kw.get("mode") == "max":
        metric = [2.0 - m for m in metric]
    topt, mopt = _make(torch.optim), _make(optim)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    ms = L.ReduceLROnPlateau(mopt, **kw)
    changes = 0
    for k, m in enumerate(metric):
        ts.step(m)
        before = ms.get_last_lr()
        ms.step(m)
        changes += before != ms.get_last_lr()
        assert ts.get_last_lr() == ms.get_last_lr(), k
        assert (ts.num_bad_epochs, ts.cooldown_counter, ts.best) == (ms.num_bad_epochs, ms.cooldown_counter, ms.best)
    assert changes >= 1


def test_reduce_lr_on_plateau_hand_computed():
    opt = _make(optim)
    s = L.ReduceLROnPlateau(opt, patience=2, factor=0.5, min_lr=0.04)
    lrs = []
    for m in [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]:
        s.step(m)
        lrs.append(s.get_last_lr()[0])
    # bad epochs 1, 2, 3 (> patience) -> halve at the 5th call, again three calls later, then min_lr
    assert lrs == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.04, 0.04, 0.04, 0.04, 0.04]


def test_hand_computed_values_without_torch():
    opt = _make(optim)
    s = L.StepLR(opt, step_size=2, gamma=0.5)
    seen = [s.get_last_lr()[0]]
    for _ in range(5):
        s.step()
        seen.append(s.get_last_lr()[0])
    assert seen == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    opt = _make(optim)
    s = L.LinearLR(opt, start_factor=0.25, total_iters=3)
    seen = [s.get_last_lr()[1]]
    for _ in range(4):
        s.step()
        seen.append(s.get_last_lr()[1])
    np.testing.assert_allclose(seen, [0.0625, 0.125, 0.1875, 0.25, 0.25], rtol=1e-14)
    opt = _make(optim)
    s = L.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for k in range(1, 21):
        s.step()
        closed = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * k / 10)) / 2
        assert s.get_last_lr()[0] == pytest.approx(closed, rel=1e-12, abs=1e-15)
    opt = _make(optim, "Adam")
    s = L.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5)
    assert s.get_last_lr()[0] == pytest.approx(1.0 / 25) and opt.param_groups[0]["betas"][0] == 0.95
    for _ in range(4):
        s.step()
    assert s.get_last_lr()[0] == pytest.approx(1.0) and opt.param_groups[0]["betas"][0] == pytest.approx(0.85)
    for _ in range(5):
        s.step()
    assert s.get_last_lr()[0] == pytest.approx(1.0 / 25 / 1e4)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        s.step()
        s.step()


def test_sequential_warmup_then_cosine_without_torch():
    opt = _make(optim)
    s = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.1, total_iters=4), L.CosineAnnealingLR(opt, T_max=6)],
                       milestones=[4])
    lrs = [s.get_last_lr()[0]]
    for _ in range(10):
        s.step()
        lrs.append(s.get_last_lr()[0])
    np.testing.assert_allclose(lrs[:5], [0.01, 0.0325, 0.055, 0.0775, 0.1], rtol=1e-12)
    for k in range(5, 11):
        assert lrs[k] == pytest.approx(0.05 * (1 + math.cos(math.pi * (k - 4) / 6)), abs=1e-15)


# ---------------------------------------------------------------------- state_dict resume
RESUME = ["StepLR", "MultiStepLR", "LinearLR", "CosineAnnealingLR", "LambdaLR", "OneCycleLR",
          "SequentialLR-warmup-cosine", "SequentialLR-three", "MultiplicativeLR", "ConstantLR"]


@pytest.mark.parametrize("via_file", [False, True], ids=["dict", "file"])
@pytest.mark.parametrize("name", RESUME)
def test_state_dict_resume(name, via_file, tmp_path):
    build, n = SCHEDULERS[name]
    n = min(n, 100)
    opt = _make(optim)
    s = build(L, opt)
    for _ in range(n // 2):
        opt.step()
        s.step()
    ckpt = {"opt": opt.state_dict(), "sched": s.state_dict()}
    if via_file:
        tl.save(ckpt, str(tmp_path / "ckpt.safetensors"))
        ckpt = tl.load(str(tmp_path / "ckpt.safetensors"))
    rest = []
    for _ in range(n - n // 2):
        opt.step()
        s.step()
        rest.append(s.get_last_lr())
    opt2 = _make(optim)
    s2 = build(L, opt2)
    opt2.load_state_dict(ckpt["opt"])
    s2.load_state_dict(ckpt["sched"])
    for expected in rest:
        opt2.step()
        s2.step()
        assert s2.get_last_lr() == expected
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


@pytest.mark.parametrize("via_file", [False, True], ids=["dict", "file"])
def test_plateau_state_dict_resume(via_file, tmp_path):
    metric = _metric_script()
    opt = _make(optim)
    s = L.ReduceLROnPlateau(opt, patience=3, cooldown=2, factor=0.5)
    for m in metric[:50]:
        s.step(m)
    ckpt = {"opt": opt.state_dict(), "sched": s.state_dict()}
    if via_file:
        tl.save(ckpt, str(tmp_path / "p.safetensors"))
        ckpt = tl.load(str(tmp_path / "p.safetensors"))
    rest = []
    for m in metric[50:]:
        s.step(m)
        rest.append(s.get_last_lr())
    opt2 = _make(optim)
    s2 = L.ReduceLROnPlateau(opt2, patience=99)
    opt2.load_state_dict(ckpt["opt"])
    s2.load_state_dict(ckpt["sched"])
    assert s2.patience == 3
    for m, expected in zip(metric[50:], rest):
        s2.step(m)
        assert s2.get_last_lr() == expected


def test_state_dict_contents():
    opt = _make(optim)
    s = L.CosineAnnealingLR(opt, T_max=10)
    sd = s.state_dict()
    assert "optimizer" not in sd
    assert sd["last_epoch"] == 0 and sd["base_lrs"] == [0.1, 0.25] and sd["T_max"] == 10

    class Scale:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor ** epoch

    opt = _make(optim)
    fn = Scale()
    s = L.LambdaLR(opt, [fn, lambda e: 1.0])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 0.5}, None]
    fn2 = Scale()
    fn2.factor = 0.1
    s2 = L.LambdaLR(_make(optim), [fn2, lambda e: 1.0])
    s2.load_state_dict(sd)
    assert fn2.factor == 0.5


def test_step_with_epoch_uses_the_closed_form_like_torch(torch):
    for build in (lambda S, o: S.StepLR(o, 3, 0.5), lambda S, o: S.CosineAnnealingLR(o, 10),
                  lambda S, o: S.MultiStepLR(o, [2, 5]), lambda S, o: S.ExponentialLR(o, 0.9),
                  lambda S, o: S.LinearLR(o, 0.5, total_iters=4)):
        topt, mopt = _make(torch.optim), _make(optim)
        ts, ms = build(torch.optim.lr_scheduler, topt), build(L, mopt)
        for e in (3, 7, 1, 12):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ts.step(e)
            with pytest.warns(UserWarning, match="deprecated"):
                ms.step(e)
            assert ts.get_last_lr() == ms.get_last_lr()


def test_resuming_with_last_epoch_like_torch(torch):
    topt, mopt = _make(torch.optim), _make(optim)
    for o in (topt, mopt):
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    ts = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=20, last_epoch=7)
    ms = L.CosineAnnealingLR(mopt, T_max=20, last_epoch=7)
    assert ts.get_last_lr() == ms.get_last_lr()
    for _ in range(30):
        topt.step()
        mopt.step()
        ts.step()
        ms.step()
        assert ts.get_last_lr() == ms.get_last_lr()


def test_warns_when_stepped_before_the_optimizer():
    opt = _make(optim)
    s = L.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt = _make(optim)
    s = L.StepLR(opt, 2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()

    class Custom(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1, "momentum": 0.0})

        def step(self, closure=None):
            return None

    opt = Custom([tl.zeros(1, requires_grad=True)])
    s = L.StepLR(opt, 2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()


# ---------------------------------------------------------------------- bad arguments
def test_bad_arguments():
    opt = _make(optim)
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(_make(optim), 3, last_epoch=4)
    with pytest.raises(TypeError, match="not an Optimizer"):
        L.StepLR(object(), 3)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        L.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        L.LinearLR(opt, end_factor=1.5)
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        L.ConstantLR(opt, factor=2.0)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        L.LambdaLR(opt, [lambda e: 1.0] * 3)
    with pytest.raises(ValueError, match="total_steps"):
        L.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="positive integer total_steps"):
        L.OneCycleLR(opt, max_lr=1.0, total_steps=0)
    with pytest.raises(ValueError, match="pct_start"):
        L.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        L.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="exp")
    with pytest.raises(ValueError, match="expected 2 values for max_lr"):
        L.OneCycleLR(opt, max_lr=[1.0], total_steps=10)

    class Plain(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    with pytest.raises(ValueError, match="momentum or beta1"):
        L.OneCycleLR(Plain([tl.zeros(1, requires_grad=True)]), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        L.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        L.ReduceLROnPlateau(opt, mode="avg")
    with pytest.raises(ValueError, match="threshold mode"):
        L.ReduceLROnPlateau(opt, threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        L.ReduceLROnPlateau(opt, min_lr=[0.1])
    with pytest.raises(ValueError, match="number of milestone points"):
        L.SequentialLR(opt, [L.StepLR(opt, 2), L.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="at least one scheduler"):
        L.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        L.SequentialLR(opt, [L.StepLR(opt, 2), L.StepLR(_make(optim), 3)], milestones=[3])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        L.SequentialLR(opt, [L.StepLR(opt, 2), L.ReduceLROnPlateau(opt)], milestones=[3])


@pytest.mark.parametrize("name,build", [
    ("StepLR", lambda S, o, le: S.StepLR(o, 3, 0.5, last_epoch=le)),
    ("MultiStepLR", lambda S, o, le: S.MultiStepLR(o, [3, 6, 9], 0.5, last_epoch=le)),
    ("ConstantLR", lambda S, o, le: S.ConstantLR(o, 0.5, total_iters=6, last_epoch=le)),
    ("LinearLR", lambda S, o, le: S.LinearLR(o, 0.5, total_iters=20, last_epoch=le)),
    ("ExponentialLR", lambda S, o, le: S.ExponentialLR(o, 0.5, last_epoch=le)),
    ("CosineAnnealingLR", lambda S, o, le: S.CosineAnnealingLR(o, 20, last_epoch=le)),
    ("MultiplicativeLR", lambda S, o, le: S.MultiplicativeLR(o, lambda e: 0.5, last_epoch=le)),
    ("LambdaLR", lambda S, o, le: S.LambdaLR(o, lambda e: 0.5 ** e, last_epoch=le)),
])
@pytest.mark.parametrize("last_epoch", [0, 1, 2, 5, 8])
def test_constructing_with_last_epoch_like_torch(torch, name, build, last_epoch):
    topt, mopt = _make(torch.optim), _make(optim)
    for o in (topt, mopt):
        for g in o.param_groups:
            g["initial_lr"] = 2 * g["lr"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts = build(torch.optim.lr_scheduler, topt, last_epoch)
        ms = build(L, mopt, last_epoch)
        for _ in range(12):
            assert ts.get_last_lr() == ms.get_last_lr()
            assert ts.last_epoch == ms.last_epoch
            ts.step()
            ms.step()
