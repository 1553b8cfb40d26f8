"""Recurrent layers nn.RNN / LSTM / GRU, the cells RNNCell / LSTMCell / GRUCell, and
nn.utils.rnn (PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence,
pack_sequence, unpad_sequence, unpack_sequence).

Oracles: torch (torch's state_dict copied in; outputs, h_n / c_n, every parameter gradient and the
input / h_0 gradients in float64), finite differences (tl.autograd.gradcheck / gradgradcheck), and
torch's modules for parameter names, order, shapes, state_dict keys and repr."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn as nn
from tensorlite.nn.utils import rnn as rnn_utils

from tensorlite.testing.strategies import assert_close

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn
F64 = np.float64
SOME = settings(max_examples=25, deadline=None)

MODES = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]
# torch's own notice that its oneDNN path lacks projections (it falls back to its reference kernel)
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported:UserWarning")


def _kwargs(mode, kw):
    kw = dict(kw)
    if mode.startswith("RNN"):
        kw["nonlinearity"] = mode[4:].lower()
    return ("RNN" if mode.startswith("RNN") else mode), kw


def _pair(mode, input_size, hidden_size, **kw):
    """(tensorlite module, torch module) in float64 holding the same weights (torch's, copied in)."""
    cls, kw = _kwargs(mode, kw)
    tm = getattr(torch.nn, cls)(input_size, hidden_size, **kw).double()
    m = getattr(nn, cls)(input_size, hidden_size, dtype=tl.float64, **kw)
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return m, tm


def _cell_pair(kind, input_size, hidden_size, bias, nonlinearity="tanh"):
    kw = {"bias": bias}
    if kind == "RNNCell":
        kw["nonlinearity"] = nonlinearity
    tm = getattr(torch.nn, kind)(input_size, hidden_size, **kw).double()
    m = getattr(nn, kind)(input_size, hidden_size, dtype=tl.float64, **kw)
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return m, tm


def _both(arr):
    return tl.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


def _flat_outputs(out):
    """The tensors of an RNN result ((output, h_n) or (output, (h_n, c_n))), output as data if packed."""
    output, hid = out
    if isinstance(output, (rnn_utils.PackedSequence, TR.PackedSequence)):
        output = output.data
    return [output] + (list(hid) if isinstance(hid, tuple) else [hid])


def _backward_both(outs, touts, rng):
    loss = tloss = 0
    for o, t in zip(outs, touts):
        assert_close(o, t.detach().numpy(), F64)
        g = rng.standard_normal(tuple(o.shape))
        loss = loss + (o * tl.tensor(g)).sum()
        tloss = tloss + (t * torch.tensor(g)).sum()
    loss.backward()
    tloss.backward()


def _assert_param_grads(m, tm):
    tgrads = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        tg = tgrads[name].grad
        assert (p.grad is None) == (tg is None), name
        if tg is not None:
            assert_close(p.grad, tg.numpy(), F64, err_msg=name)


@st.composite
def layer_configs(draw):
    mode = draw(st.sampled_from(MODES))
    hidden = draw(st.integers(1, 4))
    proj = draw(st.integers(0, hidden - 1)) if mode == "LSTM" and hidden > 1 else 0
    kw = dict(num_layers=draw(st.integers(1, 2)), bidirectional=draw(st.booleans()),
              batch_first=draw(st.booleans()), bias=draw(st.booleans()))
    if proj:
        kw["proj_size"] = proj
    return dict(mode=mode, input_size=draw(st.integers(1, 4)), hidden=hidden, kw=kw,
                unbatched=draw(st.booleans()), with_h0=draw(st.booleans()),
                seq=draw(st.integers(1, 4)), batch=draw(st.integers(1, 3)), seed=draw(st.integers(0, 2 ** 16)))


def _h0_shapes(m, batch, unbatched):
    D = 2 if m.bidirectional else 1
    h_out = m.proj_size or m.hidden_size
    shapes = [(m.num_layers * D, batch, h_out), (m.num_layers * D, batch, m.hidden_size)]
    shapes = shapes if m.mode == "LSTM" else shapes[:1]
    return [(s[0], s[2]) if unbatched else s for s in shapes]


# ================================================================== layers vs torch
@SOME
@given(layer_configs())
def test_layer_matches_torch_values_and_all_gradients(cfg):
    rng = np.random.default_rng(cfg["seed"])
    m, tm = _pair(cfg["mode"], cfg["input_size"], cfg["hidden"], **cfg["kw"])
    steps = (cfg["batch"], cfg["seq"]) if m.batch_first else (cfg["seq"], cfg["batch"])
    shape = (cfg["seq"], cfg["input_size"]) if cfg["unbatched"] else steps + (cfg["input_size"],)
    x, tx = _both(rng.standard_normal(shape))
    args, targs = [x], [tx]
    if cfg["with_h0"]:
        hs = [_both(rng.standard_normal(s)) for s in _h0_shapes(m, cfg["batch"], cfg["unbatched"])]
        args.append(hs[0][0] if len(hs) == 1 else (hs[0][0], hs[1][0]))
        targs.append(hs[0][1] if len(hs) == 1 else (hs[0][1], hs[1][1]))
    outs, touts = _flat_outputs(m(*args)), _flat_outputs(tm(*targs))
    assert [tuple(o.shape) for o in outs] == [tuple(t.shape) for t in touts]
    _backward_both(outs, touts, rng)
    assert_close(x.grad, tx.grad.numpy(), F64)
    if cfg["with_h0"]:
        for (h, th) in hs:
            assert_close(h.grad, th.grad.numpy(), F64)
    _assert_param_grads(m, tm)


@st.composite
def cell_configs(draw):
    return dict(kind=draw(st.sampled_from(["RNNCell", "LSTMCell", "GRUCell"])),
                nonlinearity=draw(st.sampled_from(["tanh", "relu"])), bias=draw(st.booleans()),
                input_size=draw(st.integers(1, 4)), hidden=draw(st.integers(1, 4)),
                batch=draw(st.integers(1, 3)), unbatched=draw(st.booleans()), with_hx=draw(st.booleans()),
                seed=draw(st.integers(0, 2 ** 16)))


@SOME
@given(cell_configs())
def test_cell_matches_torch_values_and_all_gradients(cfg):
    rng = np.random.default_rng(cfg["seed"])
    m, tm = _cell_pair(cfg["kind"], cfg["input_size"], cfg["hidden"], cfg["bias"], cfg["nonlinearity"])
    lead = () if cfg["unbatched"] else (cfg["batch"],)
    x, tx = _both(rng.standard_normal(lead + (cfg["input_size"],)))
    args, targs, hs = [x], [tx], []
    if cfg["with_hx"]:
        hs = [_both(rng.standard_normal(lead + (cfg["hidden"],))) for _ in range(2 if cfg["kind"] == "LSTMCell" else 1)]
        args.append(hs[0][0] if len(hs) == 1 else (hs[0][0], hs[1][0]))
        targs.append(hs[0][1] if len(hs) == 1 else (hs[0][1], hs[1][1]))
    out, tout = m(*args), tm(*targs)
    outs, touts = (list(out), list(tout)) if isinstance(out, tuple) else ([out], [tout])
    _backward_both(outs, touts, rng)
    assert_close(x.grad, tx.grad.numpy(), F64)
    for h, th in hs:
        assert_close(h.grad, th.grad.numpy(), F64)
    _assert_param_grads(m, tm)


# ================================================================== finite differences
def _f64(shape, seed):
    return tl.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("mode", MODES)
def test_layer_gradcheck_and_gradgradcheck(mode):
    cls, kw = _kwargs(mode, dict(num_layers=2, bidirectional=True))
    if mode == "LSTM":
        kw["proj_size"] = 1
    m = getattr(nn, cls)(2, 2, dtype=tl.float64, **kw)
    x = _f64((2, 1, 2), 1)
    h0 = [_f64(s, 2 + i) for i, s in enumerate(_h0_shapes(m, 1, False))]
    params = list(m.parameters())

    def fn(x, *rest):     # the parameters are inputs too: gradcheck perturbs them in place
        hx = rest[0] if len(h0) == 1 else (rest[0], rest[1])
        return tuple(_flat_outputs(m(x, hx)))
    assert tl.autograd.gradcheck(fn, [x, *h0, *params])
    assert tl.autograd.gradgradcheck(fn, [x, *h0])


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck_and_gradgradcheck(kind):
    m = getattr(nn, kind)(3, 2, dtype=tl.float64)
    x = _f64((2, 3), 1)
    hs = [_f64((2, 2), 2 + i) for i in range(2 if kind == "LSTMCell" else 1)]

    def fn(x, *rest):
        out = m(x, rest[0] if len(hs) == 1 else (rest[0], rest[1]))
        return out if isinstance(out, tuple) else (out,)
    assert tl.autograd.gradcheck(fn, [x, *hs, *m.parameters()])
    assert tl.autograd.gradgradcheck(fn, [x, *hs])


def test_packed_gradcheck():
    m = nn.GRU(2, 2, bidirectional=True, dtype=tl.float64)
    x = _f64((3, 3, 2), 0)

    def fn(x):
        packed = rnn_utils.pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False)
        out, h = m(packed)
        return rnn_utils.pad_packed_sequence(out)[0], h
    assert tl.autograd.gradcheck(fn, [x])


