"""The Tensor / top-level surface that ported PyTorch programs touch, against torch (a CPU-only build,
which is exactly the reference for a CPU-only library): __format__, devices, .to(), legacy
constructors and type strings, Variable, tl.cuda / backends / accelerator, compile, autocast,
GradScaler and the tensorlite.utils.data import paths."""
import importlib
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def outcome(fn):
    """('ok', value) or ('err', exception): what a call did, to compare tensorlite with torch."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn()
    except Exception as e:  # noqa: BLE001 -- the exception is the result under test
        return "err", e


def same_outcome(tl_fn, torch_fn, compare=lambda a, b: a == b):
    a, b = outcome(tl_fn), outcome(torch_fn)
    assert a[0] == b[0], f"tensorlite {a} vs torch {b}"
    if a[0] == "err":
        assert isinstance(a[1], type(b[1])), f"tensorlite raised {a[1]!r}, torch raised {b[1]!r}"
    else:
        assert compare(a[1], b[1]), f"tensorlite {a[1]!r} vs torch {b[1]!r}"
    return a[1]


# ---- __format__ ----
SPECS = ["", ".2f", "+.2f", ">10", "<8.3", "e", ".3g", "10", "d", "%", ".1%", "x", "^+12.4e", "08.3f"]


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")   # 1e6 as float16
@settings(max_examples=40)
@given(v=st.floats(-1e6, 1e6, allow_nan=False, width=32) | st.sampled_from([0.0, -0.0, 1.5, float("inf")]),
       dt=st.sampled_from(["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]),
       spec=st.sampled_from(SPECS))
def test_format_0d_matches_torch(torch, v, dt, spec):
    if dt == "bool":
        v = v != 0
    elif dt in ("int64", "int32", "uint8"):
        v = int(v) if np.isfinite(v) else 7
        v = abs(v) % 200 if dt == "uint8" else v
    a = tl.tensor(v, dtype=getattr(tl, dt))
    b = torch.tensor(v, dtype=getattr(torch, dt))
    same_outcome(lambda: format(a, spec), lambda: format(b, spec))
    same_outcome(lambda: ("{:" + spec + "}").format(a), lambda: ("{:" + spec + "}").format(b))


def test_format_fstrings_and_nd(torch):
    loss = tl.tensor(0.123456)
    assert f"{loss:.4f}" == f"{torch.tensor(0.123456):.4f}" == "0.1235"
    assert f"{loss}" == format(torch.tensor(0.123456).item(), "") == "0.12345600128173828"
    assert "{}".format(tl.tensor(3)) == "3" and f"{tl.tensor(True)}" == "True"
    for shape in [(1,), (2, 3), (0,)]:
        a, b = tl.ones(*shape), torch.ones(*shape)
        assert format(a, "") == str(a) and f"{a}" == str(a)
        for spec in [".2f", "d", ">5"]:
            same_outcome(lambda: format(a, spec), lambda: format(b, spec))
    with pytest.raises(TypeError, match="Tensor.__format__"):
        format(tl.ones(1), ".2f")
    # torch formats only plain Tensors as numbers: a 0-d Parameter goes through object.__format__
    p, q = tl.nn.Parameter(tl.tensor(1.5)), torch.nn.Parameter(torch.tensor(1.5))
    same_outcome(lambda: format(p, ".2f"), lambda: format(q, ".2f"))
    assert format(p, "") == str(p)


# ---- devices ----
DEVICE_STRINGS = ["cpu", "cpu:0", "cpu:1", "cuda", "cuda:0", "cuda:3", "mps", "xpu", "meta", "meta:0", "foo",
                  "CPU", "cpu:", "cpu:x", "cpu:01", "cuda:-1", "cuda:0:1", " cpu", "cpu ", ""]


@pytest.mark.parametrize("s", DEVICE_STRINGS)
def test_device_parsing_matches_torch(torch, s):
    same_outcome(lambda: (repr(tl.device(s)), str(tl.device(s)), tl.device(s).type, tl.device(s).index),
                 lambda: (repr(torch.device(s)), str(torch.device(s)), torch.device(s).type, torch.device(s).index))


@pytest.mark.parametrize("args", [("cpu", 0), ("cpu", 2), ("cuda", 1), ("cpu:0", 1), ("cpu", -1), ("cpu", True),
                                  ("cpu", None), (0,), (None,), (1.5,)])
def test_device_two_args_matches_torch(torch, args):
    same_outcome(lambda: repr(tl.device(*args)), lambda: repr(torch.device(*args)))


def test_device_object_semantics(torch):
    d = tl.device("cpu")
    assert d == tl.device("cpu") and d != tl.device("cpu", 0) and tl.device("cpu:0") == tl.device("cpu", 0)
    assert (d == "cpu") == (torch.device("cpu") == "cpu")
    assert hash(d) == hash(tl.device("cpu")) and len({d, tl.device("cpu"), tl.device("cpu:0")}) == 2
    assert tl.device(d) == d and tl.device(type="cpu", index=0) == tl.device("cpu:0")
    assert repr(tl.device("cpu", 0)) == repr(torch.device("cpu", 0)) == "device(type='cpu', index=0)"
    import pickle
    assert pickle.loads(pickle.dumps(tl.device("cpu:0"))) == tl.device("cpu:0")
    with tl.device("cpu") as dev:
        assert dev == d and tl.zeros(2).device == d
    with pytest.raises(RuntimeError, match="'cuda'"):
        with tl.device("cuda"):
            pass


def _creators(device):
    x = tl.ones(2, 3)
    return {
        "tensor": lambda: tl.tensor([1.0, 2.0], device=device),
        "as_tensor": lambda: tl.as_tensor([1, 2], device=device),
        "zeros": lambda: tl.zeros(2, device=device), "ones": lambda: tl.ones(2, 3, device=device),
        "empty": lambda: tl.empty((2,), device=device), "full": lambda: tl.full((2,), 3.0, device=device),
        "zeros_like": lambda: tl.zeros_like(x, device=device), "ones_like": lambda: tl.ones_like(x, device=device),
        "empty_like": lambda: tl.empty_like(x, device=device),
        "full_like": lambda: tl.full_like(x, 2, device=device),
        "rand_like": lambda: tl.rand_like(x, device=device), "randn_like": lambda: tl.randn_like(x, device=device),
        "arange": lambda: tl.arange(5, device=device), "linspace": lambda: tl.linspace(0, 1, 5, device=device),
        "eye": lambda: tl.eye(3, device=device), "rand": lambda: tl.rand(2, device=device),
        "randn": lambda: tl.randn(2, device=device), "randint": lambda: tl.randint(0, 5, (3,), device=device),
        "randperm": lambda: tl.randperm(4, device=device),
        "normal": lambda: tl.normal(0.0, 1.0, (3,), device=device),
        "new_zeros": lambda: x.new_zeros(2, device=device), "new_ones": lambda: x.new_ones((2,), device=device),
        "new_empty": lambda: x.new_empty(2, device=device), "new_full": lambda: x.new_full((2,), 1, device=device),
        "new_tensor": lambda: x.new_tensor([1, 2], device=device), "Tensor": lambda: tl.Tensor(2, device=device),
        "FloatTensor": lambda: tl.FloatTensor([1], device=device), "new": lambda: x.new(2, device=device),
        "to": lambda: x.to(device), "to_kw": lambda: x.to(device=device),
    }


@pytest.mark.parametrize("device", [None, "cpu", "cpu:0", tl.device("cpu"), tl.device("cpu", 0)])
def test_every_creation_function_accepts_cpu(device):
    for name, make in _creators(device).items():
        t = make()
        assert t.device == tl.device("cpu") and t.is_cpu, name


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", "xpu", "meta", tl.device("cuda", 1)])
def test_every_creation_function_rejects_other_devices(device):
    for name, make in _creators(device).items():
        with pytest.raises(tl.DeviceUnavailableError) as info:
            make()
        e = info.value
        # torch-without-CUDA raises AssertionError or RuntimeError for this; earlier tensorlite ValueError
        assert isinstance(e, RuntimeError) and isinstance(e, AssertionError) and isinstance(e, ValueError)
        assert f"'{tl.device(device)}'" in str(e) and "CPU only" in str(e), (name, str(e))


@pytest.mark.parametrize("device", ["foo", "cuda:x", 0, 3])
def test_creation_malformed_or_int_device_raises_like_torch(torch, device):
    same_outcome(lambda: tl.zeros(2, device=device), lambda: torch.zeros(2, device=device))
    same_outcome(lambda: tl.ones(2).to(device), lambda: torch.ones(2).to(device))


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
@pytest.mark.filterwarnings("ignore:The number of elements in the out tensor")
def test_creation_options_layout_pin_memory_out(torch):
    assert tl.zeros(2, layout=tl.strided).shape == (2,) and tl.zeros(2).layout is tl.strided
    same_outcome(lambda: tl.empty(2, pin_memory=True), lambda: torch.empty(2, pin_memory=True))
    for make in (lambda m: m.zeros(3, out=m.empty(2, dtype=m.int64)), lambda m: m.arange(5, out=m.empty(3)),
                 lambda m: m.full((2,), 3.7, out=m.empty(2, dtype=m.int64)), lambda m: m.eye(2, out=m.empty(1)),
                 lambda m: m.linspace(0, 4, 5, out=m.empty(4, dtype=m.float64)),
                 lambda m: m.ones(2, 2, out=m.empty(4))):
        a, b = make(tl), make(torch)
        assert a.dtype.name == str(b.dtype).split(".")[1] and a.tolist() == b.tolist()
    assert tl.rand(3, out=tl.empty(1, dtype=tl.float64)).dtype is tl.float64
    o = tl.empty(2)
    assert tl.randn(4, out=o) is o and o.shape == (4,)
    assert tl.randperm(3, dtype=tl.float32, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="requires grad"):
        tl.zeros(2, out=tl.zeros(2, requires_grad=True))


# ---- tensor properties ----
@pytest.mark.parametrize("dt", DTYPES)
def test_tensor_properties_match_torch(torch, dt):
    a = tl.zeros(2, 3, 4, dtype=getattr(tl, dt))
    b = torch.zeros(2, 3, 4, dtype=getattr(torch, dt))
    for name in ("is_cpu", "is_cuda", "is_xpu", "is_mps", "is_meta", "is_sparse", "is_quantized", "is_nested",
                 "itemsize", "nbytes", "ndim", "is_leaf", "requires_grad", "grad_fn"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("element_size", "get_device", "is_complex", "is_signed", "is_floating_point", "dim",
                 "ndimension", "nelement", "numel", "is_contiguous", "is_pinned", "storage_offset", "type"):
        assert getattr(a, name)() == getattr(b, name)(), name
    assert repr(a.device) == repr(b.device) and str(a.device) == "cpu"
    for idx in [(slice(1, None),), (1, slice(None), 2), (slice(None), slice(1, 3)), (Ellipsis, 3)]:
        assert a[idx].storage_offset() == b[idx].storage_offset(), idx
        assert a[idx].is_contiguous() == b[idx].is_contiguous(), idx
    assert a.transpose(0, 2).storage_offset() == 0 and a.data_ptr() == a.data.data_ptr()


def test_data_item_tolist_grad_attributes(torch):
    x = tl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x * 2).sum()
    assert y.grad_fn is not None and not y.is_leaf and x.is_leaf
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    x.data = tl.zeros(2, 2)
    assert x.tolist() == [[0.0, 0.0], [0.0, 0.0]] and x.requires_grad
    z = x * 1
    z.retain_grad()
    z.sum().backward()
    assert z.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert tl.tensor([2.5]).item() == torch.tensor([2.5]).item()


def test_transpose_properties_match_torch(torch):
    for shape in [(), (3,), (2, 3), (2, 3, 4)]:
        a = tl.arange(float(np.prod(shape))).reshape(shape)
        b = torch.arange(float(np.prod(shape))).reshape(shape)
        for name in ("T", "mT", "H", "mH"):
            same_outcome(lambda: getattr(a, name).tolist(), lambda: getattr(b, name).tolist())
        same_outcome(lambda: a.adjoint().tolist(), lambda: b.adjoint().tolist())
    with pytest.warns(UserWarning, match="x.T"):
        tl.zeros(2, 3, 4).T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tl.zeros(2, 3).T
    x = tl.randn(2, 3, dtype=tl.float64, requires_grad=True)
    assert tl.autograd.gradcheck(lambda t: t.H * t.mT, (x,))


# ---- .to() and friends ----
def test_to_identity_and_conversions_match_torch(torch):
    a, b = tl.zeros(2, 3), torch.zeros(2, 3)
    ai, bi = tl.zeros(2, dtype=tl.int64), torch.zeros(2, dtype=torch.int64)
    tdt = lambda m, n: getattr(m, n)  # noqa: E731
    cases = [
        lambda m, x, o: x.to("cpu"), lambda m, x, o: x.to(tdt(m, "float32")), lambda m, x, o: x.to(x),
        lambda m, x, o: x.to("cpu", tdt(m, "float32")), lambda m, x, o: x.to(copy=True),
        lambda m, x, o: x.to(m.device("cpu")), lambda m, x, o: x.to(device="cpu", dtype=tdt(m, "float64")),
        lambda m, x, o: x.to(memory_format=m.contiguous_format), lambda m, x, o: x.cpu(),
        lambda m, x, o: x.to("cpu", tdt(m, "float64"), True, True),
        lambda m, x, o: x.to(tdt(m, "float64"), False, True),
        lambda m, x, o: x.to(x, True, True), lambda m, x, o: x.to(o), lambda m, x, o: x.to(float),
        lambda m, x, o: x.to(int), lambda m, x, o: x.to(bool), lambda m, x, o: x.to(None),
        lambda m, x, o: x.to("cpu", None), lambda m, x, o: x.to("float32"), lambda m, x, o: x.to(foo=1),
        lambda m, x, o: x.to(tdt(m, "int32"), dtype=tdt(m, "int64")), lambda m, x, o: x.to(device="cuda"),
        lambda m, x, o: x.t().to(memory_format=m.contiguous_format), lambda m, x, o: x.type(tdt(m, "int64")),
        lambda m, x, o: x.type(tdt(m, "float32")), lambda m, x, o: x.float(), lambda m, x, o: x.double(),
        lambda m, x, o: x.half(), lambda m, x, o: x.long(), lambda m, x, o: x.int(), lambda m, x, o: x.short(),
        lambda m, x, o: x.char(), lambda m, x, o: x.byte(), lambda m, x, o: x.bool(),
    ]
    def same(p, q):        # same aliasing (to() returns self when nothing changes), dtype, shape, strides
        return (p is a) == (q is b) and _same_meta(p, q) and p.stride() == q.stride()
    for i, c in enumerate(cases):
        try:
            same_outcome(lambda: c(tl, a, ai), lambda: c(torch, b, bi), same)
        except AssertionError as e:
            raise AssertionError(f"case {i}: {e}") from None


def test_to_channels_last_matches_torch(torch):
    a = tl.randn(2, 3, 4, 5)
    b = torch.from_numpy(a.numpy().copy())
    ca, cb = a.to(memory_format=tl.channels_last), b.to(memory_format=torch.channels_last)
    assert ca.stride() == cb.stride() and ca.is_contiguous() == cb.is_contiguous()
    np.testing.assert_array_equal(ca.numpy(), cb.numpy())
    assert ca.to(memory_format=tl.channels_last) is ca
    back = ca.to(memory_format=tl.contiguous_format)
    assert back.is_contiguous() and back.stride() == b.contiguous().stride()
    same_outcome(lambda: tl.zeros(2, 3).to(memory_format=tl.channels_last),
                 lambda: torch.zeros(2, 3).to(memory_format=torch.channels_last))
    x = tl.randn(1, 2, 2, 2, dtype=tl.float64, requires_grad=True)
    assert tl.autograd.gradcheck(lambda t: t.to(memory_format=tl.channels_last) * 3, (x,))


def test_to_keeps_the_graph():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(tl.float64)
    assert y.requires_grad and y.dtype is tl.float64
    (y * y).sum().backward()
    assert x.grad.dtype is tl.float32 and x.grad.tolist() == [2.0, 4.0]
    assert x.to(copy=True).grad_fn is not None


@pytest.mark.parametrize("name", ["cuda", "pin_memory", "xpu"])
def test_accelerator_methods_raise_like_torch(torch, name):
    same_outcome(lambda: getattr(tl.zeros(2), name)(), lambda: getattr(torch.zeros(2), name)())
    with pytest.raises(tl.DeviceUnavailableError, match=name):
        getattr(tl.zeros(2), name)()
    assert tl.zeros(2).numpy().tolist() == [0.0, 0.0]


# ---- legacy constructors, type strings, Variable ----
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
          "ByteTensor", "BoolTensor"]
LEGACY_ARGS = [(), ([1, 2],), ([[1.5, 2], [3, 4]],), (2, 3), ((2, 3),), ("size",), (3,), (3.0,), (True,),
               ([],), (2, 3.0), (-1,), ([[1, 2], [3]],), ("np",), ("t_f32",), ("t_i64",), (range(3),),
               ("np_int",), ([1], [2]), ("abc",), (None,)]


def _legacy_args(m, args):
    sub = {"size": m.Size([2, 3]), "np": np.array([1.0, 2.0]), "t_f32": m.tensor([1.0, 2.0]),
           "t_i64": m.tensor([1, 2]), "np_int": np.int64(2)}
    return tuple(sub.get(a, a) if isinstance(a, str) else a for a in args)


def _same_meta(p, q):
    return str(p.dtype).split(".")[1] == str(q.dtype).split(".")[1] and tuple(p.shape) == tuple(q.shape)


def _same_tensor(p, q):
    return _same_meta(p, q) and p.tolist() == q.tolist()


@pytest.mark.parametrize("cls", ["Tensor"] + LEGACY)
@pytest.mark.parametrize("args", LEGACY_ARGS, ids=repr)
def test_legacy_constructors_match_torch(torch, cls, args):
    uninitialized = args in [(2, 3), ("size",), (3,), ("np_int",)]      # sizes: compare dtype and shape
    same_outcome(lambda: getattr(tl, cls)(*_legacy_args(tl, args)),
                 lambda: getattr(torch, cls)(*_legacy_args(torch, args)),
                 _same_meta if uninitialized else _same_tensor)


def test_legacy_types_isinstance_and_default_dtype(torch):
    for i, name in enumerate(LEGACY):
        for dt in DTYPES:
            x, y = tl.zeros(1, dtype=getattr(tl, dt)), torch.zeros(1, dtype=getattr(torch, dt))
            assert isinstance(x, getattr(tl, name)) == isinstance(y, getattr(torch, name)), (name, dt)
        assert type(getattr(tl, name)([1])) is tl.Tensor
        assert not issubclass(getattr(tl, name), tl.Tensor) and getattr(tl, name).dtype.name == \
            str(getattr(torch, name).dtype).split(".")[1]
    try:
        tl.set_default_dtype(tl.float64)
        assert tl.Tensor([1, 2]).dtype is tl.float64 and tl.Tensor(2).dtype is tl.float64
        assert tl.FloatTensor([1]).dtype is tl.float32
    finally:
        tl.set_default_dtype(tl.float32)
    src = tl.tensor([1, 2])
    al = tl.Tensor(src)
    al[0] = 7
    assert src.tolist() == [7, 2] and al.dtype is tl.int64


@pytest.mark.parametrize("dt", DTYPES)
def test_type_strings_and_conversions_match_torch(torch, dt):
    a, b = tl.tensor([1, 0, 2], dtype=getattr(tl, dt)), torch.tensor([1, 0, 2], dtype=getattr(torch, dt))
    assert a.type() == b.type()
    assert tl.nn.Parameter(tl.zeros(1)).type() == torch.nn.Parameter(torch.zeros(1)).type() == "torch.FloatTensor"
    for target in ["torch.DoubleTensor", "torch.LongTensor", "torch.BoolTensor", "torch.cuda.FloatTensor", "foo",
                   "DoubleTensor", "torch.Foo"]:
        same_outcome(lambda: a.type(target).tolist(), lambda: b.type(target).tolist())
    for name in ["float64", "int32", dt]:
        same_outcome(lambda: (a.type(getattr(tl, name)).type(), a.type(getattr(tl, name)) is a),
                     lambda: (b.type(getattr(torch, name)).type(), b.type(getattr(torch, name)) is b))
    assert a.type(tl.DoubleTensor).type() == b.type(torch.DoubleTensor).type() == "torch.DoubleTensor"
    assert a.type(dtype=tl.int32, non_blocking=True).dtype is tl.int32
    assert a.type("tensorlite.IntTensor").dtype is tl.int32


def test_variable_matches_torch(torch):
    from tensorlite.autograd import Variable
    from torch.autograd import Variable as TV
    x, tx = tl.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    v, tv = Variable(x, requires_grad=True), TV(tx, requires_grad=True)
    assert type(v) is tl.Tensor and v.requires_grad and v is not x and v.is_leaf
    assert isinstance(x, Variable) == isinstance(tx, TV) and not isinstance([1], Variable)
    w = Variable(x)
    w[0] = 5.0
    assert x.tolist() == [5.0, 2.0]          # shares storage, as in torch
    y = tl.tensor([1.0], requires_grad=True) * 2
    assert Variable(y).grad_fn is None and not Variable(y).requires_grad
    for args, kw in [((), {}), (([1, 2],), {}), ((tl.tensor([1, 2]),), {"requires_grad": True})]:
        conv = lambda m, a: tuple(m.tensor(i) if isinstance(i, tl.Tensor) else i for i in a)  # noqa: E731
        same_outcome(lambda: Variable(*args, **kw).tolist(), lambda: TV(*conv(torch, args), **kw).tolist())
    with pytest.warns(UserWarning, match="volatile"):
        Variable(x, volatile=True)
    (v * v).sum().backward()
    assert v.grad.tolist() == [10.0, 4.0]


def test_new_methods_match_torch(torch):
    a, b = tl.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    ai, bi = tl.tensor([1, 2]), torch.tensor([1, 2])
    cases = [lambda m, x: x.new_tensor([1, 2]), lambda m, x: x.new_zeros(2, 3), lambda m, x: x.new_zeros((2, 3)),
             lambda m, x: x.new_ones([2]), lambda m, x: x.new_empty(2).zero_(), lambda m, x: x.new_full((2,), 3),
             lambda m, x: x.new_full((2,), 3, dtype=m.int64),
             lambda m, x: x.new_ones(2, 3, dtype=m.int64, device="cpu", requires_grad=False, layout=m.strided),
             lambda m, x: x.new_tensor([1.0, 2.0], requires_grad=True), lambda m, x: x.new([1, 2]),
             lambda m, x: x.new(), lambda m, x: x.new(2).zero_(),
             lambda m, x: x.new_empty((2,), requires_grad=True).detach().clone().zero_(),
             lambda m, x: x.new_tensor(x), lambda m, x: x.new_zeros(2, requires_grad=True)]
    for c in cases:
        for x, y in ((a, b), (ai, bi)):
            same_outcome(lambda: c(tl, x), lambda: c(torch, y),
                         lambda p, q: _same_tensor(p, q) and p.requires_grad == q.requires_grad)
    with pytest.warns(UserWarning, match="detach"):
        a.new_tensor(a)
    assert a.new_empty((2,), requires_grad=True).requires_grad


# ---- tl.cuda, backends, accelerator, determinism ----
CUDA_CALLS = ["is_available", "device_count", "is_initialized", "is_bf16_supported", "seed", "seed_all",
              "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
              "get_arch_list", "get_rng_state_all", "synchronize", "current_device", "init", "initial_seed",
              "get_rng_state", "get_device_name", "get_device_capability", "get_device_properties", "mem_get_info",
              "current_stream"]


@pytest.mark.parametrize("name", CUDA_CALLS)
def test_cuda_module_matches_torch_without_cuda(torch, name):
    same_outcome(lambda: getattr(tl.cuda, name)(), lambda: getattr(torch.cuda, name)())


def test_cuda_seeding_and_misc(torch):
    for fn in ("manual_seed", "manual_seed_all"):
        for s in (0, 123, 1.5, "a"):
            same_outcome(lambda: getattr(tl.cuda, fn)(s), lambda: getattr(torch.cuda, fn)(s))
    assert dict(tl.cuda.memory_stats()) == dict(torch.cuda.memory_stats())
    with pytest.raises(RuntimeError, match="set_device"):
        tl.cuda.set_device(0)            # torch fails here too (AttributeError from its stub module)
    with pytest.raises(AssertionError, match="CUDA"):
        tl.cuda.synchronize()
    same_outcome(lambda: tl.cuda.device(tl.device("cpu")), lambda: torch.cuda.device(torch.device("cpu")))
    with pytest.raises(RuntimeError):
        with tl.cuda.device(0):
            pass
    import tensorlite.cuda as tc
    assert tc is tl.cuda


def test_backends_accelerator_determinism_match_torch(torch):
    import tensorlite.backends.cudnn as cudnn
    assert cudnn is tl.backends.cudnn
    for mod, tmod in ((tl.backends.cudnn, torch.backends.cudnn), (tl.backends.mps, torch.backends.mps),
                      (tl.backends.cuda, torch.backends.cuda), (tl.accelerator, torch.accelerator)):
        for fn in ("is_available", "is_built", "version", "device_count", "current_accelerator",
                   "current_device_index", "synchronize"):
            if hasattr(tmod, fn) and callable(getattr(tmod, fn)):
                same_outcome(lambda: getattr(mod, fn)(), lambda: getattr(tmod, fn)())
    for flag in ("benchmark", "deterministic", "enabled", "allow_tf32"):
        assert getattr(tl.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag), flag
    old = tl.backends.cudnn.benchmark
    tl.backends.cudnn.benchmark = True
    assert tl.backends.cudnn.benchmark is True
    tl.backends.cudnn.benchmark = old
    assert tl.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    try:
        for args, kw in [((True,), {}), ((False,), {}), ((True,), {"warn_only": True}), (("x",), {})]:
            same_outcome(lambda: tl.use_deterministic_algorithms(*args, **kw),
                         lambda: torch.use_deterministic_algorithms(*args, **kw))
            assert tl.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
            assert tl.is_deterministic_algorithms_warn_only_enabled() == \
                torch.is_deterministic_algorithms_warn_only_enabled()
            assert tl.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        for mode in ("warn", "error", "default", 1, "bad", 5):
            same_outcome(lambda: tl.set_deterministic_debug_mode(mode),
                         lambda: torch.set_deterministic_debug_mode(mode))
            assert tl.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
    finally:
        tl.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)
    assert tl.cpu.is_available() and tl.cpu.device_count() == torch.cpu.device_count() and tl.cpu.synchronize() is None


# ---- compile ----
def test_compile_returns_the_model_unchanged(torch):
    model = tl.nn.Linear(3, 2)
    assert tl.compile(model) is model and tl.compile(model, mode="max-autotune", fullgraph=True) is model

    @tl.compile
    def f(x):
        return x + 1

    @tl.compile(dynamic=True, backend="eager")
    def g(x):
        return x * 2
    assert f(tl.tensor(1.0)).item() == 2.0 and g(tl.tensor(2.0)).item() == 4.0 and f.__name__ == "f"
    for kw in [{"mode": "foo"}, {"mode": "default", "options": {}}]:
        same_outcome(lambda: tl.compile(f, **kw), lambda: torch.compile(lambda x: x, **kw), lambda p, q: True)
    same_outcome(lambda: tl.compile(3), lambda: torch.compile(3))
    assert "unchanged" in tl.compile.__doc__ and tl.compiler.is_compiling() is False


# ---- autocast ----
def test_autocast_cpu_context_and_decorator(torch):
    x = tl.randn(3, 3)
    ref = (x @ x).numpy().copy()
    assert not tl.is_autocast_enabled("cpu")
    with tl.autocast("cpu") as ac:
        assert tl.is_autocast_enabled("cpu") == True and not tl.is_autocast_enabled()  # noqa: E712
        with tl.amp.autocast("cpu", enabled=False):
            assert not tl.is_autocast_enabled("cpu")
        assert tl.is_autocast_enabled("cpu")
        out = x @ x
    assert isinstance(ac, tl.autocast) and not tl.is_autocast_enabled("cpu")
    assert out.dtype is tl.float32 and np.array_equal(out.numpy(), ref)     # no casting: same values

    @tl.autocast("cpu", dtype=tl.float16)
    def f(a):
        return tl.is_autocast_enabled("cpu"), a * 2
    on, y = f(x)
    assert on and y.dtype is tl.float32 and not tl.is_autocast_enabled("cpu")
    with pytest.raises(ValueError):
        with tl.autocast("cpu"):
            raise ValueError("inside")
    assert not tl.is_autocast_enabled("cpu")
    with torch.autocast("cpu"):
        assert torch.is_autocast_enabled("cpu") and not torch.is_autocast_enabled()
    same_outcome(lambda: tl.is_autocast_enabled(3), lambda: torch.is_autocast_enabled(3))


@pytest.mark.parametrize("args,kw", [(("cuda",), {}), (("cpu",), {"dtype": "float64"}), (("mps",), {}),
                                     (("foo",), {}), ((3,), {}), (("cpu",), {"dtype": "float16"})])
def test_autocast_warnings_match_torch(torch, args, kw):
    def conv(m):
        return {k: getattr(m, v) for k, v in kw.items()}
    def run(m):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                return ("ok", m.autocast(*args, **conv(m))), ws
            except Exception as e:  # noqa: BLE001 -- compared with torch's
                return ("err", e), ws
    ra, wa = run(tl)
    rb, wb = run(torch)
    assert ra[0] == rb[0] and (ra[0] == "ok" or isinstance(ra[1], type(rb[1])))
    user = lambda ws: [w for w in ws if issubclass(w.category, UserWarning)]  # noqa: E731
    assert bool(user(wa)) == bool(user(wb)), ([str(w.message) for w in wa], [str(w.message) for w in wb])
    if ra[0] == "ok":
        with ra[1]:
            assert tl.is_autocast_enabled(args[0]) == (not user(wa))
    if args == ("cuda",):
        assert "Disabling autocast" in str(user(wa)[0].message)


def test_cpu_and_cuda_amp_aliases():
    with pytest.warns(FutureWarning):
        ac = tl.cpu.amp.autocast()
    with ac:
        assert tl.is_autocast_enabled("cpu")
    with pytest.warns(UserWarning, match="Disabling"), pytest.warns(FutureWarning, match="deprecated"):
        tl.cuda.amp.autocast()
    with pytest.warns(UserWarning, match="Disabling"), pytest.warns(FutureWarning, match="deprecated"):
        assert not tl.cuda.amp.GradScaler().is_enabled()
    from tensorlite.cuda.amp import autocast, GradScaler          # the old scripts' import line
    from tensorlite.cpu.amp import GradScaler as CpuScaler
    assert issubclass(autocast, tl.autocast) and issubclass(GradScaler, tl.amp.GradScaler)
    with pytest.warns(FutureWarning):
        s = CpuScaler(init_scale=4.0)
    assert s.is_enabled() and s.get_scale() == 4.0

    with pytest.warns(FutureWarning):
        @autocast(enabled=False)
        def f():
            return tl.is_autocast_enabled("cuda")
    assert f() is False


# ---- GradScaler ----
def _scaler_run(m, device, steps, poison, enabled=True, **kw):
    """A few SGD steps through m.amp.GradScaler; gradients of the steps in `poison` are made inf."""
    p = m.nn.Parameter(m.tensor([0.5, -1.0, 2.0]))
    opt = m.optim.SGD([p], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = m.amp.GradScaler(device, enabled=enabled, **kw)
    trace = []
    for i in range(steps):
        opt.zero_grad()
        loss = (p * p).sum() * (float("inf") if i in poison else 1.0)
        scaled = s.scale(loss)
        scaled.backward()
        if i % 2:
            s.unscale_(opt)
        ret = s.step(opt)
        s.update()
        trace.append((scaled.item(), ret, s.get_scale(), s.state_dict(), p.detach().numpy().tolist()))
    return trace, s


@pytest.mark.parametrize("device,enabled", [("cpu", True), ("cpu", False), ("cuda", True)])
def test_grad_scaler_matches_torch(torch, device, enabled):
    kw = dict(init_scale=8.0, growth_interval=2)
    a, sa = _scaler_run(tl, device, 7, {2, 5}, enabled, **kw)
    b, sb = _scaler_run(torch, device, 7, {2, 5}, enabled, **kw)
    for i, (x, y) in enumerate(zip(a, b)):
        assert x[0] == y[0] or np.isnan(x[0]) and np.isnan(y[0]) or (np.isinf(x[0]) and np.isinf(y[0])), i
        assert x[1:4] == y[1:4], i
        np.testing.assert_allclose(x[4], y[4], rtol=1e-6, err_msg=str(i))
    assert sa.is_enabled() == sb.is_enabled()
    for name in ("get_growth_factor", "get_backoff_factor", "get_growth_interval"):
        if sb.is_enabled():              # torch's disabled scaler has no factors to report
            assert getattr(sa, name)() == getattr(sb, name)()
    assert sa.state_dict() == sb.state_dict()
    if enabled and device == "cpu":
        s2 = tl.amp.GradScaler("cpu")
        s2.load_state_dict(sa.state_dict())
        assert s2.state_dict() == sa.state_dict()
        with pytest.raises(RuntimeError, match="empty"):
            s2.load_state_dict({})


def test_grad_scaler_errors_and_scale_structures(torch):
    for m in (tl, torch):
        p = m.nn.Parameter(m.ones(2))
        opt = m.optim.SGD([p], lr=0.1)
        s = m.amp.GradScaler("cpu")
        loss = (p * 3).sum()
        out = s.scale([loss, (loss, loss)])
        assert isinstance(out, list) and isinstance(out[1], tuple) and out[1][0].item() == 6 * 65536
        with pytest.raises(ValueError):
            s.scale(3.0)
        with pytest.raises(AssertionError):
            s.step(opt)                      # no gradients: nothing to check for infs
        s = m.amp.GradScaler("cpu")
        s.scale(loss).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            s.unscale_(opt)
        s.step(opt)
        with pytest.raises(RuntimeError, match="step"):
            s.step(opt)
        with pytest.raises(RuntimeError, match="Closure"):
            s.step(opt, closure=lambda: 0)
        s.update(new_scale=4.0)
        assert s.get_scale() == 4.0
        assert p.detach().numpy().tolist() == pytest.approx([0.7, 0.7])


# ---- tensorlite.utils.data ----
def test_utils_data_is_tensorlite_data():
    import tensorlite.utils.data as ud
    from tensorlite.utils.data import DataLoader, TensorDataset
    from tensorlite.utils.data.distributed import DistributedSampler
    from tensorlite.utils.data.dataloader import default_collate
    from tensorlite.utils.data.dataset import random_split, Subset
    from tensorlite.utils.data.sampler import BatchSampler, WeightedRandomSampler
    assert tl.utils.data is ud and DataLoader is tl.data.DataLoader and TensorDataset is tl.data.TensorDataset
    assert DistributedSampler is tl.data.DistributedSampler and default_collate is tl.data.default_collate
    assert random_split is tl.data.random_split and Subset is tl.data.Subset
    assert BatchSampler is tl.data.BatchSampler and WeightedRandomSampler is tl.data.WeightedRandomSampler
    for name in ud.__all__:
        assert getattr(ud, name) is getattr(tl.data, name), name
    for mod in ("dataloader", "dataset", "sampler", "distributed"):
        sub = importlib.import_module(f"tensorlite.utils.data.{mod}")
        for name in sub.__all__:
            assert getattr(sub, name) is getattr(tl.data, name), (mod, name)
    ds = TensorDataset(tl.arange(10.0), tl.arange(10))
    batches = list(DataLoader(ds, batch_size=4, shuffle=False))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_dataloader_accepts_all_torch_keywords(torch):
    import inspect
    ours = set(inspect.signature(tl.utils.data.DataLoader.__init__).parameters)
    theirs = set(inspect.signature(torch.utils.data.DataLoader.__init__).parameters)
    assert theirs <= ours, theirs - ours


def test_import_tensorlite_does_not_import_data():
    import subprocess
    import sys
    code = "import sys, tensorlite; print('tensorlite.data' in sys.modules, 'tensorlite.utils.data' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_default_device_and_matmul_precision_match_torch(torch):
    assert repr(tl.get_default_device()) == repr(torch.get_default_device())
    for d in (None, "cpu", tl.device("cpu")):
        tl.set_default_device(d)
    with pytest.raises(tl.DeviceUnavailableError, match="'cuda'"):
        tl.set_default_device("cuda")
    same_outcome(lambda: tl.set_default_device("foo"), lambda: torch.set_default_device("foo"))
    torch.set_default_device(None)
    try:
        for p in ("high", "medium", "highest", "foo", 3):
            same_outcome(lambda: tl.set_float32_matmul_precision(p), lambda: torch.set_float32_matmul_precision(p))
            assert tl.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
        with pytest.warns(UserWarning, match="invalid precision"):
            tl.set_float32_matmul_precision("foo")
    finally:
        tl.set_float32_matmul_precision("highest")
        torch.set_float32_matmul_precision("highest")


def test_layout_and_memory_format_singletons(torch):
    import pickle
    for obj in (tl.strided, tl.contiguous_format, tl.preserve_format, tl.channels_last):
        assert pickle.loads(pickle.dumps(obj)) is obj
    assert repr(tl.strided) == "tensorlite.strided" and repr(torch.strided) == "torch.strided"
    for cls, tcls in ((tl.layout, torch.layout), (tl.memory_format, torch.memory_format)):
        same_outcome(lambda: cls("x"), lambda: tcls("x"))
    assert isinstance(tl.channels_last, tl.memory_format) and isinstance(tl.strided, tl.layout)
    with pytest.raises(RuntimeError, match="layout"):
        tl.zeros(2, layout=tl.channels_last)


# ---- repr: torch's print format ----
_SCALES = st.sampled_from([1.0, 10.0, 1e-5, 1e9, 1e4, "int", "mixed", "zeros", "nonfinite"])


def _values(shape, scale, seed):
    rs = np.random.RandomState(seed)
    a = np.asarray(rs.randn(*shape))
    if scale == "int":
        return np.round(a * 10)
    if scale == "mixed":
        return a * 10.0 ** rs.randint(-3, 5, size=shape)
    if scale == "zeros":
        return np.zeros(shape)
    if scale == "nonfinite":
        a = a.reshape(-1)
        a[:: max(1, a.size // 3)] = rs.choice([np.nan, np.inf, -np.inf])
        return a.reshape(shape)
    return a * scale


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")   # 1e9 as float16
@settings(max_examples=60)
@given(shape=st.sampled_from([(), (1,), (4,), (3, 4), (2, 3, 5), (0,), (2, 0, 3), (25,), (1200,), (40, 40),
                              (3, 2, 400), (7, 1, 2)]),
       scale=_SCALES, seed=st.integers(0, 2 ** 16),
       dt=st.sampled_from(["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]))
def test_repr_matches_torch(torch, shape, scale, seed, dt):
    a = _values(shape, scale, seed)
    if dt not in ("float32", "float64", "float16"):
        a = np.nan_to_num(a, nan=0, posinf=7, neginf=-7)
        a = np.abs(a) % 200 if dt == "uint8" else np.clip(a, -100, 100)
    a = np.array(a.astype(dt))
    x, y = tl.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert repr(x).replace("tensorlite", "torch") == repr(y)
    assert str(x) == repr(x) and f"{x}" == (str(x) if x.ndim else format(x.item(), ""))


def test_repr_suffixes_and_printoptions(torch):
    for make in (lambda m: m.ones(2, requires_grad=True), lambda m: m.nn.Parameter(m.ones(2, 2)),
                 lambda m: m.zeros(0, dtype=m.int64), lambda m: m.zeros(2, 0), lambda m: m.tensor(3.0),
                 lambda m: m.arange(30, dtype=m.int32), lambda m: m.tensor(float("nan"))):
        assert repr(make(tl)).replace("tensorlite", "torch") == repr(make(torch))
    x = np.random.RandomState(0).randn(30, 40) * 3
    try:
        for kw in [{"precision": 2}, {"sci_mode": True}, {"sci_mode": False}, {"threshold": 5, "edgeitems": 2},
                   {"linewidth": 40}, {"profile": "short"}, {"profile": "full"}, {"edgeitems": 0, "threshold": 3}]:
            tl.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
            tl.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            for arr in (x, x[:2, :5], x[0, :4] * 1e-6, np.round(x[:3])):
                a, b = tl.tensor(arr, dtype=tl.float32), torch.tensor(arr, dtype=torch.float32)
                assert repr(a) == repr(b), kw
        assert tl.get_printoptions() == {k: getattr(torch._tensor_str.PRINT_OPTS, k) for k in tl.get_printoptions()}
    finally:
        tl.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    try:
        tl.set_default_dtype(tl.float64)
        torch.set_default_dtype(torch.float64)
        for make in (lambda m: m.tensor([1.5, 2.0]), lambda m: m.tensor([1.5], dtype=m.float32), lambda m: m.zeros(0)):
            assert repr(make(tl)).replace("tensorlite", "torch") == repr(make(torch))
    finally:
        tl.set_default_dtype(tl.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.filterwarnings("ignore:.*set_default_tensor_type\\(\\) is deprecated")
def test_set_default_tensor_type_matches_torch(torch):
    def conv(m, t):
        return getattr(m, t) if t in ("DoubleTensor", "LongTensor", "float64") else t
    try:
        for t in ["DoubleTensor", "torch.FloatTensor", "torch.DoubleTensor", "LongTensor", "torch.cuda.FloatTensor",
                  "float64"]:
            same_outcome(lambda: tl.set_default_tensor_type(conv(tl, t)),
                         lambda: torch.set_default_tensor_type(conv(torch, t)))
            assert str(tl.get_default_dtype()).split(".")[1] == str(torch.get_default_dtype()).split(".")[1]
            assert tl.zeros(1).dtype.name == str(torch.zeros(1).dtype).split(".")[1]
        with pytest.raises(ValueError, match="invalid type"):       # torch: ModuleNotFoundError for 'foo'
            tl.set_default_tensor_type("torch.Foo")
        with pytest.warns(UserWarning, match="deprecated"):
            tl.set_default_tensor_type(tl.FloatTensor)
    finally:
        tl.set_default_dtype(tl.float32)
        torch.set_default_dtype(torch.float32)
