"""User text (student names, ids, notes) escaped for each format it lands in.

A student's name is never markup and never code: ``Robert'); \\end{document}`` is printed as
written on a LaTeX sheet, ``=HYPERLINK(…)`` stays text in a spreadsheet.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["csv_cell", "html_text", "json_in_html", "latex_text", "markdown_text", "one_line"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Control characters and line breaks become one space (a name is one line).

    >>> one_line("Ada\\n\\tLovelace")
    'Ada Lovelace'
    """
    return _CONTROL.sub(" ", text).strip()


def html_text(text: str) -> str:
    """Text for HTML content or a quoted attribute.

    >>> html_text('<b>"Ada"</b>')
    '&lt;b&gt;&quot;Ada&quot;&lt;/b&gt;'
    """
    return html.escape(one_line(text), quote=True)


_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "−": "-",
}


def latex_text(text: str) -> str:
    r"""Text for a LaTeX document: the ten special characters escaped, one line.

    >>> print(latex_text(r"A_1 & {B} \end{document} 50% ~#^$"))
    A\_1 \& \{B\} \textbackslash{}end\{document\} 50\% \textasciitilde{}\#\textasciicircum{}\$
    """
    return "".join(_LATEX.get(ch, ch) for ch in one_line(text))


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~&")


def markdown_text(text: str) -> str:
    r"""Text for Markdown: every punctuation character that could start markup backslashed.

    >>> print(markdown_text("*Ada* | [x](y) <b>"))
    \*Ada\* \| \[x\]\(y\) \<b\>
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in one_line(text))


def csv_cell(text: str) -> str:
    """A text cell for a spreadsheet: a leading ``= + - @`` (a formula) gets a ``'`` first.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("Ada")
    ("'=HYPERLINK(1)", 'Ada')
    """
    text = one_line(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def json_in_html(data: Any) -> str:
    """JSON to embed in a ``<script>`` element: ``<``, ``>`` and ``&`` as \\u escapes.

    >>> json_in_html({"name": "</script>"})
    '{"name": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