# ================================================================== structure, init, repr
STRUCTS = [("LSTM", dict()), ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)),
           ("LSTM", dict(bias=False, proj_size=1)), ("GRU", dict(num_layers=3, bidirectional=True)),
           ("GRU", dict(bias=False, batch_first=True)), ("RNN_RELU", dict(num_layers=2, dropout=0.25)),
           ("RNN_TANH", dict(bidirectional=True, bias=False))]


@pytest.mark.parametrize("mode,kw", STRUCTS)
def test_parameter_names_order_shapes_and_repr_match_torch(mode, kw):
    cls, kw = _kwargs(mode, kw)
    m, tm = getattr(nn, cls)(5, 3, **kw), getattr(torch.nn, cls)(5, 3, **kw)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert m._flat_weights_names == tm._flat_weights_names
    assert [[tuple(w.shape) for w in ws] for ws in m.all_weights] == \
           [[tuple(w.shape) for w in ws] for ws in tm.all_weights]
    assert repr(m) == repr(tm)
    bound = 1 / math.sqrt(3)
    for p in m.parameters():
        assert p.dtype == tl.float32 and p.requires_grad
        assert np.all(np.abs(p.detach().numpy()) <= bound) and np.unique(p.detach().numpy()).size > 1


@pytest.mark.parametrize("kind,kw", [("RNNCell", dict(nonlinearity="relu", bias=False)), ("LSTMCell", {}),
                                     ("GRUCell", dict(bias=False))])
