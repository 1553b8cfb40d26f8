"""Module: the base of every layer: parameters, buffers, children, modes, state dicts, hooks."""
from collections import OrderedDict, namedtuple

import numpy as np

from ..autograd.grad_mode import no_grad
from ..errors import ArgumentError
from ..tensor import Tensor
from .parameter import Parameter, Buffer

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class _RemovableHandle:
    def __init__(self, table, key):
        self._table, self._key = table, key

    def remove(self):
        self._table.pop(self._key, None)


class Module:
    training: bool

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"Module [{type(self).__name__}] is missing the required \"forward\" function")

    # ---- calling ----
    def __call__(self, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out

    def register_forward_hook(self, hook):
        key = object()
        self._forward_hooks[key] = hook
        return _RemovableHandle(self._forward_hooks, key)

    def register_forward_pre_hook(self, hook):
        key = object()
        self._forward_pre_hooks[key] = hook
        return _RemovableHandle(self._forward_pre_hooks, key)

    # ---- attribute registration ----
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign '{name}' before {type(self).__name__}.__init__() called "
                                 f"Module.__init__() (call super().__init__() first)")
        params, bufs, mods = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._discard(name)
            params[name] = value
        elif isinstance(value, Module):
            self._discard(name)
            mods[name] = value
        elif isinstance(value, Buffer):
            self._discard(name)
            self.register_buffer(name, value, value.persistent)
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(tensorlite.nn.Parameter or None expected)")
            params[name] = None
        elif name in mods:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                f"(tensorlite.nn.Module or None expected)")
            mods[name] = None
        elif name in bufs:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f"(tensorlite.Tensor or None expected)")
            bufs[name] = value
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self.__dict__.pop(name, None)

    def __getattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name, param):
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_parameter(): parameter name must be a non-empty string without '.', "
                           f"got {name!r}")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter(): cannot assign '{type(param).__name__}' as parameter "
                            f"'{name}' (tensorlite.nn.Parameter or None required)")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"register_parameter(): attribute '{name}' already exists")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_buffer(): buffer name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer(): cannot assign '{type(tensor).__name__}' as buffer '{name}' "
                            f"(tensorlite.Tensor or None required)")
        if name in self.__dict__ or name in self._parameters or name in self._modules:
            raise KeyError(f"register_buffer(): attribute '{name}' already exists")
        if isinstance(tensor, Buffer):
            tensor = Tensor._wrap(tensor._data)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module(): argument 'module' ({name!r}) must be a Module: "
                            f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str) or "." in name or name == "":
            raise KeyError(f"add_module(): module name must be a non-empty string without '.', got {name!r}")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        mod = self
        for item in target.split(".") if target else []:
            if item not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no submodule `{item}` (looking up '{target}')")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        return mod._parameters[name]

    # ---- traversal ----
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:                                  # iterative pre-order walk
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            children = [(name + ("." if name else "") + n, m) for n, m in mod._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, table, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and bulk operations ----
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError(f"train(): mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = p.grad.detach()
                p.grad._data[...] = 0

    def apply(self, fn):
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        """Cast floating-point parameters and buffers (e.g. .to(tl.float64)); CPU is the only device."""
        from .. import dtypes
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype) or (isinstance(a, str) and a in dtypes._NAMES):
                target = a
            elif a not in (None, "cpu") and not isinstance(a, dtypes.dtype):
                raise ValueError(f"Module.to(): tensorlite runs on the CPU only; got argument 'device' = {a!r}")
        if target is not None:
            target = dtypes.to_dtype(target, "dtype", "Module.to")
            if not target.is_floating_point:
                raise TypeError(f"Module.to(): argument 'dtype' must be a floating point dtype (only floating point "
                                f"dtypes are accepted), got {target}")
            for m in self.modules():
                for t in list(m._parameters.values()) + list(m._buffers.values()):
                    if t is not None and t.is_floating_point():
                        t._data = t._data.astype(target.np)
                        if t.grad is not None:
                            t.grad = None
        return self

    def float(self):
        return self.to("float32")

    def double(self):
        return self.to("float64")

    def cpu(self):
        return self

    # ---- state dict ----
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        out = OrderedDict() if destination is None else destination
        for name, mod in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            p = name + "." if name else ""
            for k, v in mod._parameters.items():
                if v is not None:
                    out[p + k] = v if keep_vars else v.detach()
            for k, v in mod._buffers.items():
                if v is not None and k not in mod._non_persistent:
                    out[p + k] = v if keep_vars else v.detach()
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy tensors in by name. With strict=True, missing, unexpected or mis-shaped keys raise
        a RuntimeError listing every offending key; nothing is modified in that case."""
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict(): expected a dict-like state_dict, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched = []
        for k, t in own.items():
            if k in state_dict:
                v = state_dict[k]
                shape = tuple(v.shape) if hasattr(v, "shape") else None
                if shape is None:
                    mismatched.append(f"{k}: expected a tensor, got {type(v).__name__}")
                elif shape != tuple(t.shape):
                    mismatched.append(f"size mismatch for {k}: copying a param with shape {shape} from "
                                      f"checkpoint, the shape in current model is {tuple(t.shape)}.")
        errors = list(mismatched)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if errors:
            raise ArgumentError(f"{type(self).__name__}.load_state_dict(): argument 'state_dict' does not fit: "
                                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" +
                                "\n\t".join(errors))
        with no_grad():
            for k, t in own.items():
                if k not in state_dict:
                    continue
                v = state_dict[k]
                arr = v._data if isinstance(v, Tensor) else np.asarray(v)
                if assign:
                    t._data = np.array(arr, dtype=t._data.dtype)
                else:
                    np.copyto(t._data, arr, casting="unsafe")
                    t._bump()
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ----
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        for name, mod in self._modules.items():
            child = repr(mod).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"

    def summary(self, input_shape, dtype=None, print_fn=print):
        from .summary import summary
        return summary(self, input_shape, dtype=dtype, print_fn=print_fn)
