"""Save a model's architecture and weights as JSON a person can read, and load them back.

The file::

    {
      "format": "tinygrad_edu.model",
      "version": 1,
      "model": {"type": "MLP", "nin": 2, "nouts": [4, 4, 1], "activation": "sigmoid", ...},
      "parameters": {"layers.0.neurons.0.w.0": -0.1416..., ...}
    }

Floats are written with ``repr``, which round-trips exactly: a loaded model makes bit-identical
predictions. Writes are atomic (``tinygrad_edu.fileio``): the text goes to a temporary file in
the same directory, is flushed to disk, then renamed over the target, so a crash mid-write
leaves the old file (or none), never half of one; a symlink is written through to its target.
Before anything is written, the text is read back with the loader's own checks, so a save
never replaces a good file with one ``load`` would refuse.

Loading checks everything before touching the model, and measures before it allocates: the
architecture the file declares must have exactly as many parameters as the file lists (so a
189-byte file cannot ask for a billion weights), at most :data:`MAX_PARAMETERS`, in a file of
at most :data:`MAX_FILE_BYTES`. Duplicate keys, integers longer than
:data:`MAX_INTEGER_DIGITS` digits and nesting deeper than Python's recursion limit are refused.
A bad file raises :class:`ModelFileError` (a ValueError) naming the file and the problem, with
long names shortened.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

from . import checks
from .fileio import atomic_write_text
from .nn import Module, from_config, parameter_count

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_INTEGER_DIGITS",
    "MAX_PARAMETERS",
    "VERSION",
    "ModelFileError",
    "load",
    "save",
]

FORMAT = "tinygrad_edu.model"
VERSION = 1
MAX_PARAMETERS = 1_000_000  # about 50 MB of JSON; a scalar engine trains far fewer
MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_INTEGER_DIGITS = 30  # sizes and versions are small; a longer integer is not a weight

M = TypeVar("M", bound=Module)
PathLike = str | os.PathLike[str]


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and what is wrong."""


# A model of the micrograd-style classes (tinygrad_edu.compat.micrograd) is saved with
# "flavour": "micrograd" beside its architecture, and loads back as that class.
FLAVOUR_KEY = "flavour"
FLAVOURS = ("micrograd",)
_COMPAT_MODULE = "tinygrad_edu.compat.micrograd"


def _flavour_of(model: Module) -> str | None:
    return "micrograd" if type(model).__module__.startswith(_COMPAT_MODULE) else None


def _as_flavour(model: Module, flavour: object) -> Module:
    """``model`` (just built from its config) as the micrograd-style class of the same name.

    Those classes add no state (a call convention, constructor arguments and a repr), so the
    module built with the native initialiser from ``Random(0)`` becomes one by its class.
    """
    if flavour != "micrograd":
        return model
    from .compat.micrograd import nn as micrograd_nn

    kind = getattr(micrograd_nn, type(model).__name__, None)
    if kind is None:
        raise ValueError(f"a {type(model).__name__} has no micrograd-style class")
    model.__class__ = kind
    return model


def _describe(cfg: object) -> str:
    if not isinstance(cfg, Mapping):
        return checks.show(cfg)
    args = ", ".join(f"{k}={checks.show(v)}" for k, v in cfg.items() if k != "type")
    return checks.show(cfg.get("type", "?")).strip("'") + f"({args})"


def _path(path: object, where: str) -> Path:
    if isinstance(path, (str, os.PathLike)):
        return Path(path)
    raise TypeError(
        f"{where}: path must be a file name (a str or a Path), "
        f"got {type(path).__name__} {checks.show(path)}"
    )


# --------------------------------------------------------------------------- save
def save(model: Module, path: PathLike) -> Path:
    """Write ``model``'s architecture and parameters to ``path`` as JSON, atomically.

    Returns the path. Every parameter must be a finite real number (a NumPy float is written
    as a float; a bool or NaN is refused, TypeError or ValueError); the text is checked with
    the loader's rules before anything is written, so a good file is never replaced by a
    broken one.

    >>> import tempfile, pathlib
    >>> from tinygrad_edu.nn import Neuron
    >>> path = save(Neuron(2, seed=0), pathlib.Path(tempfile.mkdtemp()) / "n.json")
    >>> load(path)
    Neuron(2, activation='relu')
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"save: model must be a Module (an MLP, Layer, Neuron or Perceptron), "
            f"got {type(model).__name__} {checks.show(model)}"
        )
    target = _path(path, "save")
    state: dict[str, float] = {}
    for name, p in model.named_parameters():
        if name in state:
            raise ModelFileError(
                f"save: refusing to write {target}: the parameter name {checks.show(name)} "
                "appears twice (a file could not tell them apart)"
            )
        value = checks.real(p.data, "save", f"parameter {name!r}")
        if not math.isfinite(value):
            raise ValueError(f"save: parameter {name!r} is {value!r}; refusing to write {target}")
        state[name] = value
    config = model.config()
    flavour = _flavour_of(model)
    if config is not None and flavour is not None:
        config = {**config, FLAVOUR_KEY: flavour}  # load() gives back the same kind of model
    text = _render(config, state)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"save: refusing to write {target}: {problem}")

    document = _parse(text, fail)  # the loader's own checks, before the file is touched
    _check_architecture(document, fail)
    if document["parameters"] != state:
        raise fail("the parameters do not read back as written")
    atomic_write_text(target, text, "save", make_folder=False)
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
class _Refused(Exception):
    """Raised from the JSON parser's hooks; becomes a ModelFileError with the file's name."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {checks.show(key)} appears twice in one object")
        out[key] = value
    return out


