"""The package's import graph, read from the source (no import runs), checked against the layer
order that ARCHITECTURE.md writes down once.

    python tests/import_layers.py      # prints every violation; exit status 1 if there is one

An edge A -> B is an `import` or `from ... import` in module A naming module B (at module level or
inside a function: a lazy import is still a dependency). Importing `a.b.c` also runs the packages
`a` and `a.b`, but those edges are not counted: a package's `__init__` is its public face and sits
at the layer of its highest submodule, so a lower module that imports a sibling through it would
otherwise always look like a cycle. Rules:
* no edge from a lower layer to a higher one, except the back-edges ARCHITECTURE.md lists;
* no cycle among module-level imports, counting lazy ones too (a lazy import that closes a
  circle is the usual way to hide one), again except the listed back-edges.
"""
import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "tensorlite"


def read_layers(path=os.path.join(ROOT, "ARCHITECTURE.md")):
    """(layers, back_edges) from ARCHITECTURE.md: the rows of the table under '## Layers'
    (`| n | name | `mod`, `mod.sub`, ... |`, bottom first) and the bullet list under
    '### Allowed back-edges' (`- `a` -> `b`: why`)."""
    text = open(path, encoding="utf-8").read()
    layers_part = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers = []
    for line in layers_part.splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|([^|]+)\|", line)
        if m:
            layers.append((int(m.group(1)), m.group(2), [_short(n) for n in re.findall(r"`([\w.]+)`", m.group(3))]))
    back = []
    if "### Allowed back-edges" in layers_part:
        for line in layers_part.split("### Allowed back-edges", 1)[1].splitlines():
            m = re.match(r"-\s*`([\w.]+)`\s*->\s*`([\w.]+)`", line.strip())
            if m:
                back.append((_short(m.group(1)), _short(m.group(2))))
    return layers, back


def _long(name):
    return f"{PACKAGE}.{name}" if name else PACKAGE


def _short(name):
    """`tensorlite.nn.functional` -> `nn.functional`; the package itself -> ''."""
    return "" if name == PACKAGE else name[len(PACKAGE) + 1:] if name.startswith(PACKAGE + ".") else name


def modules(root=ROOT):
    """Dotted names (without the package prefix; '' is the package itself) -> file path."""
    out = {}
    base = os.path.join(root, PACKAGE)
    for dirpath, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            if f.endswith(".so"):           # a compiled extension (the cffi module _C): imports nothing
                path, f = None, f.split(".")[0] + ".py"
            elif f.endswith(".py"):
                path = os.path.join(dirpath, f)
            else:
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), base)[:-3].replace(os.sep, ".")
            if rel.endswith("__init__"):
                rel = rel[:-len("__init__")].rstrip(".")
            out[rel] = path
    return out


def _resolve(mods, name):
    """The longest known module that `name` (dotted, relative to the package) is or is inside."""
    parts = name.split(".") if name else []
    while parts:
        cand = ".".join(parts)
        if cand in mods:
            return cand
        parts.pop()
    return ""


def edges(mods):
    """{(a, b): (lineno, lazy)} for every import in module a of module b (a != b)."""
    found = {}
    for mod, path in mods.items():
        if path is None:
            continue
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        is_pkg = path.endswith("__init__.py")
        pkg = mod if is_pkg else mod.rpartition(".")[0]
        lazy_lines = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        lazy_lines.add(id(sub))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                        targets.append(alias.name[len(PACKAGE) + 1:])
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".") if pkg else []
                    base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                    where = ".".join(base + ([node.module] if node.module else []))
                elif node.module == PACKAGE or (node.module or "").startswith(PACKAGE + "."):
                    where = node.module[len(PACKAGE) + 1:]
                else:
                    continue
                for alias in node.names:     # `from pkg import submodule` names the submodule
                    sub = f"{where}.{alias.name}" if where else alias.name
                    targets.append(sub if sub in mods else where)
            for t in targets:
                b = _resolve(mods, t)
                if b != mod:
                    key = (mod, b)
                    lazy = id(node) in lazy_lines
                    if key not in found or (found[key][1] and not lazy):
                        found[key] = (node.lineno, lazy)
    return found


def layer_of(layers):
    """A function: module name -> (layer number, layer name), by the longest listed prefix."""
    table = {}
    for n, name, mods in layers:
        for m in mods:
            table[m] = (n, name)

    def of(mod):
        parts = mod.split(".") if mod else []
        while True:
            cand = ".".join(parts)
            if cand in table:
                return table[cand]
            if not parts:
                return None
            parts.pop()
    return of


def violations(root=ROOT):
    mods = modules(root)
    layers, back = read_layers(os.path.join(root, "ARCHITECTURE.md"))
    of = layer_of(layers)
    allowed = set(back)
    graph = edges(mods)
    problems = []
    for mod in sorted(mods):
        if of(mod) is None:
            problems.append(f"{_long(mod)}: in no layer of ARCHITECTURE.md")
    for (a, b), (line, lazy) in sorted(graph.items()):
        la, lb = of(a), of(b)
        if la and lb and lb[0] > la[0] and (a, b) not in allowed:
            problems.append(f"upward import: {_long(a)} (layer {la[0]} {la[1]}) imports {_long(b)} "
                            f"(layer {lb[0]} {lb[1]}) at line {line}{' (lazy)' if lazy else ''}")
    problems += [f"import cycle: {' -> '.join(_long(m) for m in c)}"
                 for c in cycles({k for k in graph if k not in allowed})]
    return problems


def cycles(edge_set):
    """One cycle per strongly connected component of more than one module (Tarjan, iterative)."""
    succ = {}
    for a, b in edge_set:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for start in sorted(succ):
        if start in index:
            continue
        work = [(start, iter(sorted(succ[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(_one_cycle(sorted(comp), succ))
    return comps


def _one_cycle(comp, succ):
    """A shortest cycle through the component's first module (breadth-first within the component)."""
    inside, first = set(comp), comp[0]
    prev, frontier = {first: None}, [first]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(succ[v]):
                if w == first:          # walk back from v to first, then close the circle
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return path[::-1] + [first]
                if w in inside and w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp


if __name__ == "__main__":
    found = violations()
    print("\n".join(found) if found else "import layers: no violations")
    sys.exit(1 if found else 0)
