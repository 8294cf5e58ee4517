"""Print-ready sheets: an A4 portrait HTML page, a LaTeX document and Markdown, and their keys.

Every sheet has name and date fields, the drawing laid out to fit, and the table
(order | node | made by | value | grad). A table of more than :data:`SPLIT` rows is set in
two halves side by side, so the largest level still fits one page with a readable drawing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..textsafe import escape_html, latex_text, md_text
from ..tutor import Worksheet
from ..tutor.report import fmt as num
from .drawing import graph_svgs
from .key import KeyRow, key_rows
from .roster import Student

__all__ = [
    "SPLIT",
    "drawings",
    "graph_box",
    "key_html",
    "key_json",
    "key_markdown",
    "sheet_html",
    "sheet_latex",
    "sheet_markdown",
]

SPLIT = 16
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 12.0  # A4 portrait, millimetres
ROW_MM = 6.6  # room to write a number by hand
HEADER_MM = 30.0
SLACK_MM = 16.0
LATEX_GRAPH = "graph-{}.pdf"

_CSS = (
    "@page{size:A4 portrait;margin:12mm}"
    "html,body{margin:0;padding:0}"
    "body{font:10pt/1.25 Helvetica,Arial,sans-serif;color:#000;width:186mm}"
    "h1{font-size:14pt;margin:0 0 2mm}"
    ".who{display:flex;gap:6mm;margin:0 0 2mm;align-items:baseline}"
    ".who span{flex:1 1 0;min-width:0;border-bottom:0.3mm solid #000;padding:0 1mm;"
    "height:5mm;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    ".note{margin:0 0 2mm;font-size:9pt}"
    ".graph{display:flex;justify-content:center;margin:0 0 3mm}"
    ".tables{display:flex;gap:4mm;align-items:flex-start}"
    "table{border-collapse:collapse;flex:1}"
    "th,td{border:0.25mm solid #444;padding:0 1.5mm;height:" + f"{ROW_MM}mm" + ";font-size:9.5pt}"
    "th{background:#eee;text-align:left}"
    "td.n,th.n{text-align:right}td.g{min-width:24mm}td:nth-child(3){white-space:nowrap}"
    ".chain{font-size:8.5pt}"
    "@media screen{body{margin:12mm auto}}"
)


def _halves(rows: Sequence[tuple[str, ...]]) -> list[Sequence[tuple[str, ...]]]:
    if len(rows) <= SPLIT:
        return [rows]
    half = (len(rows) + 1) // 2
    return [rows[:half], rows[half:]]


def _table_rows(ws: Worksheet, answers: bool) -> list[tuple[str, ...]]:
    return [
        (str(r.order), r.node, r.made_by, num(r.value), num(r.grad) if answers else "")
        for r in key_rows(ws)
    ]


def graph_box(rows: int) -> tuple[float, float]:
    """The room (width, height in mm) left for the drawing on a page with ``rows`` rows."""
    shown = rows if rows <= SPLIT else (rows + 1) // 2
    height = PAGE_H - 2 * MARGIN - HEADER_MM - (shown + 1) * ROW_MM - SLACK_MM
    return PAGE_W - 2 * MARGIN, max(30.0, height)


def _html_tables(rows: Sequence[tuple[str, ...]], chain: Sequence[str] | None = None) -> str:
    head = "<tr><th class=n>#</th><th>node</th><th>made by</th><th class=n>value</th>"
    head += "<th class=n>∂L/∂node</th>" + ("<th>chain rule</th>" if chain else "") + "</tr>"
    out = []
    parts = [rows] if chain else _halves(rows)
    for part in parts:
        body = ""
        for r in part:
            body += (
                f"<tr><td class=n>{escape_html(r[0])}</td><td>{escape_html(r[1])}</td>"
                f"<td>{escape_html(r[2])}</td><td class=n>{escape_html(r[3])}</td>"
                f"<td class='n g'>{escape_html(r[4])}</td>"
            )
            if chain:
                body += f"<td class=chain>{escape_html(chain[int(r[0]) - 1])}</td>"
            body += "</tr>"
        out.append(f"<table>{head}{body}</table>")
    return f'<div class="tables">{"".join(out)}</div>'


def _page(title: str, body: str, student: Student, meta: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="tinygrad-edu-student" content="{escape_html(student.id)}">{meta}'
        f"<title>{escape_html(title)} — {escape_html(student.name)}</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def drawings(sheets: Sequence[Worksheet]) -> list[tuple[str, str]]:
    """Each sheet's drawing as inline SVG sized for its page, and the direction chosen."""
    items = [(ws.nodes, *graph_box(len(ws.nodes))) for ws in sheets]
    return [(svg, rankdir) for svg, _, rankdir in graph_svgs(items)]


def sheet_html(ws: Worksheet, student: Student, title: str, svg: str) -> str:
    """The sheet as one A4 portrait page: title, name/date fields, the drawing, the table.

    ``svg`` is the drawing from :func:`drawings`.
    """
    rows = _table_rows(ws, answers=False)
    body = (
        f"<h1>{escape_html(title)}</h1>"
        f'<div class="who">Name: <span>{escape_html(student.name)}</span>'
        f"Id: <span>{escape_html(student.id)}</span>Date: <span></span></div>"
        f'<p class="note">Level {ws.level}. Every value is given; write ∂L/∂node for every '
        "node (from L backwards: each node sums ∂user/∂node · ∂L/∂user over its users).</p>"
        f'<div class="graph">{svg}</div>{_html_tables(rows)}'
    )
    return _page(title, body, student, "")