def test_cell_structure_and_repr_match_torch(kind, kw):
    m, tm = getattr(nn, kind)(4, 3, **kw), getattr(torch.nn, kind)(4, 3, **kw)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert repr(m) == repr(tm)
    assert all(np.all(np.abs(p.detach().numpy()) <= 1 / math.sqrt(3)) for p in m.parameters())


def test_state_dict_round_trips_through_torch():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    tm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in m.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 3)).astype(np.float32)
    out, (h, c) = m(tl.tensor(x))
    tout, (th, tc) = tm(torch.tensor(x))
    for a, b in ((out, tout), (h, th), (c, tc)):
        assert_close(a, b.detach().numpy(), np.float32)


# ================================================================== packed sequences
@st.composite
def length_lists(draw, max_batch=4, max_len=4):
    return draw(st.lists(st.integers(1, max_len), min_size=1, max_size=max_batch))


@SOME
@given(length_lists(), st.booleans(), st.integers(0, 2 ** 16))
def test_pack_pad_round_trip_matches_torch(lengths, batch_first, seed):
    rng = np.random.default_rng(seed)
    T = max(lengths) + int(rng.integers(0, 2))
    shape = (len(lengths), T, 2) if batch_first else (T, len(lengths), 2)
    x, tx = _both(rng.standard_normal(shape))
    p = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    tp = TR.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=False)
    assert isinstance(p, rnn_utils.PackedSequence) and isinstance(p, tuple)
    assert_close(p.data, tp.data.detach().numpy(), F64)
    for a, b in zip(p[1:], tp[1:]):
        assert a.dtype == tl.int64 and a.tolist() == b.tolist()
    out, lens = rnn_utils.pad_packed_sequence(p, batch_first=batch_first, padding_value=-2.0, total_length=T + 1)
    tout, tlens = TR.pad_packed_sequence(tp, batch_first=batch_first, padding_value=-2.0, total_length=T + 1)
    assert_close(out, tout.detach().numpy(), F64)
    assert lens.tolist() == tlens.tolist() == lengths
    g = rng.standard_normal(tuple(out.shape))
    (out * tl.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    assert_close(x.grad, tx.grad.numpy(), F64)
    if sorted(lengths, reverse=True) == lengths:
        sp = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first)
        assert sp.sorted_indices is None and sp.unsorted_indices is None
        assert_close(sp.data, p.data.detach().numpy(), F64)


