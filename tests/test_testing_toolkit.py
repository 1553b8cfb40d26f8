"""tensorlite.testing (assert_close, make_tensor), gradcheck's full signature and fast mode, and
tl.autograd.functional, each against torch's behaviour."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.autograd import functional as AF
from tensorlite.testing import assert_close, make_tensor
from tensorlite.testing.strategies import small_shapes, smooth_arrays, laid_out, tl_tensor


# ---------------------------------------------------------------- assert_close
def _cases(m):
    inf, nan = float("inf"), float("nan")
    return [
        (m.tensor([1., 2., 3.]), m.tensor([1., 2.5, 3.1]), {}),
        (m.tensor([1., 2.]), m.tensor([1., 2.], dtype=m.float64), {}),
        (m.tensor([1, 2]), m.tensor([1, 3]), {}),
        (m.ones(2, 3), m.ones(3, 2), {}),
        (m.tensor([nan]), m.tensor([nan]), {}),
        (m.tensor([nan]), m.tensor([nan]), dict(equal_nan=True)),
        (m.ones(4, 4), m.ones(4, 4).t(), dict(check_stride=True)),
        (m.ones(4, 4), m.ones(4, 4).t(), {}),
        ([m.ones(2)], [m.zeros(2)], {}),
        ({"a": m.ones(2)}, {"a": m.zeros(2)}, {}),
        ({"a": 1, "b": 2}, {"a": 1, "c": 2}, {}),
        (1.0, 1.1, {}), (m.tensor(1.), 1.0, {}), (3, 4, {}), (3, 3.0, {}), (True, False, {}),
        ((1, 2), (1, 3), {}),
        (m.tensor([[1., 2.], [3., 4.]]), m.tensor([[1., 2.], [3., 5.]]), dict(msg="custom")),
        (m.ones(2, 3), m.zeros(2, 3), dict(msg=lambda s: "X" + s[:10])),
        (m.tensor(1.), m.tensor(2.), {}),
        (m.tensor([True, False]), m.tensor([True, True]), {}),
        ([m.ones(2)], [m.ones(2), m.ones(2)], {}),
        (np.ones(2), np.zeros(2), {}),
        (m.ones(2), np.ones(2), {}),
        (m.ones(2), m.ones(2), dict(rtol=1e-3)),
        (m.ones(2), m.ones(2), dict(atol=1e-3)),
        (m.ones(2, 2), m.ones(2, 2) + 1e-3, dict(rtol=0, atol=1e-4)),
        (m.tensor([1., inf]), m.tensor([1., inf]), {}),
        (m.tensor([1., inf]), m.tensor([1., -inf]), {}),
        (m.tensor([1., 2.]), m.tensor([1, 2]), dict(check_dtype=False)),
        (m.tensor([1., 2.]), m.tensor([1, 3]), dict(check_dtype=False)),
        (m.tensor([0., 2.]), m.tensor([1e-9, 2.]), {}),
        (m.tensor([]), m.tensor([]), {}),
        (m.tensor([1., 2.]), m.tensor([1., 3.]), dict(rtol=0., atol=0.)),
        (m.zeros(3, 4, 5), (m.arange(60).reshape(3, 4, 5) % 5 == 3).to(m.float32), {}),
        (m.tensor([[1, 2], [3, 4]], dtype=m.int32), m.tensor([[1, 2], [3, 5]], dtype=m.int32), {}),
        (m.tensor([1., 2.], dtype=m.float16), m.tensor([1., 2.002], dtype=m.float16), {}),
        (m.tensor([1., 2.], dtype=m.float64), m.tensor([1., 2. + 1e-6], dtype=m.float64), {}),
    ]


def _outcome(m, a, b, kw):
    try:
        m.testing.assert_close(a, b, **kw)
        return "OK"
    except (AssertionError, TypeError, ValueError) as e:
        text = f"{type(e).__name__}: {e}"
        for lib in ("torch.", "tensorlite."):
            text = text.replace(f"<class '{lib}Tensor'>", "<class 'Tensor'>").replace(lib, "")
        return text.replace("<class 'tensor.Tensor'>", "<class 'Tensor'>")


def test_assert_close_messages_equal_torchs(torch):
    mine, theirs = _cases(tl), _cases(torch)
    assert len(mine) == len(theirs)
    for i, ((a, b, kw), (ta, tb, tkw)) in enumerate(zip(mine, theirs)):
        assert _outcome(tl, a, b, kw) == _outcome(torch, ta, tb, tkw), f"case {i}"


@settings(max_examples=40)
@given(st.data())
def test_assert_close_agrees_with_torch_on_drawn_arrays(torch, data):
    shape = data.draw(small_shapes(min_dims=1))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    a = data.draw(smooth_arrays(shape, dtype))
    noise = data.draw(st.sampled_from([0.0, 1e-8, 1e-6, 1e-4, 1e-2]))
    b = (a * (1 + noise) + noise).astype(dtype)
    mine = _outcome(tl, tl.tensor(a), tl.tensor(b), {})
    assert mine == _outcome(torch, torch.tensor(a), torch.tensor(b), {})


# ---------------------------------------------------------------- make_tensor
@pytest.mark.parametrize("dtype, lo, hi", [(tl.float32, -9, 9), (tl.float64, -9, 9), (tl.int64, -9, 10),
                                           (tl.uint8, 0, 10), (tl.bool, 0, 2)])
def test_make_tensor_default_ranges(dtype, lo, hi):
    t = make_tensor(2000, dtype=dtype, device="cpu")
    v = t.numpy().astype(np.float64)
    assert t.dtype == dtype and t.shape == (2000,)
    assert v.min() >= lo and v.max() < hi


def test_make_tensor_arguments():
    t = make_tensor((3, 4), dtype=tl.float64, device="cpu", low=0.5, high=0.75, requires_grad=True,
                    noncontiguous=True)
    assert t.requires_grad and not t.is_contiguous() and t.shape == (3, 4)
    assert (t.detach().numpy() >= 0.5).all() and (t.detach().numpy() < 0.75).all()
    z = make_tensor(500, dtype=tl.int64, device="cpu", low=-1, high=2, exclude_zero=True)
    assert (z.numpy() != 0).all()
    tl.manual_seed(3)
    a = make_tensor(5, dtype=tl.float32, device="cpu")
    tl.manual_seed(3)
    assert np.array_equal(a.numpy(), make_tensor(5, dtype=tl.float32, device="cpu").numpy())
    with pytest.raises(ValueError, match="requires_grad"):
        make_tensor(2, dtype=tl.int64, device="cpu", requires_grad=True)
    with pytest.raises(ValueError, match="low"):
        make_tensor(2, dtype=tl.float32, device="cpu", low=2, high=1)
    with pytest.raises(RuntimeError, match="cuda"):
        make_tensor(2, dtype=tl.float32, device="cuda")


# ---------------------------------------------------------------- gradcheck
class _WrongSquare(tl.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * g


class _ConstantLeak(tl.autograd.Function):      # right derivative, plus a constant
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2 + 1


@pytest.mark.parametrize("fast", [False, True])
def test_gradcheck_catches_a_wrong_backward_in_both_modes(fast):
    x = tl.randn(4, dtype=tl.float64, requires_grad=True)
    with pytest.raises(tl.autograd.GradcheckError, match=r"(?s)Jacobian mismatch for output 0 with respect "
                                                         r"to input 0,\nnumerical:.*analytical:"):
        tl.autograd.gradcheck(_WrongSquare.apply, (x,), fast_mode=fast)
    assert tl.autograd.gradcheck(_WrongSquare.apply, (x,), fast_mode=fast, raise_exception=False) is False
    assert tl.autograd.gradcheck(lambda t: t * t, (x,), fast_mode=fast)


def test_fast_mode_failure_recomputes_the_slow_jacobians():
    x = tl.randn(3, dtype=tl.float64, requires_grad=True)
    with pytest.raises(tl.autograd.GradcheckError, match=r"(?s)fast mode.*Numerical:.*Analytical:.*max "
                                                         r"per-element difference"):
        tl.autograd.gradcheck(_WrongSquare.apply, (x,), fast_mode=True)


def test_gradcheck_rejects_unknown_keywords_and_unsupported_checks():
    x = tl.randn(2, dtype=tl.float64, requires_grad=True)
    with pytest.raises(TypeError):
        tl.autograd.gradcheck(lambda t: t * 2, (x,), fast=True)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        tl.autograd.gradcheck(lambda t: t * 2, (x,), check_forward_ad=True)
    with pytest.raises(NotImplementedError, match="vmap"):
        tl.autograd.gradcheck(lambda t: t * 2, (x,), check_batched_grad=True)
    assert tl.autograd.gradcheck(lambda t: t * 2, (x,), check_backward_ad=False)


def test_gradcheck_undefined_grad_check_catches_a_constant_leak():
    x = tl.randn(3, dtype=tl.float64, requires_grad=True)
    # the Jacobian check itself catches the +1 too; with it off the undefined-grad check must
    with pytest.raises(tl.autograd.GradcheckError):
        tl.autograd.gradcheck(_ConstantLeak.apply, (x,))
    with pytest.raises(tl.autograd.GradcheckError, match="undefined"):
        tl.autograd.gradcheck(_ConstantLeak.apply, (x,), atol=10.0, rtol=10.0)
    assert tl.autograd.gradcheck(_ConstantLeak.apply, (x,), atol=10.0, rtol=10.0, check_undefined_grad=False)


def test_gradcheck_grad_dtypes_and_nondeterminism():
    class WrongDtype(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return (g * 2).to(tl.float32)

    x = tl.randn(3, dtype=tl.float64, requires_grad=True)
    with pytest.raises(tl.autograd.GradcheckError, match="dtype mismatch"):
        tl.autograd.gradcheck(WrongDtype.apply, (x,), check_grad_dtypes=True, atol=1e-3)
    calls = [0]

    class Noisy(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            calls[0] += 1
            return g * 2 + 1e-9 * calls[0]

    with pytest.raises(tl.autograd.GradcheckError, match="not reentrant"):
        tl.autograd.gradcheck(Noisy.apply, (x,), check_undefined_grad=False)
    assert tl.autograd.gradcheck(Noisy.apply, (x,), nondet_tol=1e-6, check_undefined_grad=False)


def test_gradgradcheck_full_signature_and_fast_mode():
    x = tl.randn(3, 2, dtype=tl.float64, requires_grad=True)
    assert tl.autograd.gradgradcheck(lambda t: (t * t).sin(), (x,), fast_mode=True,
                                     gen_non_contig_grad_outputs=True)
    with pytest.raises(TypeError):
        tl.autograd.gradgradcheck(lambda t: t * t, (x,), unknown=1)


@settings(max_examples=15)
@given(st.data())
def test_fast_and_slow_modes_agree_on_correct_ops(data):
    arr = data.draw(laid_out(smooth_arrays(data.draw(small_shapes(min_dims=1)))))
    x = tl_tensor(np.array(arr))
    for fast in (False, True):
        assert tl.autograd.gradcheck(lambda t: (t.exp() * t).sum(0), (x,), fast_mode=fast)


def test_fast_mode_checks_a_conv_input_with_few_evaluations():
    # a 1x3x32x32 input: slow mode would run 2 * 3072 forwards, fast mode runs 2 per input
    x = tl.randn(1, 3, 32, 32, dtype=tl.float64, requires_grad=True)
    w = tl.randn(4, 3, 3, 3, dtype=tl.float64)
    calls = [0]

    def f(t):
        calls[0] += 1
        return tl.nn.functional.conv2d(t, w, padding=1)

    assert tl.autograd.gradcheck(f, (x,), fast_mode=True)
    assert calls[0] <= 8


# ---------------------------------------------------------------- autograd.functional
def _pair(torch, a):
    return tl.tensor(a, requires_grad=False), torch.tensor(a)


def test_functional_against_torch(torch):
    import torch.autograd.functional as TF
    rng = np.random.default_rng(0)
    a, b, v = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))

    def f(m, x, y):
        return (x.exp() * y).sum(0), (x * x).sum()

    def g(m, x):
        return (x.sin() ** 2).sum() + (x[0] * x[1]).sum()

    xl, xt = _pair(torch, a)
    yl, yt = _pair(torch, b)
    vl, vt = _pair(torch, v)
    J = AF.jacobian(lambda x, y: f(tl, x, y), (xl, yl))
    JT = TF.jacobian(lambda x, y: f(torch, x, y), (xt, yt))
    for i in range(2):
        for j in range(2):
            assert tuple(J[i][j].shape) == tuple(JT[i][j].shape)
            np.testing.assert_allclose(J[i][j].numpy(), JT[i][j].numpy(), rtol=1e-12, atol=1e-12)
    H, HT = AF.hessian(lambda x: g(tl, x), xl), TF.hessian(lambda x: g(torch, x), xt)
    np.testing.assert_allclose(H.numpy(), HT.numpy(), rtol=1e-12, atol=1e-12)
    pairs = [
        (AF.vjp(lambda x: x.exp() * 2, xl, vl), TF.vjp(lambda x: x.exp() * 2, xt, vt)),
        (AF.jvp(lambda x: (x.exp() * 2).sum(1), xl, vl), TF.jvp(lambda x: (x.exp() * 2).sum(1), xt, vt)),
        (AF.hvp(lambda x: g(tl, x), xl, vl), TF.hvp(lambda x: g(torch, x), xt, vt)),
        (AF.vhp(lambda x: g(tl, x), xl, vl), TF.vhp(lambda x: g(torch, x), xt, vt)),
    ]
    for (o, r), (ot, rt) in pairs:
        np.testing.assert_allclose(o.numpy(), ot.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(r.numpy(), rt.numpy(), rtol=1e-12, atol=1e-12)
        assert not r.requires_grad
    # independent outputs: zeros, or an error in strict mode
    assert np.array_equal(AF.jacobian(lambda x: tl.ones(2), xl).numpy(), np.zeros((2, 3, 2)))
    with pytest.raises(RuntimeError, match="independent of input 0"):
        AF.jacobian(lambda x: tl.ones(2), xl, strict=True)


def test_functional_create_graph_gives_differentiable_results():
    x = tl.tensor([0.3, -0.7], dtype=tl.float64, requires_grad=True)
    _, g = AF.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())
    # the caller's graph is untouched without create_graph
    y = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    AF.jacobian(lambda t: t * t, y)
    assert y.grad is None


# ---------------------------------------------------------------- func.functional_call
def test_functional_call_matches_torch_and_restores_the_module(torch):
    from torch.func import functional_call as th_call
    lin = tl.nn.Linear(2, 3).double()
    th = torch.nn.Linear(2, 3).double()
    th.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in lin.state_dict().items()})
    x = np.ones((1, 2))
    w = np.arange(6.0).reshape(3, 2)
    a = tl.func.functional_call(lin, {"weight": tl.tensor(w)}, (tl.tensor(x),))
    b = th_call(th, {"weight": torch.tensor(w)}, (torch.tensor(x),))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
    assert isinstance(lin.weight, tl.nn.Parameter) and not np.array_equal(lin.weight.detach().numpy(), w)
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'bias'"):
        tl.func.functional_call(lin, {"weight": tl.tensor(w)}, (tl.tensor(x),), strict=True)
    # gradcheck of a layer with respect to its weight, through functional_call
    wt = lin.weight.detach().clone().requires_grad_()
    assert tl.autograd.gradcheck(lambda w_, x_: tl.func.functional_call(lin, {"weight": w_}, (x_,)),
                                 (wt, tl.randn(4, 2, dtype=tl.float64)))


def test_functional_call_replaces_tied_weights_under_every_name():
    a = tl.nn.Linear(2, 2, bias=False)
    net = tl.nn.Sequential(a, tl.nn.Linear(2, 2, bias=False))
    net[1].weight = a.weight
    w = tl.eye(2)
    out = tl.func.functional_call(net, {"0.weight": w}, (tl.ones(1, 2),))
    np.testing.assert_allclose(out.detach().numpy(), [[1.0, 1.0]])
