"""Atomic file writes: a crash mid-write never leaves a broken file where a good one was.

The data goes to a temporary file in the target's folder, is flushed to disk, and is then
renamed over the target with ``os.replace`` (atomic on POSIX and Windows); the folder is
fsynced too, so the rename itself survives a power cut where the platform allows it.

* Every exit path cleans up: an error or a KeyboardInterrupt at any point closes the
  temporary file's descriptor and removes it.
* A process killed outright (SIGKILL, a power cut) cannot clean up, so each write first
  removes the stale temporaries of the same target: those whose writing process is gone, or
  older than an hour.
* A symlink is written through: the file it points to is replaced and the link stays a link
  (a dangling link creates its target).
* A target that exists and is not a regular file is never replaced. A character device or a
  named pipe (``/dev/null``, ``/dev/stdout``, a FIFO a process reads) is written through, in
  place, and a failed write (``/dev/full``) is an error; a FIFO that nobody reads is an error
  at once, never a wait. A folder, a socket or a block device is refused, naming what it is.
* An empty path is refused.
* A set of files (a worksheet and its key, the demo's outputs) is written with
  :func:`file_set`: into a temporary folder beside the target, moved into place only when
  every file of the set was written.
* An operating-system error (a full disk, no permission) names the file asked for, never the
  temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write_bytes", "atomic_write_text", "file_set", "temporary_files"]

_STALE_SECONDS = 3600.0


def temporary_files(path: str | Path) -> list[Path]:
    """The temporary files that writes of ``path`` have left in its folder (normally none).

    >>> temporary_files("no/such/folder/model.json")
    []
    """
    target = Path(path)
    prefix, suffix = f".{target.name}.", ".tmp"
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return sorted(
        target.parent / n
        for n in names
        if n.startswith(prefix) and n.endswith(suffix) and _pid_of(n, prefix) is not None
    )


def _pid_of(name: str, prefix: str) -> int | None:
    """The writer's pid in ``.{target}.{pid}.{8 hex}.tmp``, or None if the name is not ours."""
    middle = name[len(prefix) : -len(".tmp")].split(".")
    if len(middle) != 2 or not middle[0].isdigit() or len(middle[1]) != 8:
        return None
    return int(middle[0])


def _writer_is_gone(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # signal 0 probes a process only on POSIX
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but is another user's
        return False
    return False


def _remove_stale(target: Path) -> None:
    prefix = f".{target.name}."
    now = time.time()
    for tmp in temporary_files(target):
        pid = _pid_of(tmp.name, prefix)
        with contextlib.suppress(OSError):
            old = now - tmp.stat().st_mtime > _STALE_SECONDS
            if old or (pid is not None and _writer_is_gone(pid)):
                tmp.unlink()


def _named(err: OSError, where: str, target: Path) -> OSError:
    """The same kind of OSError, naming the file asked for (not the temporary one)."""
    reason = err.strerror or str(err)
    return type(err)(err.errno, f"{where}: cannot write {target}: {reason}")


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISBLK, "a block device"),
    )
    if stat.S_ISREG(mode):
        return None
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def _stream_kind(mode: int) -> str | None:
    if stat.S_ISCHR(mode):
        return "a character device"
    return "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else None


def _write_through(given: Path, target: Path, data: bytes, where: str, kind: str) -> Path:
    """Write ``data`` into an existing character device or FIFO in place (never replace it)."""
    flags = os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)  # no O_CREAT, no O_TRUNC: the node itself is kept
    except OSError as err:
        if err.errno == errno.ENXIO:  # a FIFO with no reader: never wait for one
            raise OSError(
                err.errno, f"{where}: cannot write {given}: it is {kind} that no process is reading"
            ) from None
        raise _named(err, where, given) from None
    try:
        now = _stream_kind(os.fstat(fd).st_mode)
        if now is None:  # swapped for something else since it was looked at
            raise OSError(0, f"{where}: {given} changed while being opened; nothing was written")
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]  # a short write continues; a failed one raises
    except OSError as err:
        raise _named(err, where, given) from None
    finally:
        os.close(fd)
    return given