@SOME
@given(length_lists(), st.booleans(), st.sampled_from(["left", "right"]), st.integers(0, 2 ** 16))
def test_pad_sequence_pack_sequence_and_unpack_match_torch(lengths, batch_first, side, seed):
    rng = np.random.default_rng(seed)
    seqs = [_both(rng.standard_normal((n, 2))) for n in lengths]
    out = rnn_utils.pad_sequence([s for s, _ in seqs], batch_first=batch_first, padding_value=1.5, padding_side=side)
    tout = TR.pad_sequence([t for _, t in seqs], batch_first=batch_first, padding_value=1.5, padding_side=side)
    assert_close(out, tout.detach().numpy(), F64)
    g = rng.standard_normal(tuple(out.shape))
    (out * tl.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for s, t in seqs:
        assert_close(s.grad, t.grad.numpy(), F64)
    p = rnn_utils.pack_sequence([s for s, _ in seqs], enforce_sorted=False)
    tp = TR.pack_sequence([t for _, t in seqs], enforce_sorted=False)
    assert_close(p.data, tp.data.detach().numpy(), F64)
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    for a, (s, _) in zip(rnn_utils.unpack_sequence(p), seqs):
        assert_close(a, s.detach().numpy(), F64)
    padded, lens = rnn_utils.pad_packed_sequence(p)
    for a, (s, _) in zip(rnn_utils.unpad_sequence(padded, lens), seqs):
        assert_close(a, s.detach().numpy(), F64)


@SOME
@given(st.sampled_from(MODES), length_lists(), st.booleans(), st.booleans(), st.integers(1, 2), st.booleans(),
       st.integers(0, 2 ** 16))
def test_packed_input_matches_torch(mode, lengths, bidirectional, with_h0, num_layers, batch_first, seed):
    rng = np.random.default_rng(seed)
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
    if mode == "LSTM":
        kw["proj_size"] = int(rng.integers(0, 3))
    m, tm = _pair(mode, 2, 3, **kw)
    T, B = max(lengths), len(lengths)
    x, tx = _both(rng.standard_normal((B, T, 2) if batch_first else (T, B, 2)))
    p = rnn_utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    tp = TR.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=False)
    args, targs, hs = [p], [tp], []
    if with_h0:
        hs = [_both(rng.standard_normal(s)) for s in _h0_shapes(m, B, False)]
        args.append(hs[0][0] if len(hs) == 1 else (hs[0][0], hs[1][0]))
        targs.append(hs[0][1] if len(hs) == 1 else (hs[0][1], hs[1][1]))
    out, tout = m(*args), tm(*targs)
    assert isinstance(out[0], rnn_utils.PackedSequence)
    assert out[0].batch_sizes.tolist() == tout[0].batch_sizes.tolist()
    assert out[0].unsorted_indices.tolist() == tout[0].unsorted_indices.tolist()
    _backward_both(_flat_outputs(out), _flat_outputs(tout), rng)
    assert_close(x.grad, tx.grad.numpy(), F64)
    for h, th in hs:
        assert_close(h.grad, th.grad.numpy(), F64)
    _assert_param_grads(m, tm)


def test_packed_h_n_is_each_sequences_last_step():
    m = nn.LSTM(2, 3)
    x = tl.randn(4, 3, 2)
    lengths = [2, 4, 1]
    _, (h, c) = m(rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=False))
    for b, n in enumerate(lengths):
        _, (hb, cb) = m(x[:n, b])
        assert_close(h[0, b], hb[0].detach().numpy(), np.float32)
        assert_close(c[0, b], cb[0].detach().numpy(), np.float32)


