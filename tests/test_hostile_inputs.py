"""Hostile inputs to `tl` and `tl.nn.functional`: wrong ranks, mismatched shapes, wrong dtypes,
NaN/Inf where not allowed, negative and huge sizes, out-of-range indices and labels, unsupported
arguments. Each row must raise ValueError, TypeError or IndexError (tensorlite's ShapeError and
DTypeError are subclasses) with a message naming the function, the argument and the offending
value or shape; none may crash, hang or return garbage. Valid but unusual layouts (flipped,
strided, zero-size, float16) fed to the C and Numba kernels must give the contiguous answer.

The table for tl.nn, tl.optim, tl.data and tl.save / tl.load is in
test_hostile_inputs_modules.py, which also holds the exhaustiveness test over all namespaces."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.errors import ShapeError, DTypeError

from hostile import C, check_row, params

x23 = tl.randn(2, 3)
x45 = tl.randn(4, 5)
i23 = tl.tensor([[1, 2, 3], [4, 5, 6]])
b23 = x23 > 0
img = tl.randn(2, 3, 8, 8)           # (N, C, H, W)
w3 = tl.randn(6, 3, 5, 5)            # expects 3 input channels
seq = tl.randn(2, 3, 10)             # (N, C, L)
logits = tl.randn(4, 3)
labels = tl.tensor([0, 2, 1, 0])
probs = tl.rand(4, 3)
rm, rv = tl.zeros(3), tl.ones(3)
HUGE = 2 ** 62

CORE = [
    # ---- creation
    C(tl.tensor, [[1, 2], [3]]).raises(ValueError, "tensor()", "data", "inhomogeneous"),
    C(tl.tensor, "abc").raises(TypeError, "tensor()", "data", "str"),
    C(tl.tensor, [1.0], dtype="complex64").raises(TypeError, "tensor()", "dtype", "complex64"),
    C(tl.tensor, [1.0], device="cuda").raises(ValueError, "tensor()", "device", "'cuda'"),
    C(tl.as_tensor, object()).raises(TypeError, "as_tensor()", "data", "object"),
    C(tl.from_numpy, [1, 2]).raises(TypeError, "from_numpy()", "ndarray", "list"),
    C(tl.from_numpy, np.array([1 + 2j])).raises(TypeError, "from_numpy()", "ndarray", "complex128"),
    C(tl.zeros, -1, 2).raises(ShapeError, "zeros()", "size", "-1"),
    C(tl.zeros, 2.5).raises(TypeError, "zeros()", "size", "2.5"),
    C(tl.zeros, 2 ** 40, 2 ** 40).raises(ShapeError, "zeros()", "size", str(2 ** 40)),
    C(tl.ones, (3, -2)).raises(ShapeError, "ones()", "size", "-2"),
    C(tl.empty, "3").raises(TypeError, "empty()", "size", "'3'"),
    C(tl.full, (2, -1), 1.0).raises(ShapeError, "full()", "size", "-1"),
    C(tl.full, (2,), "x").raises(TypeError, "full()", "fill_value", "'x'"),
    C(tl.zeros_like, [1, 2]).raises(TypeError, "zeros_like()", "input", "list"),
    C(tl.ones_like, x23, dtype="float8").raises(TypeError, "ones_like()", "dtype", "float8"),
    C(tl.empty_like, "abc").raises(TypeError, "empty_like()", "input", "str"),
    C(tl.full_like, x23, "x").raises(TypeError, "full_like()", "fill_value", "'x'"),
    C(tl.rand_like, i23).raises(DTypeError, "rand_like()", "dtype", "int64"),
    C(tl.randn_like, None).raises(TypeError, "randn_like()", "input", "NoneType"),
    C(tl.arange, 0, 10, 0).raises(ValueError, "arange()", "step", "0"),
    C(tl.arange, 0, -10, 1).raises(ValueError, "arange()", "step", "end=-10"),
    C(tl.arange, float("nan")).raises(ValueError, "arange()", "end", "nan"),
    C(tl.arange, 0, float("inf")).raises(ValueError, "arange()", "end", "inf"),
    C(tl.arange, HUGE).raises(ShapeError, "arange()", "end", str(HUGE)),
    C(tl.linspace, 0, 1, -1).raises(ValueError, "linspace()", "steps", "-1"),
    C(tl.linspace, 0, 1, 2.5).raises(TypeError, "linspace()", "steps", "2.5"),
    C(tl.eye, -1).raises(ShapeError, "eye()", "n", "-1"),
    C(tl.eye, 2, 2.5).raises(TypeError, "eye()", "'m'", "2.5"),
    C(tl.rand, 2, -3).raises(ShapeError, "rand()", "size", "-3"),
    C(tl.rand, 2, dtype=tl.int64).raises(DTypeError, "rand()", "dtype", "int64"),
    C(tl.randn, 2, dtype=tl.bool).raises(DTypeError, "randn()", "dtype", "bool"),
    C(tl.randint, 5, 2, (3,)).raises(ValueError, "randint()", "high", "high=2"),
    C(tl.randint, 0, 10, (-1,)).raises(ShapeError, "randint()", "size", "-1"),
    C(tl.randperm, -1).raises(ValueError, "randperm()", "'n'", "-1"),
    C(tl.randperm, 2.5).raises(TypeError, "randperm()", "'n'", "2.5"),
    C(tl.normal, 0.0, -1.0, (2,)).raises(ValueError, "normal()", "std", "-1.0"),
    C(tl.normal, 0.0, float("nan"), (2,)).raises(ValueError, "normal()", "std", "nan"),
    C(tl.normal, tl.zeros(2), tl.full((2,), -1.0)).raises(ValueError, "normal()", "std", "-1"),
    C(tl.normal, 0.0, 1.0).raises(TypeError, "normal()", "size", "None"),
    C(tl.bernoulli, tl.tensor([0.5, 1.5])).raises(ValueError, "bernoulli()", "input", "1.5"),
    C(tl.bernoulli, tl.zeros(2), p=float("nan")).raises(ValueError, "bernoulli()", "'p'", "nan"),
    C(tl.bernoulli, [0.5]).raises(TypeError, "bernoulli()", "input", "list"),
    C(tl.multinomial, tl.tensor([0.5, -0.1]), 1).raises(ValueError, "multinomial()", "input", "-0.1"),
    C(tl.multinomial, tl.tensor([0.5, float("nan")]), 1).raises(ValueError, "multinomial()", "input", "nan"),
    C(tl.multinomial, tl.zeros(2, 3), 1).raises(ValueError, "multinomial()", "input", "sum"),
    C(tl.multinomial, tl.ones(2, 2, 2), 1).raises(ShapeError, "multinomial()", "input", "(2, 2, 2)"),
    C(tl.multinomial, tl.tensor([0.5, 0.5]), 3).raises(ValueError, "multinomial()", "num_samples", "3"),
    C(tl.multinomial, tl.tensor([0.5, 0.5]), 0).raises(ValueError, "multinomial()", "num_samples", "0"),
    # ---- random state, grad mode, threads, dtypes
    C(tl.manual_seed, "abc").raises(TypeError, "manual_seed()", "seed", "'abc'"),
    C(tl.set_rng_state, tl.zeros(3, dtype=tl.uint8)).raises(ValueError, "set_rng_state()", "new_state",
                                                            "uint8"),
    C(tl.Generator, device="cuda").raises(ValueError, "Generator()", "device", "'cuda'"),
    C(lambda: tl.Generator().manual_seed([1]), covers=tl.Generator).raises(TypeError, "manual_seed()",
                                                                          "seed", "[1]"),
    C(tl.set_grad_enabled, "yes").raises(TypeError, "set_grad_enabled()", "mode", "'yes'"),
    C(tl.set_num_threads, 0).raises(ValueError, "set_num_threads()", "'n'", "0"),
    C(tl.set_num_threads, "4").raises(ValueError, "set_num_threads()", "'n'", "'4'"),
    C(tl.numel, [1, 2]).raises(TypeError, "numel()", "input", "list"),
    C(tl.set_default_dtype, tl.int64).raises(TypeError, "set_default_dtype()", "'d'", "int64"),
    C(tl.set_default_dtype, "float8").raises(TypeError, "set_default_dtype()", "'d'", "float8"),
    # ---- elementwise
    C(tl.add, x23, x45).raises(ShapeError, "add()", "other", "(4, 5)"),
    C(tl.add, x23, "a").raises(TypeError, "add()", "other", "str"),
    C(tl.sub, b23, b23).raises(TypeError, "sub()", "input", "bool"),
    C(tl.mul, x23, x45).raises(ShapeError, "mul()", "other", "(4, 5)"),
    C(tl.div, x23, x23, rounding_mode="round").raises(ValueError, "div()", "rounding_mode", "'round'"),
    C(tl.div, x45, x23).raises(ShapeError, "div()", "other", "(2, 3)"),
    C(tl.floor_divide, i23, tl.zeros(3, dtype=tl.int64)).raises(ZeroDivisionError, "floor_divide()", "other",
                                                                 "zero"),
    C(tl.remainder, i23, 0).raises(ZeroDivisionError, "remainder()", "other", "zero"),
    C(tl.pow, i23, -1).raises(ValueError, "pow()", "exponent", "-1"),
    C(tl.pow, x23, x45).raises(ShapeError, "pow()", "exponent", "(4, 5)"),
    C(tl.neg, b23).raises(TypeError, "neg()", "input", "bool"),
    C(tl.exp, 1 + 2j).raises(TypeError, "exp()", "input", "complex"),
    C(tl.log, "x").raises(TypeError, "log()", "input", "str"),
    C(tl.log1p, None).raises(TypeError, "log1p()", "input", "NoneType"),
    C(tl.sqrt, object()).raises(TypeError, "sqrt()", "input", "object"),
    C(tl.rsqrt, {}).raises(TypeError, "rsqrt()", "input", "dict"),
    C(tl.reciprocal, "x").raises(TypeError, "reciprocal()", "input", "str"),
    C(tl.square, None).raises(TypeError, "square()", "input", "NoneType"),
    C(tl.sin, [[1], [2, 3]]).raises(ValueError, "sin()", "input", "inhomogeneous"),
    C(tl.cos, "x").raises(TypeError, "cos()", "input", "str"),
    C(tl.tanh, None).raises(TypeError, "tanh()", "input", "NoneType"),
    C(tl.sigmoid, 1j).raises(TypeError, "sigmoid()", "input", "complex"),
    C(tl.erf, "x").raises(TypeError, "erf()", "input", "str"),
    C(tl.abs, None).raises(TypeError, "abs()", "input", "NoneType"),
    C(tl.sign, "x").raises(TypeError, "sign()", "input", "str"),
    C(tl.floor, None).raises(TypeError, "floor()", "input", "NoneType"),
    C(tl.ceil, "x").raises(TypeError, "ceil()", "input", "str"),
    C(tl.round, object()).raises(TypeError, "round()", "input", "object"),
    C(tl.trunc, None).raises(TypeError, "trunc()", "input", "NoneType"),
    C(tl.isnan, "x").raises(TypeError, "isnan()", "input", "str"),
    C(tl.isinf, None).raises(TypeError, "isinf()", "input", "NoneType"),
    C(tl.isfinite, object()).raises(TypeError, "isfinite()", "input", "object"),
    C(tl.relu, b23).raises(TypeError, "relu()", "input", "bool"),
    C(tl.leaky_relu, x23, "a").raises(TypeError, "leaky_relu()", "negative_slope", "'a'"),
    C(tl.gelu, x23, approximate="fast").raises(ValueError, "gelu()", "approximate", "'fast'"),
    C(tl.maximum, x23, x45).raises(ShapeError, "maximum()", "other", "(4, 5)"),
    C(tl.minimum, x23, "a").raises(TypeError, "minimum()", "other", "str"),
    C(tl.where, b23, x23, x45).raises(ShapeError, "where()", "other", "(4, 5)"),
    C(tl.where, x23, x23, x23).raises(TypeError, "where()", "condition", "float32"),
    C(tl.clamp, x23).raises(ValueError, "clamp()", "min", "None"),
    C(tl.clamp, x23, min="a").raises(TypeError, "clamp()", "min", "'a'"),
    C(tl.clamp, x23, max=x45).raises(ShapeError, "clamp()", "max", "(4, 5)"),
    C(tl.eq, x23, x45).raises(ShapeError, "eq()", "other", "(4, 5)"),
    C(tl.ne, x23, "a").raises(TypeError, "ne()", "other", "str"),
    C(tl.lt, x23, x45).raises(ShapeError, "lt()", "other", "(4, 5)"),
    C(tl.le, x45, x23).raises(ShapeError, "le()", "other", "(2, 3)"),
    C(tl.gt, x23, None).raises(TypeError, "gt()", "other", "NoneType"),
    C(tl.ge, x23, x45).raises(ShapeError, "ge()", "other", "(4, 5)"),
    C(tl.logical_and, b23, x45).raises(ShapeError, "logical_and()", "other", "(4, 5)"),
    C(tl.logical_or, b23, "a").raises(TypeError, "logical_or()", "other", "str"),
    C(tl.logical_xor, b23, x45).raises(ShapeError, "logical_xor()", "other", "(4, 5)"),
    C(tl.logical_not, "x").raises(TypeError, "logical_not()", "input", "str"),
    C(tl.bitwise_not, x23).raises(TypeError, "bitwise_not()", "input", "float32"),
    C(tl.bitwise_and, x23, x23).raises(TypeError, "bitwise_and()", "input", "float32"),
    C(tl.bitwise_or, i23, x45.long()).raises(ShapeError, "bitwise_or()", "other", "(4, 5)"),
    C(tl.bitwise_xor, x23, 1).raises(TypeError, "bitwise_xor()", "input", "float32"),
    # ---- reductions
    C(tl.sum, x23, dim=2).raises(IndexError, "sum()", "dim", "2"),
    C(tl.sum, x23, dim="a").raises(TypeError, "sum()", "dim", "str"),
    C(tl.sum, x23, dtype="float8").raises(TypeError, "sum()", "dtype", "float8"),
    C(tl.mean, i23).raises(TypeError, "mean()", "input", "int64"),
    C(tl.mean, x23, dim=(0, 0)).raises(ValueError, "mean()", "dim", "(0, 0)"),
    C(tl.var, i23).raises(TypeError, "var()", "input", "int64"),
    C(tl.std, x23, dim=3).raises(IndexError, "std()", "dim", "3"),
    C(tl.max, tl.zeros(0)).raises(IndexError, "max()", "input", "(0,)"),
    C(tl.max, x23, dim=2).raises(IndexError, "max()", "dim", "2"),
    C(tl.min, x23, -3).raises(IndexError, "min()", "dim", "-3"),
    C(tl.amax, x23, dim=(0, 5)).raises(IndexError, "amax()", "dim", "5"),
    C(tl.amin, tl.zeros(2, 0), dim=1).raises(IndexError, "amin()", "dim", "(2, 0)"),
    C(tl.argmax, tl.zeros(0)).raises(IndexError, "argmax()", "input", "(0,)"),
    C(tl.argmin, x23, dim=-3).raises(IndexError, "argmin()", "dim", "-3"),
    C(tl.prod, x23, dim=2).raises(IndexError, "prod()", "dim", "2"),
    C(tl.logsumexp, x23, dim=2).raises(IndexError, "logsumexp()", "dim", "2"),
    C(tl.logsumexp, x23).raises(TypeError, "logsumexp()", "dim", "missing"),
    C(tl.softmax, x23, dim=2).raises(IndexError, "softmax()", "dim", "2"),
    C(tl.softmax, x23, 1, dtype=tl.int64).raises(DTypeError, "softmax()", "dtype", "int64"),
    C(tl.log_softmax, x23, dim="1").raises(TypeError, "log_softmax()", "dim", "str"),
    C(tl.gather, x23, 1, tl.tensor([[0, 5]])).raises(IndexError, "gather()", "index", "5"),
    C(tl.gather, x23, 1, tl.tensor([[0.0]])).raises(TypeError, "gather()", "index", "float32"),
    C(tl.gather, x23, 1, tl.tensor([0])).raises(ValueError, "gather()", "index", "(1,)"),
    C(tl.gather, x23, 2, tl.tensor([[0]])).raises(IndexError, "gather()", "dim", "2"),
    C(tl.cumsum, x23, 2).raises(IndexError, "cumsum()", "dim", "2"),
    C(tl.all, x23, dim=2).raises(IndexError, "all()", "dim", "2"),
    C(tl.any, x23, dim=-3).raises(IndexError, "any()", "dim", "-3"),
    C(tl.count_nonzero, x23, dim=5).raises(IndexError, "count_nonzero()", "dim", "5"),
    # ---- movement
    C(tl.reshape, x23, 5, 5).raises(ShapeError, "reshape()", "shape", "[5, 5]"),
    C(tl.reshape, x23, -1, -1).raises(ShapeError, "reshape()", "shape", "[-1, -1]"),
    C(tl.reshape, x23, -3, -2).raises(ShapeError, "reshape()", "shape", "-3"),
    C(tl.reshape, x23, "a").raises(TypeError, "reshape()", "shape", "'a'"),
    C(tl.view, x23.t(), 6).raises(ShapeError, "view()", "size", "[6]"),
    C(tl.view, x23, 7).raises(ShapeError, "view()", "shape", "[7]"),
    C(tl.permute, x23, 0).raises(ShapeError, "permute()", "dims", "(2, 3)"),
    C(tl.permute, x23, 0, 0).raises(ValueError, "permute()", "dims", "(0, 0)"),
    C(tl.transpose, x23, 0, 2).raises(IndexError, "transpose()", "dim", "2"),
    C(tl.t, tl.zeros(2, 2, 2)).raises(ShapeError, "t()", "input", "(2, 2, 2)"),
    C(tl.movedim, x23, 0, 2).raises(IndexError, "movedim()", "dim", "2"),
    C(tl.movedim, x23, (0, 1), 0).raises(ValueError, "movedim()", "destination", "[0]"),
    C(tl.movedim, x23, (0, 0), (0, 1)).raises(ValueError, "movedim()", "source", "[0, 0]"),
    C(tl.expand, x23, 4, 3).raises(ShapeError, "expand()", "size", "[4, 3]"),
    C(tl.expand, x23, 3).raises(ShapeError, "expand()", "size", "(3,)"),
    C(tl.broadcast_to, x23, (4, 5)).raises(ShapeError, "broadcast_to()", "shape", "[4, 5]"),
    C(tl.expand_as, x23, x45).raises(ShapeError, "expand_as()", "other", "[4, 5]"),
    C(tl.expand_as, x23, (4, 5)).raises(TypeError, "expand_as()", "other", "tuple"),
    C(tl.broadcast_tensors, x23, x45).raises(ShapeError, "broadcast_tensors()", "tensors", "(4, 5)"),
    C(tl.squeeze, x23, 2).raises(IndexError, "squeeze()", "dim", "2"),
    C(tl.unsqueeze, x23, 4).raises(IndexError, "unsqueeze()", "dim", "4"),
    C(tl.flatten, x23, 1, 0).raises(ValueError, "flatten()", "start_dim", "1"),
    C(tl.unflatten, x23, 1, (2, 2)).raises(ShapeError, "unflatten()", "sizes", "[2, 2]"),
    C(tl.unflatten, x23, 1, 5).raises(TypeError, "unflatten()", "sizes", "5"),
    C(tl.contiguous, "a").raises(TypeError, "contiguous()", "input", "str"),
    C(tl.clone, None).raises(TypeError, "clone()", "input", "NoneType"),
    C(tl.flip, x23, 2).raises(IndexError, "flip()", "dim", "2"),
    C(tl.flip, x23, (0, 0)).raises(ValueError, "flip()", "dim", "(0, 0)"),
    C(tl.cat, [x23, x45]).raises(ShapeError, "cat()", "tensors", "(4, 5)"),
    C(tl.cat, []).raises(ValueError, "cat()", "tensors", "[]"),
    C(tl.cat, x23).raises(TypeError, "cat()", "tensors", "Tensor"),
    C(tl.cat, [x23, x23], dim=2).raises(IndexError, "cat()", "dim", "2"),
    C(tl.cat, [tl.tensor(1.0)]).raises(ShapeError, "cat()", "tensors", "zero-dimensional"),
    C(tl.stack, [x23, x45]).raises(ShapeError, "stack()", "tensors", "(4, 5)"),
    C(tl.stack, []).raises(ValueError, "stack()", "tensors", "[]"),
    C(tl.stack, [x23], dim=4).raises(IndexError, "stack()", "dim", "4"),
    C(tl.hstack, []).raises(ValueError, "hstack()", "tensors", "[]"),
    C(tl.vstack, [x23, tl.zeros(2, 4)]).raises(ShapeError, "vstack()", "tensors", "(2, 4)"),
    C(tl.atleast_2d, "a").raises(TypeError, "atleast_2d()", "input", "str"),
    C(tl.narrow, x23, 0, 1, 5).raises(IndexError, "narrow()", "length", "5"),
    C(tl.narrow, x23, 0, 5, 0).raises(IndexError, "narrow()", "start", "5"),
    C(tl.split, x23, 0).raises(ValueError, "split()", "split_size", "0"),
    C(tl.split, x23, [1, 2]).raises(ValueError, "split()", "split_sizes", "[1, 2]"),
    C(tl.chunk, x23, 0).raises(ValueError, "chunk()", "chunks", "0"),
    C(tl.chunk, x23, "2").raises(TypeError, "chunk()", "chunks", "'2'"),
    C(tl.tensor_split, x23, 0).raises(ValueError, "tensor_split()", "sections", "0"),
    C(tl.unbind, x23, 2).raises(IndexError, "unbind()", "dim", "2"),
    C(tl.select, x23, 0, 5).raises(IndexError, "select()", "index", "5"),
    C(tl.repeat, x23, 2).raises(ShapeError, "repeat()", "sizes", "(2,)"),
    C(tl.repeat, x23, -1, 2).raises(ShapeError, "repeat()", "sizes", "-1"),
    C(tl.tile, x23, 2).raises(TypeError, "tile()", "dims", "2"),
    C(tl.tile, x23, (-1,)).raises(ShapeError, "tile()", "dims", "-1"),
    C(tl.roll, x23, (1, 2), (0,)).raises(ValueError, "roll()", "shifts", "(1, 2)"),
    C(tl.roll, x23, 1, 2).raises(IndexError, "roll()", "dim", "2"),
    # ---- indexing
    C(tl.getitem, x23, 5).raises(IndexError, "__getitem__", "index", "5"),
    C(tl.getitem, x23, 1.5).raises(IndexError, "__getitem__", "indices", "1.5"),
    C(tl.getitem, x23, "a").raises(IndexError, "__getitem__", "index", "'a'"),
    C(tl.getitem, x23, (0, 0, 0)).raises(IndexError, "__getitem__", "indices", "(2, 3)"),
    C(tl.getitem, x23, tl.tensor([0.5])).raises(IndexError, "__getitem__", "indices", "float32"),
    C(tl.getitem, x23, tl.tensor([True])).raises(IndexError, "__getitem__", "index", "(2, 3)"),
    C(tl.setitem, x23.clone(), 5, 1.0).raises(IndexError, "__setitem__", "index", "5"),
    C(tl.setitem, x23.clone(), 0, tl.ones(5)).raises(ValueError, "__setitem__", "value", "(5,)"),
    C(tl.index_put, x23, (tl.tensor([5]),), tl.tensor(1.0)).raises(IndexError, "index_put", "index", "5"),
    C(tl.index_select, x23, 1, tl.tensor([0, 5])).raises(IndexError, "index_select()", "index", "5"),
    C(tl.index_select, x23, 1, tl.tensor([[0]])).raises(IndexError, "index_select()", "index", "(1, 1)"),
    C(tl.index_select, x23, 2, tl.tensor([0])).raises(IndexError, "index_select()", "dim", "2"),
    C(tl.masked_fill, x23, tl.ones(2, 3), 0.0).raises(TypeError, "masked_fill()", "mask", "float32"),
    C(tl.masked_fill, x23, x45 > 0, 0.0).raises(ShapeError, "masked_fill()", "mask", "(4, 5)"),
    C(tl.masked_fill, x23, b23, tl.ones(2)).raises(ValueError, "masked_fill()", "value", "(2,)"),
    # ---- matrix products
    C(tl.matmul, x23, x23).raises(ShapeError, "matmul()", "other", "(2, 3)"),
    C(tl.matmul, tl.tensor(1.0), x23).raises(ShapeError, "matmul()", "input", "()"),
    C(tl.matmul, tl.zeros(2, 2, 3), tl.zeros(3, 3, 2)).raises(ShapeError, "matmul()", "other", "(3, 3, 2)"),
    C(tl.matmul, x23, tl.zeros(3, 2, dtype=tl.float64)).raises(DTypeError, "matmul()", "other", "float64"),
    C(tl.mm, x23, tl.zeros(3)).raises(ShapeError, "mm()", "mat2", "(3,)"),
    C(tl.mm, i23, tl.zeros(3, 2)).raises(DTypeError, "mm()", "mat2", "int64"),
    C(tl.bmm, tl.zeros(2, 2, 3), tl.zeros(3, 3, 2)).raises(ShapeError, "bmm()", "mat2", "(3, 3, 2)"),
    C(tl.dot, tl.zeros(3), tl.zeros(4)).raises(ShapeError, "dot()", "other", "(4,)"),
    C(tl.mv, x23, tl.zeros(2)).raises(ShapeError, "mv()", "vec", "(2,)"),
    C(tl.outer, x23, tl.zeros(2)).raises(ShapeError, "outer()", "input", "(2, 3)"),
    # ---- Tensor construction and methods
    C(tl.Tensor, "abc").raises(TypeError, "Tensor()", "data", "'abc'"),
    C(lambda: x23.item(), covers=tl.Tensor).raises(ShapeError, "item()", "Tensor", "6 elements"),
    C(lambda: x23.to("cuda"), covers=tl.Tensor).raises(ValueError, "to()", "device", "'cuda'"),
    C(lambda: x23.to(5), covers=tl.Tensor).raises(TypeError, "to()", "dtype", "5"),
    C(lambda: i23.requires_grad_(), covers=tl.Tensor).raises(DTypeError, "requires_grad_()", "Tensor",
                                                            "int64"),
    C(lambda: (tl.ones(2, 3, requires_grad=True) * 2).backward(), covers=tl.Tensor).raises(
        ShapeError, "backward()", "gradient", "(2, 3)"),
    C(lambda: (tl.ones(2, 3, requires_grad=True) * 2).backward(tl.ones(3)), covers=tl.Tensor).raises(
        ShapeError, "backward()", "gradient", "(3,)"),
    C(lambda: x23.size(2), covers=tl.Tensor).raises(IndexError, "size()", "dim", "2"),
    C(lambda: x23.stride(-3), covers=tl.Tensor).raises(IndexError, "stride()", "dim", "-3"),
    C(lambda: tl.ones(3).add_(tl.ones(2, 3)), covers=tl.Tensor).raises(ShapeError, "add_()", "output",
                                                                       "(2, 3)"),
    C(lambda: x23.clone().fill_("a"), covers=tl.Tensor).raises(TypeError, "fill_()", "value", "'a'"),
    C(lambda: x23.clone().fill_(tl.ones(3)), covers=tl.Tensor).raises(ShapeError, "fill_()", "value", "(3,)"),
    C(lambda: x23.clone().copy_(tl.ones(4)), covers=tl.Tensor).raises(ShapeError, "copy_()", "src", "(4,)"),
    C(lambda: x23.view_as("a"), covers=tl.Tensor).raises(TypeError, "view_as()", "other", "str"),
    C(lambda: x23.clone().normal_(0, -1), covers=tl.Tensor).raises(ValueError, "normal_()", "std", "-1"),
    C(lambda: x23.clone().uniform_(1, 0), covers=tl.Tensor).raises(ValueError, "uniform_()", "from", "to=0"),
    C(lambda: x23.clone().bernoulli_(1.5), covers=tl.Tensor).raises(ValueError, "bernoulli_()", "'p'", "1.5"),
    C(lambda: x23.clone().random_(5, 2), covers=tl.Tensor).raises(ValueError, "random_()", "to", "to=2"),
    # ---- sorting and selection
    C(tl.sort, x23, 2).raises(IndexError, "sort()", "dim", "2"),
    C(tl.sort, x23, descending="yes").raises(TypeError, "sort()", "descending", "'yes'"),
    C(tl.argsort, x23, dim=-3).raises(IndexError, "argsort()", "dim", "-3"),
    C(tl.argsort, "abc").raises(TypeError, "argsort()", "input", "str"),
    C(tl.topk, x23, 4).raises(IndexError, "topk()", "'k'", "4"),
    C(tl.topk, x23, -1).raises(IndexError, "topk()", "'k'", "-1"),
    C(tl.topk, x23, 1.5).raises(TypeError, "topk()", "'k'", "1.5"),
    C(tl.topk, x23, 1, dim=2).raises(IndexError, "topk()", "dim", "2"),
    C(tl.median, x23, dim=2).raises(IndexError, "median()", "dim", "2"),
    C(tl.median, tl.zeros(2, 0), dim=1).raises(IndexError, "median()", "dim", "(2, 0)"),
    C(tl.unique, x23, dim=2).raises(IndexError, "unique()", "dim", "2"),
    C(tl.unique, x23, sorted="no").raises(TypeError, "unique()", "sorted", "'no'"),
    C(tl.unique, tl.zeros(0, 3), dim=1).raises(ValueError, "unique()", "dim", "(0, 3)"),
    C(tl.cumprod, x23, 2).raises(IndexError, "cumprod()", "dim", "2"),
    C(tl.cumprod, x23, 0, dtype="float8").raises(TypeError, "cumprod()", "dtype", "float8"),
    C(tl.nonzero, "abc").raises(TypeError, "nonzero()", "input", "str"),
    C(tl.masked_select, x23, x45 > 0).raises(ShapeError, "masked_select()", "mask", "(4, 5)"),
    C(tl.masked_select, x23, x23).raises(TypeError, "masked_select()", "mask", "float32"),
    C(tl.scatter, x23, 1, tl.tensor([[5]]), x23).raises(IndexError, "scatter()", "index", "5"),
    C(tl.scatter, x23, 1, tl.tensor([[0.0]]), x23).raises(TypeError, "scatter()", "index", "float32"),
    C(tl.scatter, x23, 1, tl.tensor([0]), x23).raises(ShapeError, "scatter()", "index", "(1,)"),
    C(tl.scatter, x23, 1, tl.tensor([[0]]), i23).raises(DTypeError, "scatter()", "src", "int64"),
    C(tl.scatter, x23, 1, tl.tensor([[0]])).raises(TypeError, "scatter()", "'src'", "None"),
    C(tl.scatter, x23, 1, tl.tensor([[0]]), 1.0, reduce="max").raises(ValueError, "scatter()", "reduce", "'max'"),
    C(tl.scatter_add, x23, 2, tl.tensor([[0]]), x23).raises(IndexError, "scatter_add()", "dim", "2"),
    C(tl.scatter_add, x23, 0, tl.zeros(3, 3, dtype=tl.int64), x23).raises(ShapeError, "scatter_add()", "index",
                                                                          "(3, 3)"),
    # ---- matrix structure, norms, comparisons
    C(tl.tril, tl.zeros(3)).raises(ShapeError, "tril()", "input", "(3,)"),
    C(tl.triu, x23, 1.5).raises(TypeError, "triu()", "diagonal", "1.5"),
    C(tl.diag, tl.zeros(2, 2, 2)).raises(ShapeError, "diag()", "input", "(2, 2, 2)"),
    C(tl.diag, x23, "1").raises(TypeError, "diag()", "diagonal", "'1'"),
    C(tl.trace, tl.zeros(3)).raises(ShapeError, "trace()", "input", "(3,)"),
    C(tl.norm, x23, p="nuc").raises(ValueError, "norm()", "'p'", "'nuc'"),
    C(tl.norm, i23).raises(DTypeError, "norm()", "input", "int64"),
    C(tl.norm, x23, 2, dim=2).raises(IndexError, "norm()", "dim", "2"),
    C(tl.norm, tl.zeros(2, 2, 2), "fro", dim=(0, 1, 2)).raises(ValueError, "norm()", "dim", "(0, 1, 2)"),
    C(tl.cdist, x23, x45).raises(ShapeError, "cdist()", "x2", "(4, 5)"),
    C(tl.cdist, tl.zeros(3), x23).raises(ShapeError, "cdist()", "x1", "(3,)"),
    C(tl.cdist, x23, x23, p=-1.0).raises(ValueError, "cdist()", "'p'", "-1.0"),
    C(tl.cdist, i23, i23).raises(DTypeError, "cdist()", "x1", "int64"),
    C(tl.cross, tl.zeros(2, 3), tl.zeros(4, 3)).raises(ShapeError, "cross()", "other", "(4, 3)"),
    C(tl.cross, x45, x45).raises(ShapeError, "cross()", "input", "(4, 5)"),
    C(tl.cross, x23, x23, dim=0).raises(ShapeError, "cross()", "dim", "(2, 3)"),
    C(tl.meshgrid, x23).raises(ShapeError, "meshgrid()", "tensors", "(2, 3)"),
    C(tl.meshgrid, tl.zeros(2), indexing="ab").raises(ValueError, "meshgrid()", "indexing", "'ab'"),
    C(tl.meshgrid, tl.zeros(2), [1, 2]).raises(TypeError, "meshgrid()", "tensors", "list"),
    C(tl.isclose, x23, x23, rtol=-1).raises(ValueError, "isclose()", "rtol", "-1"),
    C(tl.isclose, x23, i23).raises(DTypeError, "isclose()", "other", "int64"),
    C(tl.allclose, x23, x45).raises(ShapeError, "allclose()", "other", "(4, 5)"),
    C(tl.allclose, x23, x23, atol="a").raises(TypeError, "allclose()", "atol", "'a'"),
    C(tl.equal, x23, [1]).raises(TypeError, "equal()", "other", "list"),
    C(tl.diff, tl.tensor(1.0)).raises(ShapeError, "diff()", "input", "0-d"),
    C(tl.diff, x23, -1).raises(ValueError, "diff()", "'n'", "-1"),
    C(tl.diff, x23, 1, 0, prepend=x45).raises(ShapeError, "diff()", "prepend", "(4, 5)"),
    C(tl.nan_to_num, x23, nan="x").raises(TypeError, "nan_to_num()", "nan", "'x'"),
    # ---- more elementwise math
    C(tl.exp2, "x").raises(TypeError, "exp2()", "input", "str"),
    C(tl.log2, None).raises(TypeError, "log2()", "input", "NoneType"),
    C(tl.log10, 1j).raises(TypeError, "log10()", "input", "complex"),
    C(tl.sinh, "x").raises(TypeError, "sinh()", "input", "str"),
    C(tl.cosh, {}).raises(TypeError, "cosh()", "input", "dict"),
    C(tl.asin, "x").raises(TypeError, "asin()", "input", "str"),
    C(tl.acos, None).raises(TypeError, "acos()", "input", "NoneType"),
    C(tl.atan, object()).raises(TypeError, "atan()", "input", "object"),
    C(tl.atan2, x23, x45).raises(ShapeError, "atan2()", "other", "(4, 5)"),
    C(tl.hypot, i23, i23).raises(DTypeError, "hypot()", "input", "int64"),
    C(tl.logaddexp, x23, x45).raises(ShapeError, "logaddexp()", "other", "(4, 5)"),
    C(tl.logaddexp, i23, i23).raises(DTypeError, "logaddexp()", "input", "int64"),
    C(tl.lerp, x23, x45, 0.5).raises(ShapeError, "lerp()", "end", "(4, 5)"),
    C(tl.lerp, x23, x23, "a").raises(TypeError, "lerp()", "weight", "'a'"),
    C(tl.lerp, x23, x23.double(), 0.5).raises(DTypeError, "lerp()", "end", "float64"),
    C(tl.fmod, i23, 0).raises(ZeroDivisionError, "fmod()", "other", "zero"),
    C(tl.fmod, x23, x45).raises(ShapeError, "fmod()", "other", "(4, 5)"),
    # ---- contractions
    C(tl.addmm, tl.zeros(2, 2), x23, x23).raises(ShapeError, "addmm()", "mat2", "(2, 3)"),
    C(tl.addmm, tl.zeros(5, 5), x23, tl.zeros(3, 2)).raises(ShapeError, "addmm()", "input", "(5, 5)"),
    C(tl.addmm, tl.zeros(2), x23, tl.zeros(3)).raises(ShapeError, "addmm()", "mat2", "(3,)"),
    C(tl.addmm, tl.zeros(2), x23, tl.zeros(3, 2), beta="b").raises(TypeError, "addmm()", "beta", "'b'"),
    C(tl.baddbmm, tl.zeros(1), tl.zeros(2, 2, 3), tl.zeros(3, 3, 2)).raises(ShapeError, "baddbmm()", "batch2",
                                                                             "(3, 3, 2)"),
    C(tl.baddbmm, tl.zeros(1), tl.zeros(2, 2, 3), tl.zeros(2, 3, 2, dtype=tl.float64)).raises(
        DTypeError, "baddbmm()", "batch2", "float64"),
    C(tl.tensordot, x23, x45, 1).raises(ShapeError, "tensordot()", "dim", "(4, 5)"),
    C(tl.tensordot, x23, x23, 3).raises(ValueError, "tensordot()", "dims", "3"),
    C(tl.tensordot, x23, x23, ([0], [5])).raises(IndexError, "tensordot()", "dims", "5"),
    C(tl.einsum, "ij,jk->ik", x23, x23).raises(ShapeError, "einsum()", "'j'", "size 3"),
    C(tl.einsum, "ij->k", x23).raises(ValueError, "einsum()", "equation", "'k'"),
    C(tl.einsum, "ijk", x23).raises(ShapeError, "einsum()", "'ijk'", "(2, 3)"),
    C(tl.einsum, 5, x23).raises(TypeError, "einsum()", "equation", "int"),
    C(tl.einsum, "ij,jk", x23).raises(ValueError, "einsum()", "equation", "2 operands"),
]

# ---------------------------------------------------------------- tl.nn.functional
FUNCTIONAL = [
    # ---- convolutions (C kernels): channels, ranks, dtypes, strides, padding, dilation, groups
    C(F.conv2d, tl.randn(2, 4, 8, 8), w3).raises(ShapeError, "conv2d()", "weight", "(6, 3, 5, 5)",
                                                 "(2, 4, 8, 8)"),
    C(F.conv2d, tl.randn(2, 3, 8, 8, 1), w3).raises(ShapeError, "conv2d()", "input", "(2, 3, 8, 8, 1)"),
    C(F.conv2d, img, tl.randn(6, 3, 5)).raises(ShapeError, "conv2d()", "weight", "(6, 3, 5)"),
    C(F.conv2d, img, w3, stride=0).raises(ValueError, "conv2d()", "stride", "0"),
    C(F.conv2d, img, w3, stride=-1).raises(ValueError, "conv2d()", "stride", "-1"),
    C(F.conv2d, img, w3, stride=(1, 2, 3)).raises(TypeError, "conv2d()", "stride", "(1, 2, 3)"),
    C(F.conv2d, img, w3, stride=2 ** 40).raises(ValueError, "conv2d()", "stride", str(2 ** 40)),
    C(F.conv2d, img, w3, padding=HUGE).raises(ValueError, "conv2d()", "padding", str(HUGE)),
    C(F.conv2d, img, w3, padding=-1).raises(ValueError, "conv2d()", "padding", "-1"),
    C(F.conv2d, img, w3, padding=2 ** 30).raises(ShapeError, "conv2d()", "padding", str(2 ** 31 + 8)),
    C(F.conv2d, img, w3, padding="full").raises(ValueError, "conv2d()", "padding", "'full'"),
    C(F.conv2d, img, w3, stride=2, padding="same").raises(ValueError, "conv2d()", "padding", "'same'"),
    C(F.conv2d, img, w3, dilation=0).raises(ValueError, "conv2d()", "dilation", "0"),
    C(F.conv2d, img, w3, dilation=HUGE).raises(ValueError, "conv2d()", "dilation", str(HUGE)),
    C(F.conv2d, img, w3, groups=0).raises(ValueError, "conv2d()", "groups", "0"),
    C(F.conv2d, img, w3, groups=2).raises(ShapeError, "conv2d()", "groups", "groups=2"),
    C(F.conv2d, tl.randn(1, 3, 4, 4), w3).raises(ShapeError, "conv2d()", "weight", "(6, 3, 5, 5)"),
    C(F.conv2d, tl.randn(1, 3, 0, 8), w3).raises(ShapeError, "conv2d()", "input", "(1, 3, 0, 8)"),
    C(F.conv2d, tl.randn(1, 3, 8, 8), tl.randn(0, 3, 5, 5)).raises(ShapeError, "conv2d()", "weight",
                                                                   "(0, 3, 5, 5)"),
    C(F.conv2d, img.long(), w3).raises(DTypeError, "conv2d()", "input", "int64"),
    C(F.conv2d, img, w3.double()).raises(DTypeError, "conv2d()", "weight", "float64"),
    C(F.conv2d, img.half(), w3).raises(DTypeError, "conv2d()", "input", "float16"),
    C(F.conv2d, img, w3, bias=tl.zeros(5)).raises(ShapeError, "conv2d()", "bias", "(5,)"),
    C(F.conv2d, img, w3, bias=tl.zeros(6, dtype=tl.int64)).raises(DTypeError, "conv2d()", "bias", "int64"),
    C(F.conv2d, "img", w3).raises(TypeError, "conv2d()", "input", "str"),
    C(F.conv1d, seq, tl.randn(4, 2, 3)).raises(ShapeError, "conv1d()", "weight", "(4, 2, 3)"),
    C(F.conv1d, seq, tl.randn(4, 3, 11)).raises(ShapeError, "conv1d()", "weight", "(4, 3, 11)"),
    C(F.conv1d, seq, tl.randn(4, 3, 3), stride=0).raises(ValueError, "conv1d()", "stride", "0"),
    C(F.conv1d, seq, tl.randn(4, 3, 3), padding=HUGE).raises(ValueError, "conv1d()", "padding", str(HUGE)),
    C(F.conv1d, seq, tl.randn(4, 3)).raises(ShapeError, "conv1d()", "weight", "(4, 3)"),
    C(F.conv1d, seq.int(), tl.randn(4, 3, 3)).raises(DTypeError, "conv1d()", "input", "int32"),
    C(F.conv_transpose2d, img, tl.randn(4, 2, 3, 3)).raises(ShapeError, "conv_transpose2d()", "weight",
                                                            "(4, 2, 3, 3)"),
    C(F.conv_transpose2d, img, tl.randn(3, 2, 3, 3), output_padding=1).raises(
        ValueError, "conv_transpose2d()", "output_padding", "(1, 1)"),
    C(F.conv_transpose2d, img, tl.randn(3, 2, 3, 3), padding=5).raises(ShapeError, "conv_transpose2d()",
                                                                       "padding", "(5, 5)"),
    C(F.conv_transpose2d, img, tl.randn(3, 2, 3, 3), padding="same").raises(TypeError, "conv_transpose2d()",
                                                                            "padding", "'same'"),
    C(F.conv_transpose2d, img, tl.randn(3, 2, 3, 3), stride=-2).raises(ValueError, "conv_transpose2d()",
                                                                       "stride", "-2"),
    C(F.conv_transpose2d, img, tl.randn(3, 2, 3, 3), stride=2 ** 31).raises(ShapeError, "conv_transpose2d()",
                                                                            "stride", str(2 ** 31)),
    C(F.conv_transpose2d, img.bool(), tl.randn(3, 2, 3, 3)).raises(DTypeError, "conv_transpose2d()", "input",
                                                                   "bool"),
    # ---- pooling (C kernels)
    C(F.max_pool2d, img, 0).raises(ValueError, "max_pool2d()", "kernel_size", "0"),
    C(F.max_pool2d, img, 2, stride=0).raises(ValueError, "max_pool2d()", "stride", "0"),
    C(F.max_pool2d, img, 2, stride=-1).raises(ValueError, "max_pool2d()", "stride", "-1"),
    C(F.max_pool2d, img, 2, padding=2).raises(ValueError, "max_pool2d()", "padding", "(2, 2)"),
    C(F.max_pool2d, img, 2, dilation=0).raises(ValueError, "max_pool2d()", "dilation", "0"),
    C(F.max_pool2d, img, HUGE).raises(ValueError, "max_pool2d()", "kernel_size", str(HUGE)),
    C(F.max_pool2d, img, 9).raises(ShapeError, "max_pool2d()", "kernel_size", "(9, 9)"),
    C(F.max_pool2d, tl.randn(8, 8), 2).raises(ShapeError, "max_pool2d()", "input", "(8, 8)"),
    C(F.max_pool2d, tl.randn(2, 0, 4, 4), 2).raises(ShapeError, "max_pool2d()", "input", "(2, 0, 4, 4)"),
    C(F.max_pool2d, img.long(), 2).raises(DTypeError, "max_pool2d()", "input", "int64"),
    C(F.max_pool2d, img, (2, 2, 2)).raises(TypeError, "max_pool2d()", "kernel_size", "(2, 2, 2)"),
    C(F.avg_pool2d, img, 2, divisor_override=0).raises(ValueError, "avg_pool2d()", "divisor_override", "0"),
    C(F.avg_pool2d, img, 2, divisor_override=1.5).raises(TypeError, "avg_pool2d()", "divisor_override", "1.5"),
    C(F.avg_pool2d, img, 2, padding=-1).raises(ValueError, "avg_pool2d()", "padding", "-1"),
    C(F.avg_pool2d, tl.randn(1, 1, 3, 3), 4).raises(ShapeError, "avg_pool2d()", "kernel_size", "(4, 4)"),
    C(F.avg_pool2d, img.int(), 2).raises(DTypeError, "avg_pool2d()", "input", "int32"),
    C(F.avg_pool2d, img, 2, stride=HUGE).raises(ValueError, "avg_pool2d()", "stride", str(HUGE)),
    C(F.adaptive_avg_pool2d, img, -1).raises(ValueError, "adaptive_avg_pool2d()", "output_size", "-1"),
    C(F.adaptive_avg_pool2d, img, (1, 2, 3)).raises(TypeError, "adaptive_avg_pool2d()", "output_size",
                                                    "(1, 2, 3)"),
    C(F.adaptive_avg_pool2d, img, HUGE).raises(ValueError, "adaptive_avg_pool2d()", "output_size", str(HUGE)),
    C(F.adaptive_avg_pool2d, img, 2 ** 31).raises(ValueError, "adaptive_avg_pool2d()", "output_size", str(2 ** 31)),
    C(F.adaptive_avg_pool2d, tl.randn(3, 4), 2).raises(ShapeError, "adaptive_avg_pool2d()", "input", "(3, 4)"),
    C(F.adaptive_max_pool2d, img, "a").raises(TypeError, "adaptive_max_pool2d()", "output_size", "'a'"),
    C(F.adaptive_max_pool2d, img.bool(), 2).raises(DTypeError, "adaptive_max_pool2d()", "input", "bool"),
    # ---- normalization and dropout (Numba kernels)
    C(F.batch_norm, img, tl.zeros(4), rv).raises(ShapeError, "batch_norm()", "running_mean", "(4,)"),
    C(F.batch_norm, img, rm, rv.double()).raises(TypeError, "batch_norm()", "running_var", "float64"),
    C(F.batch_norm, img, rm, rv, weight=tl.ones(2)).raises(ShapeError, "batch_norm()", "weight", "(2,)"),
    C(F.batch_norm, tl.randn(1, 3), None, None, training=True).raises(ValueError, "batch_norm()", "input",
                                                                      "(1, 3)"),
    C(F.batch_norm, img, None, None).raises(ValueError, "batch_norm()", "running_mean", "training=False"),
    C(F.batch_norm, img, rm, rv, eps=-1.0).raises(ValueError, "batch_norm()", "eps", "-1.0"),
    C(F.batch_norm, img, rm, rv, eps=float("nan")).raises(ValueError, "batch_norm()", "eps", "nan"),
    C(F.batch_norm, tl.randn(3), rm, rv).raises(ShapeError, "batch_norm()", "input", "(3,)"),
    C(F.batch_norm, img, rm, rv, momentum="a").raises(TypeError, "batch_norm()", "momentum", "'a'"),
    C(F.batch_norm, img.long(), rm, rv).raises(TypeError, "batch_norm()", "input", "int64"),
    C(F.batch_norm_relu, img, rm, rv, weight=tl.ones(2)).raises(ShapeError, "batch_norm_relu()", "weight", "(2,)"),
    C(F.batch_norm_relu, img, None, None, training=True, residual=tl.randn(5, 3)).raises(
        ShapeError, "batch_norm_relu()", "residual", "(5, 3)"),
    C(F.batch_norm_relu, img, rm, rv, residual="a").raises(TypeError, "batch_norm_relu()", "residual", "str"),
    C(F.batch_norm_relu, tl.randn(1, 3), None, None, training=True).raises(ValueError, "batch_norm_relu()",
                                                                           "input", "(1, 3)"),
    C(F.batch_norm_relu, img.long(), rm, rv).raises(TypeError, "batch_norm_relu()", "input", "int64"),
    C(F.layer_norm, img, (4,)).raises(ShapeError, "layer_norm()", "normalized_shape", "[4]"),
    C(F.layer_norm, img, (8,), weight=tl.ones(3)).raises(ShapeError, "layer_norm()", "weight", "(3,)"),
    C(F.layer_norm, img, (8,), eps=-1.0).raises(ValueError, "layer_norm()", "eps", "-1.0"),
    C(F.layer_norm, img.long(), (8,)).raises(TypeError, "layer_norm()", "input", "int64"),
    C(F.group_norm, img, 2).raises(ValueError, "group_norm()", "num_groups", "2"),
    C(F.group_norm, img, 0).raises(ValueError, "group_norm()", "num_groups", "0"),
    C(F.group_norm, img, 3, weight=tl.ones(2)).raises(ShapeError, "group_norm()", "weight", "(2,)"),
    C(F.local_response_norm, img, 0).raises(ValueError, "local_response_norm()", "size", "0"),
    C(F.local_response_norm, tl.randn(2, 3), 2).raises(ShapeError, "local_response_norm()", "input", "(2, 3)"),
    C(F.dropout, x23, 1.5).raises(ValueError, "dropout()", "'p'", "1.5"),
    C(F.dropout, x23, float("nan")).raises(ValueError, "dropout()", "'p'", "nan"),
    C(F.dropout2d, tl.randn(5), 0.5).raises(ShapeError, "dropout2d()", "input", "(5,)"),
    C(F.dropout2d, img, -0.1).raises(ValueError, "dropout2d()", "'p'", "-0.1"),
    # ---- losses (Numba kernels): labels, shapes, dtypes, reductions, out-of-range values
    C(F.cross_entropy, logits, tl.tensor([0, 3, 1, 0])).raises(IndexError, "cross_entropy()", "target", "3"),
    C(F.cross_entropy, logits, tl.tensor([0, -1, 1, 0])).raises(IndexError, "cross_entropy()", "target", "-1"),
    C(F.cross_entropy, logits, tl.tensor([0, 1])).raises(ShapeError, "cross_entropy()", "target", "(2,)"),
    C(F.cross_entropy, logits, labels.float()).raises(ShapeError, "cross_entropy()", "target", "(4,)"),
    C(F.cross_entropy, logits, labels.bool()).raises(TypeError, "cross_entropy()", "target", "bool"),
    C(F.cross_entropy, logits.long(), labels).raises(TypeError, "cross_entropy()", "input", "int64"),
    C(F.cross_entropy, logits, labels, reduction="avg").raises(ValueError, "cross_entropy()", "reduction",
                                                               "'avg'"),
    C(F.cross_entropy, logits, labels, label_smoothing=1.5).raises(ValueError, "cross_entropy()",
                                                                   "label_smoothing", "1.5"),
    C(F.cross_entropy, logits, labels, weight=tl.ones(4)).raises(ShapeError, "cross_entropy()", "weight",
                                                                 "(4,)"),
    C(F.cross_entropy, tl.tensor(1.0), labels).raises(ShapeError, "cross_entropy()", "input", "0-d"),
    C(F.nll_loss, logits, labels.float()).raises(TypeError, "nll_loss()", "target", "float32"),
    C(F.nll_loss, logits, tl.tensor([0, 1, 2, 7])).raises(IndexError, "nll_loss()", "target", "7"),
    C(F.nll_loss, tl.randn(2, 3, 4), tl.tensor([0, 1])).raises(ShapeError, "nll_loss()", "target", "(2,)"),
    C(F.mse_loss, x23, x45).raises(ShapeError, "mse_loss()", "target", "(4, 5)"),
    C(F.mse_loss, x23, x23, reduction="max").raises(ValueError, "mse_loss()", "reduction", "'max'"),
    C(F.mse_loss, i23, i23).raises(TypeError, "mse_loss()", "input", "int64"),
    C(F.l1_loss, x23, x45).raises(ShapeError, "l1_loss()", "target", "(4, 5)"),
    C(F.smooth_l1_loss, x23, x23, beta=-1.0).raises(ValueError, "smooth_l1_loss()", "beta", "-1.0"),
    C(F.huber_loss, x23, x23, delta=0.0).raises(ValueError, "huber_loss()", "delta", "0.0"),
    C(F.binary_cross_entropy, tl.tensor([0.5, 1.5]), tl.tensor([0.0, 1.0])).raises(
        ValueError, "binary_cross_entropy()", "input", "1.5"),
    C(F.binary_cross_entropy, tl.tensor([0.5, float("nan")]), tl.tensor([0.0, 1.0])).raises(
        ValueError, "binary_cross_entropy()", "input", "nan"),
    C(F.binary_cross_entropy, probs, probs[:2]).raises(ShapeError, "binary_cross_entropy()", "target",
                                                       "(2, 3)"),
    C(F.binary_cross_entropy, probs, probs, weight=tl.ones(2)).raises(ShapeError, "binary_cross_entropy()",
                                                                      "weight", "(2,)"),
    C(F.binary_cross_entropy_with_logits, logits, probs[:2]).raises(
        ShapeError, "binary_cross_entropy_with_logits()", "target", "(2, 3)"),
    C(F.binary_cross_entropy_with_logits, logits, probs, pos_weight=tl.ones(2)).raises(
        ShapeError, "binary_cross_entropy_with_logits()", "pos_weight", "(2,)"),
    C(F.kl_div, logits, probs, reduction="batch").raises(ValueError, "kl_div()", "reduction", "'batch'"),
    C(F.kl_div, logits, x45).raises(ShapeError, "kl_div()", "target", "(4, 5)"),
    C(F.one_hot, tl.tensor([0, 3]), 3).raises(ValueError, "one_hot()", "tensor", "3"),
    C(F.one_hot, tl.tensor([0.0, 1.0]), 2).raises(TypeError, "one_hot()", "tensor", "float32"),
    C(F.one_hot, tl.tensor([0]), 2.5).raises(TypeError, "one_hot()", "num_classes", "float"),
    C(F.one_hot, tl.tensor([0]), -3).raises(ValueError, "one_hot()", "num_classes", "-3"),
    # ---- pad, linear, activations
    C(F.pad, x23, (1,)).raises(ValueError, "pad()", "pad", "(1,)"),
    C(F.pad, x23, (1, 1) * 3).raises(ValueError, "pad()", "pad", "(2, 3)"),
    C(F.pad, x23, (1, 1), mode="wrap").raises(ValueError, "pad()", "padding mode", "'wrap'"),
    C(F.pad, x23, (5, 5), mode="reflect").raises(ShapeError, "pad()", "padding", "(5, 5)"),
    C(F.pad, x23, (HUGE, 0)).raises(ShapeError, "pad()", "pad", str(HUGE)),
    C(F.pad, x23, (-5, 0)).raises(ValueError, "pad()", "pad", "(-5, 0)"),
    C(F.pad, x23, (1.5, 1)).raises(TypeError, "pad()", "pad", "1.5"),
    C(F.pad, x23, (1, 1), value="a").raises(TypeError, "pad()", "value", "'a'"),
    C(F.linear, x23, tl.randn(4, 2)).raises(ShapeError, "linear()", "weight", "(4, 2)"),
    C(F.linear, x23, tl.randn(4, 3), tl.zeros(3)).raises(ShapeError, "linear()", "bias", "(3,)"),
    C(F.linear, tl.tensor(1.0), tl.randn(4, 3)).raises(ShapeError, "linear()", "input", "()"),
    C(F.linear, x23, tl.randn(4, 3).double()).raises(DTypeError, "linear()", "weight", "float64"),
    C(F.linear, x23, tl.randn(4, 3), tl.zeros(4).half()).raises(DTypeError, "linear()", "bias", "float16"),
    C(F.hardtanh, x23, 2.0, 1.0).raises(ValueError, "hardtanh()", "min_val", "2.0"),
    C(F.hardtanh, "x").raises(TypeError, "hardtanh()", "input", "str"),
    C(F.relu6, None).raises(TypeError, "relu6()", "input", "NoneType"),
    C(F.silu, "x").raises(TypeError, "silu()", "input", "str"),
    C(F.softplus, "x").raises(TypeError, "softplus()", "input", "str"),
]

ROWS = CORE + FUNCTIONAL


@pytest.mark.parametrize("row", params(ROWS))
def test_hostile_input_raises_a_clear_error(row):
    check_row(row)


# ---------------------------------------------------------------- valid but unusual layouts
def _same(got, want, tol=0.0):
    got = got if isinstance(got, (tuple, list)) else (got,)
    want = want if isinstance(want, (tuple, list)) else (want,)
    for g, w in zip(got, want):
        assert g.dtype is w.dtype and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.numpy().astype(np.float64), w.numpy().astype(np.float64),
                                   rtol=tol, atol=tol)


def _layouts(x):
    """Non-contiguous views holding x's values: negative strides (tl.flip copies, as PyTorch, so
    these come from numpy views), a step-2 slice, a transposed (column-major) layout."""
    a = x.numpy()
    yield "neg-stride", tl.from_numpy(np.flip(np.flip(a, -1).copy(), -1))
    yield "neg-stride-all", tl.from_numpy(np.flip(np.flip(a).copy()))
    yield "strided", tl.stack([x, x], -1).flatten(-2)[..., ::2]
    yield "transposed", x.transpose(-1, -2).contiguous().transpose(-1, -2)


def _kernels():
    big = tl.randn(2, 3, 9, 9, dtype=tl.float64)
    w = tl.randn(4, 3, 3, 3, dtype=tl.float64)
    wt = tl.randn(3, 2, 3, 3, dtype=tl.float64)
    m = tl.randn(5, 7, dtype=tl.float64)
    lg = tl.randn(6, 5, dtype=tl.float64)
    tg = tl.tensor([0, 4, 2, 1, 3, 0])
    return [
        ("conv2d-input", big, lambda x: F.conv2d(x, w, padding=1, stride=2)),
        ("conv2d-weight", w, lambda k: F.conv2d(big, k, dilation=2)),
        ("conv1d", big[:, :, 0], lambda x: F.conv1d(x, w[:, :, 0], padding=2)),
        ("conv_transpose2d", big, lambda x: F.conv_transpose2d(x, wt, stride=2, output_padding=1)),
        ("max_pool2d", big, lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True)),
        ("avg_pool2d", big, lambda x: F.avg_pool2d(x, 2, ceil_mode=True)),
        ("adaptive_avg_pool2d", big, lambda x: F.adaptive_avg_pool2d(x, (4, 3))),
        ("adaptive_max_pool2d", big, lambda x: F.adaptive_max_pool2d(x, 5)),
        ("batch_norm", big, lambda x: F.batch_norm(x, None, None, training=True)),
        ("matmul-left", m, lambda a: a @ m.t()),
        ("matmul-right", m, lambda b: m.t() @ b),
        ("cross_entropy", lg, lambda x: F.cross_entropy(x, tg, reduction="none")),
        ("log_softmax", lg, lambda x: F.log_softmax(x, 1)),
    ]


@pytest.mark.parametrize("name,x,fn", _kernels(), ids=[k[0] for k in _kernels()])
def test_kernels_on_views_match_contiguous(name, x, fn):
    want = fn(x)
    for layout, view in _layouts(x):
        assert not view.is_contiguous() and np.array_equal(view.numpy(), x.numpy()), layout
        _same(fn(view), want, tol=1e-10)


@pytest.mark.parametrize("fn", [
    lambda x, w: F.conv2d(x, w, padding=1),
    lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1), stride=2),
    lambda x, w: F.max_pool2d(x, 2),
    lambda x, w: F.avg_pool2d(x, 3, 1, 1),
    lambda x, w: F.adaptive_avg_pool2d(x, 3),
    lambda x, w: x.flatten(1) @ x.flatten(1).t(),
], ids=["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "matmul"])
def test_float16_runs_as_float32_and_rounds_back(fn):
    x, w = tl.randn(2, 3, 8, 8).half(), tl.randn(4, 3, 3, 3).half()
    got = fn(x, w)
    want = fn(x.float(), w.float()).half()
    assert got.dtype is tl.float16
    np.testing.assert_allclose(got.float().numpy(), want.float().numpy(), rtol=1e-3, atol=1e-3)


EDGES = {
    "conv2d-N0": (lambda: F.conv2d(tl.zeros(0, 3, 5, 5), tl.zeros(4, 3, 3, 3)), (0, 4, 3, 3)),
    "conv2d-C0": (lambda: F.conv2d(tl.zeros(2, 0, 5, 5), tl.zeros(4, 0, 3, 3)), (2, 4, 3, 3)),
    "conv2d-1x1": (lambda: F.conv2d(tl.zeros(1, 1, 1, 1), tl.zeros(1, 1, 1, 1)), (1, 1, 1, 1)),
    "conv2d-k=padded": (lambda: F.conv2d(tl.zeros(1, 1, 3, 3), tl.zeros(1, 1, 5, 5), padding=1), (1, 1, 1, 1)),
    "conv_transpose2d-N0": (lambda: F.conv_transpose2d(tl.zeros(0, 3, 4, 4), tl.zeros(3, 2, 3, 3)), (0, 2, 6, 6)),
    "max_pool2d-N0": (lambda: F.max_pool2d(tl.zeros(0, 3, 4, 4), 2), (0, 3, 2, 2)),
    "avg_pool2d-1x1": (lambda: F.avg_pool2d(tl.zeros(1, 1, 1, 1), 1), (1, 1, 1, 1)),
    "adaptive_avg_pool2d-0": (lambda: F.adaptive_avg_pool2d(tl.zeros(1, 2, 3, 3), 0), (1, 2, 0, 0)),
    "matmul-K0": (lambda: tl.zeros(3, 0) @ tl.zeros(0, 4), (3, 4)),
    "matmul-M0": (lambda: tl.zeros(0, 3) @ tl.zeros(3, 4), (0, 4)),
    "cross_entropy-N0": (lambda: F.cross_entropy(tl.zeros(0, 3), tl.zeros(0, dtype=tl.int64), reduction="none"),
                         (0,)),
    "batch_norm-N0": (lambda: F.batch_norm(tl.zeros(0, 3, 2, 2), tl.zeros(3), tl.ones(3)), (0, 3, 2, 2)),
    "pad-empty": (lambda: F.pad(tl.zeros(2, 0), (1, 1)), (2, 2)),
    "sum-empty-dim": (lambda: tl.zeros(2, 3)[:, 3:].sum(1), (2,)),
}


@pytest.mark.parametrize("call,shape", EDGES.values(), ids=EDGES.keys())
def test_zero_size_and_1x1_edges_give_the_right_shape(call, shape):
    out = call()
    assert tuple(out.shape) == shape
    if out.numel():
        assert np.isfinite(out.numpy()).all()


def test_matmul_zero_inner_dim_is_zeros():
    np.testing.assert_array_equal((tl.ones(3, 0) @ tl.ones(0, 4)).numpy(), np.zeros((3, 4), np.float32))


def test_integer_matmul_is_exact():
    a = tl.tensor([[2 ** 40, 3], [5, -7]])
    np.testing.assert_array_equal((a @ a.flip(0)).numpy(), a.numpy() @ a.numpy()[::-1])
