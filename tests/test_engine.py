"""The autograd engine itself: graph walk, freeing, hooks, grad modes, in-place safety, memory."""
import gc
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl


def live_tensors():
    gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), tl.Tensor))  # type(): proxies may be dead


def test_chain_of_100k_ops_backpropagates_without_recursion():
    x = tl.tensor([1.5, -2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    y.sum().backward()
    assert sys.getrecursionlimit() == limit
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_deep_graph_is_freed_without_recursion_error():
    x = tl.ones(3, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y + 1.0
    del y                       # dropping the last reference must not recurse either
    gc.collect()


def test_live_tensor_count_flat_over_1000_training_like_steps():
    tl.manual_seed(0)
    w1 = tl.randn(8, 16, requires_grad=True)
    w2 = tl.randn(16, 4, requires_grad=True)
    x = tl.randn(32, 8)
    target = tl.randint(0, 4, (32,))

    def step():
        h = (x @ w1).relu()
        logp = (h @ w2).log_softmax(dim=1)
        loss = -logp[tl.arange(32), target].mean()
        loss.backward()
        with tl.no_grad():
            for w in (w1, w2):
                w.sub_(0.01 * w.grad)
                w.grad.zero_()

    for _ in range(20):
        step()
    before = live_tensors()
    for _ in range(1000):
        step()
    after = live_tensors()
    assert after - before <= 2, (before, after)


def test_graph_nodes_are_not_kept_alive_by_cycles():
    import weakref
    x = tl.randn(4, requires_grad=True)
    y = (x.exp() * 2).sigmoid().sum()       # exp and sigmoid save their outputs
    node = weakref.ref(y.grad_fn)
    y.backward()
    del y
    assert node() is None                   # freed by refcounting alone, no gc needed


def test_no_grad_forward_builds_no_graph():
    x = tl.randn(3, requires_grad=True)
    with tl.no_grad():
        y = (x * 2).exp()
    assert y.grad_fn is None and not y.requires_grad


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = tl.randn(3, requires_grad=True)

    @tl.no_grad()
    def f(t):
        with tl.enable_grad():
            inner = t * 2
        return t * 2, inner

    outer, inner = f(x)
    assert not outer.requires_grad and inner.requires_grad
    assert tl.is_grad_enabled()


def test_second_backward_through_freed_graph_raises():
    x = tl.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward_and_accumulates():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_backward_non_scalar_needs_gradient():
    x = tl.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2).backward()
    (x * 2).backward(tl.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.ones(2).sum().backward()


def test_grad_accumulates_and_is_owned_by_leaf():
    x = tl.ones(3, requires_grad=True)
    y = x + x                              # the same gradient object reaches x twice
    y.sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0, 5.0])


def test_detach_and_requires_grad_():
    x = tl.randn(3, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), x.detach().numpy())
    z = tl.zeros(2).requires_grad_()
    assert z.requires_grad and z.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        tl.zeros(2, dtype=tl.int64).requires_grad_()


def test_retain_grad_on_intermediate():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])
    assert h.retains_grad


def test_tensor_hooks_can_replace_gradient_and_be_removed():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: g * 10)
    h = x * 2
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_autograd_grad_does_not_touch_dot_grad():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (gx,) = tl.autograd.grad((x ** 3).sum(), x)
    np.testing.assert_allclose(gx.numpy(), [3.0, 12.0])
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = tl.ones(2, requires_grad=True)
    z = tl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="not used"):
        tl.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = tl.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None
    gx, gz = tl.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    np.testing.assert_array_equal(gz.numpy(), [0.0, 0.0])


def test_create_graph_gives_second_derivative():
    x = tl.tensor([0.3, -1.2, 2.0], dtype=tl.float64, requires_grad=True)
    y = (x.sin() * x * x).sum()
    (g,) = tl.autograd.grad(y, x, create_graph=True)
    (gg,) = tl.autograd.grad(g.sum(), x)
    xn = x.detach().numpy()
    expected = -np.sin(xn) * xn ** 2 + 4 * xn * np.cos(xn) + 2 * np.sin(xn)
    np.testing.assert_allclose(gg.numpy(), expected, rtol=1e-12)


