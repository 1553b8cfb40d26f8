"""All differentiable ops, grouped by kind; tensorlite re-exports them as tl.<name>."""
from .elementwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .movement import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .indexing import (getitem, setitem, index_put, index_select, masked_fill, nonzero, masked_select,  # noqa: F401
                       scatter, scatter_add)
from .math_ops import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .contraction import *  # noqa: F401,F403
from .math_extra import *  # noqa: F401,F403
from .indexing_extra import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .shape_extra import *  # noqa: F401,F403
