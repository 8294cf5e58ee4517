"""Worksheets: a seeded random graph to backpropagate by hand, its blank table and answer key."""

from __future__ import annotations

import html
import json
import random
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..engine import Value, topo_order
from ..fileio import atomic_write_text
from ..textsafe import md_text, md_unescape
from .graphs import reference_grads
from .report import Report, fmt
from .table import check_gradients

LEVELS = (1, 2, 3, 4)
LEVEL_NAMES = {
    1: "one operation: a 3-node expression",
    2: "a small expression with a node used twice",
    3: "one tanh neuron with a squared error",
    4: "two layers: two tanh neurons sharing their inputs, and an output neuron",
}


def _number(rng: random.Random) -> float:
    """A one-decimal number in [−2, 2], never 0: easy to compute with by hand."""
    return rng.choice([k / 10 for k in range(-20, 21) if k != 0])


def _leaf(rng: random.Random, name: str) -> Value:
    return Value(_number(rng), name)


def _op(rng: random.Random, a: Value, b: Value, minus: bool = True) -> Value:
    """a + b, a · b or (with ``minus``) a − b, which the engine builds as a + (−b)."""
    kind = rng.choice("+*-" if minus else "+*")
    return a + b if kind == "+" else a * b if kind == "*" else a - b


def _build(level: int, rng: random.Random) -> Value:
    if level == 1:
        a, b = _leaf(rng, "a"), _leaf(rng, "b")
        return _op(rng, a, b, minus=False)
    if level == 2:
        a, b, c = _leaf(rng, "a"), _leaf(rng, "b"), _leaf(rng, "c")
        d = _op(rng, a, b)
        d.label = "d"
        e = _op(rng, d, c)
        e.label = "e"
        return e * a  # a is used twice: credit assignment
    # the networks are named as the delta equations name them (tinygrad_edu.names)
    if level == 3:
        x1, x2 = _leaf(rng, "x[0]"), _leaf(rng, "x[1]")
        w1, w2, b = _leaf(rng, "W1[0, 0]"), _leaf(rng, "W1[0, 1]"), _leaf(rng, "b1[0]")
        y = _leaf(rng, "y")
        n = x1 * w1 + x2 * w2 + b
        n.label = "z1[0]"
        o = n.tanh()
        o.label = "a1[0]"
        e = o - y
        e.label = "e"
        return e * e
    x1, x2 = _leaf(rng, "x[0]"), _leaf(rng, "x[1]")
    hs = []
    for j in (0, 1):
        w1, w2 = _leaf(rng, f"W1[{j}, 0]"), _leaf(rng, f"W1[{j}, 1]")
        b = _leaf(rng, f"b1[{j}]")
        n = x1 * w1 + x2 * w2 + b
        n.label = f"z1[{j}]"
        h = n.tanh()
        h.label = f"a1[{j}]"
        hs.append(h)
    v1, v2 = _leaf(rng, "W2[0, 0]"), _leaf(rng, "W2[0, 1]")
    c, y = _leaf(rng, "b2[0]"), _leaf(rng, "y")
    out = hs[0] * v1 + hs[1] * v2 + c
    out.label = "z2[0]"  # a linear output: ŷ = z2[0]
    e = out - y
    e.label = "e"
    return e * e


def _label_all(root: Value) -> list[Value]:
    """Name the root L and every unnamed node t1, t2, … in forward order."""
    root.label = root.label or "L"
    order = topo_order(root)
    k = 0
    for node in order:
        if not node.label:
            k += 1
            node.label = f"t{k}"
    return order


def _number_cell(text: str, row: int) -> float | None:
    cell = text.strip().replace("−", "-")
    if not cell:
        return None
    try:
        return float(cell)
    except ValueError:
        raise ValueError(
            f"read_table: row {row}: the grad {text.strip()!r} is not a number"
        ) from None


