"""An import hook that answers `torch` / `torch.X.Y` imports with `tensorlite` / `tensorlite.X.Y`
(the very same module objects), so an unmodified PyTorch script runs on tensorlite. Used by
`python -m tensorlite.as_torch` and `python -m tensorlite.bench`."""
import contextlib
import importlib
import importlib.abc
import importlib.util
import sys


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            return importlib.util.spec_from_loader(fullname, self, origin="tensorlite" + fullname[5:])
        return None

    def create_module(self, spec):
        try:
            mod = importlib.import_module(spec.origin)
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(f"No module named {spec.name!r}: tensorlite has no {spec.origin!r} "
                                      f"({e}); see the README's 'Porting from PyTorch'", name=spec.name) from None
        self._saved = (mod, mod.__spec__, getattr(mod, "__loader__", None))
        return mod

    def exec_module(self, module):
        # importlib stamped the alias spec on the module: give tensorlite's own back
        mod, spec, loader = self._saved
        mod.__spec__, mod.__loader__ = spec, loader


def _torch_modules():
    return {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}


def install():
    """Make every later `import torch...` mean tensorlite (drops an already imported torch)."""
    for k in _torch_modules():
        del sys.modules[k]
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())


@contextlib.contextmanager
def aliased():
    """`torch` means tensorlite inside the block; the real torch (if imported) is back afterwards."""
    saved = _torch_modules()
    finder = TorchAlias()
    for k in saved:
        del sys.modules[k]
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for k in _torch_modules():
            del sys.modules[k]
        sys.modules.update(saved)
