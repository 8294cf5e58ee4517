"""The class at a glance: one offline HTML page drawn with inline SVG and CSS (no script).

From the explorer's answer files: a phase ①–④ × layer heatmap of first-try errors, the top
diagnoses with counts and one example each, and per-item difficulty; from a gradebook, the
score distribution and how many students each diagnosis touched.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from ..textsafe import escape_html
from ..tutor import BUGS
from .answers import PHASES

__all__ = ["class_summary", "dashboard_html"]

_CSS = (
    "body{font:14px/1.4 system-ui,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;"
    "color:#1b1b1b;padding:0 16px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;"
    "margin:28px 0 8px}p.sub{color:#555;margin:0 0 8px}.cards{display:flex;gap:12px;"
    "flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:8px;padding:8px 14px;min-width:"
    "120px}.card b{display:block;font-size:22px}.grid{display:grid;grid-template-columns:"
    "1fr 1fr;gap:24px}@media(max-width:800px){.grid{grid-template-columns:1fr}}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:"
    "4px 6px;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}code{background:#f4f4f4;padding:0 3px;border-radius:3px}svg text{font:"
    "12px system-ui,Helvetica,Arial,sans-serif}"
)


def _heat(rate: float) -> str:
    """White → red as the error rate goes 0 → 1 (60 % and up is full red)."""
    t = min(1.0, rate / 0.6)
    g = round(245 - 170 * t)
    return f"rgb({round(250 - 30 * t)},{g},{g})"


def _first_tries(docs: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (d["learner"], a)
        for d in docs
        for a in d["answers"]
        if a["first_try"] and a.get("right") is not None
    ]


def _heatmap(tries: list[tuple[str, dict[str, Any]]]) -> str:
    layers = max((a["layer"] for _, a in tries), default=1)
    cells: dict[tuple[int, int], list[bool]] = defaultdict(list)
    for _, a in tries:
        cells[a["phase"], a["layer"]].append(not a["right"])
    cw, ch, left, top = 120, 46, 170, 26
    out = [f'<svg role="img" aria-label="first-try error rate by phase and layer" '
           f'width="{left + cw * layers + 10}" height="{top + ch * 4 + 8}">']  # fmt: skip
    for lay in range(1, layers + 1):
        x = left + cw * (lay - 1) + cw / 2
        out.append(f'<text x="{x}" y="16" text-anchor="middle">layer {lay}</text>')
    for ph in range(1, 5):
        y = top + ch * (ph - 1)
        out.append(f'<text x="0" y="{y + ch / 2 + 4}">{escape_html(PHASES[ph])}</text>')
        for lay in range(1, layers + 1):
            x = left + cw * (lay - 1)
            got = cells.get((ph, lay), [])
            if not got:
                out.append(f'<rect x="{x}" y="{y}" width="{cw - 4}" height="{ch - 4}" '
                           'fill="#f0f0f0"/>')  # fmt: skip
                out.append(f'<text x="{x + cw / 2 - 2}" y="{y + ch / 2 + 2}" '
                           'text-anchor="middle" fill="#888">—</text>')  # fmt: skip
                continue
            rate = sum(got) / len(got)
            out.append(f'<rect x="{x}" y="{y}" width="{cw - 4}" height="{ch - 4}" rx="4" '
                       f'fill="{_heat(rate)}"><title>{round(100 * rate)} % of {len(got)} first '
                       "tries wrong</title></rect>")  # fmt: skip
            out.append(f'<text x="{x + cw / 2 - 2}" y="{y + ch / 2 - 3}" text-anchor="middle" '
                       f'font-weight="bold">{round(100 * rate)} %</text>'
                       f'<text x="{x + cw / 2 - 2}" y="{y + ch / 2 + 12}" text-anchor="middle" '
                       f'fill="#444">{sum(got)} / {len(got)}</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def _diagnoses(docs: Sequence[dict[str, Any]]) -> str:
    counts: Counter[str] = Counter()
    learners: dict[str, set[str]] = defaultdict(set)
    example: dict[str, tuple[str, dict[str, Any]]] = {}
    for d in docs:
        for a in d["answers"]:
            code = a.get("diagnosis")
            if code and a.get("right") is False:
                counts[code] += 1
                learners[code].add(d["learner"])
                example.setdefault(code, (d["learner"], a))
    if not counts:
        return "<p>No wrong answer matched a catalogued mistake.</p>"
    rows = []
    for code, n in counts.most_common(8):
        who, a = example[code]
        share = round(100 * len(learners[code]) / len(docs))
        want = a.get("expected")
        engine = f"{want:.4g}" if isinstance(want, (int, float)) else str(want)
        rows.append(
            f"<tr><td><code>{escape_html(code)}</code><br><small>{escape_html(BUGS[code])}</small>"
            f'</td><td class="n">{n}</td><td class="n">{share} %</td><td>'
            f"{escape_html(who)}: {escape_html(a['quantity'])} = "
            f"{escape_html(str(a.get('given')))} "
            f"(engine: {escape_html(engine)})</td></tr>"
        )
    return (
        "<table><tr><th>diagnosis</th><th>answers</th><th>learners</th><th>an example</th>"
        f"</tr>{''.join(rows)}</table>"
    )


def _difficulty(tries: list[tuple[str, dict[str, Any]]], top: int = 14) -> str:
    items: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for _, a in tries:
        items[a["phase"], a["quantity"]].append(not a["right"])
    ranked = sorted(items.items(), key=lambda kv: (-sum(kv[1]) / len(kv[1]), -len(kv[1])))
    shown = [kv for kv in ranked if len(kv[1]) >= 2][:top] or ranked[:top]
    bar_w, row_h, left = 300, 22, 150
    out = [f'<svg role="img" aria-label="hardest items" width="{left + bar_w + 90}" '
           f'height="{row_h * len(shown) + 6}">']  # fmt: skip
    for k, ((phase, quantity), wrong) in enumerate(shown):
        rate = sum(wrong) / len(wrong)
        y = k * row_h
        label = f"{'①②③④'[phase - 1]} {quantity}"
        out.append(f'<text x="0" y="{y + 15}">{escape_html(label)}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" '
                   f'fill="#eee"/><rect x="{left}" y="{y + 3}" width="{bar_w * rate:.1f}" '
                   f'height="{row_h - 6}" fill="{_heat(max(rate, 0.3))}"/>'
                   f'<text x="{left + bar_w + 6}" y="{y + 15}">{round(100 * rate)} % of '
                   f"{len(wrong)}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def _grades(text: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or "score" not in rows[0]:
        raise ValueError("dashboard: the grades CSV has no score column (use grade's gradebook)")
    scores = [float(r["score"]) for r in rows]
    top = max(float(r.get("max") or 0) for r in rows) or max(scores) or 1.0
    bins = [0] * 10
    for s in scores:
        bins[min(9, int(10 * s / top))] += 1
    most = max(bins) or 1
    bars = ""
    for k, b in enumerate(bins):
        h, x = 100 * b / most, k * 36
        bars += (
            f'<rect x="{x}" y="{120 - h:.1f}" width="30" height="{h:.1f}" fill="#5b7fbf">'
            f"<title>{b} students</title></rect>"
            f'<text x="{x + 15}" y="136" text-anchor="middle">{100 * k // 10} %</text>'
            f'<text x="{x + 15}" y="{114 - h:.1f}" text-anchor="middle">{b or ""}</text>'
        )
    codes: Counter[str] = Counter()
    for r in rows:
        codes.update(c for c in (r.get("diagnosis_codes") or "").split(";") if c)
    lines = "".join(
        f"<li>{round(100 * n / len(rows))} % of students: <code>{escape_html(c)}</code>"
        f" — {escape_html(BUGS.get(c, ''))}</li>"
        for c, n in codes.most_common(6)
    )
    mean = sum(scores) / len(scores)
    return (
        f'<p class="sub">{len(rows)} students, mean {mean:.1f} of {top:g}; bars by score, '
        "from each 10 % of the points.</p>"
        f'<div class="grid"><svg role="img" aria-label="score distribution" width="370" '
        f'height="142">{bars}</svg><ul>{lines or "<li>no diagnoses</li>"}</ul></div>'
    )


def class_summary(docs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Learners, answers, first tries and the first-try error rate (for the page's cards)."""
    tries = _first_tries(docs)
    wrong = sum(not a["right"] for _, a in tries)
    return {
        "learners": len(docs),
        "answers": sum(len(d["answers"]) for d in docs),
        "first_tries": len(tries),
        "first_try_error_rate": wrong / len(tries) if tries else 0.0,
    }


