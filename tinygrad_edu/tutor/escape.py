"""User text (labels, student names, learner messages) made inert for where it lands.

Markdown: one line (line breaks become spaces, so a cell or heading cannot be closed), and a
backslash before every character that starts markup inline — emphasis, code, HTML, tables,
maths, images, and links (``](``, ``][``); brackets that cannot form a link are left as they
are, so ``W2[3, 0]`` still reads as written. HTML: ``html.escape`` (quotes included).
"""

from __future__ import annotations

import html as _html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>|&$~!#]|\](?=[(\[]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_UNESCAPE = re.compile(r"\\([\\`*_<>|&$~!#\]])")


def markdown(text: str) -> str:
    """``text`` as inert inline Markdown on one line.

    >>> markdown("a*b | <script>")
    'a\\\\*b \\\\| \\\\<script\\\\>'
    >>> markdown("W2[3, 0]"), markdown("[x](javascript:1)")
    ('W2[3, 0]', '[x\\\\](javascript:1)')
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


def unmarkdown(text: str) -> str:
    """The text :func:`markdown` escaped (for reading a filled table back).

    >>> unmarkdown(markdown("x_1 * y"))
    'x_1 * y'
    """
    return _UNESCAPE.sub(r"\1", text)


def html(text: str) -> str:
    """``text`` for HTML text or attribute values.

    >>> html('<b title="x">')
    '&lt;b title=&quot;x&quot;&gt;'
    """
    return _html.escape(text, quote=True)
