"""The C core's shared pieces: the choice of kernel level (csrc/cpu.c, used by
the GEMM and the convolutions alike) and the constants the api headers give
Python (csrc/api/*.h)."""
import numpy as np
import pytest

from tensorlite.backend._ffi import ffi, lib

LEVELS = ["generic", "avx2", "avx512"]


def _hardware_level():
    if lib.tl_cpu_has_avx512f():
        return "avx512"
    return "avx2" if lib.tl_cpu_has_avx2_fma() else "generic"


@pytest.mark.parametrize("var, arch", [("TENSORLITE_GEMM_ARCH", lib.tl_gemm_arch),
                                       ("TENSORLITE_CONV_ARCH", lib.tl_conv_arch)])
def test_arch_env_only_lowers_the_level(monkeypatch, var, arch):
    monkeypatch.delenv(var, raising=False)
    best = ffi.string(arch()).decode()
    assert best == _hardware_level()
    for name in LEVELS:
        monkeypatch.setenv(var, name)
        want = LEVELS[min(LEVELS.index(name), LEVELS.index(best))]
        assert ffi.string(arch()).decode() == want
    for ignored in ("", "bogus", "AVX2"):       # unknown values change nothing
        monkeypatch.setenv(var, ignored)
        assert ffi.string(arch()).decode() == best


def test_max_plane_is_read_from_the_c_header():
    assert lib.TL_MAX_PLANE == 2 ** 31


@pytest.mark.parametrize("W, ok", [(32768, True), (32769, False)])
def test_c_rejects_a_padded_plane_over_the_limit(W, ok):
    # H x W = 65536 x 32768 is exactly TL_MAX_PLANE; N = 0 so nothing is computed
    g = ffi.new("tl_conv_geom *")
    g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.OH, g.OW = 0, 1, 65536, W, 1, 1, 1, 65536, W
    g.SH = g.SW = g.DH = g.DW = g.groups = 1
    buf = np.zeros(1, np.float32)
    p = ffi.from_buffer("float[]", buf)
    assert lib.tl_conv2d_forward_f32(g, p, p, ffi.NULL, p) == (0 if ok else -1)
    assert lib.tl_conv2d_backward_input_f32(g, p, p, p) == (0 if ok else -1)
