"""The lesson notebooks: all present, in order, valid nbformat v4, stored with outputs cleared.

This file only checks how the notebooks are stored. Running them is `make test`'s job
(``pytest --nbmake notebooks``): each notebook asserts its own key numbers, so a broken
library fails its lesson there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

# nbformat's functions are untyped; reach them through Any so mypy --strict stays quiet
nbf: Any = nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# The lessons, in teaching order; the two-digit prefix is the order. The first eight are the
# course's outline; later lessons extend it and are picked up by their prefix.
OUTLINE = [
    "01_derivatives_and_the_chain_rule",
    "02_the_perceptron",
    "03_forward_pass_and_losses",
    "04_backprop_by_hand",
    "05_xor_network",
    "06_universal_approximation",
    "07_moons_and_backward_steps",
    "08_differentiating_backprop",
]
LESSONS = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
# An interlude between two lessons carries the earlier one's number and a letter ("04b_..."):
# it sorts after that lesson and leaves the numbering of the others alone.
INTERLUDE = re.compile(r"\d{2}[a-z]_")
NUMBERED = [stem for stem in LESSONS if not INTERLUDE.match(stem)]
EXERCISES = sorted(f"exercises/{p.stem}" for p in (NOTEBOOKS / "exercises").glob("*.ipynb"))

# What running a notebook might leave behind; lessons write into a temporary folder instead.
GENERATED = ("*.png", "*.svg", "*.pdf", "*.dot", "*.html", "*.json", ".ipynb_checkpoints")


def _read(stem: str) -> Any:
    path = NOTEBOOKS / f"{stem}.ipynb"
    assert path.is_file(), f"missing lesson notebook: {path}"
    return nbf.read(str(path), as_version=nbf.NO_CONVERT)


def _storage_problems(nb: Any) -> list[str]:
    """Every code cell that still carries outputs or an execution count."""
    problems = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {k} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {k} has execution_count {cell.execution_count}")
    return problems


def test_notebooks_are_the_outline_then_numbered_lessons_in_order() -> None:
    assert NUMBERED[: len(OUTLINE)] == OUTLINE, f"notebooks/ holds {LESSONS}"
    assert [stem[:3] for stem in NUMBERED] == [f"{k:02d}_" for k in range(1, len(NUMBERED) + 1)]
    for stem in set(LESSONS) - set(NUMBERED):  # an interlude follows a lesson of its number
        assert any(n.startswith(stem[:2] + "_") for n in NUMBERED), stem


@pytest.mark.parametrize("stem", LESSONS + EXERCISES)
def test_notebooks_lesson_is_valid_nbformat_v4(stem: str) -> None:
    nb = _read(stem)
    assert nb.nbformat == 4
    nbf.validate(nb)  # raises ValidationError on a malformed notebook


@pytest.mark.parametrize("stem", LESSONS + EXERCISES)
def test_notebooks_lesson_is_stored_with_outputs_cleared(stem: str) -> None:
    nb = _read(stem)
    assert _storage_problems(nb) == []


@pytest.mark.parametrize("stem", LESSONS)
def test_notebooks_lesson_runs_on_the_python3_kernel(stem: str) -> None:
    nb = _read(stem)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


@pytest.mark.parametrize("stem", LESSONS)
def test_notebooks_lesson_opens_with_a_title(stem: str) -> None:
    first = _read(stem).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")


@pytest.mark.parametrize("stem", LESSONS)
def test_notebooks_lesson_asserts_its_numbers(stem: str) -> None:
    # the asserts are what make a broken library fail the lesson when nbmake runs it
    code = [c.source for c in _read(stem).cells if c.cell_type == "code"]
    asserts = [
        line for src in code for line in src.splitlines() if line.lstrip().startswith("assert ")
    ]
    assert len(asserts) >= 3, f"{stem}: only {len(asserts)} assert statement(s)"


def test_notebooks_folder_holds_no_generated_files() -> None:
    leftovers = sorted(str(p.relative_to(NOTEBOOKS)) for g in GENERATED for p in NOTEBOOKS.glob(g))
    assert leftovers == []


def test_notebooks_storage_check_flags_outputs_and_execution_counts() -> None:
    # the check above must be able to fail: an executed cell is caught
    nb = nbf.v4.new_notebook()
    nb.cells = [
        nbf.v4.new_markdown_cell("# title"),
        nbf.v4.new_code_cell("1 + 1"),
        nbf.v4.new_code_cell("print(2)"),
    ]
    assert _storage_problems(nb) == []
    nb.cells[1].execution_count = 3
    nb.cells[2].outputs = [nbf.v4.new_output("stream", name="stdout", text="2\n")]
    assert _storage_problems(nb) == ["cell 1 has execution_count 3", "cell 2 has 1 output(s)"]
