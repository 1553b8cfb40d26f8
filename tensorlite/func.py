"""tensorlite.func.functional_call (torch.func's): call a module with some of its parameters and
buffers replaced by the given tensors, e.g. to gradcheck a layer with respect to its weights:

    w = layer.weight.detach().double().requires_grad_()
    tl.autograd.gradcheck(lambda w, x: tl.func.functional_call(layer, {"weight": w}, (x,)), (w, x))

The module's own tensors are put back afterwards, even if the call raises."""
from .tensor import Tensor

__all__ = ["functional_call"]


def _owner(module, dotted):
    *path, leaf = dotted.split(".")
    m = module
    for p in path:
        m = m._modules.get(p) if p in m._modules else None
        if m is None:
            return None, leaf
    return m, leaf


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    from .nn.module import Module
    if not isinstance(module, Module):
        raise TypeError(f"functional_call(): argument 'module' must be a tensorlite.nn.Module, got "
                        f"{type(module).__name__}")
    dicts = parameter_and_buffer_dicts
    dicts = [dicts] if isinstance(dicts, dict) else list(dicts)
    merged = {}
    for d in dicts:
        for k, v in d.items():
            if k in merged:
                raise ValueError(f"functional_call(): {k!r} appeared in multiple dictionaries; behavior of "
                                 f"functional call is ambiguous")
            if not isinstance(v, Tensor):
                raise TypeError(f"functional_call(): the value for {k!r} must be a Tensor, got {type(v).__name__}")
            merged[k] = v
    known = dict(_all_tensors(module, ""))
    if strict:
        missing = [k for k in known if k not in merged]
        unexpected = [k for k in merged if k not in known]
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(lines))
    if tie_weights:
        # a tensor shared under several names (tied weights) is replaced under all of them
        by_id = {}
        for name, t in known.items():
            by_id.setdefault(id(t), []).append(name)
        for name in list(merged):
            if name in known:
                for alias in by_id[id(known[name])]:
                    merged.setdefault(alias, merged[name])
    saved = []
    try:
        for name, t in merged.items():
            owner, leaf = _owner(module, name)
            if owner is None:
                continue
            table = owner._parameters if leaf in owner._parameters else \
                owner._buffers if leaf in owner._buffers else None
            if table is None:
                continue
            saved.append((table, leaf, table[leaf]))
            table[leaf] = t
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for table, leaf, old in reversed(saved):
            table[leaf] = old


def _all_tensors(module, prefix):
    """(dotted name, tensor) of every parameter and buffer, shared ones under each of their names."""
    for table in (module._parameters, module._buffers):
        for k, v in table.items():
            if v is not None:
                yield prefix + k, v
    for k, m in module._modules.items():
        if m is not None:
            yield from _all_tensors(m, f"{prefix}{k}.")
