"""The shared hypothesis strategies live in tensorlite.testing.strategies (installed, for users
too); this module keeps `from strategies import ...` working in test files."""
from tensorlite.testing.strategies import *  # noqa: F401,F403
from tensorlite.testing.strategies import __all__  # noqa: F401
