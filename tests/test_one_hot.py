"""F.one_hot: PyTorch's values, shapes and dtype, and its errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.testing.strategies import shapes


@settings(max_examples=60, deadline=None)
@given(shape=shapes(min_dims=0, max_dims=3, max_side=4, allow_zero=True), classes=st.integers(1, 6),
       infer=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_one_hot_is_identity_rows_indexed_by_class(shape, classes, infer, seed):
    idx = np.random.default_rng(seed).integers(0, classes, shape)
    if infer and idx.size == 0:
        with pytest.raises(ValueError, match="one_hot"):
            F.one_hot(tl.from_numpy(idx))
        return
    out = F.one_hot(tl.from_numpy(idx), -1 if infer else classes)
    n = int(idx.max()) + 1 if infer else classes
    assert out.dtype == tl.int64 and tuple(out.shape) == idx.shape + (n,)
    np.testing.assert_array_equal(out.numpy(), np.eye(n, dtype=np.int64)[idx])


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    idx = np.array([[0, 3], [2, 2]])
    for n in (-1, 4, 7):
        np.testing.assert_array_equal(F.one_hot(tl.from_numpy(idx), n).numpy(),
                                      torch.nn.functional.one_hot(torch.from_numpy(idx), n).numpy())


@pytest.mark.parametrize("args, exc", [
    ((tl.tensor([0, 3]), 3), ValueError),          # index >= num_classes
    ((tl.tensor([-1, 0]), 3), ValueError),         # negative index
    ((tl.tensor([0.0, 1.0]), 2), TypeError),       # float indices
    ((tl.tensor([True]), 2), TypeError),           # bool indices
    ((tl.tensor([0]), 2.0), TypeError),            # non-int num_classes
    ((tl.tensor([0]), -2), ValueError),
    (([0, 1], 2), TypeError),                      # not a tensor
])
def test_one_hot_bad_inputs_name_the_argument(args, exc):
    with pytest.raises(exc, match="one_hot"):
        F.one_hot(*args)