def _short_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise _Refused(
            f"an integer of {digits} digits ({checks.show(text)}); at most "
            f"{MAX_INTEGER_DIGITS} are read"
        )
    return int(text)


def _parse(text: str, fail: Callable[[str], ModelFileError]) -> dict[str, Any]:
    """The document, its header and its parameter table checked; ModelFileError otherwise."""
    if not text.strip():
        raise fail("the file is empty")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_short_int)
    except _Refused as err:
        raise fail(str(err)) from None
    except RecursionError:
        raise fail("the JSON is nested too deeply to be a model file") from None
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        # JSON strings cannot hold a raw newline, so an unterminated one ran into the end
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string"):
            raise fail(f"the JSON ends early (near {where}): the file is truncated") from None
        raise fail(f"not valid JSON ({err.msg}: {where})") from None
    except ValueError as err:  # anything else the parser refuses
        raise fail(f"not valid JSON ({checks.show(str(err))})") from None
    if not isinstance(document, dict):
        raise fail(f"not a tinygrad_edu model file (the top level is a {type(document).__name__})")
    if document.get("format") != FORMAT:
        raise fail(
            f"not a tinygrad_edu model file (format is {checks.show(document.get('format'))}, "
            f"expected {FORMAT!r})"
        )
    version = document.get("version")
    if type(version) is not int or not 1 <= version <= VERSION:
        raise fail(
            f"unsupported version {checks.show(version)} (this version of tinygrad_edu reads 1)"
        )
    if "parameters" not in document:
        raise fail("no 'parameters' in the file")
    params = document["parameters"]
    if not isinstance(params, dict):
        raise fail(f"'parameters' must be an object of name: number, got {type(params).__name__}")
    if len(params) > MAX_PARAMETERS:
        raise fail(f"{len(params)} parameters; at most {MAX_PARAMETERS} are read")
    for name, value in params.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise fail(f"parameter {checks.show(name)} is not finite ({value!r})")
    return document


def _check_architecture(
    document: dict[str, Any], fail: Callable[[str], ModelFileError], *, slack: bool = False
) -> None:
    """The declared architecture is valid and has the parameters the file lists.

    Exactly as many, or with ``slack`` at most about twice as many (then ``load_state_dict``
    names the missing ones): either way what is allocated is bounded by the file's size.
    """
    config = document.get("model")
    if config is None:
        return
    try:
        expected = parameter_count(config)
    except (ValueError, TypeError) as err:
        raise fail(f"bad architecture {_describe(config)}: {err}") from None
    listed = len(document["parameters"])
    allowed = 2 * listed + 16 if slack else listed
    if expected > MAX_PARAMETERS or expected > allowed or (not slack and expected != listed):
        cap = f" (at most {MAX_PARAMETERS} are read)" if expected > MAX_PARAMETERS else ""
        raise fail(
            f"the architecture {_describe(config)} has {expected} parameters{cap} but the file "
            f"lists {listed}"
        )


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

    >>> import tempfile, pathlib
    >>> from tinygrad_edu.nn import MLP
    >>> path = save(MLP(2, [3, 1], seed=0), pathlib.Path(tempfile.mkdtemp()) / "m.json")
    >>> load(path).state_dict() == MLP(2, [3, 1], seed=0).state_dict()
    True
    """
    source = _path(path, "load")
    if model is not None and not isinstance(model, Module):
        raise TypeError(f"load: model must be a Module or None, got {checks.show(model)}")

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"load: {source}: {problem}")

    info = source.stat()  # FileNotFoundError for a missing file, as documented
    if not stat.S_ISREG(info.st_mode):
        # a device (/dev/zero never ends) or a FIFO (blocks until written) is not read
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise fail(f"{kind}; a model file is a regular file written by save()")
    size = info.st_size
    if size > MAX_FILE_BYTES:
        raise fail(f"{size} bytes; a model file may have at most {MAX_FILE_BYTES}")
    with open(source, "rb") as handle:
        raw = handle.read(size + 1)  # bounded by the size measured, even if the file grows
    if len(raw) > size:
        raise fail("the file grew while it was read; load it again once it is written")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("not a text file (not UTF-8); expected a tinygrad_edu model file") from None
    del raw
    document = _parse(text, fail)
    del text
    config = document.get("model")
    params = document["parameters"]
    if isinstance(config, dict):
        flavour = config.get(FLAVOUR_KEY)
        if flavour is not None and flavour not in FLAVOURS:
            raise fail(
                f"unknown model flavour {checks.show(flavour)} (known: {', '.join(FLAVOURS)})"
            )
        config = {k: v for k, v in config.items() if k != FLAVOUR_KEY}
    else:
        flavour = None
    if model is not None:
        expected = model.config()
        if config is not None and expected is not None and config != expected:
            raise fail(f"the file holds {_describe(config)} but the model is {_describe(expected)}")
    _check_architecture(document, fail, slack=True)  # before anything is allocated
    if model is None:
        if config is None:
            raise fail("the file records no architecture; pass the model to load into")
        try:
            model = _as_flavour(from_config(config), flavour)
        except (ValueError, TypeError) as err:
            raise fail(f"bad architecture {_describe(config)}: {err}") from None
    try:
        model.load_state_dict(params)
    except (ValueError, TypeError) as err:
        raise fail(str(err).removeprefix("load_state_dict: ")) from None
    return model