def read_table(text: str) -> dict[str, float | None]:
    """The answers of a filled Markdown worksheet table: {node: grad}, None where blank.

    >>> read_table("| order | node | made by | value | grad |\\n|---|---|---|---|---|\\n"
    ...            "| 1 | a | given | 2 | −3.5 |\\n| 2 | L | *(a, a) | 4 |  |")
    {'a': -3.5, 'L': None}
    """
    if not isinstance(text, str):
        raise TypeError(f"read_table: text must be a str, got {checks.show(text)}")
    out: dict[str, float | None] = {}
    for k, line in enumerate(text.splitlines(), 1):
        cells = line.strip().strip("|").split("|")
        if not line.strip().startswith("|") or len(cells) != 5:
            continue
        if not cells[0].strip().isdigit():
            continue  # the header and the |---| rule
        out[md_unescape(cells[1].strip())] = _number_cell(cells[4], k)
    if not out:
        raise ValueError("read_table: no table rows (| order | node | made by | value | grad |)")
    return out


def _table_texts(text: str) -> dict[str, str | None]:
    """The answers of a filled table as written (digits kept, for the hand-work tolerance)."""
    numbers = read_table(text)  # validates every cell
    out: dict[str, str | None] = {}
    for line in text.splitlines():
        cells = line.strip().strip("|").split("|")
        if line.strip().startswith("|") and len(cells) == 5 and cells[0].strip().isdigit():
            key = md_unescape(cells[1].strip())
            out[key] = None if numbers.get(key) is None else cells[4].strip()
    return out


def student_seed(seed: int, student: str) -> int:
    """The seed of one student's variant: stable across runs and machines (CRC-32).

    >>> student_seed(11, "ada")
    251830818
    """
    return zlib.crc32(f"{seed}:{student}".encode())


