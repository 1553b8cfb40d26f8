"""Recurrent layers: RNN, LSTM, GRU and their single-step cells (torch.nn's names, arguments, shapes,
parameter names, initialisation and gate orders: i, f, g, o for LSTM and r, z, n for GRU).

Composed from differentiable tensor ops, so backward and double backward come for free. The input
projection x @ W_ih^T of all time steps is one matmul per layer and direction; each time step then
costs one h @ W_hh^T matmul and the gate nonlinearities. A PackedSequence runs the same loop with
the batch shrinking (forward direction) or growing (reverse direction) at the steps where
sequences end, so h_n holds each sequence's state at its own last step."""
import math
import numbers
import warnings

from .. import creation
from ..ops import movement
from ..ops.elementwise import sigmoid, tanh, relu
from ..ops.products import linear, matmul
from ..ops.normalization import dropout as _dropout
from ..errors import ArgumentError, DTypeError, ShapeError
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_NAMES = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _step(mode, gi, h, c, whh_t, b_hh, whr_t):
    """One time step of a batch. gi = x W_ih^T + b_ih (+ b_hh, except for GRU whose b_hn sits inside
    r * (...)); whh_t / whr_t are the transposed recurrent / projection weights. Returns (h', c')."""
    gh = matmul(h, whh_t)
    if mode == "LSTM":
        i, f, g, o = movement.chunk(gi + gh, 4, 1)
        c = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h = sigmoid(o) * tanh(c)
        return (h if whr_t is None else matmul(h, whr_t)), c
    if mode == "GRU":
        if b_hh is not None:
            gh = gh + b_hh
        n_h = h.shape[1]
        i_rz, i_n = movement.split(gi, [2 * n_h, n_h], 1)
        h_rz, h_n = movement.split(gh, [2 * n_h, n_h], 1)
        r, z = movement.chunk(sigmoid(i_rz + h_rz), 2, 1)
        n = tanh(i_n + r * h_n)
        return n + z * (h - n), None          # == (1 - z) * n + z * h
    pre = gi + gh
    return (tanh(pre) if mode == "RNN_TANH" else relu(pre)), None


def _step_slices(gi, offsets, lo=0, hi=None):
    """[gi[offsets[t]:offsets[t+1]] for each t], split as a balanced binary tree: the backward of a
    slice fills an array of its parent's size, so slicing all T steps from gi directly would cost T
    full-size gradient arrays; halving costs log2(T) full-size passes."""
    hi = len(offsets) - 1 if hi is None else hi
    if hi - lo == 1:
        return [gi]
    mid = (lo + hi) // 2
    cut = offsets[mid] - offsets[lo]
    return (_step_slices(gi[:cut], offsets, lo, mid) + _step_slices(gi[cut:], offsets, mid, hi))


def _run_direction(mode, gi, batch_sizes, h0, c0, whh_t, b_hh, whr_t, reverse):
    """gi: (sum(batch_sizes), G) input projections, time step after time step (packed layout).
    Returns (output (sum(batch_sizes), H_out), h_n, c_n)."""
    offsets = [0]
    for b in batch_sizes:
        offsets.append(offsets[-1] + b)
    n_steps, outs = len(batch_sizes), [None] * len(batch_sizes)
    gis = _step_slices(gi, offsets)
    if not reverse:
        h, c, done_h, done_c = h0, c0, [], []
        for t in range(n_steps):
            bs = batch_sizes[t]
            if bs < h.shape[0]:             # the sequences in rows bs.. ended at step t - 1
                done_h.append(h[bs:])
                h = h[:bs]
                if c is not None:
                    done_c.append(c[bs:])
                    c = c[:bs]
            h, c = _step(mode, gis[t], h, c, whh_t, b_hh, whr_t)
            outs[t] = h
        if done_h:
            h = movement.cat([h] + done_h[::-1], 0)
            c = movement.cat([c] + done_c[::-1], 0) if c is not None else None
    else:
        last = batch_sizes[-1]
        h = h0 if last == h0.shape[0] else h0[:last]
        c = c0 if c0 is None or last == c0.shape[0] else c0[:last]
        for t in range(n_steps - 1, -1, -1):
            bs = batch_sizes[t]
            if bs > h.shape[0]:             # sequences in rows h.shape[0]..bs start at step t
                h = movement.cat([h, h0[h.shape[0]:bs]], 0)
                if c is not None:
                    c = movement.cat([c, c0[c.shape[0]:bs]], 0)
            h, c = _step(mode, gis[t], h, c, whh_t, b_hh, whr_t)
            outs[t] = h
    return (movement.cat(outs, 0) if n_steps > 1 else outs[0]), h, c