def sheet_markdown(ws: Worksheet, student: Student, title: str) -> str:
    """The sheet as Markdown: the fields, then the table to fill in (``grade`` reads it)."""
    table = ws.markdown().splitlines()[2:]  # the tutor's table, without its own heading
    return (
        "\n".join(
            [
                f"# {md_text(title)}",
                "",
                f"Name: {md_text(student.name)}  ",
                f"Student id: {md_text(student.id)}  ",
                "Date:  ",
                "",
                f"Level {ws.level}: fill in every gradient ∂L/∂node (the values are given).",
                "",
                *table,
            ]
        )
        + "\n"
    )


def _latex_tabular(rows: Sequence[tuple[str, ...]]) -> str:
    out = [
        r"\begin{tabular}[t]{|r|l|l|r|p{24mm}|}\hline",
        r"\# & node & made by & value & $\partial L/\partial$node \\ \hline",
    ]
    for r in rows:
        out.append(" & ".join(latex_text(c) for c in r) + r" \\ \hline")
    out.append(r"\end{tabular}")
    return "\n".join(out)


def sheet_latex(ws: Worksheet, student: Student, title: str, graph_pdf: str | None) -> str:
    """A complete LaTeX document (pdflatex) for the sheet; ``graph_pdf`` beside it, if any."""
    rows = _table_rows(ws, answers=False)
    width, height = graph_box(len(rows))
    if graph_pdf:
        picture = (
            rf"\includegraphics[width={width:.0f}mm,height={height:.0f}mm,keepaspectratio]"
            f"{{{graph_pdf}}}"
        )
    else:
        picture = r"\emph{(the drawing is in the HTML sheet)}"
    tables = r"\hfill".join(_latex_tabular(part) for part in _halves(rows))
    return "\n".join(
        [
            r"\documentclass[a4paper,10pt]{article}",
            r"\usepackage[a4paper,margin=12mm]{geometry}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage[utf8]{inputenc}",
            r"\usepackage{graphicx}",
            r"\pagestyle{empty}",
            r"\renewcommand{\arraystretch}{1.45}",
            r"\begin{document}",
            rf"\section*{{{latex_text(title)}}}",
            rf"\noindent Name: \underline{{\makebox[70mm][l]{{{latex_text(student.name)}}}}}"
            rf"\hfill Id: \texttt{{{latex_text(student.id)}}}"
            r"\hfill Date: \underline{\makebox[35mm]{}}\par\medskip",
            rf"\noindent Level {ws.level}. Every value is given; write $\partial L/\partial$node"
            r" for every node.\par\medskip",
            rf"\begin{{center}}{picture}\end{{center}}",
            r"\noindent " + tables,
            r"\end{document}",
            "",
        ]
    )


def _key_table_rows(rows: Sequence[KeyRow]) -> list[tuple[str, ...]]:
    return [(str(r.order), r.node, r.made_by, num(r.value), num(r.grad)) for r in rows]


def key_html(ws: Worksheet, student: Student, title: str) -> str:
    """The key as an HTML page: every gradient with the chain-rule line behind it."""
    rows = key_rows(ws)
    body = (
        f"<h1>{escape_html(title)}: answer key</h1>"
        f'<div class="who">Name: <span>{escape_html(student.name)}</span>'
        f"Id: <span>{escape_html(student.id)}</span></div>"
        f'<p class="note">Level {ws.level}, seed {ws.seed}. Partial credit by hand: each '
        "gradient is the sum on its line; a wrong factor shows where a mistake began.</p>"
        + _html_tables(_key_table_rows(rows), [r.chain for r in rows])
    )
    return _page(f"{title}: answer key", body, student, "")


def key_markdown(ws: Worksheet, student: Student, title: str) -> str:
    """The key as Markdown: the table with a chain-rule column."""
    out = [
        f"# {md_text(title)}: answer key",
        "",
        f"Name: {md_text(student.name)}  ",
        f"Student id: {md_text(student.id)}  ",
        f"Level {ws.level}, seed {ws.seed}",
        "",
        "| # | node | made by | value | ∂L/∂node | chain rule |",
        "|---:|:---|:---|---:|---:|:---|",
    ]
    for r in key_rows(ws):
        out.append(
            f"| {r.order} | {r.node} | {r.made_by} | {num(r.value)} | {num(r.grad)} | "
            f"{r.chain.replace('|', chr(92) + '|')} |"
        )
    return "\n".join(out) + "\n"


def key_json(ws: Worksheet, student: Student) -> str:
    """The key as JSON: the student, seed, level, {node: grad} and {node: chain-rule line}."""
    rows = key_rows(ws)
    data = {
        "student": student.id,
        "name": student.name,
        "seed": ws.seed,
        "level": ws.level,
        "answers": {r.node: r.grad for r in rows},
        "chain": {r.node: r.chain for r in rows},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
