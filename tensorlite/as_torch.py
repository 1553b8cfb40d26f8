"""Run an unmodified PyTorch script on tensorlite:

    python -m tensorlite.as_torch train.py --epochs 3

Every `import torch`, `import torch.nn as nn`, `from torch.utils.data import DataLoader` in the
script (and in the modules it imports) gets tensorlite's module of the same path. Nothing else
changes: `sys.argv` is the script's, and it runs as `__main__`."""
import os
import runpy
import sys

from ._torch_alias import install


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"python -m tensorlite.as_torch: no such script: {script}", file=sys.stderr)
        return 2
    install()
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