# ================================================================== dropout between layers
def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    plain = nn.LSTM(3, 8, num_layers=2)
    plain.load_state_dict(m.state_dict())
    x = tl.randn(5, 2, 3)
    m.eval()
    assert_close(m(x)[0], plain(x)[0].detach().numpy(), np.float32)
    m.train()
    tl.manual_seed(0)
    out_a = m(x)[0].detach().numpy()
    assert not np.allclose(out_a, plain(x)[0].detach().numpy())
    tl.manual_seed(0)
    np.testing.assert_array_equal(m(x)[0].detach().numpy(), out_a)     # the mask comes from tl's generator
    single = nn.GRU(3, 4, num_layers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single(x)                                     # no dropout, no warning


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.3)


# ================================================================== errors
def test_layer_errors_match_torch_wording():
    lstm, gru = nn.LSTM(5, 20), nn.GRU(5, 20)
    with pytest.raises(RuntimeError, match=r"LSTM: input.size\(-1\) must be equal to input_size. Expected 5, got 4"):
        lstm(tl.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"GRU: Expected hidden size \(1, 3, 20\), got \[1, 2, 20\]"):
        gru(tl.randn(2, 3, 5), tl.zeros(1, 2, 20))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 3, 20\), got \[1, 3, 4\]"):
        lstm(tl.randn(2, 3, 5), (tl.zeros(1, 3, 20), tl.zeros(1, 3, 4)))
    with pytest.raises(ValueError, match=r"LSTM: Expected input to be 2D or 3D, got 4D instead"):
        lstm(tl.randn(1, 2, 3, 5))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"):
        gru(tl.randn(2, 5), tl.zeros(1, 1, 20))
    with pytest.raises(RuntimeError, match=r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 3-D\)"):
        lstm(tl.randn(2, 3, 5), (tl.zeros(1, 20), tl.zeros(1, 3, 20)))
    with pytest.raises(ValueError, match="input dtype"):
        lstm(tl.randn(2, 3, 5, dtype=tl.float64))


@pytest.mark.parametrize("make,exc,msg", [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity 'sigmoid'"),
    (lambda: nn.GRU(3, 4, proj_size=2), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller than hidden_size"),
    (lambda: nn.LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.LSTM(3, 4.0), TypeError, "hidden_size should be of type int"),
    (lambda: nn.LSTM(3, 4, 0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), ValueError, "dropout should be a number in range"),
])
def test_constructor_errors_match_torch(make, exc, msg):
    with pytest.raises(exc, match=msg):
        make()


def test_cell_errors_match_torch_wording():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 2 expected 3"):
        cell(tl.randn(2, 2))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch size 3"):
        cell(tl.randn(2, 3), (tl.zeros(3, 4), tl.zeros(3, 4)))
    with pytest.raises(RuntimeError, match="hidden1 has inconsistent hidden_size: got 5, expected 4"):
        cell(tl.randn(2, 3), (tl.zeros(2, 4), tl.zeros(2, 5)))
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D instead"):
        cell(tl.randn(2, 3, 3))
    with pytest.raises(ValueError, match="GRUCell: Expected hidden to be 1D or 2D, got 3D instead"):
        nn.GRUCell(3, 4)(tl.randn(2, 3), tl.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: x"):
        nn.RNNCell(3, 4, nonlinearity="x")(tl.randn(3))


def test_packing_errors_match_torch_wording():
    x = tl.randn(3, 2, 1)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn_utils.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        rnn_utils.pack_padded_sequence(x, [3, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 3"):
        rnn_utils.pack_padded_sequence(x, [3, 2, 1])
    with pytest.raises(RuntimeError, match="longer than the padded sequence length 3"):
        rnn_utils.pack_padded_sequence(x, [4, 3])
    p = rnn_utils.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest"):
        rnn_utils.pad_packed_sequence(p, total_length=2)
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, but got up"):
        rnn_utils.pad_sequence([tl.randn(2)], padding_side="up")
