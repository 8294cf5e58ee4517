"""User text into the formats it lands in: never code, never markup.

One function per destination; every writer of HTML, Markdown, embedded JSON or DOT that
puts a label, a name, a title or a learner's answer into its output calls the one that fits:

* :func:`visible` - control characters, lone surrogates and bidirectional overrides shown as
  escapes (``\\x00``, ``\\ud800``, ``\\u202e``), so text can be encoded as UTF-8 and cannot
  reorder what is drawn around it (Trojan Source).
* :func:`escape_html` - text for HTML element content and quoted attribute values.
* :func:`md_text` - text for a Markdown paragraph or table cell: one line, every
  punctuation character that Markdown could read as syntax backslash-escaped.
* :func:`md_code` - a fenced code block whose fence is longer than any backtick run inside.
* :func:`json_for_html` - JSON for a ``<script type="application/json">`` block or a script:
  ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u`` escapes (``\\u003c`` for ``<``).
* :func:`dot_label` - text for a quoted DOT string (``gv.nohtml``): backslashes doubled,
  line breaks as spaces.
* :func:`plot_text` - text for a matplotlib title or label: ``$`` escaped (no mathtext).
* :func:`one_line` - a name on one line: control characters and line breaks as one space.
* :func:`latex_text` - text for a LaTeX document: its ten special characters escaped.
* :func:`csv_cell` - a spreadsheet cell that cannot become a formula.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = [
    "csv_cell",
    "dot_label",
    "escape_html",
    "json_for_html",
    "latex_text",
    "md_code",
    "md_text",
    "md_unescape",
    "one_line",
    "plot_text",
    "visible",
]

# C0 and C1 controls, DEL, lone surrogates, and the bidirectional embedding/override/isolate
# marks (U+202A..U+202E, U+2066..U+2069) plus the invisible directional marks.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with hidden characters shown as escapes; tabs and line breaks are kept.

    >>> visible("a\\x00b\\u202ec\\ud800")
    'a\\\\x00b\\\\u202ec\\\\ud800'
    >>> visible("naïve δ2[3]")
    'naïve δ2[3]'
    """
    return _HIDDEN.sub(_escape_char, str(text))


def escape_html(text: str) -> str:
    """``text`` safe as HTML element content or a quoted attribute value.

    >>> escape_html('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(visible(text), quote=True)


# Characters that start inline Markdown anywhere in a line (emphasis, code, links, images,
# raw HTML, entities, table cells, strikethrough, math) are always escaped; those that start a
# block (heading, list, quote, setext line) only at the start of the text. Numbers and ordinary
# punctuation stay as they are, so the Markdown source reads like the text.
# "_" between two letters or digits can neither open nor close emphasis: left as it is.
_MD_INLINE = re.compile(r"([\\`*\[\]<>&|~$]|(?<![^\W_])_|_(?![^\W_]))")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([#+\-=>])(?=[\s#+\-=]|$)|(\d+)([.)])(?=\s|$))")


def _escape_block_start(m: re.Match[str]) -> str:
    indent, mark, digits, end = m.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{digits}\\{end}"


def md_text(text: str) -> str:
    r"""``text`` as literal inline Markdown: one line, no character of it read as syntax.

    >>> print(md_text("x*y_1 <b>|</b>\n# h"))
    x\*y_1 \<b\>\|\</b\> # h
    >>> print(md_text("# W1[0, 0] = 1.5e-03"), md_text("1. one"), md_text("-0.5 half_sse _x_"))
    \# W1\[0, 0\] = 1.5e-03 1\. one -0.5 half_sse \_x\_
    """
    one_line = " ".join(visible(text).splitlines()) if text else ""
    escaped = _MD_INLINE.sub(r"\\\1", one_line)
    return _MD_BLOCK_START.sub(_escape_block_start, escaped, count=1)


_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def md_unescape(text: str) -> str:
    r"""The text of a Markdown cell as it was before :func:`md_text` (a backslash before ASCII
    punctuation is dropped), for reading a filled table back.

    >>> md_unescape(md_text("W2[3, 0] * x_1 | -0.5"))
    'W2[3, 0] * x_1 | -0.5'
    """
    return _MD_ESCAPED.sub(r"\1", text)


def md_code(text: str, language: str = "") -> str:
    """``text`` as a fenced code block that no line of ``text`` can close.

    The fence is one backtick longer than the longest run of backticks inside (at least 3).

    >>> print(md_code("a\\n```\\n<script>"))
    ````
    a
    ```
    <script>
    ````
    """
    body = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return f"{fence}{info}\n{body.rstrip(chr(10))}\n{fence}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_for_html(data: Any, **dumps: Any) -> str:
    """``json.dumps(data)`` safe inside a ``<script>`` element of an HTML page.

    ``<``, ``>`` and ``&`` can only occur inside JSON strings, where ``\\u003c`` means the
    same character: no ``</script>``, ``<!--`` or ``<script`` survives. U+2028 and U+2029
    end a line in older JavaScript; lone surrogates are escaped too, so the text can be
    written as UTF-8. Keyword arguments go to ``json.dumps``.

    >>> json_for_html({"title": "</script><!--<script>"})
    '{"title": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u003cscript\\\\u003e"}'
    >>> json.loads(json_for_html(["<&>"]))
    ['<&>']
    """
    dumps.setdefault("ensure_ascii", False)
    text = json.dumps(data, **dumps)
    for ch, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, code)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # a lone surrogate cannot be written as UTF-8; its JSON escape reads back as the same string
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def dot_label(text: str) -> str:
    """``text`` for a quoted DOT string: backslashes literal, one line, hidden characters shown.

    Graphviz reads ``\\l``, ``\\n`` and ``\\N`` in labels as escapes and a final backslash would
    swallow the closing quote, so every backslash is doubled.

    >>> dot_label("a\\\\l b\\x00\\nc\\\\")
    'a\\\\\\\\l b\\\\\\\\x00 c\\\\\\\\'
    """
    one_line = " ".join(visible(text).splitlines()) if text else ""
    return one_line.replace("\\", "\\\\")


def plot_text(text: str) -> str:
    r"""``text`` for a matplotlib title, axis label or legend entry, drawn as written.

    A pair of ``$`` would start mathtext (and a bad command there fails at drawing time), so
    every ``$`` is escaped; hidden characters are shown as escapes.

    >>> print(plot_text("cost in $ and $\\frac$"))
    cost in \$ and \$\frac\$
    """
    return visible(text).replace("$", "\\$")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Control characters and line breaks become one space (a name is one line).

    >>> one_line("Ada\\n\\tLovelace")
    'Ada Lovelace'
    """
    return _CONTROL.sub(" ", text).strip()


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


def csv_cell(text: str) -> str:
    """A text cell for a spreadsheet: a leading ``= + - @`` (a formula) gets a ``'`` first.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("Ada")
    ("'=HYPERLINK(1)", 'Ada')
    """
    text = one_line(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
