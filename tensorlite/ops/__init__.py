"""All differentiable ops, grouped by kind; tensorlite re-exports them as tl.<name>.

`__all__` is the union of the submodules' `__all__` (the ops, not the submodules themselves), so
`from tensorlite.ops import *` brings only API. Where two submodules export a name, the later wins."""
from . import (elementwise, reduction, movement, products, indexing, pointwise, comparison, vector, sorting,
               triangular, norms, contraction, math_extra, indexing_extra, statistics, shape_extra)
from . import fills  # noqa: F401  (the values of Tensor's in-place fills; not tl API)
from .elementwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .movement import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .indexing import (getitem, setitem, index_put, index_select, masked_fill, nonzero, masked_select,  # noqa: F401
                       scatter, scatter_add)
from .pointwise import *  # noqa: F401,F403
from .comparison import *  # noqa: F401,F403
from .vector import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .triangular import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .contraction import *  # noqa: F401,F403
from .math_extra import *  # noqa: F401,F403
from .indexing_extra import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .shape_extra import *  # noqa: F401,F403

_INDEXING = ["getitem", "setitem", "index_put", "index_select", "masked_fill", "nonzero", "masked_select",
             "scatter", "scatter_add"]
__all__ = list(dict.fromkeys(
    elementwise.__all__ + reduction.__all__ + movement.__all__ + products.__all__ + _INDEXING + pointwise.__all__
    + comparison.__all__ + vector.__all__ + sorting.__all__ + triangular.__all__ + norms.__all__
    + contraction.__all__ + math_extra.__all__ + indexing_extra.__all__ + statistics.__all__ + shape_extra.__all__))
