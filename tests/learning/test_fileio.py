"""fileio: atomic writes replace a file whole, clean up on every exit path (a kill -9 too, on
the next write), write through symlinks, and bad targets get a clear error."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.fileio import atomic_write_bytes, atomic_write_text, temporary_files


def test_fileio_writes_and_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]  # no temporary left


def test_fileio_a_folder_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match=r"save: .* is a folder; give a file name"):
        atomic_write_bytes(tmp_path, b"x", "save")


def test_fileio_without_make_folder_a_missing_folder_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "m.json"
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .*m\.json"):
        atomic_write_text(target, "{}", "save", make_folder=False)


# --------------------------------------------------------------------------- every exit path
def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors via /proc")
@pytest.mark.parametrize("moment", ["fdopen", "write", "fsync", "replace"])
def test_fileio_an_interrupt_at_any_moment_leaves_no_temporary_and_no_descriptor(
    moment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "old")
    before = open_descriptors()

    def interrupt(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    if moment == "write":

        def fdopen(fd: int, mode: str) -> object:
            f = real_fdopen(fd, mode)

            class Interrupting:
                def write(self, data: bytes) -> int:
                    raise KeyboardInterrupt

                def __getattr__(self, name: str) -> object:
                    return getattr(f, name)

            return Interrupting()

        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, moment, interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert temporary_files(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert open_descriptors() == before


def test_fileio_a_full_disk_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.json"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"save: cannot write .*model\.json: No space left") as info:
        atomic_write_text(target, "{}", "save")
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_fileio_writes_through_a_symlink_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "store" / "model.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "current.json"
    link.symlink_to(Path("store") / "model.json")  # a relative link
    assert atomic_write_text(link, "new") == link
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    assert temporary_files(real) == [] and temporary_files(link) == []
    dangling = tmp_path / "next.json"
    dangling.symlink_to(tmp_path / "store" / "later.json")
    atomic_write_text(dangling, "created")
    assert dangling.is_symlink()
    assert (tmp_path / "store" / "later.json").read_text(encoding="utf-8") == "created"


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_fileio_stale_temporaries_of_the_target_are_removed_on_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "m.json"
    gone = tmp_path / f".m.json.{dead_pid()}.0123abcd.tmp"  # its writer was killed
    old = tmp_path / f".m.json.{os.getppid()}.89abcdef.tmp"  # a live pid, but hours old
    fresh = tmp_path / f".m.json.{os.getppid()}.feedf00d.tmp"  # perhaps being written now
    other = tmp_path / f".other.json.{dead_pid()}.0123abcd.tmp"  # another target's
    mine = tmp_path / ".m.json.notes.tmp"  # not a name the writer makes
    for p in (gone, old, fresh, other, mine):
        p.write_text("partial", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert temporary_files(target) == sorted([gone, old, fresh])
    atomic_write_text(target, "{}")
    assert temporary_files(target) == [fresh]
    assert other.exists() and mine.exists()


KILLED_WRITER = """
import sys
from tinygrad_edu.nn import MLP
from tinygrad_edu.serialize import save
models = [MLP(3, [16, 16, 1], seed=s) for s in (1, 2)]
print("ready", flush=True)
i = 0
while True:
    save(models[i % 2], sys.argv[1])
    i += 1
"""


@pytest.mark.slow
@settings(max_examples=6)
@given(delay=st.floats(0.0, 0.05))
def test_fileio_save_killed_at_a_random_moment_leaves_old_or_new_and_no_temporaries(
    delay: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tinygrad_edu.nn import MLP
    from tinygrad_edu.serialize import load, save

    folder = tmp_path_factory.mktemp("kill")
    target = folder / "m.json"
    save(MLP(3, [16, 16, 1], seed=0), target)
    candidates = [MLP(3, [16, 16, 1], seed=s).state_dict() for s in (0, 1, 2)]
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert load(target).state_dict() in candidates  # the old file or a whole new one
    save(MLP(3, [16, 16, 1], seed=3), target)
    assert temporary_files(target) == []
    assert sorted(p.name for p in folder.iterdir()) == ["m.json"]