def test_backward_with_create_graph_then_backward_of_grad():
    x = tl.tensor([2.0], dtype=tl.float64, requires_grad=True)
    y = x ** 4
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12 * 4.0])


def test_inplace_on_leaf_requiring_grad_raises_under_grad_mode():
    w = tl.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(1.0)
    with tl.no_grad():
        w.add_(1.0)            # fine: this is how optimizers update


def test_inplace_on_saved_tensor_raises_at_backward():
    x = tl.randn(3, requires_grad=True)
    h = x * 2
    y = (h * h).sum()          # mul saves h
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_non_leaf_rebases_graph_like_pytorch():
    x = tl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    h.mul_(x)                  # h = 2x * x
    h.relu_()
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, -8.0, 12.0])


def test_inplace_through_view_of_saved_tensor_is_detected():
    x = tl.randn(4, requires_grad=True)
    h = x * 1.0
    y = h.exp().sum()          # exp saves its output, not h: writing h is allowed ...
    z = (h * h).sum()          # ... but mul saved h
    v = h[1:3]
    with tl.no_grad():
        v.zero_()
    y.backward()
    with pytest.raises(RuntimeError, match="inplace"):
        z.backward()


def test_custom_function_like_pytorch():
    class Cube(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert tl.autograd.gradcheck(Cube.apply, (tl.randn(3, dtype=tl.float64, requires_grad=True),))


def test_gradcheck_reports_input_and_element_of_a_wrong_gradient():
    class Wrong(tl.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            wrong = (g * a).detach().clone()
            wrong[1] = wrong[1] + 1.0  # second element of b's gradient is off by one
            return g * b, wrong

    a = tl.randn(3, dtype=tl.float64, requires_grad=True)
    b = tl.randn(3, dtype=tl.float64, requires_grad=True)
    with pytest.raises(tl.autograd.GradcheckError, match=r"(?s)input 1.*input\(1,\)"):
        tl.autograd.gradcheck(Wrong.apply, (a, b))
    assert tl.autograd.gradcheck(Wrong.apply, (a, b), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class FirstOrderOnly(tl.autograd.Function):   # backward ignores x's dependence: d2 wrong
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * (x * x).detach()

    x = tl.randn(3, dtype=tl.float64, requires_grad=True)
    assert tl.autograd.gradcheck(FirstOrderOnly.apply, (x,))
    with pytest.raises(tl.autograd.GradcheckError):
        tl.autograd.gradgradcheck(FirstOrderOnly.apply, (x,))
    assert tl.autograd.gradgradcheck(lambda t: t * t * t, (x,))


def test_anomaly_detection_names_the_op_and_user_line():
    x = tl.tensor([0.0, 1.0], requires_grad=True)
    with tl.autograd.detect_anomaly():
        y = x.sqrt()           # d sqrt / dx at 0 is inf
        loss = (y * 0).sum()
        with pytest.raises(RuntimeError, match=r"(?s)SqrtBackward.*test_engine.py"):
            loss.backward()
    y = x.sqrt()
    (y * 0).sum().backward()   # without anomaly mode: nan gradient, no error (as PyTorch)
    assert np.isnan(x.grad.numpy()[0])


def test_view_shares_storage_and_version():
    x = tl.zeros(2, 3)
    v = x.view(6)
    v[0] = 5.0
    assert x[0, 0].item() == 5.0
    assert x._version == v._version == 1
    with pytest.raises(RuntimeError, match="view"):
        x.t().view(6)


# ---- numpy's floating-point error state around ops (autograd/fp_errors.py) ----
def test_ops_compute_inf_and_nan_silently_like_torch():
    x = tl.tensor([1.0, 0.0, -1.0], requires_grad=True)
    with np.errstate(all="raise"):                       # even a strict caller state does not leak in
        y = x / tl.tensor([0.0, 0.0, 0.0])
        y.sum().backward()
    assert np.isposinf(y.detach().numpy()[0]) and np.isnan(y.detach().numpy()[1])
    assert np.isnan(x.grad.numpy()).all() or np.isinf(x.grad.numpy()).all()


def test_the_callers_error_state_and_bufsize_survive_ops_and_failing_ops():
    class Boom(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            assert np.geterr()["divide"] == "ignore"     # the op itself runs quiet
            raise ValueError("boom")

    old_buf = np.getbufsize()
    try:
        np.setbufsize(16384)
        with np.errstate(divide="raise", over="warn", invalid="print"):
            before = np.geterr()
            tl.ones(3) / 0.0
            with pytest.raises(ValueError, match="boom"):
                Boom.apply(tl.ones(2, requires_grad=True))
            assert np.geterr() == before
            assert np.getbufsize() == 16384
            with pytest.raises(FloatingPointError):      # the caller's own numpy code still raises
                np.ones(1) / 0.0
    finally:
        np.setbufsize(old_buf)


def test_error_state_is_per_thread():
    import threading
    seen = []

    def worker():
        with np.errstate(divide="raise"):
            for _ in range(200):
                tl.ones(4) / 0.0
            seen.append(np.geterr()["divide"])

    mine = np.geterr()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(200):
        tl.ones(4) / 0.0
    for t in threads:
        t.join()
    assert seen == ["raise"] * 4
    assert np.geterr() == mine


# ---- gradient accumulation: the engine's parallel add (backend/numba_math.add) ----
@settings(max_examples=25, deadline=None)
@given(dtype=st.sampled_from([np.float32, np.float64, np.float16]),
       n=st.sampled_from([1, 1000, (1 << 16) - 1, 1 << 16, (1 << 16) + 7, 200_003]),
       specials=st.booleans())
def test_parallel_add_equals_numpy_bit_for_bit(dtype, n, specials):
    from tensorlite.backend import numba_math
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n).astype(dtype)
    b = rng.standard_normal(n).astype(dtype)
    if specials:                       # inf - inf, nan, overflow, signed zeros
        a[:4] = [np.inf, np.nan, np.finfo(dtype).max, -0.0][: min(4, n)]
        b[:4] = [-np.inf, 1.0, np.finfo(dtype).max, -0.0][: min(4, n)]
    with np.errstate(all="ignore"):
        expected = a + b
        got = numba_math.add(a, b)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_parallel_add_falls_back_to_numpy_for_other_layouts():
    from tensorlite.backend import numba_math
    big = np.arange(2 * 70_000, dtype=np.float32).reshape(2, 70_000)
    cases = [(big[:, ::2], big[:, 1::2]),                       # non-contiguous
             (big, big[:1]),                                    # broadcast
             (big, big.astype(np.float64)),                     # mixed dtypes
             (big.T, big.T)]                                    # Fortran order
    for a, b in cases:
        got = numba_math.add(a, b)
        np.testing.assert_array_equal(got, a + b)
        assert got.dtype == (a + b).dtype


def test_accumulated_gradients_of_large_tensors_are_exact():
    x = tl.randn(4, 16, 32, 32, requires_grad=True)   # 65,536 elements: the parallel path
    y = x * 2.0 + x * 3.0 + x                           # three uses: two accumulations
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(x.shape, 6.0, np.float32))


def test_error_state_fallback_without_numpys_context_variable(monkeypatch):
    from tensorlite.autograd import fp_errors
    import warnings
    monkeypatch.setattr(fp_errors, "_var", None)         # a numpy without _extobj_contextvar
    with np.errstate(divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        before = np.geterr()
        y = tl.tensor([1.0, -1.0]) / 0.0
        assert np.isinf(y.numpy()).all()
        assert np.geterr() == before