@dataclass
class Worksheet:
    """A graph to backpropagate by hand: ``root``, its ``nodes`` in forward order, the key."""

    seed: int
    level: int
    student: str | None
    root: Value
    nodes: list[Value]
    answer_key: dict[str, float]

    @property
    def title(self) -> str:
        """'Worksheet, level K (seed N[, student])'."""
        who = f", {self.student}" if self.student else ""
        return f"Backprop worksheet, level {self.level} (seed {self.seed}{who})"

    def _rows(self, answers: bool) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for k, n in enumerate(self.nodes, 1):
            how = f"{n.op}({', '.join(p.label for p in n.parents)})" if n.parents else "given"
            value = fmt(n.data)  # the drawing shows every value: the exercise is the grads
            grad = fmt(self.answer_key[n.label]) if answers else ""
            rows.append((str(k), n.label, how, value, grad))
        return rows

    def markdown(self, answers: bool = False) -> str:
        """The table (order | node | made by | value | grad) in Markdown, blank or filled.

        >>> print(worksheet(3, 1).markdown(answers=True).splitlines()[-1])
        | 3 | L | +(a, b) | 1.3 | 1 |
        """
        head = "answer key" if answers else "fill in every gradient ∂L/∂node"
        title = md_text(self.title)
        out = [f"## {title}: {head}", "", "| order | node | made by | value | grad |"]
        out.append("|---:|:---|:---|---:|---:|")
        out += [f"| {' | '.join(md_text(c) for c in r)} |" for r in self._rows(answers)]
        return "\n".join(out) + "\n"

    def latex(self, answers: bool = False) -> str:
        """The table as a LaTeX tabular (blank cells are ruled for handwriting).

        >>> print(worksheet(3, 1).latex().splitlines()[2])
        1 & a & given & -0.5 & \\rule{5em}{0.4pt} \\\\
        """
        blank = r"\rule{5em}{0.4pt}"

        def cell(text: str) -> str:
            return text.replace("_", r"\_").replace("−", "-") or blank

        out = [
            r"\begin{tabular}{rlllr}",
            r"order & node & made by & value & $\partial L/\partial$node \\ \hline",
        ]
        for r in self._rows(answers):
            out.append(" & ".join(cell(c) if i >= 3 else c.replace("_", r"\_")
                                  for i, c in enumerate(r)) + r" \\")  # fmt: skip
        out.append(r"\end{tabular}")
        return "\n".join(out) + "\n"

    def html(self, answers: bool = False, picture: str = "") -> str:
        """A self-contained page: the title, the picture (SVG or Mermaid text) and the table."""
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
            for r in self._rows(answers)
        )
        what = "answer key" if answers else "fill in every gradient ∂L/∂node (values are given)"
        return (
            '<!doctype html><html><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:4px 14px;min-width:4em}"
            "td:nth-child(4),td:nth-child(5){text-align:right;min-width:7em}</style></head><body>"
            f"<h2>{html.escape(self.title)}</h2><p>{html.escape(LEVEL_NAMES[self.level])}; "
            f"{what}.</p>{picture}<table><tr><th>order</th><th>node</th><th>made by</th>"
            f"<th>value</th><th>grad</th></tr>{cells}</table></body></html>\n"
        )

    def dot(self) -> str:
        """The drawing as DOT text (values shown, gradients left for the student)."""
        from ..viz import draw_dot

        return str(draw_dot(self.root, show_grad=False, show_local_grads=False).source)

    def mermaid(self) -> str:
        """The drawing as Mermaid flowchart text (no program needed to show it)."""
        from ..viz import to_mermaid

        return to_mermaid(self.root, show_grad=False, show_local_grads=False)

    def check(
        self,
        answers: Mapping[str, float | str | None] | str,
        *,
        digits: int | None = None,
        tol: float | None = None,
    ) -> Report:
        """check_gradients on this graph: ``answers`` is {node: ∂L/∂node} or the filled table.

        Hand work is right to the digits written (the key as printed passes); ``digits=`` or
        ``tol=`` set the tolerance instead (see :func:`check_gradients`).

        >>> ws = worksheet(3, 1)
        >>> filled = ws.markdown().replace("| 1.3 |  |", "| 1.3 | 1 |")
        >>> ws.check(filled).first_wrong.where
        'node b'
        """
        if isinstance(answers, str):
            answers = _table_texts(answers)
        return check_gradients(self.root, answers, digits=digits, tol=tol)

    def save(self, folder: str | Path) -> list[Path]:
        """Write the worksheet and its answer key into ``folder``; returns the paths written.

        worksheet.{md,tex,html} and answer_key.{md,html,json}; the drawing as graph.svg when
        Graphviz's ``dot`` is installed, and always as graph.dot and graph.mmd (Mermaid).

        >>> import tempfile
        >>> paths = worksheet(3, 1).save(tempfile.mkdtemp())
        >>> sorted(p.name for p in paths)[:3]
        ['answer_key.html', 'answer_key.json', 'answer_key.md']
        """
        from ..viz import GraphvizNotFound, render

        out = Path(folder)
        paths = [
            atomic_write_text(out / "graph.dot", self.dot(), "worksheet"),
            atomic_write_text(out / "graph.mmd", self.mermaid(), "worksheet"),
        ]
        try:
            svg = render(self.root, out / "graph.svg", show_grad=False, show_local_grads=False)
            picture = svg.read_text(encoding="utf-8")
            picture = picture[picture.find("<svg") :]
            paths.append(svg)
        except GraphvizNotFound:
            picture = f'<pre class="mermaid">{html.escape(self.mermaid())}</pre>'
        key = json.dumps(self.answer_key, indent=1, ensure_ascii=False)
        for name, text in [
            ("worksheet.md", self.markdown()),
            ("worksheet.tex", self.latex()),
            ("worksheet.html", self.html(picture=picture)),
            ("answer_key.md", self.markdown(answers=True)),
            ("answer_key.html", self.html(answers=True, picture=picture)),
            ("answer_key.json", key + "\n"),
        ]:
            paths.append(atomic_write_text(out / name, text, "worksheet"))
        return paths


def worksheet(seed: int, level: int = 1, student: str | None = None) -> Worksheet:
    """A seeded random graph of ``level`` 1–4 with its blank table and answer key.

    The same (seed, level, student) always gives the same sheet; ``student`` picks that
    student's own variant of the numbers and operations.

    >>> ws = worksheet(seed=3, level=1)
    >>> [n.label for n in ws.nodes], ws.answer_key["L"]
    (['a', 'b', 'L'], 1.0)
    >>> ws.check(ws.answer_key).ok
    True
    """
    s = checks.count(seed, "worksheet", "seed")
    lvl = checks.one_of(level, "worksheet", "level", LEVELS)
    if student is not None and not isinstance(student, str):
        raise TypeError(f"worksheet: student must be a str, got {checks.show(student)}")
    rng = random.Random(student_seed(s, student) if student else s)
    root = _build(lvl, rng)
    order = _label_all(root)
    grads = reference_grads(root)
    return Worksheet(s, lvl, student, root, order, {n.label: grads[n] for n in order})
