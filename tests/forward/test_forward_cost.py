"""compare_modes, sweep and the models it measures; the forward tape and drawing.

Only operation counts (deterministic) are asserted, never times: the machine is noisy.
References: ``tinygrad_edu.losses`` and ``backward()`` for ``mlp_loss``, counts by hand for a
two-node graph, ``jvp`` for the tangents shown.
"""

from __future__ import annotations

from typing import Any

import pytest

from tinygrad_edu.data import xor
from tinygrad_edu.examples import xor_network
from tinygrad_edu.forward import (
    BudgetExceeded,
    ModeComparison,
    ModeSweep,
    compare_modes,
    draw_each_direction,
    draw_forward,
    fan_out,
    forward_tape,
    jvp,
    mlp_loss,
    sweep,
)
from tinygrad_edu.losses import bce, mse
from tinygrad_edu.nn import MLP


# --------------------------------------------------------------------------- models and costs
def test_forward_mlp_loss_is_the_models_loss_to_the_last_bit() -> None:
    model = xor_network()
    X, y = xor()
    for loss, reference in (("bce", bce), ("mse", mse)):
        problem = mlp_loss(model, X, y, loss)
        params = model.parameters()
        for p in params:
            p.grad = 0.0
        ours = problem.f(*params)
        theirs = reference([model(x) for x in X], y)
        assert ours.data == theirs.data
        ours.backward()
        mine = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        theirs.backward()
        assert mine == [p.grad for p in params]


def test_forward_compare_modes_on_the_xor_network_agrees_and_reverse_is_cheapest() -> None:
    X, y = xor()
    c = compare_modes(xor_network(), X=X, y=y, loss="bce", memory=False)
    assert isinstance(c, ModeComparison)
    assert (c.n_inputs, c.n_outputs, c.modes) == (37, 1, ("reverse", "forward", "central"))
    reverse, forward, central = c.rows
    # reverse: the graph (N primitives) plus one product per edge; forward: 37 Dual passes
    # of N primitives and E products; central: 74 evaluations of N primitives
    assert reverse.operations < forward.operations / 20
    assert reverse.operations < central.operations / 10
    assert forward.passes == 37 and central.passes == 74 and reverse.passes == 1
    assert forward.tape_nodes == 0 and reverse.tape_nodes > 100
    assert forward.max_error < 1e-12 and central.max_error < 1e-6
    assert c.cheapest() == "reverse"
    text, md = str(c), c.to_markdown()
    assert "forward mode (duals)" in text and "central differences" in text
    assert "| reverse mode (backprop) |" in md and "max \\|Δ\\| vs reverse" in md


def test_forward_compare_modes_counts_are_exact_on_a_small_function() -> None:
    c = compare_modes(lambda a, b: (a * b).tanh(), [0.5, 2.0], memory=True)
    # graph: mul, tanh (2 primitives, 3 edges); reverse 2 + 3; forward 2 × (2 + 3);
    # central 2 × 2 evaluations × 2 primitives
    assert [r.operations for r in c.rows] == [5, 10, 8]
    assert [r.passes for r in c.rows] == [1, 2, 4]
    assert c.row("reverse").tape_nodes == 4 and c.row("reverse").tape_edges == 3
    assert all(r.peak_kib is not None and r.peak_kib >= 0.0 for r in c.rows)


def test_forward_mode_is_cheaper_with_few_inputs_and_many_outputs() -> None:
    c = compare_modes(fan_out(2, 64), memory=False)
    forward, reverse = c.row("forward"), c.row("reverse")
    assert (c.n_inputs, c.n_outputs) == (2, 64)
    assert forward.operations * 3 < reverse.operations
    assert forward.max_error < 1e-12
    assert c.ratio("forward", "operations") < 1.0


def test_forward_sweep_finds_the_crossover_on_a_few_in_many_out_function() -> None:
    s = sweep([fan_out(n, 16) for n in (1, 2, 4, 8, 16)], memory=False)
    assert isinstance(s, ModeSweep)
    ops_forward = [ops_ for _, ops_ in s.series("forward")]
    ops_reverse = [ops_ for _, ops_ in s.series("reverse")]
    assert ops_forward[0] < ops_reverse[0] and ops_forward[-1] > ops_reverse[-1]
    assert s.crossover() == 8
    assert s.to_markdown().splitlines()[0].startswith("| inputs | outputs |")


