"""compile: the replayed straight-line code gives eager's floats bit for bit, without nodes."""

from __future__ import annotations

import gc
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Dag, activations, dags, inputs_for, mlp_shapes, seeds

from tinygrad_edu import MLP, Value, losses
from tinygrad_edu.compile import CompileMismatch, compile, data_max
from tinygrad_edu.minigpt import AdamState, MiniGPT
from tinygrad_edu.nary import vsum


def hexes(xs: list[float]) -> list[str]:
    return [x.hex() for x in xs]


def eager_value_and_grads(f, xs, params):  # type: ignore[no-untyped-def]
    """Eager reference: fresh leaves, one backward(), grads read back."""
    for p in params:
        p.grad = 0.0
    leaves = [Value(x) for x in xs]
    root = f(*leaves)
    root.backward()
    return root.data, [v.grad for v in leaves], [p.grad for p in params]


@settings(max_examples=60)
@given(dags(max_inputs=4, max_steps=12))
def test_compile_dag_bit_identical_to_eager(dag: Dag) -> None:
    compiled = compile(dag, dag.inputs, params=[], check=0)
    value, gx = compiled.value_and_grad(*dag.inputs)
    ref_value, ref_gx, _ = eager_value_and_grads(dag, dag.inputs, [])
    assert hexes([value, *gx]) == hexes([ref_value, *ref_gx])
    assert compiled(*dag.inputs).hex() == ref_value.hex()


@settings(max_examples=40)
@given(dags(max_inputs=3, max_steps=10), st.floats(0.9, 1.1))
def test_compile_dag_replays_new_inputs_like_a_rebuild(dag: Dag, scale: float) -> None:
    compiled = compile(dag, dag.inputs, params=[], check=0)
    xs = [x * scale for x in dag.inputs]
    try:
        ref_value, ref_gx, _ = eager_value_and_grads(dag, xs, [])
    except (ValueError, ArithmeticError) as err:  # outside a domain: the replay says the same
        with pytest.raises(type(err)):
            compiled.value_and_grad(*xs)
        return
    value, gx = compiled.value_and_grad(*xs)
    assert hexes([value, *gx]) == hexes([ref_value, *ref_gx])


@settings(max_examples=40)
@given(mlp_shapes(), activations(), seeds(), st.data())
def test_compile_random_mlp_gradients_bit_identical(
    shape: tuple[int, list[int]], activation: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, activation=activation, seed=seed)
    params = model.parameters()
    x0 = data.draw(inputs_for(nin))
    x1 = data.draw(inputs_for(nin))

    def f(*xs: Value) -> Value:
        return vsum(o * o for o in model(list(xs)))

    compiled = compile(f, x0, params=params, check=0)
    for xs in (x0, x1):
        ref_value, ref_gx, ref_gp = eager_value_and_grads(f, xs, params)
        for p in params:
            p.grad = 0.0
        value, gx = compiled.value_and_grad(*xs)
        assert hexes([value, *gx, *(p.grad for p in params)]) == hexes(
            [ref_value, *ref_gx, *ref_gp]
        )


def test_compile_parameters_are_read_live_and_grads_accumulate() -> None:
    w = Value(2.0)
    compiled = compile(lambda x: x * w * w, [1.0], params=[w])
    w.grad = 10.0  # leaf gradients accumulate, as with backward()
    value, (dx,) = compiled.value_and_grad(3.0)
    assert (value, dx, w.grad) == (12.0, 4.0, 10.0 + 6.0 + 6.0)
    w.data = 5.0
    assert compiled(1.0) == 25.0


LOSS_CASES = [
    ("mse", [[0.5], [-1.0], [2.0]], 1),
    ("half_sse", [[0.5, 1.0], [-1.0, 0.0]], 2),
    ("bce", [1.0, 0.0, 1.0], 1),
    ("bce_with_logits", [1.0, 0.0, 0.0], 1),
    ("hinge", [1.0, -1.0, 1.0], 1),
    ("cross_entropy", [2, 0, 1], 3),
]


@pytest.mark.parametrize(("name", "targets", "nout"), LOSS_CASES)
def test_compile_every_loss_bit_identical(name: str, targets: list[object], nout: int) -> None:
    activation = "sigmoid" if name == "bce" else "linear"
    model = MLP(2, [4, nout], activation="tanh", output_activation=activation, seed=3)
    params = model.parameters()
    loss_fn = losses.get_loss(name)
    rows = [[0.1, -0.4], [0.7, 0.2], [-0.3, 0.9]][: len(targets)]

    def f(*flat: Value) -> Value:
        outs = [model([flat[2 * i], flat[2 * i + 1]]) for i in range(len(rows))]
        return loss_fn(outs, targets)

    flat = [x for row in rows for x in row]
    compiled = compile(f, flat, params=params, check=0)
    ref = eager_value_and_grads(f, flat, params)
    for p in params:
        p.grad = 0.0
    value, gx = compiled.value_and_grad(*flat)
    assert hexes([value, *gx, *(p.grad for p in params)]) == hexes([ref[0], *ref[1], *ref[2]])


