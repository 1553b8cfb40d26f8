"""Build script: all metadata lives in pyproject.toml; this file only wires
the cffi extension ``tensorlite._C`` (built from csrc/ by csrc/build_ffi.py)."""

from setuptools import setup

setup(cffi_modules=["csrc/build_ffi.py:ffibuilder"])
