"""Save a model's architecture and weights as JSON a person can read, and load them back.

The file::

    {
      "format": "tinygrad_edu.model",
      "version": 1,
      "model": {"type": "MLP", "nin": 2, "nouts": [4, 4, 1], "activation": "sigmoid", ...},
      "parameters": {"layers.0.neurons.0.w.0": -0.1416..., ...}
    }

Floats are written with ``repr``, which round-trips exactly: a loaded model makes bit-identical
predictions. Writes are atomic: the text goes to a temporary file in the same directory, is
flushed to disk, then renamed over the target with ``os.replace``, so a crash mid-write leaves
the old file (or none), never half of one. Loading checks everything before touching the
model; a bad file raises :class:`ModelFileError` (a ValueError) naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar, overload

from .fileio import atomic_write_text
from .nn import Module, from_config

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load", "save"]

FORMAT = "tinygrad_edu.model"
VERSION = 1

M = TypeVar("M", bound=Module)
PathLike = str | os.PathLike[str]


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and what is wrong."""


def _describe(cfg: object) -> str:
    if not isinstance(cfg, Mapping):
        return repr(cfg)
    args = ", ".join(f"{k}={v!r}" for k, v in cfg.items() if k != "type")
    return f"{cfg.get('type', '?')}({args})"


# --------------------------------------------------------------------------- save
def save(model: Module, path: PathLike) -> Path:
    """Write ``model``'s architecture and parameters to ``path`` as JSON, atomically.

    Returns the path. Refuses (ValueError) a model with a NaN or infinite parameter, which
    JSON cannot hold and which could not be loaded back.
    """
    target = Path(path)
    state = model.state_dict()
    for name, value in state.items():
        if not math.isfinite(value):
            raise ValueError(f"save: parameter {name!r} is {value!r}; refusing to write {target}")
    atomic_write_text(target, _render(model.config(), state), "save", make_folder=False)
    return target


def _render(config: dict[str, object] | None, state: dict[str, float]) -> str:
    """The file's text: the architecture on one line, then one parameter per line."""

    def dump(x: object) -> str:
        return json.dumps(x, ensure_ascii=False, allow_nan=False)

    lines = [
        "{",
        f'  "format": {dump(FORMAT)},',
        f'  "version": {VERSION},',
        f'  "model": {dump(config)},',
        '  "parameters": {',
    ]
    items = [f"    {dump(name)}: {dump(value)}" for name, value in state.items()]
    if items:
        lines.append(",\n".join(items))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- load
@overload
def load(path: PathLike) -> Module: ...


@overload
def load(path: PathLike, model: M) -> M: ...


def load(path: PathLike, model: Module | None = None) -> Module:
    """Read a file written by :func:`save`.

    Without ``model``, builds a new module from the recorded architecture and returns it.
    With ``model``, checks that the file holds the same architecture and loads the weights
    into it (and returns it). Any problem raises :class:`ModelFileError` and leaves ``model``
    untouched; a missing file raises FileNotFoundError.
    """
    source = Path(path)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"load: {source}: {problem}")

    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("not a text file (not UTF-8); expected a tinygrad_edu model file") from None
    if not text.strip():
        raise fail("the file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        # JSON strings cannot hold a raw newline, so an unterminated one ran into the end
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string"):
            raise fail(f"the JSON ends early (near {where}): the file is truncated") from None
        raise fail(f"not valid JSON ({err.msg}: {where})") from None
    if not isinstance(document, dict):
        raise fail(f"not a tinygrad_edu model file (the top level is a {type(document).__name__})")
    if document.get("format") != FORMAT:
        raise fail(
            f"not a tinygrad_edu model file (format is {document.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise fail(f"unsupported version {version!r} (this version of tinygrad_edu reads 1)")
    if "parameters" not in document:
        raise fail("no 'parameters' in the file")
    params = document["parameters"]
    if not isinstance(params, dict):
        raise fail(f"'parameters' must be an object of name: number, got {type(params).__name__}")
    config = document.get("model")

    if model is None:
        if config is None:
            raise fail("the file records no architecture; pass the model to load into")
        try:
            model = from_config(config)
        except (ValueError, TypeError) as err:
            raise fail(f"bad architecture {_describe(config)}: {err}") from None
    else:
        expected = model.config()
        if config is not None and expected is not None and config != expected:
            raise fail(f"the file holds {_describe(config)} but the model is {_describe(expected)}")
    for name, value in params.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise fail(f"parameter {name!r} is not finite ({value!r})")
    try:
        model.load_state_dict(params)
    except ValueError as err:
        raise fail(str(err).removeprefix("load_state_dict: ")) from None
    return model