@pytest.mark.slow
def test_compile_minigpt_step_bit_identical_over_training() -> None:
    model = MiniGPT(Value, seed=4)
    params = model.parameters()
    eager = MiniGPT(Value, seed=4)
    opt_c, opt_e = AdamState(params), AdamState(eager.parameters())
    compiled = compile(lambda: model.loss("ann", shift=data_max), [], params=params, check=1)
    for _ in range(3):
        opt_c.zero_grad()
        value, _ = compiled.value_and_grad()
        opt_c.step()
        loss = eager.loss("ann")  # the ordinary float max-shift
        opt_e.zero_grad()
        loss.backward()
        opt_e.step()
        assert value.hex() == loss.data.hex()
    assert hexes([p.data for p in params]) == hexes([p.data for p in eager.parameters()])


@pytest.mark.slow
def test_compile_check_catches_a_shift_frozen_from_data() -> None:
    model = MiniGPT(Value, seed=4)
    params = model.parameters()
    compiled = compile(lambda: model.loss("ann"), [], params=params, check=3)
    compiled.value_and_grad()  # same weights as the trace: identical
    for p in params:
        p.data *= 1.5  # the logits move, the traced max-shift does not
    with pytest.raises(CompileMismatch, match="differs from an eager rebuild"):
        compiled.value_and_grad()


def test_compile_replay_creates_no_nodes() -> None:
    model = MLP(3, [8, 8, 1], seed=1)
    compiled = compile(lambda *x: model(list(x))[0], [0.1, 0.2, 0.3], params=model.parameters())
    compiled.value_and_grad(0.3, 0.2, 0.1)  # the check's eager rebuild happens here
    gc.collect()
    before = sum(issubclass(type(o), Value) for o in gc.get_objects())
    compiled.value_and_grad(0.5, -0.2, 0.4)
    after = sum(issubclass(type(o), Value) for o in gc.get_objects())
    assert after == before


def test_compile_domain_error_is_the_library_message() -> None:
    compiled = compile(lambda x: x.log(), [2.0], params=[])
    assert compiled.value_and_grad(math.e) == (1.0, [1.0 / math.e])
    with pytest.raises(ValueError, match=r"log: the input must be > 0, got -1.0"):
        compiled.value_and_grad(-1.0)


def test_compile_op_without_derivative_text_calls_its_rule() -> None:
    from tinygrad_edu.engine import apply
    from tinygrad_edu.ops import Primitive

    cube = Primitive("cube", "³", lambda x: x * x * x, lambda out, x: (3.0 * x * x,), 1)
    compiled = compile(lambda x: apply(cube, x) * x.softplus(), [0.5], params=[])
    assert "_r0(" in compiled.source  # no text: the rule is called
    x = Value(0.25)
    y = apply(cube, x) * x.softplus()
    y.backward()
    assert compiled.value_and_grad(0.25) == (y.data, [x.grad])


def test_compile_source_is_readable_code() -> None:
    compiled = compile(lambda a, b: (a * b).tanh(), [1.0, 2.0], params=[])
    assert compiled.source == (
        "def replay(X, P, G):\n"
        '    """2 nodes, 3 edges: the value, then d/dX and d/dP."""\n'
        "    x0, x1, = X\n"
        "    # forward: one line per node, parents before children\n"
        "    v0 = x0 * x1  # *\n"
        "    v1 = _math_tanh(v0)  # tanh\n"
        "    # backward: parent gradient += local derivative * node gradient, in reverse\n"
        "    gx0 = 0.0\n"
        "    gx1 = 0.0\n"
        "    g1 = 1.0\n"
        "    g0 = 1.0 - v1 * v1\n"
        "    gx0 += x1 * g0\n"
        "    gx1 += x0 * g0\n"
        "    return v1, (gx0, gx1, ), ()\n"
    )


def test_compile_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="compile: f must return a Value, got float"):
        compile(lambda x: 1.0, [1.0])
    with pytest.raises(TypeError, match=r"compile: example_inputs\[0\] must be a number, got bool"):
        compile(lambda x: x, [True])
    compiled = compile(lambda x: x * x, [1.0])
    with pytest.raises(TypeError, match="compile: the function takes 1 inputs, got 2"):
        compiled(1.0, 2.0)


def test_data_max_is_a_constant_shift() -> None:
    zs = [Value(1.0), Value(3.0)]
    m = data_max(zs)
    assert m.data == 3.0
    (zs[1] - m).backward()
    assert (zs[0].grad, zs[1].grad) == (0.0, 1.0)
    with pytest.raises(ValueError, match="data_max: needs at least one value"):
        data_max([])