def _check_int(v, name, owner, minimum):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{owner}: {name} should be of type int, got: {type(v).__name__}")
    if v < minimum:
        raise ValueError(f"{owner}: {name} must be greater than zero, got {v}" if minimum == 1 else
                         f"{owner}: {name} must be >= {minimum}, got {v}")


def _dims(t):
    return f"{t.ndim}-D"


class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        name = _NAMES[mode]
        for flag, v in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(v, bool):
                raise TypeError(f"{name}: {flag} should be of type bool, got: {type(v).__name__}")
        _check_int(input_size, "input_size", name, 1)
        _check_int(hidden_size, "hidden_size", name, 1)
        _check_int(num_layers, "num_layers", name, 1)
        if isinstance(proj_size, bool) or not isinstance(proj_size, numbers.Integral) or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to disable projections, "
                             f"got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got proj_size={proj_size} "
                             f"and hidden_size={hidden_size}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the probability "
                             f"of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", UserWarning, stacklevel=3)
        self.mode, self.input_size, self.hidden_size = mode, int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, int(proj_size)
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for base, shape in shapes:
                    setattr(self, base + sfx, Parameter(creation.empty(*shape, dtype=dtype, device=device)))
                    names.append(base + sfx)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: tensorlite keeps no fused (cuDNN) weight buffer."""

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ----
    def _hidden_arg(self, hx, is_batched, name):
        """hx as a tuple of 3-D tensors (h_0,) or (h_0, c_0), or None."""
        if hx is None:
            return None
        lstm = self.mode == "LSTM"
        if lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2 or not all(isinstance(t, Tensor) for t in hx):
                raise TypeError(f"{name}: argument 'hx' must be a tuple (h_0, c_0) of Tensors, got "
                                f"{type(hx).__name__}")
            hs = tuple(hx)
        else:
            if not isinstance(hx, Tensor):
                raise TypeError(f"{name}: argument 'hx' must be a Tensor, got {type(hx).__name__}")
            hs = (hx,)
        want = 3 if is_batched else 2
        if any(t.ndim != want for t in hs):
            kind = "batched 3-D" if is_batched else "unbatched 2-D"
            if lstm:
                raise ShapeError(f"{name}: For {kind} input, hx and cx should also be {want}-D but got "
                                 f"({_dims(hs[0])}, {_dims(hs[1])}) tensors")
            raise ShapeError(f"{name}: For {kind} input, hx should also be {want}-D but got {_dims(hs[0])} "
                             f"tensor")
        return hs if is_batched else tuple(t.unsqueeze(1) for t in hs)

    def forward(self, input, hx=None):
        name = _NAMES[self.mode]
        packed = isinstance(input, PackedSequence)
        if packed:
            x = input.data
            if not isinstance(x, Tensor) or x.ndim != 2:
                raise ShapeError(f"{name}: input must have 2 dimensions, got "
                                 f"{x.ndim if isinstance(x, Tensor) else type(x).__name__}")
            batch_sizes = [int(b) for b in input.batch_sizes.tolist()]
            is_batched, n_batch = True, batch_sizes[0]
            flat = x
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}: argument 'input' must be a Tensor or a PackedSequence, got "
                                f"{type(input).__name__}")
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead (input of "
                                 f"shape {tuple(input.shape)})")
            is_batched = input.ndim == 3
            x = input if is_batched else input.unsqueeze(0 if self.batch_first else 1)
            if self.batch_first:
                x = x.transpose(0, 1)
            n_steps, n_batch = x.shape[0], x.shape[1]
            if n_steps == 0:
                raise ShapeError(f"{name}: Expected sequence length to be larger than 0, got input of shape "
                                 f"{tuple(input.shape)}")
            batch_sizes = [n_batch] * n_steps
            flat = x.reshape(n_steps * n_batch, x.shape[2])
        w0 = self._flat_weights[0]
        if flat.dtype is not w0.dtype:
            raise ValueError(f"{name} input dtype ({flat.dtype}) does not match weight dtype ({w0.dtype}). "
                             f"Convert input: input.to({w0.dtype}), or convert model: model.to({flat.dtype})")
        if flat.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                             f"got {flat.shape[-1]}")
        hs = self._hidden_arg(hx, is_batched, name)
        D = 2 if self.bidirectional else 1
        h_out = self.proj_size if self.proj_size > 0 else self.hidden_size
        sizes = [(self.num_layers * D, n_batch, h_out), (self.num_layers * D, n_batch, self.hidden_size)]
        if hs is None:
            hs = tuple(creation.zeros(*s, dtype=flat.dtype) for s in sizes[:2 if self.mode == "LSTM" else 1])
        else:
            for k, (t, s) in enumerate(zip(hs, sizes)):
                if tuple(t.shape) != s:
                    which = f"hidden[{k}]" if self.mode == "LSTM" else "hidden"
                    raise ShapeError(f"{name}: Expected {which} size {s}, got {list(t.shape)}")
                if t.dtype is not flat.dtype:
                    raise DTypeError(f"{name}: hx dtype ({t.dtype}) must match input dtype ({flat.dtype})")
            if packed and input.sorted_indices is not None:   # hx is in the caller's batch order
                hs = tuple(t.index_select(1, input.sorted_indices) for t in hs)
        out, h_n, c_n = self._layers(flat, batch_sizes, hs)
        if packed:
            if input.unsorted_indices is not None:
                h_n = h_n.index_select(1, input.unsorted_indices)
                c_n = c_n.index_select(1, input.unsorted_indices) if c_n is not None else None
            output = PackedSequence(out, input.batch_sizes, input.sorted_indices, input.unsorted_indices)
        else:
            output = out.reshape(n_steps, n_batch, out.shape[1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not is_batched:
                output = output.squeeze(0 if self.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if c_n is not None else None
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def _layers(self, flat, batch_sizes, hs):
        D, lstm, gru = (2 if self.bidirectional else 1), self.mode == "LSTM", self.mode == "GRU"
        layer_input, h_n, c_n = flat, [], []
        for layer in range(self.num_layers):
            dir_outs = []
            for d in range(D):
                k = layer * D + d
                p = dict(zip(("w_ih", "w_hh", "b_ih", "b_hh") if self.bias else ("w_ih", "w_hh"),
                             self.all_weights[k]))
                b_ih, b_hh = p.get("b_ih"), p.get("b_hh")
                if b_ih is not None and not gru:     # GRU keeps b_hn inside r * (W_hn h + b_hn)
                    b_ih, b_hh = b_ih + b_hh, None
                gi = linear(layer_input, p["w_ih"], b_ih)
                whr_t = self.all_weights[k][-1].t() if self.proj_size > 0 else None
                out, h, c = _run_direction(self.mode, gi, batch_sizes, hs[0][k], hs[1][k] if lstm else None,
                                           p["w_hh"].t(), b_hh, whr_t, reverse=d == 1)
                dir_outs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = movement.cat(dir_outs, 1) if D == 2 else dir_outs[0]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = _dropout(layer_input, self.dropout, True)
        return layer_input, movement.stack(h_n, 0), (movement.stack(c_n, 0) if lstm else None)


class RNN(RNNBase):
    """Elman RNN: h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), nonlinearity 'tanh' or 'relu'."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM with gates i, f, g, o; proj_size > 0 projects h_t = (o * tanh(c_t)) W_hr^T."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """GRU with gates r, z, n: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ------------------------------------------------------------------ cells
class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        _check_int(input_size, "input_size", owner, 0)
        _check_int(hidden_size, "hidden_size", owner, 1)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size, dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _cell_forward(self, mode, input, hx):
        """hx: a tuple of hidden tensors (or None) -> tuple of the new ones."""
        owner, n_hx = type(self).__name__, (2 if mode == "LSTM" else 1)
        if not isinstance(input, Tensor):
            raise TypeError(f"{owner}: argument 'input' must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{owner}: Expected input to be 1D or 2D, got {input.ndim}D instead (input of shape "
                             f"{tuple(input.shape)})")
        if hx is not None:
            for k, t in enumerate(hx):
                if not isinstance(t, Tensor):
                    raise TypeError(f"{owner}: argument 'hx' must hold Tensors, got {type(t).__name__}")
                if t.ndim not in (1, 2):
                    which = f"hx[{k}]" if n_hx == 2 else "hidden"
                    raise ValueError(f"{owner}: Expected {which} to be 1D or 2D, got {t.ndim}D instead")
        is_batched = input.ndim == 2
        x = input if is_batched else input.unsqueeze(0)
        if x.dtype is not self.weight_ih.dtype:
            raise DTypeError(f"{owner}: input dtype ({x.dtype}) must match weight dtype ({self.weight_ih.dtype})")
        if x.shape[1] != self.input_size:
            raise ShapeError(f"{owner}: input has inconsistent input_size: got {x.shape[1]} expected "
                             f"{self.input_size}")
        if hx is None:
            hs = [creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype) for _ in range(n_hx)]
        else:
            hs = [t if is_batched else t.unsqueeze(0) for t in hx]
            for k, t in enumerate(hs):
                label = str(k) if n_hx == 2 else ""
                if t.ndim != 2 or t.shape[1] != self.hidden_size:
                    raise ShapeError(f"{owner}: hidden{label} has inconsistent hidden_size: got "
                                     f"{t.shape[-1] if t.ndim != 2 else t.shape[1]}, expected {self.hidden_size}")
                if t.shape[0] != x.shape[0]:
                    raise ShapeError(f"{owner}: Input batch size {x.shape[0]} doesn't match hidden{label} batch "
                                     f"size {t.shape[0]}")
                if t.dtype is not x.dtype:
                    raise DTypeError(f"{owner}: hidden{label} dtype ({t.dtype}) must match input dtype "
                                     f"({x.dtype})")
        b_ih, b_hh = self.bias_ih, self.bias_hh
        if b_ih is not None and mode != "GRU":
            b_ih, b_hh = b_ih + b_hh, None
        h, c = _step(mode, linear(x, self.weight_ih, b_ih), hs[0], hs[1] if n_hx == 2 else None,
                     self.weight_hh.t(), b_hh, None)
        out = (h, c) if n_hx == 2 else (h,)
        return out if is_batched else tuple(t.squeeze(0) for t in out)


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ArgumentError(f"RNNCell: Unknown nonlinearity: {self.nonlinearity}")
        return self._cell_forward(modes[self.nonlinearity], input, None if hx is None else (hx,))[0]


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTMCell: argument 'hx' must be a tuple (h_0, c_0) of Tensors, got "
                            f"{type(hx).__name__}")
        return self._cell_forward("LSTM", input, hx)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._cell_forward("GRU", input, None if hx is None else (hx,))[0]
