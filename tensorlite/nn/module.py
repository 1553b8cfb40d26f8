"""Module: the base of every layer: parameters, buffers, children, modes, state dicts, hooks."""
import functools
import sys
import threading
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


_LOCAL = threading.local()     # the copies a load_state_dict() in progress has validated


def _stage(action):
    """Run `action` now, or, inside load_state_dict(), once every key has been checked (so that
    a failing load changes nothing)."""
    pending = getattr(_LOCAL, "pending", None)
    if pending is None:
        action()
    else:
        pending.append(action)


def _shape_of(value):
    return tuple(value.shape) if hasattr(value, "shape") else None


def _as_array(value):
    if isinstance(value, Tensor):
        return value._data
    if hasattr(value, "detach") and hasattr(value, "numpy"):       # a torch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _device_type(device, fname):
    """'cpu' for every spelling of the CPU; ArgumentError naming the device otherwise."""
    dev_cls = sys.modules["tensorlite"].__dict__.get("device")
    if isinstance(device, str):
        kind = device.split(":")[0]
    elif isinstance(dev_cls, type) and isinstance(device, dev_cls):
        kind = getattr(device, "type", str(device))
    elif isinstance(device, int) and not isinstance(device, bool):
        kind = "cuda"                                   # torch reads a bare int as a CUDA ordinal
    else:
        raise TypeError(f"{fname}: argument 'device' must be a device string or a tensorlite device, got "
                        f"{device!r:.60}")
    if kind != "cpu":
        raise ArgumentError(f"{fname}: tensorlite runs on the CPU only; got argument 'device' = {device!r} "
                            f"(use 'cpu')")
    return "cpu"