# ---------------------------------------------------------------------- the training step
def step_pair(name: str, nout: int, l2: float, seed: int = 7):  # type: ignore[no-untyped-def]
    """Two identical models: one stepped by CompiledStep, one by the eager fit step."""
    from tinygrad_edu.compile import CompiledStep

    out_act = "sigmoid" if name == "bce" else "linear"
    a = MLP(2, [5, nout], activation="relu", output_activation=out_act, seed=seed)
    b = MLP(2, [5, nout], activation="relu", output_activation=out_act, seed=seed)
    loss_fn = losses.get_loss(name)
    return a, b, loss_fn, CompiledStep(a, loss_fn, a.parameters(), l2=l2, check=0)


def eager_step(model, loss_fn, X, y, l2):  # type: ignore[no-untyped-def]
    """fit's step, written out: outputs, loss (+ l2·Σp²), zero_grad, backward."""
    params = model.parameters()
    outs = [model(x) for x in X]
    objective = loss_fn(outs, y)
    if l2:
        objective = objective + l2 * vsum([p * p for p in params])
    for p in params:
        p.grad = 0.0
    objective.backward()
    return objective.data, [[o.data for o in out] for out in outs]


ROWS = [[0.3, -0.2], [1.1, 0.4], [-0.7, 0.9], [0.05, -1.3], [0.6, 0.6], [-0.2, -0.4]]
STEP_CASES = [
    ("mse", [[0.5], [-1.0], [2.0], [0.0], [1.0], [0.3]], 1),
    ("half_sse", [[0.5, 1.0], [-1.0, 0.0], [0.2, 0.2], [1.0, 1.0], [0.0, 0.0], [3.0, -1.0]], 2),
    ("bce", [1.0, 0.0, 1.0, 1.0, 0.0, 0.0], 1),
    ("bce_with_logits", [1.0, 0.0, 0.0, 1.0, 1.0, 0.0], 1),
    ("hinge", [1.0, -1.0, 1.0, -1.0, -1.0, 1.0], 1),
    ("cross_entropy", [2, 0, 1, 1, 2, 0], 3),
]


@pytest.mark.parametrize(("name", "targets", "nout"), STEP_CASES)
@pytest.mark.parametrize("batch", [1, 2, 6])
@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_compiled_step_every_loss_and_batch_bit_identical(
    name: str, targets: list[object], nout: int, batch: int, l2: float
) -> None:
    a, b, loss_fn, stepper = step_pair(name, nout, l2)
    pa, pb = a.parameters(), b.parameters()
    for step in range(4):  # the glue is traced, then seen again, then replayed from code
        lo = (step * batch) % len(ROWS)
        X, y = ROWS[lo : lo + batch], targets[lo : lo + batch]
        if len(X) < batch:
            X, y = ROWS[:batch], targets[:batch]
        value, outs = stepper.step(X, y)
        ref_value, ref_outs = eager_step(b, loss_fn, X, y, l2)
        flat = [o for out in outs for o in out]
        ref_flat = [o for out in ref_outs for o in out]
        assert hexes([value, *flat]) == hexes([ref_value, *ref_flat])
        assert hexes([p.grad for p in pa]) == hexes([p.grad for p in pb])
        for p, q in zip(pa, pb):  # the same SGD update on both
            p.data -= 0.1 * p.grad
            q.data -= 0.1 * q.grad
    assert stepper.compiled_steps == 4 and stepper.eager_steps == 0


def test_compiled_step_replays_the_loss_from_code_once_targets_recur() -> None:
    _, _, _, stepper = step_pair("hinge", 1, 1e-4)
    X, y = ROWS, [1.0, -1.0, 1.0, -1.0, -1.0, 1.0]
    for _ in range(3):
        stepper.step(X, y)
    assert len(stepper._glue) == 1  # hinge takes no constant from the data
    _, _, _, ce = step_pair("cross_entropy", 3, 0.0)
    for _ in range(3):
        ce.step(X, [2, 0, 1, 1, 2, 0])
    assert len(ce._glue) == 0  # its max-shift is read from .data: built every step


def test_compiled_step_check_catches_python_control_flow() -> None:
    from tinygrad_edu.compile import CompiledStep

    w, v = Value(2.0), Value(-3.0)

    def model(x: list[Value | float]) -> list[Value]:
        x0 = x[0] if isinstance(x[0], Value) else Value(x[0])
        return [x0 * w if x0.data > 0 else x0 * v]  # a branch the trace freezes

    stepper = CompiledStep(model, losses.mse, [w, v], check=5)
    stepper.step([[1.0]], [[0.0]])
    with pytest.raises(CompileMismatch, match="training step"):
        stepper.step([[-1.0]], [[0.0]])