def _check_target(given: Path, target: Path, where: str) -> str | None:
    """Refuse an existing target that cannot be written through; return the target's kind
    when it is a stream (written through), None for a regular file or a new path."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _named(err, where, given) from None
    kind = _kind(mode)
    if kind is None:
        return None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{where}: {given} is a folder; give a file name")
    stream = _stream_kind(mode)
    if stream is None:
        raise OSError(
            f"{where}: {given} is {kind}, not a regular file; it is never replaced. "
            "Give the path of a regular file."
        )
    return stream


def atomic_write_bytes(
    path: str | Path, data: bytes, where: str = "write", *, make_folder: bool = True
) -> Path:
    """Write ``data`` to ``path`` atomically (creating its folder if asked); return the path.

    ``where`` names the operation in the error raised when the file cannot be written.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a.txt", b"hi").read_bytes()
    b'hi'
    """
    if isinstance(path, str) and path == "":
        raise ValueError(f"{where}: the path is empty; give a file name")
    given = Path(path)
    # what the path opens, links followed (/dev/stdout, a pipe's /proc/self/fd/1 included)
    stream = _check_target(given, given, where)
    if stream is not None:
        return _write_through(given, given, data, where, stream)
    # write through a symlink: replace the file it names, keep the link
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    directory = target.parent
    if make_folder:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _named(err, where, given) from None
    _remove_stale(target)
    tmp = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = -1
    f: IO[bytes] | None = None
    try:
        # O_EXCL: never clobber another writer's temporary; mode 0o666 lets the umask decide
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        f = os.fdopen(fd, "wb")
        f.write(data)
        f.flush()
        os.fsync(f.fileno())  # the data is on disk before the rename makes it visible
        f.close()
        if _check_target(given, target, where) is not None:
            # became a device or a FIFO while the data was written: replace it never
            raise OSError(f"{where}: {given} is no longer a regular file; nothing was written")
        os.replace(tmp, target)
    except BaseException as err:
        # every exit path: close what is open, remove the temporary, name the target
        with contextlib.suppress(OSError):
            if f is not None:
                f.close()
            elif fd >= 0:
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and not str(err).startswith(f"{where}: "):
            raise _named(err, where, given) from None
        raise
    _fsync_directory(directory)
    return given


def atomic_write_text(
    path: str | Path, text: str, where: str = "write", *, make_folder: bool = True
) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.txt", "é").read_text(encoding="utf-8")
    'é'
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = text[err.start : err.end]
        raise ValueError(
            f"{where}: cannot write {path}: the text has a character UTF-8 cannot encode "
            f"({bad!r} at position {err.start}, a lone surrogate)"
        ) from None
    return atomic_write_bytes(path, data, where, make_folder=make_folder)


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


@contextlib.contextmanager
def file_set(folder: str | Path, where: str = "write") -> Iterator[Path]:
    """A folder to write a set of files into, moved to ``folder`` only if the block succeeds.

    The files are written into a temporary folder beside ``folder``; when the block ends
    without an error they are moved into ``folder`` (renamed as a whole when ``folder`` does
    not exist yet, file by file into an existing one, after checking that no file of the set
    would replace something that is not a regular file). On an error nothing is moved and
    the temporary folder is removed. ``folder``'s parent must exist.

    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> with file_set(base / "sheet") as stage:
    ...     _ = atomic_write_text(stage / "worksheet.md", "# 1")
    ...     _ = atomic_write_text(stage / "key.json", "{}")
    >>> sorted(p.name for p in (base / "sheet").iterdir())
    ['key.json', 'worksheet.md']
    >>> try:
    ...     with file_set(base / "other") as stage:
    ...         _ = atomic_write_text(stage / "worksheet.md", "# 2")
    ...         raise RuntimeError("the key could not be made")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in base.iterdir())  # nothing of the failed set, no temporary
    ['sheet']
    """
    if isinstance(folder, str) and folder == "":
        raise ValueError(f"{where}: the folder is empty; give a folder name")
    final = Path(folder)
    if final.exists() and not final.is_dir():
        raise NotADirectoryError(f"{where}: {final} exists and is not a folder")
    if not final.parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, f"{where}: the folder {final.parent} (to hold {final}) does not exist"
        )
    _remove_stale_sets(final)
    stage = final.parent / f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.set"
    try:
        os.mkdir(stage)
    except OSError as err:
        raise _named(err, where, final) from None
    try:
        yield stage
        _move_set(stage, final, where)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _remove_stale_sets(final: Path) -> None:
    """Temporary set folders of ``final`` left by a killed writer (gone, or over an hour old)."""
    prefix, now = f".{final.name}.", time.time()
    with contextlib.suppress(OSError):
        for name in os.listdir(final.parent):
            if not (name.startswith(prefix) and name.endswith(".set")):
                continue
            middle = name[len(prefix) : -len(".set")].split(".")
            if len(middle) != 2 or not middle[0].isdigit() or len(middle[1]) != 8:
                continue
            folder = final.parent / name
            with contextlib.suppress(OSError):
                old = now - folder.stat().st_mtime > _STALE_SECONDS
                if old or _writer_is_gone(int(middle[0])):
                    shutil.rmtree(folder)


def _move_set(stage: Path, final: Path, where: str) -> None:
    if not final.exists():
        with contextlib.suppress(OSError):
            os.rename(stage, final)  # the whole set appears at once
            return
    files = sorted(p for p in stage.rglob("*") if not p.is_dir())
    for source in files:  # check every target before moving any file
        target = final / source.relative_to(stage)
        with contextlib.suppress(FileNotFoundError):
            mode = os.stat(target).st_mode
            if not stat.S_ISREG(mode):
                raise OSError(
                    f"{where}: {target} is {_kind(mode)}, not a regular file; it is never "
                    "replaced, so nothing of the set was written"
                )
    try:
        for source in files:
            target = final / source.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    except OSError as err:
        raise _named(err, where, final) from None
    _fsync_directory(final)
