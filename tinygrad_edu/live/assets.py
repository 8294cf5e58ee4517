"""What the live page carries: Pyodide's core and @viz-js/viz from ``node_modules`` (npm, at
the versions pinned in ``package.json``, installed by ``make js``), each file checked against its
SHA-256 pinned here, and the wheels of tinygrad_edu and its pure-Python dependencies, built from
the installed files (no network, no pip).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PYODIDE_VERSION = "314.0.8"
VIZ_VERSION = "3.31.0"
# SHA-256 of the npm packages' files at those versions (sha256sum of the installed files)
PINNED: dict[str, str] = {
    "pyodide/pyodide.mjs": "1bb8cc14f9405aaa7cd4e00c12edd0a8539de9cc026618d6ee5a9663f367dc70",
    "pyodide/pyodide.asm.mjs": "22514b8be6980e28a02c8b1d6387ce8dfe666fc4edf8d547cff5dce29ff4d972",
    "pyodide/pyodide.asm.wasm": "e14d49ceca9b4a0e274ea918f3a898de2d3880b6e5573a6cfe1a2267ecc70329",
    "pyodide/python_stdlib.zip": "2bd3394a145bfbbe5bbc9d9d6ab9136abbb986c6fef6c142b3a2962227aa5c28",
    "pyodide/pyodide-lock.json": "5dc2fc119108bc148c7457dc86e7675b5c87e1cafd420b9c34c1eaef7b36c010",
    "@viz-js/viz/dist/viz-global.js": (
        "c9e0b310f9883910e01c66054b48b7ff4be3d8695141116635e72b0af152692e"
    ),
}
DEPENDENCIES = ("graphviz", "tqdm")  # tinygrad_edu's runtime dependencies, both pure Python
_PACKAGE_DATA = (".py", ".html", ".js", ".css", ".txt", ".typed")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # one fixed timestamp: the same files make the same wheel


class MissingAssetError(FileNotFoundError):
    """An npm file the live page needs is missing or not the pinned version."""


def find_node_modules(given: str | Path | None = None) -> Path:
    """The ``node_modules`` folder: ``given``, else ``$TINYGRAD_EDU_NODE_MODULES``, else the
    current directory's, else the one beside the source checkout (``make js`` puts it there)."""
    if given is not None:
        return Path(given)
    env = os.environ.get("TINYGRAD_EDU_NODE_MODULES")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (base / "node_modules").is_dir():
            return base / "node_modules"
    return Path.cwd() / "node_modules"


def read_pinned(node_modules: Path, name: str) -> bytes:
    """The bytes of ``node_modules/name``, checked against the pinned SHA-256.

    A missing or different file is a :class:`MissingAssetError` naming it and the way out.
    """
    path = node_modules / name
    package = (
        "pyodide@" + PYODIDE_VERSION
        if name.startswith("pyodide/")
        else ("@viz-js/viz@" + VIZ_VERSION)
    )
    if not path.is_file():
        raise MissingAssetError(
            f"build_live_page: {path} is missing (the npm package {package}); run `make js` in "
            "the repository (npm ci: the versions pinned in package-lock.json), or pass "
            "node_modules=... / set TINYGRAD_EDU_NODE_MODULES to a folder that has it"
        )
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    if digest != PINNED[name]:
        raise MissingAssetError(
            f"build_live_page: {path} is not the pinned {package} (sha256 {digest}, expected "
            f"{PINNED[name]}); run `make js` to install the pinned version"
        )
    return body


@dataclass(frozen=True)
class Wheel:
    """A pure-Python wheel built in memory."""

    name: str
    version: str
    data: bytes

    @property
    def filename(self) -> str:
        """The wheel's file name."""
        return f"{self.name}-{self.version}-py3-none-any.whl"


def _wheel(name: str, version: str, files: Iterator[tuple[str, bytes]]) -> Wheel:
    buf = io.BytesIO()
    dist_info = f"{name}-{version}.dist-info"
    records: list[str] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(arcname: str, body: bytes) -> None:
            zf.writestr(zipfile.ZipInfo(arcname, _EPOCH), body, zipfile.ZIP_DEFLATED)
            records.append(f"{arcname},,")

        for arcname, body in sorted(files):
            put(arcname, body)
        put(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            .encode())  # fmt: skip
        put(f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: tinygrad_edu.live\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n")  # fmt: skip
        records.append(f"{dist_info}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", _EPOCH), "\n".join(records) + "\n")
    return Wheel(name, version, buf.getvalue())


def project_wheel() -> Wheel:
    """tinygrad_edu's wheel from the files of the package being run (its .py and data files)."""
    root = Path(__file__).resolve().parents[1]

    def files() -> Iterator[tuple[str, bytes]]:
        for path in root.rglob("*"):
            if path.is_file() and path.suffix in _PACKAGE_DATA and "__pycache__" not in path.parts:
                yield "tinygrad_edu/" + path.relative_to(root).as_posix(), path.read_bytes()

    try:
        version = metadata.version("tinygrad_edu")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    return _wheel("tinygrad_edu", version, files())


def dependency_wheel(name: str) -> Wheel:
    """The wheel of an installed pure-Python distribution, from its installed files."""
    dist = metadata.distribution(name)

    def files() -> Iterator[tuple[str, bytes]]:
        for f in dist.files or []:
            parts = Path(str(f)).parts
            if not parts or parts[0] in ("..", "/") or ".dist-info" in parts[0]:
                continue
            if "__pycache__" in parts or f.suffix not in _PACKAGE_DATA:
                continue
            yield Path(str(f)).as_posix(), Path(str(dist.locate_file(f))).read_bytes()

    return _wheel(dist.metadata["Name"].replace("-", "_"), dist.version, files())


def wheels() -> list[Wheel]:
    """The wheels the page unpacks: tinygrad_edu's and its dependencies'."""
    return [project_wheel(), *(dependency_wheel(name) for name in DEPENDENCIES)]