def dashboard_html(
    docs: Sequence[dict[str, Any]], grades_csv: str | None = None, title: str = "Class dashboard"
) -> str:
    """The page: summary cards, the heatmap, the diagnoses, item difficulty, the grades."""
    tries = _first_tries(docs)
    s = class_summary(docs)
    cards = "".join(
        f'<div class="card"><b>{v}</b>{escape_html(k)}</div>'
        for k, v in [
            ("learners", s["learners"]),
            ("answers", s["answers"]),
            ("first tries", s["first_tries"]),
            ("first tries wrong", f"{round(100 * s['first_try_error_rate'])} %"),
        ]
    )
    grades = f"<h2>Grades</h2>{_grades(grades_csv)}" if grades_csv is not None else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape_html(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{escape_html(title)}</h1><p class="sub">From the explorer\'s predict-mode answers:'
        " where the class goes wrong on its first try.</p>"
        f'<div class="cards">{cards}</div>'
        "<h2>First-try errors by phase and layer</h2>"
        f'<div style="overflow-x:auto">{_heatmap(tries)}</div>'
        f"<h2>Top diagnoses</h2>{_diagnoses(docs)}"
        f"<h2>Hardest items (first tries wrong)</h2>"
        f'<div style="overflow-x:auto">{_difficulty(tries)}</div>{grades}'
        "</body></html>\n"
    )
