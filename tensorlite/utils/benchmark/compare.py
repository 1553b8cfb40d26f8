"""Compare: side-by-side tables of Measurements (torch.utils.benchmark.Compare's layout).

One table per `label`; rows are `sub_label`s (grouped by thread count), columns are
`description`s (e.g. "tensorlite" and "torch"); each cell is a median in one common unit."""
from .timer import Measurement, _unit


class Compare:
    def __init__(self, results):
        for r in results:
            if not isinstance(r, Measurement):
                raise TypeError(f"Compare: expected Measurements, got {type(r).__name__}")
        self._results = list(results)
        self._trim = False
        self._colorize = False
        self._highlight = False

    def extend_results(self, results):
        self._results.extend(results)

    def trim_significant_figures(self):
        self._trim = True

    def colorize(self, rowwise=False):
        self._colorize = "row" if rowwise else "column"

    def highlight_warnings(self):
        self._highlight = True

    def print(self):
        print(str(self))

    def _table(self, label, ms):
        columns = list(dict.fromkeys(m.description or "" for m in ms))
        rows = {}
        for m in ms:
            rows.setdefault((m.num_threads, m.as_row_name), {})[m.description or ""] = m
        scale, unit = _unit(min(m.median for m in ms))
        cells = {}
        for key, by_col in rows.items():
            best = min(m.median for m in by_col.values())
            for c, m in by_col.items():
                text = self._cell(m, scale)
                if self._colorize and len(by_col) > 1 and m.median == best:
                    text = f"\033[1m\033[32m{text}\033[0m"
                if self._highlight and m.has_warnings:
                    text += " (! {:.0f}%)".format(100 * m.iqr / m.median)
                cells[key, c] = text
        name_w = max([len(str(k[1])) for k in rows] + [1])
        widths = {c: max([len(c)] + [len(_plain(cells.get((k, c), ""))) for k in rows]) for c in columns}
        header = " " * (name_w + 4) + "|" + "|".join(f"  {c:^{widths[c]}}  " for c in columns)
        lines = [header]
        for threads in sorted({k[0] for k in rows}):
            lines.append(f"{threads} threads: " + "-" * max(len(header) - len(f"{threads} threads: "), 1))
            for key in rows:
                if key[0] != threads:
                    continue
                row = f"  {str(key[1]):>{name_w}}  |"
                row += "|".join(f"  {_pad(cells.get((key, c), ''), widths[c])}  " for c in columns)
                lines.append(row)
        width = max(len(_plain(line)) for line in lines)
        title = f" {label} " if label else ""
        side = max(width - len(title), 2)
        lines.insert(0, "[" + "-" * (side // 2) + title + "-" * (side - side // 2) + "]")
        lines.append("")
        lines.append(f"Times are in {_UNIT_NAMES[unit]} ({unit}).")
        return "\n".join(lines)

    def _cell(self, m, scale):
        v = m.median / scale
        if self._trim:
            digits = max(m.significant_figures, 1)
            text = f"{v:.{digits}g}"
            if "e" in text:
                text = f"{v:.0f}"
            return text
        return f"{v:.1f}"

    def __str__(self):
        groups = {}
        for m in self._results:
            groups.setdefault(m.label, []).append(m)
        return "\n\n".join(self._table(label, ms) for label, ms in groups.items()) + "\n"


_UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


def _plain(text):
    import re
    return re.sub(r"\033\[[0-9;]*m", "", text)


def _pad(text, width):
    return text + " " * (width - len(_plain(text)))
