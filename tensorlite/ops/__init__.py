"""All differentiable ops, grouped by kind; tensorlite re-exports them as tl.<name>."""
from .elementwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .movement import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .indexing import getitem, setitem, index_put, index_select, masked_fill  # noqa: F401
