"""fileio: atomic writes replace a file whole, and bad targets get a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinygrad_edu.fileio import atomic_write_bytes, atomic_write_text


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
