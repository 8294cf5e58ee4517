"""The live page: one self-contained HTML file that runs the real engine in the browser.

``build_live_page(path)`` writes ``live.html``: Pyodide's core (CPython compiled to
WebAssembly, from the npm package at a pinned version, each file checked against its pinned
SHA-256), the wheels of tinygrad_edu and its pure-Python dependencies (built from the installed
files), and @viz-js/viz (DOT drawn in the page), gzipped and base64-inlined. A learner
double-clicks it: no Python, no server, no network. The page retrains a network with the
settings it is given (also read from the URL fragment, so a link reproduces a run), shows the
explorer's four phases on the new run, runs the tutor on code typed into it, draws the graph of
a typed expression, and fits a line by gradient descent on a loss-surface contour.

The Python side of the page is :mod:`.session` (the training run), :mod:`.lab` (regression,
tutor, expression) and :mod:`.bridge` (the JSON door the page's script calls).
"""

from __future__ import annotations

import base64
import gzip
import html
from importlib import resources
from pathlib import Path

from .. import checks
from ..fileio import atomic_write_text
from .assets import (
    PINNED,
    PYODIDE_VERSION,
    VIZ_VERSION,
    MissingAssetError,
    Wheel,
    find_node_modules,
    read_pinned,
    wheels,
)

__all__ = [
    "MAX_BYTES",
    "PYODIDE_VERSION",
    "VIZ_VERSION",
    "MissingAssetError",
    "Wheel",
    "build_live_page",
    "live_html",
    "wheels",
]

MAX_BYTES = 20_000_000  # the page's size budget


def _asset(name: str) -> str:
    return resources.files("tinygrad_edu.live").joinpath(name).read_text(encoding="utf-8")


def _explorer(name: str) -> str:
    return resources.files("tinygrad_edu.explore").joinpath(name).read_text("utf-8")


def _block(name: str, body: bytes) -> str:
    """One inlined file: gzipped, base64 (its alphabet has no '<', so it cannot end the block)."""
    packed = base64.b64encode(gzip.compress(body, 6, mtime=0)).decode("ascii")
    return (
        f'<script type="application/octet-stream" class="asset" data-name="{html.escape(name)}" '
        f'data-size="{len(body)}">{packed}</script>\n'
    )


def live_html(node_modules: str | Path | None = None) -> str:
    """The live page as one HTML string (see the module's documentation).

    Raises :class:`MissingAssetError` naming the first npm file that is missing or not the
    pinned version, and how to get it (``make js``).
    """
    folder = find_node_modules(node_modules)
    blocks = [_block(name.rsplit("/", 1)[-1], read_pinned(folder, name)) for name in PINNED]
    blocks += [_block("wheel:" + w.filename, w.data) for w in wheels()]
    explorer = _explorer("explorer.js")
    page = _asset("live.html")
    # the explorer's stylesheet is scoped to its root (.tx) when it mounts into a page
    page = page.replace("/*__CSS__*/", _asset("live.css") + _explorer("explorer.css"))
    page = page.replace("__PYODIDE_VERSION__", PYODIDE_VERSION)
    # the explorer's script defines window.TinygradExplorer.mount(root, data); kept inert as
    # text until a run's data exists (it is started then, once)
    page = page.replace("/*__EXPLORER_JS__*/", explorer.replace("</", "<\\/"))
    page = page.replace("/*__JS__*/", _asset("live.js"))
    return page.replace("<!--__ASSETS__-->", "".join(blocks))


def build_live_page(path: str | Path, *, node_modules: str | Path | None = None) -> Path:
    """Write the live page to ``path`` (atomically) and return the path.

    ``node_modules``: where ``make js`` installed the npm packages (default: see
    :func:`tinygrad_edu.live.assets.find_node_modules`).
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"build_live_page: path must be a str or Path, got {checks.show(path)}")
    page = live_html(node_modules)
    size = len(page.encode("utf-8"))
    if size > MAX_BYTES:
        raise ValueError(f"build_live_page: the page is {size:,} bytes, over {MAX_BYTES:,}")
    return atomic_write_text(Path(path), page, "build_live_page")
