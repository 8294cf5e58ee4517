"""Atomic file writes: a crash mid-write never leaves a broken file where a good one was.

The data goes to a temporary file in the target's folder, is flushed to disk, and is then
renamed over the target with ``os.replace`` (atomic on POSIX and Windows); the folder is
fsynced too, so the rename itself survives a power cut where the platform allows it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text"]


def atomic_write_bytes(
    path: str | Path, data: bytes, where: str = "write", *, make_folder: bool = True
) -> Path:
    """Write ``data`` to ``path`` atomically (creating its folder if asked); return the path.

    ``where`` names the operation in the error raised when the file cannot be created.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{where}: {target} is a folder; give a file name")
    directory = target.parent
    if make_folder:
        directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # O_EXCL: never clobber another writer's temporary; mode 0o666 lets the umask decide
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:  # name the file asked for, not our temporary one
        raise type(err)(err.errno, f"{where}: cannot write {target}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the rename makes it visible
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    return target


def atomic_write_text(
    path: str | Path, text: str, where: str = "write", *, make_folder: bool = True
) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"), where, make_folder=make_folder)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, so best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
