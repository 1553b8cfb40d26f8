"""pytest setup: hypothesis profiles and the `torch` fixture.

Profiles (pick with HYPOTHESIS_PROFILE=<name>, default "ci"):
* ci  -- moderate example counts, no deadline (timings on shared CI machines are noisy);
* dev -- many more examples, for hunting bugs locally.
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# Test modules import their helpers (`from hostile import ...`, `import test_hostile_inputs`) whether
# or not tests/ is a package. The shared strategies are installed: tensorlite.testing.strategies.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

settings.register_profile("ci", max_examples=40, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])
settings.register_profile("dev", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def import_torch():
    """torch, or skip the calling test when it is not installed (CI installs it)."""
    return pytest.importorskip("torch", reason="torch not installed")


@pytest.fixture(scope="session")
def torch():
    t = import_torch()
    t.set_default_dtype(t.float32)
    return t
