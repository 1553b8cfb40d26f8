"""cffi builder for tensorlite's C core (``tensorlite._C``), API mode.

Conventions (so new kernel families need no edit here):

* every ``csrc/api/*.h`` holds ONLY plain C declarations that cffi's
  ``cdef`` can parse (no ``#include`` or ``#ifdef``; use ``int64_t``); the
  only macros allowed are integer constants, ``#define TL_NAME 123``, which
  Python reads as ``lib.TL_NAME``.  All of them are cdef()'d (sorted by name)
  and #included by the module;
* every ``csrc/*.c`` is compiled into the extension.

Environment:

* ``TENSORLITE_SANITIZE=1``: ``-O1 -g -fsanitize=address,undefined`` (compile
  and link) instead of ``-O3``, and ``TL_DEBUG`` defined (C-side asserts);
* ``TENSORLITE_DEBUG=1``: only defines ``TL_DEBUG``.

Vectorized kernels use ``__attribute__((target(...)))`` and run-time CPU
dispatch, so no ``-march=native`` is used and the build is portable.
Flags: ``-O3 -std=c11 -fno-strict-aliasing -fno-wrapv -fopenmp`` (compile),
``-fopenmp`` (link).
"""

import glob
import os
import shlex
import shutil
import sysconfig

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
API_DIR = os.path.join(HERE, "api")

_NO_COMPILER_MSG = (
    "tensorlite needs a C compiler (gcc or clang) to build its C core; "
    "on Debian/Ubuntu: apt-get install build-essential"
)


def _truthy(name):
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def _find_compiler():
    """Return the path of a usable C compiler, or None."""
    candidates = []
    env_cc = os.environ.get("CC")
    if env_cc:
        candidates.append(env_cc)
    cfg_cc = sysconfig.get_config_var("CC")
    if cfg_cc:
        candidates.append(cfg_cc)
    candidates += ["cc", "gcc", "clang"]
    for cand in candidates:
        try:
            prog = shlex.split(cand)[0]
        except (ValueError, IndexError):
            continue
        path = shutil.which(prog)
        if path:
            return path
    return None


def _rel(path):
    """Paths relative to the build's working directory when possible
    (setuptools prefers relative source paths)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # different drive (Windows)
        return path
    return path if rel.startswith("..") else rel


def _sources():
    return [_rel(p) for p in sorted(glob.glob(os.path.join(HERE, "*.c")))]


def _headers():
    return sorted(glob.glob(os.path.join(API_DIR, "*.h")))


def _flags():
    sanitize = _truthy("TENSORLITE_SANITIZE")
    debug = sanitize or _truthy("TENSORLITE_DEBUG")
    # -fno-wrapv undoes the -fwrapv that Python's own CFLAGS add: with it GCC
    # loses loop optimizations (the AVX2 GEMM ran at 65% speed).
    common = ["-std=c11", "-fno-strict-aliasing", "-fno-wrapv", "-fopenmp",
              "-Werror=implicit-function-declaration"]
    link = ["-fopenmp"]
    if sanitize:
        san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
        compile_args = ["-O1", "-g"] + san + common
        link += san
    else:
        compile_args = ["-O3"] + common
    macros = [("TL_DEBUG", "1")] if debug else []
    return compile_args, link, macros


def make_builder():
    if _find_compiler() is None:
        raise RuntimeError(_NO_COMPILER_MSG)

    headers = _headers()
    ffi = FFI()
    cdef_parts = []
    for h in headers:
        with open(h, encoding="utf-8") as f:
            cdef_parts.append(f"/* {os.path.basename(h)} */\n" + f.read())
    ffi.cdef("\n".join(cdef_parts))

    preamble = "#include <stdint.h>\n" + "".join(
        f'#include "api/{os.path.basename(h)}"\n' for h in headers
    )
    compile_args, link_args, macros = _flags()
    ffi.set_source(
        "tensorlite._C",
        preamble,
        sources=_sources(),
        include_dirs=[_rel(HERE)],
        depends=[_rel(p) for p in headers + sorted(glob.glob(os.path.join(HERE, "*.h")))],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        define_macros=macros,
    )
    return ffi


ffibuilder = make_builder()

if __name__ == "__main__":
    # Manual build into the current directory (the normal route is pip).
    ffibuilder.compile(verbose=True)
