"""The drawing errors: every failure to make a picture is a ``RenderError``."""

from __future__ import annotations

from pathlib import Path

INSTALL_HINT = (
    "Install Graphviz (the program, not only the Python package) and try again:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "draw_dot() and to_mermaid() work without it."
)


class RenderError(RuntimeError):
    """A picture could not be made (no ``dot``, a graph too large, ``dot`` failed or timed out)."""


class GraphvizNotFound(RenderError):
    """The Graphviz ``dot`` program is not installed; the DOT source was written instead."""

    def __init__(self, message: str, dot_path: Path | None = None) -> None:
        super().__init__(message)
        self.dot_path = dot_path


class GraphTooLarge(RenderError):
    """The drawing has more boxes and edges than ``dot`` lays out in reasonable time."""


class DotFailed(RenderError):
    """``dot`` exited with an error, or did not finish within its time limit."""
