"""The exercise notebooks, executed twice each: with the solution (the tutor must accept it) and
with a seeded wrong answer (the tutor must reject it and name the bug), so they cannot rot.

The blanks themselves run under ``make test`` (nbmake): each blank is an answer the tutor
rejects ("missing-answer" or "unseeded-root"), never an error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="install the [dev] extra (nbformat, nbclient)")
nbclient = pytest.importorskip("nbclient", reason="install the [dev] extra (nbformat, nbclient)")

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "notebooks" / "exercises"
SOLUTIONS = ROOT / "notebooks" / "solutions"
MARK = "TUTOR-RESULT "

# One seeded wrong answer per exercise, and the code the tutor must give it.
WRONG = {
    "01_tanh_rule": (
        "def my_tanh_rule(x, out):\n    return 1 - x**2\n",
        "input-instead-of-output",
    ),
    "02_backward": (
        "def my_backward(root):\n"
        "    order, seen, stack = [], set(), [(root, False)]\n"
        "    while stack:\n"
        "        node, done = stack.pop()\n"
        "        if done:\n"
        "            order.append(node)\n"
        "        elif node not in seen:\n"
        "            seen.add(node)\n"
        "            stack.append((node, True))\n"
        "            stack.extend((p, False) for p in node.parents)\n"
        "    root.grad = 1.0\n"
        "    for node in reversed(order):\n"
        "        for parent, local in zip(node.parents, node.local_grads):\n"
        "            parent.grad = local * node.grad\n",
        "assign-not-accumulate",
    ),
    "03_neuron_table": (
        "s = 1 / (1 + math.exp(0.2))\n"
        "answers = {'L': 1.0, 'ŷ': s, 'z': s * (1 - s), 'w': 0.5 * s * (1 - s),\n"
        "           'b': s * (1 - s), 'x': 1.2 * s * (1 - s)}\n",
        "missing-upstream",
    ),
    "04_xor_delta": (
        "def my_backprop(weights, X, Y):\n"
        "    A = [X]\n"
        "    for W, b in weights:\n"
        "        A.append(1 / (1 + np.exp(-(A[-1] @ W.T + b))))\n"
        "    delta = A[-1] - Y\n"
        "    grads = []\n"
        "    for layer in range(len(weights) - 1, -1, -1):\n"
        "        grads.append((delta.T @ A[layer], delta.sum(axis=0)))\n"
        "        if layer:\n"
        "            delta = (delta @ weights[layer][0]) * A[layer] * (1 - A[layer])\n"
        "    return grads[::-1]\n",
        "missing-1-over-m",
    ),
}


def _run(name: str, answer: str) -> dict[str, object]:
    """Execute exercise ``name`` with ``answer`` in its answer cell; the tutor's verdict."""
    nb = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{name}: exactly one cell must be tagged 'answer'"
    cells[0].source = answer
    probe = "import json\nprint(%r + json.dumps({'ok': report.ok, 'diagnosis': report.diagnosis}))"
    nb.cells.append(nbformat.v4.new_code_cell(probe % MARK))
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(EXERCISES)}}
    )
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    line = next(t for t in text.splitlines() if t.startswith(MARK))
    result: dict[str, object] = json.loads(line[len(MARK) :])
    return result


def test_exercises_each_have_a_solution_and_a_wrong_answer() -> None:
    names = sorted(p.stem for p in EXERCISES.glob("*.ipynb"))
    assert names == sorted(WRONG) == sorted(p.stem for p in SOLUTIONS.glob("*.py"))


@pytest.mark.parametrize("name", sorted(WRONG))
def test_exercises_are_stored_blank_with_outputs_cleared(name: str) -> None:
    nb = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    answer = next(c for c in nb.cells if "answer" in c.metadata.get("tags", []))
    assert "your" in answer.source  # the blank, not the solution
    solution = (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")
    assert solution.strip() not in answer.source


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG))
def test_exercise_solution_is_accepted_by_the_tutor(name: str) -> None:
    result = _run(name, (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8"))
    assert result == {"ok": True, "diagnosis": None}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG))
def test_exercise_wrong_answer_is_rejected_and_the_bug_named(name: str) -> None:
    answer, code = WRONG[name]
    assert _run(name, answer) == {"ok": False, "diagnosis": code}