@pytest.mark.slow  # imports matplotlib
def test_forward_sweep_plots_each_mode_against_the_number_of_inputs() -> None:
    import matplotlib

    matplotlib.use("Agg")
    s = sweep([fan_out(n, 16) for n in (1, 2, 4, 8, 16)], memory=False)
    ax = s.plot()
    assert [line.get_label() for line in ax.get_lines()] == [
        "reverse mode (backprop)",
        "forward mode (duals)",
        "central differences",
    ]
    assert [int(x) for x in ax.get_lines()[1].get_xdata()] == [1, 2, 4, 8, 16]
    assert list(ax.get_lines()[1].get_ydata()) == [float(o) for _, o in s.series("forward")]
    with pytest.raises(ValueError, match="metric"):
        s.plot(metric="joules")


def test_forward_compare_modes_refuses_past_its_budget_naming_the_way_out() -> None:
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    X, y = xor()
    with pytest.raises(BudgetExceeded, match=r"budget=\d+ to wait, directions=k"):
        compare_modes(model, X=X, y=y, budget=1e-4)


def test_forward_compare_modes_scales_from_a_few_directions() -> None:
    model = MLP(2, [4, 1], activation="tanh", seed=0)  # 17 parameters
    X, y = xor()
    full = compare_modes(model, X=X, y=y, memory=False)
    part = compare_modes(model, X=X, y=y, memory=False, directions=3)
    assert part.row("forward").estimated and not full.row("forward").estimated
    assert part.row("forward").operations == full.row("forward").operations
    assert part.row("central").operations == full.row("central").operations
    assert part.notes == ("forward and central timed on 3 of 17 directions, scaled",)


# --------------------------------------------------------------------------- showing it
def test_forward_tape_tangents_are_jvps() -> None:
    def f(w: Any, x: Any, b: Any) -> Any:
        return (w * x + b).sigmoid()

    point, v = [1.2, 0.5, -0.8], [0.0, 0.0, 1.0]
    text = forward_tape(f, point, v)
    last = text.splitlines()[-1]
    assert last.endswith(f"= {jvp(f, point, v)[1]!r}")
    assert text.splitlines()[1].startswith("v0 = ")
    assert "(seed)" in text


def test_forward_tape_markdown_fences_user_labels() -> None:
    t = forward_tape(lambda a: a * 2.0, [1.0], [1.0], names=["x```y"])
    md = t._repr_markdown_()
    assert md.startswith("````\n") and md.endswith("\n````")


def test_forward_drawing_shows_each_tangent_in_its_box() -> None:
    g = draw_forward(lambda a, b: (a * b).tanh(), [0.5, 2.0], [1.0, 0.0], precision=6)
    _, tangent = jvp(lambda a, b: (a * b).tanh(), [0.5, 2.0], [1.0, 0.0])
    assert f"tangent {tangent:.6g}" in g.source
    assert "a | data 0.5 | tangent 1" in g.source and "b | data 2 | tangent 0" in g.source


def test_forward_sweep_takes_function_and_inputs_pairs() -> None:
    s = sweep([(lambda a: a.tanh(), [0.5]), (lambda a, b: a * b, [2.0, 3.0])], memory=False)
    assert [c.n_inputs for c in s.comparisons] == [1, 2]
    assert s.comparisons[1].row("forward").operations == 2 * (1 + 2)


def test_forward_compare_modes_rejects_bad_input_by_name() -> None:
    with pytest.raises(ValueError, match="a model needs data: pass X= and y="):
        compare_modes(xor_network())
    with pytest.raises(ValueError, match="keep 'reverse' in modes"):
        compare_modes(lambda a: a, [1.0], modes=("forward",))
    with pytest.raises(ValueError, match="compare_modes: a mode"):
        compare_modes(lambda a: a, [1.0], modes=("reverse", "sideways"))
    with pytest.raises(TypeError, match=r"expected a function, an nn\.MLP or a Problem"):
        compare_modes(42)
    with pytest.raises(ValueError, match="mlp_loss: loss"):
        mlp_loss(xor_network(), [[0.0, 1.0]], [1.0], "hinge")


def test_forward_each_direction_gets_its_own_picture() -> None:
    pictures = draw_each_direction(lambda a, b: a * b, [2.0, 3.0])
    assert len(pictures) == 2
    assert "a | data 2 | tangent 1" in pictures[0].source
    assert "data 6 | tangent 3" in pictures[0].source  # ∂(ab)/∂a = b
    assert "data 6 | tangent 2" in pictures[1].source  # ∂(ab)/∂b = a