def test_compiled_step_loss_out_of_example_order_runs_eagerly() -> None:
    from tinygrad_edu.compile import CompiledStep

    model = MLP(1, [2], seed=0)

    def backwards_mse(outs: list[list[Value]], ys: list[float]) -> Value:
        return vsum((o[0] - t) ** 2 for o, t in reversed(list(zip(outs, ys))))

    stepper = CompiledStep(model, backwards_mse, model.parameters())
    value, _ = stepper.step([[0.5], [1.0]], [1.0, 0.0])
    assert stepper.eager_steps == 1 and stepper.compiled_steps == 0
    ref = eager_step(MLP(1, [2], seed=0), backwards_mse, [[0.5], [1.0]], [1.0, 0.0], 0.0)
    assert value == ref[0]


# ---------------------------------------------------------------------- fit(..., compile=True)
@pytest.mark.parametrize(
    ("loss", "batch_size", "l2"),
    [("bce", None, 0.0), ("mse", 2, 1e-3), ("cross_entropy", 3, 0.0), ("hinge", None, 1e-4)],
)
def test_fit_compile_gives_the_eager_run_bit_for_bit(
    loss: str, batch_size: int | None, l2: float
) -> None:
    from tinygrad_edu import SGD, fit

    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.2]]
    y: list[object]
    if loss == "cross_entropy":
        y, nout, out_act = [0, 1, 1, 0, 2], 3, "linear"
    elif loss == "hinge":
        y, nout, out_act = [-1.0, 1.0, 1.0, -1.0, 1.0], 1, "linear"
    else:
        y, nout, out_act = [0.0, 1.0, 1.0, 0.0, 1.0], 1, "sigmoid"
    runs = []
    for compiled in (False, True):
        model = MLP(2, [4, nout], activation="tanh", output_activation=out_act, seed=5)
        opt = SGD(model.parameters(), lr=0.5)
        history = fit(
            model,
            X,
            y,
            loss=loss,
            optimizer=opt,
            epochs=12,
            batch_size=batch_size,
            progress=False,
            l2=l2,
            compile=compiled,
        )
        runs.append((history, [p.data for p in model.parameters()]))
    (h0, w0), (h1, w1) = runs
    assert hexes(h0.loss) == hexes(h1.loss)
    assert h0.accuracy == h1.accuracy
    assert hexes(w0) == hexes(w1)


def test_fit_compile_leaves_the_collector_as_it_was() -> None:
    from tinygrad_edu import SGD, fit

    model = MLP(1, [2, 1], seed=0)
    was = gc.isenabled()
    gc.enable()
    try:
        fit(
            model,
            [[0.0], [1.0]],
            [0.0, 1.0],
            loss="mse",
            optimizer=SGD(model.parameters(), 0.1),
            epochs=2,
            progress=False,
            compile=True,
        )
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()


def test_compiled_step_skips_examples_with_zero_seeds_and_stays_bit_identical() -> None:
    """A hinge met with margin seeds its example with exactly 0: the replay skips that
    example's backward pass, and the gradients are still eager's, bit for bit."""
    a, b, loss_fn, stepper = step_pair("hinge", 1, 1e-3)
    X = ROWS
    outs = [a(x)[0].data for x in X]
    y = [1.0 if o >= 0 else -1.0 for o in outs]  # ...the sign of each score, so 1 − y·s
    y[0] = -y[0]  # ...and one example on the wrong side: its seed is not 0
    scaled = [[10.0 * v for v in x] for x in X]  # large scores: most margins met
    stepper.step(scaled, y)
    eager_step(b, loss_fn, scaled, y, 1e-3)
    assert hexes([p.grad for p in a.parameters()]) == hexes([p.grad for p in b.parameters()])
    assert stepper.skipped_examples >= 1
    assert stepper.compiled_steps == 1


def test_compiled_step_never_skips_when_a_local_could_be_infinite() -> None:
    """log's local 1/x is not finite for every finite x: no example of a graph with a log is
    skipped, even when its seeds are 0."""
    from tinygrad_edu.compile import CompiledStep

    w = Value(0.5)

    def model(x: list[Value | float]) -> Value:
        x0 = x[0] if isinstance(x[0], Value) else Value(x[0])
        return (x0 * w).log()

    def flat(preds: list[Value], targets: list[float]) -> Value:
        return vsum([(1.0 - p * t).relu() for p, t in zip(preds, targets)])

    stepper = CompiledStep(model, flat, [w], check=1)
    for _ in range(2):
        stepper.step([[100.0], [200.0]], [1.0, 1.0])  # log(50) > 1: both hinges met
    assert w.grad == 0.0 and stepper.skipped_examples == 0 and stepper.compiled_steps == 2
