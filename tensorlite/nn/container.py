"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict (torch.nn.modules.container)."""
import itertools
from collections import OrderedDict

from ..tensor import Tensor
from .module import Module, _addindent
from .parameter import Parameter


class Sequential(Module):
    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]

    def __setitem__(self, idx, module):
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        self.add_module(key, module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for k in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(self), "Sequential")]]):
            del self._modules[k]
        _renumber(self)             # PyTorch keeps the names 0..n-1

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.insert(): argument 'module' must be a Module, got {type(module).__name__}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert(): index {index} is out of range for {n} modules")
        mods = list(self._modules.values())
        mods.insert(index + n if index < 0 else index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)
        return self

    def extend(self, sequential):
        for m in sequential:
            self.append(m)
        return self

    def pop(self, key):
        v = self[key]
        del self[key]
        return v


class ModuleList(Module):
    def __init__(self, modules=None):
        super().__init__()
        self.extend(modules or [])

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)) or \
                not hasattr(modules, "__iter__"):
            raise TypeError(f"ModuleList: argument 'modules' must be an iterable of Modules, got "
                            f"{type(modules).__name__}")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for k in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(self), "ModuleList")]]):
            del self._modules[k]
        _renumber(self)

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def __repr__(self):
        """Runs of children with the same repr print once, as "(0-2): 3 x Linear(...)" (PyTorch)."""
        reprs = [repr(m) for m in self._modules.values()]
        if not reprs:
            return self._get_name() + "()"
        lines, i = [], 0
        for text, run in itertools.groupby(reprs):
            n = len(list(run))
            head = f"({i})" if n == 1 else f"({i}-{i + n - 1}): {n} x"
            lines.append(_addindent(f"{head}: {text}" if n == 1 else f"{head} {text}", 2))
            i += n
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def forward(self, *args):
        raise NotImplementedError("ModuleList is a container: call its modules, not the list")


class _DictContainer(Module):
    """The dict protocol ModuleDict and ParameterDict share, over the Module registry each keeps
    its entries in (`_entries()`: _modules or _parameters); each adds its own __setitem__/update."""

    def _entries(self):
        raise NotImplementedError

    def __getitem__(self, key):
        return self._entries()[key]

    def __delitem__(self, key):
        del self._entries()[key]

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries())

    def __contains__(self, key):
        return key in self._entries()

    def keys(self):
        return self._entries().keys()

    def values(self):
        return self._entries().values()

    def items(self):
        return self._entries().items()


class ModuleDict(_DictContainer):
    def __init__(self, modules=None):
        super().__init__()
        if modules:
            self.update(modules)

    def update(self, modules):
        try:
            pairs = list(modules.items() if hasattr(modules, "items") else modules)
            pairs = [(k, m) for k, m in pairs]
        except (TypeError, ValueError):
            raise TypeError(f"ModuleDict.update(): argument 'modules' must be a mapping or an iterable of "
                            f"(name, Module) pairs, got {type(modules).__name__}") from None
        for k, m in pairs:
            self.add_module(k, m)

    def _entries(self):
        return self._modules

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def forward(self, *args):
        raise NotImplementedError("ModuleDict is a container: call its modules, not the dict")


def _as_parameter(value, owner, what):
    """Tensors become Parameters (as PyTorch's ParameterList / ParameterDict); other objects are
    rejected (PyTorch stores them as plain attributes, tensorlite raises TypeError)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value, requires_grad=value.is_floating_point())
    raise TypeError(f"{owner}: {what} must be a Parameter or a Tensor, got {type(value).__name__}")


def _parameters_repr(module):
    """ParameterList's and ParameterDict's extra_repr: one line a parameter, as torch prints them."""
    return "\n".join(f"  ({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
                     for k, p in module._parameters.items())


class ParameterList(Module):
    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self), "ParameterList"))]

    def __setitem__(self, idx, param):
        i = _index(idx, len(self), "ParameterList")
        self.register_parameter(str(i), _as_parameter(param, "ParameterList", f"argument 'value' at index {i}"))

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList.append()",
                                                              "argument 'value'"))
        return self

    def extend(self, values):
        if isinstance(values, (Tensor, str)) or not hasattr(values, "__iter__"):
            raise TypeError(f"ParameterList.extend(): argument 'values' must be an iterable of Parameters, got "
                            f"{type(values).__name__}")
        for v in values:
            self.append(v)
        return self

    def extra_repr(self):
        return _parameters_repr(self)

    def forward(self, *args):
        raise NotImplementedError("ParameterList is a container: use its parameters, not the list")


class ParameterDict(_DictContainer):
    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def update(self, parameters):
        if isinstance(parameters, (Tensor, str)):
            pairs = None
        else:
            try:
                pairs = [(k, v) for k, v in (parameters.items() if hasattr(parameters, "items") else parameters)]
            except (TypeError, ValueError):
                pairs = None
        if pairs is None:
            raise TypeError(f"ParameterDict.update(): argument 'parameters' must be a mapping or an iterable of "
                            f"(name, Parameter) pairs, got {type(parameters).__name__}")
        for k, v in pairs:
            self[k] = v

    def _entries(self):
        return self._parameters

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value, "ParameterDict", f"value for key {key!r}"))

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        return self._parameters.pop(key)

    def extra_repr(self):
        return _parameters_repr(self)

    def forward(self, *args):
        raise NotImplementedError("ParameterDict is a container: use its parameters, not the dict")


def _index(idx, n, owner):
    if isinstance(idx, bool) or not hasattr(idx, "__index__"):
        raise TypeError(f"{owner}: index must be an int or a slice, got {idx!r:.40}")
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"{owner}: index {idx} is out of range for {n} modules")
    return idx % n


def _renumber(container):
    mods = list(container._modules.values())
    container._modules.clear()
    container._modules.update((str(i), m) for i, m in enumerate(mods))