def _addindent(s, n):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class Module:
    training: bool
    _version = 1       # bumped by subclasses whose state-dict layout changed (see _load_from_state_dict)
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if not self.call_super_init and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if not self.call_super_init and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            f"were given")
        object.__setattr__(self, "training", True)
        for table in ("_parameters", "_buffers", "_modules", "_forward_hooks", "_forward_pre_hooks",
                      "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
                      "_load_state_dict_post_hooks"):
            object.__setattr__(self, table, OrderedDict())
        object.__setattr__(self, "_non_persistent", set())

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

    def _hook_table(self, table):
        return self.__dict__.setdefault(table, OrderedDict())

    def _add_hook(self, table, hook):
        key = object()
        self._hook_table(table)[key] = hook
        return _RemovableHandle(self._hook_table(table), key)

    def register_forward_hook(self, hook):
        return self._add_hook("_forward_hooks", hook)

    def register_forward_pre_hook(self, hook):
        return self._add_hook("_forward_pre_hooks", hook)

    def _register_state_dict_hook(self, hook):
        """hook(module, state_dict, prefix, local_metadata), after the module's entries are in;
        it may return a new state dict."""
        return self._add_hook("_state_dict_hooks", hook)

    def register_state_dict_pre_hook(self, hook):
        """hook(module, prefix, keep_vars), before the module's entries are written."""
        return self._add_hook("_state_dict_pre_hooks", hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """hook([module,] state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs), before this module reads its entries."""
        if with_module:
            return self._add_hook("_load_state_dict_pre_hooks", functools.partial(hook, self))
        return self._add_hook("_load_state_dict_pre_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook):
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """hook(module, incompatible_keys), after the whole load; it may edit the key lists."""
        return self._add_hook("_load_state_dict_post_hooks", hook)

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
        if name not in self._modules and (name in self.__dict__ or name in self._parameters or
                                          name in self._buffers or hasattr(type(self), name)):
            raise KeyError(f"add_module(): attribute '{name}' already exists")
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
        """(name, module) pairs in pre-order; memo is the set of modules already yielded (as PyTorch)."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:                                  # iterative pre-order walk: no recursion limit
            name, mod = stack.pop()
            if remove_duplicate:
                if mod in memo:
                    continue
                memo.add(mod)
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

    def get_buffer(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"{type(mod).__name__} has no buffer `{name}`")
        return mod._buffers[name]

    # ---- modes and bulk operations ----
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError(f"train(): mode is expected to be boolean, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for m in self.children():            # through children's train(), so overrides take part
            m.train(mode)
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

    def _apply(self, fn, recurse=True):
        """fn(tensor) -> tensor on every parameter (in place: the Parameter objects stay), its
        gradient, and every buffer (replaced), as PyTorch's Module._apply."""
        if recurse:
            for m in self.children():
                m._apply(fn)
        for p in self._parameters.values():
            if p is None:
                continue
            p._data = fn(p)._data
            if p.grad is not None:
                p.grad._data = fn(p.grad)._data
        for k, b in self._buffers.items():
            if b is not None:
                self._buffers[k] = fn(b)
        return self

    def _cast(self, target):
        def fn(t):
            if not t.is_floating_point() or t._data.dtype == target.np:
                return t
            return Tensor._wrap(t._data.astype(target.np))
        return self._apply(fn)

    def to(self, *args, **kwargs):
        """to(device=None, dtype=None, non_blocking=False), to(dtype), to(tensor): cast floating-point
        parameters and buffers; the CPU is the only device."""
        from .. import dtypes
        fname = "Module.to()"
        unknown = set(kwargs) - {"device", "dtype", "non_blocking", "memory_format", "copy"}
        if unknown:
            raise TypeError(f"{fname} got an unexpected keyword argument '{sorted(unknown)[0]}'")
        if len(args) > 3:
            raise TypeError(f"{fname} takes at most 3 positional arguments (device, dtype, non_blocking), got "
                            f"{len(args)}")
        target = kwargs.get("dtype")
        if kwargs.get("device") is not None:
            _device_type(kwargs["device"], fname)
        for a in args:
            if a is None or isinstance(a, bool):          # non_blocking
                continue
            if isinstance(a, dtypes.dtype) or (isinstance(a, str) and a in dtypes._NAMES):
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            else:
                _device_type(a, fname)
        if target is not None:
            target = dtypes.to_dtype(target, "dtype", "Module.to")
            if not target.is_floating_point:
                raise TypeError(f"{fname}: argument 'dtype' must be a floating point dtype (nn.Module.to only "
                                f"accepts floating point dtypes), got {target}")
            self._cast(target)
        return self

    def float(self):
        from .. import dtypes
        return self._cast(dtypes.float32)

    def double(self):
        from .. import dtypes
        return self._cast(dtypes.float64)

    def half(self):
        from .. import dtypes
        return self._cast(dtypes.float16)

    def type(self, dst_type):
        from .. import dtypes
        target = dtypes.to_dtype(dst_type, "dst_type", "Module.type")
        return self._apply(lambda t: t if t._data.dtype == target.np else Tensor._wrap(t._data.astype(target.np)))

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise ArgumentError(f"Module.cuda(): tensorlite runs on the CPU only; got argument 'device' = "
                            f"{'cuda' if device is None else device!r} (use .cpu() or .to('cpu'))")

    def share_memory(self):
        return self

    # ---- state dict ----
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for k, v in self._parameters.items():
            if v is not None:
                destination[prefix + k] = v if keep_vars else v.detach()
        for k, v in self._buffers.items():
            if v is not None and k not in self._non_persistent:
                destination[prefix + k] = v if keep_vars else v.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of parameters and persistent buffers, keyed by dotted path; its
        `_metadata` maps each module's prefix to {"version": type(module)._version}."""
        if args:            # PyTorch's deprecated positional form: (destination, prefix, keep_vars)
            if len(args) > 3:
                raise TypeError(f"state_dict() takes at most 3 positional arguments, got {len(args)}")
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self.__dict__.get("_state_dict_pre_hooks", {}).values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, mod in self._modules.items():
            if mod is not None:
                mod.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self.__dict__.get("_state_dict_hooks", {}).values():
            result = hook(self, destination, prefix, local_metadata)
            if result is not None:
                destination = result
        return destination

    def get_extra_state(self):
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called: "
                           "override get_extra_state() and set_extra_state() together")

    def set_extra_state(self, state):
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called: "
                           "override get_extra_state() and set_extra_state() together")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Read this module's own entries (prefix + name) from state_dict, as PyTorch: shape or type
        problems go to error_msgs, absent keys to missing_keys, and (strict) keys under prefix that
        name nothing here to unexpected_keys. Subclasses override it to upgrade old layouts."""
        for hook in self.__dict__.get("_load_state_dict_pre_hooks", {}).values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = {k: v for k, v in self._parameters.items() if v is not None}
        local_state.update((k, v) for k, v in self._buffers.items()
                           if v is not None and k not in self._non_persistent)
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, target in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            shape = _shape_of(value)
            if shape is None:
                error_msgs.append(f'While copying the parameter named "{key}", expected a Tensor (or an array) '
                                  f'from checkpoint but received {type(value)}')
                continue
            if len(target.shape) == 0 and shape == (1,):      # old checkpoints stored scalars as (1,)
                value, shape = _as_array(value).reshape(()), ()
            if shape != tuple(target.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {shape} from "
                                  f"checkpoint, the shape in current model is {tuple(target.shape)}.")
                continue
            _stage(functools.partial(_copy_into, target, value, assign))
        extra_key = prefix + "_extra_state"
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                _stage(functools.partial(self.set_extra_state, state_dict[extra_key]))
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict.keys():
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head, dot, _ = key[len(prefix):].partition(".")
                if dot:
                    if head not in self._modules:
                        unexpected_keys.append(key)
                elif head not in local_state:
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy tensors in by name, each module reading its own entries through _load_from_state_dict.
        Missing / unexpected keys (strict=True) or mis-shaped entries raise a RuntimeError listing
        every offending key; nothing is modified in that case."""
        if not hasattr(state_dict, "items") or not hasattr(state_dict, "keys"):
            raise TypeError(f"load_state_dict(): expected a dict-like state_dict, got {type(state_dict).__name__}")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)          # hooks may edit it; the caller's stays as it was
        if metadata is not None:
            state_dict._metadata = metadata
        previous = getattr(_LOCAL, "pending", None)
        _LOCAL.pending = pending = []
        try:
            stack = [(self, state_dict, "")]
            while stack:
                mod, local, prefix = stack.pop()
                local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
                if assign:
                    local_metadata["assign_to_params_buffers"] = assign
                mod._load_from_state_dict(local, prefix, local_metadata, True, missing, unexpected, errors)
                children = []
                for name, child in mod._modules.items():
                    if child is not None:
                        child_prefix = prefix + name + "."
                        children.append((child, {k: v for k, v in local.items() if k.startswith(child_prefix)},
                                         child_prefix))
                stack.extend(reversed(children))
        finally:
            _LOCAL.pending = previous
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
            for action in pending:
                action()
        result = IncompatibleKeys(missing, unexpected)
        for mod in self.modules():
            for hook in mod.__dict__.get("_load_state_dict_post_hooks", {}).values():
                hook(mod, result)
        return result

    # ---- printing ----
    def extra_repr(self):
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(mod), 2) for name, mod in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def summary(self, input_size, dtype=None, print_fn=print, batch_dim=None):
        """Keras-style table of layers, output shapes and parameter counts (see nn/summary.py);
        `input_size` includes the batch dimension, as torchinfo's."""
        from .summary import summary
        return summary(self, input_size, dtype=dtype, print_fn=print_fn, batch_dim=batch_dim)


def _copy_into(target, value, assign):
    arr = _as_array(value)
    if assign:
        target._data = np.array(arr, dtype=target._data.dtype)
    else:
        np.copyto(target._data, arr, casting="unsafe")
        target._bump()
