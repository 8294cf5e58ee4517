"""fit(): the lesson's demos train (XOR, micrograd's moons, softmax on blobs and a spiral), and
the loop's bookkeeping: batches, shuffling, history, accuracy rules, NaN stops, progress bar."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest

from tinygrad_edu import data
from tinygrad_edu.engine import Value, is_grad_enabled
from tinygrad_edu.losses import bce, mse
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.train import DivergedError, accuracy, classify, fit, predict

# The demos' settings, stated in the README; each test's time on 2 cores is in the report.
XOR_SEED, XOR_LR, XOR_EPOCHS = 0, 1.0, 2000
MOONS_SEED, MOONS_EPOCHS = 0, 100  # data and model seed; lr 1.0 → 0.1 linearly (micrograd's)


# --------------------------------------------------------------------------- the demos
def test_train_xor_with_the_lessons_network_reaches_low_loss_and_all_four_right() -> None:
    X, y = data.xor()
    model = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=XOR_SEED)
    opt = SGD(model.parameters(), lr=XOR_LR)
    history = fit(model, X, y, loss="bce", optimizer=opt, epochs=XOR_EPOCHS, progress=False)
    final = bce([Value(p) for (p,) in predict(model, X)], y)  # type: ignore[misc]
    assert final.data < 0.05
    assert history.loss[-1] < 0.05 < history.loss[0]
    assert classify(model, X, "prob") == [0, 1, 1, 0]
    assert accuracy(model, X, y, "prob") == 1.0
    assert history.decision == "prob" and history.accuracy[-1] == 1.0


@pytest.mark.slow
def test_train_micrograd_moons_demo_reaches_97_percent() -> None:
    X, labels = data.moons(100, noise=0.1, seed=MOONS_SEED)
    y = data.to_signed(labels)
    model = MLP(2, [16, 16, 1], seed=MOONS_SEED)  # ReLU hidden, linear score, as micrograd
    opt = SGD(model.parameters(), lr=1.0)
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        optimizer=opt,
        epochs=MOONS_EPOCHS,
        l2=1e-4,
        lr_schedule=lambda k: 1.0 - 0.9 * k / MOONS_EPOCHS,
        progress=False,
    )
    assert accuracy(model, X, y, "sign") >= 0.97
    assert history.accuracy[-1] >= 0.97
    assert history.loss[-1] < history.loss[0]


def test_train_three_class_softmax_classifier_on_blobs() -> None:
    X, y = data.blobs(90, k=3, margin=0.3, seed=0)
    model = MLP(2, [3], seed=0)  # linear logits: a softmax regression
    opt = SGD(model.parameters(), lr=0.5)
    history = fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=50, progress=False)
    assert accuracy(model, X, y, "argmax") > 0.9
    assert history.decision == "argmax"
    assert history.loss[-1] < history.loss[0]


@pytest.mark.slow
def test_train_three_class_softmax_network_on_a_spiral() -> None:
    X, y = data.spiral(90, k=3, noise=0.2, seed=0)
    model = MLP(2, [16, 3], seed=0)
    opt = Adam(model.parameters(), lr=0.05)
    fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=100, progress=False)
    assert accuracy(model, X, y, "argmax") > 0.9


# --------------------------------------------------------------------------- batches
def recording(log: list[list[float]]) -> Callable[..., Value]:
    """An mse that writes down the targets of every batch it sees."""

    def loss(preds: Sequence[Value], targets: Sequence[float]) -> Value:
        log.append(list(targets))
        return mse(preds, targets)

    return loss


def line_model() -> MLP:
    return MLP(1, [1], seed=0)


ROWS = [[float(i)] for i in range(5)]
TARGETS = [float(i) for i in range(5)]  # the target names the row


def test_train_mini_batches_are_shuffled_and_cover_every_row_each_epoch() -> None:
    log: list[list[float]] = []
    model = line_model()
    fit(
        model,
        ROWS,
        TARGETS,
        loss=recording(log),
        optimizer=SGD(model.parameters(), lr=0.0),
        epochs=4,
        batch_size=2,
        progress=False,
    )
    assert [len(b) for b in log] == [2, 2, 1] * 4
    epochs = [[t for batch in log[3 * e : 3 * e + 3] for t in batch] for e in range(4)]
    assert all(sorted(e) == TARGETS for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1  # a new order each epoch


def test_train_full_batch_is_one_batch_in_order() -> None:
    log: list[list[float]] = []
    model = line_model()
    opt = SGD(model.parameters(), lr=0.0)
    fit(model, ROWS, TARGETS, loss=recording(log), optimizer=opt, epochs=2, progress=False)
    assert log == [TARGETS, TARGETS]


def test_train_same_seed_same_run_other_seed_other_run() -> None:
    def run(seed: int) -> tuple[list[float], list[float]]:
        model = MLP(1, [3, 1], seed=0)
        opt = SGD(model.parameters(), lr=0.05)
        h = fit(
            model,
            ROWS,
            TARGETS,
            loss="mse",
            optimizer=opt,
            epochs=5,
            batch_size=2,
            seed=seed,
            progress=False,
        )
        return h.loss, [p.data for p in model.parameters()]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_train_epoch_loss_is_the_size_weighted_mean_over_batches() -> None:
    # lr = 0 keeps the model fixed, so every epoch's loss is the full-data mse
    model = MLP(1, [2, 1], seed=3)
    opt = SGD(model.parameters(), lr=0.0)
    h = fit(model, ROWS, TARGETS, loss="mse", optimizer=opt, epochs=2, batch_size=2, progress=False)
    expected = math.fsum((p - t) ** 2 for (p,), t in zip(predict(model, ROWS), TARGETS)) / 5  # type: ignore[misc]
    assert h.loss == pytest.approx([expected, expected], rel=1e-13)
    assert h.accuracy == []  # regression: no accuracy


def test_train_l2_adds_its_penalty_to_the_recorded_loss() -> None:
    model = MLP(1, [2, 1], seed=3)
    opt = SGD(model.parameters(), lr=0.0)
    h = fit(model, ROWS, TARGETS, loss="mse", optimizer=opt, epochs=1, l2=0.01, progress=False)
    data_loss = math.fsum((p - t) ** 2 for (p,), t in zip(predict(model, ROWS), TARGETS)) / 5  # type: ignore[misc]
    penalty = 0.01 * math.fsum(p.data**2 for p in model.parameters())
    assert h.loss[0] == pytest.approx(data_loss + penalty, rel=1e-13)


def test_train_lr_schedule_sets_the_rate_before_each_epoch() -> None:
    seen: list[int] = []
    model = line_model()
    opt = SGD(model.parameters(), lr=1.0)

    def schedule(epoch: int) -> float:
        seen.append(epoch)
        return 0.1 / (epoch + 1)

    fit(
        model,
        ROWS,
        TARGETS,
        loss="mse",
        optimizer=opt,
        epochs=3,
        lr_schedule=schedule,
        progress=False,
    )
    assert seen == [0, 1, 2]
    assert opt.lr == 0.1 / 3


def test_train_history_accuracy_is_measured_on_the_epochs_forward_passes() -> None:
    X, y = data.xor()
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=1)
    h = fit(
        model, X, y, loss="bce", optimizer=SGD(model.parameters(), lr=0.0), epochs=1, progress=False
    )
    assert h.accuracy == [accuracy(model, X, y, "prob")]


def test_train_loss_by_name_or_function_gives_the_same_run() -> None:
    def run(loss: object) -> list[float]:
        model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=1)
        X, y = data.xor()
        h = fit(
            model,
            X,
            y,
            loss=loss,
            optimizer=SGD(model.parameters(), lr=0.5),
            epochs=5,
            progress=False,
        )  # type: ignore[arg-type]
        return h.loss

    assert run("bce") == run(bce)


# --------------------------------------------------------------------------- divergence
def test_train_nan_loss_stops_with_an_error_naming_the_epoch() -> None:
    calls = 0

    def flaky(preds: Sequence[Value], targets: Sequence[float]) -> Value:
        nonlocal calls
        calls += 1
        return Value(math.nan) if calls == 3 else mse(preds, targets)

    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    with pytest.raises(DivergedError, match=r"the loss became nan at epoch 3 of 5, batch 1"):
        fit(model, ROWS, TARGETS, loss=flaky, optimizer=opt, epochs=5, progress=False)
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_train_a_too_large_learning_rate_is_caught_not_trained_on() -> None:
    model = line_model()
    opt = SGD(model.parameters(), lr=10.0)
    X = [[100.0], [-100.0]]
    with pytest.raises(DivergedError, match=r"at epoch \d+ of 1000, batch 1") as info:
        fit(model, X, [1.0, -1.0], loss="mse", optimizer=opt, epochs=1000, progress=False)
    assert "smaller learning rate" in str(info.value)


# --------------------------------------------------------------------------- inference
def test_train_predict_runs_without_building_a_graph() -> None:
    model = MLP(2, [3, 2], seed=0)
    out = predict(model, [[1.0, 2.0], [0.0, -1.0]])
    assert all(isinstance(row, list) and all(type(v) is float for v in row) for row in out)
    assert is_grad_enabled()
    assert all(p.grad == 0.0 for p in model.parameters())
    direct = model([1.0, 2.0])
    assert out[0] == [v.data for v in direct]


@pytest.mark.parametrize(
    ("decision", "outputs", "labels"),
    [
        ("prob", [0.2, 0.5, 0.7], [0, 1, 1]),
        ("logit", [-0.1, 0.0, 2.0], [0, 1, 1]),
        ("sign", [-1.0, 0.0, 2.0], [-1, -1, 1]),
    ],
)
def test_train_decision_rules_turn_outputs_into_labels(
    decision: str, outputs: list[float], labels: list[int]
) -> None:
    def model(x: Sequence[float]) -> Value:
        return Value(x[0])

    assert classify(model, [[o] for o in outputs], decision) == labels
    assert accuracy(model, [[o] for o in outputs], labels, decision) == 1.0


def test_train_argmax_rule_accepts_indices_and_one_hot_targets() -> None:
    def model(x: Sequence[float]) -> list[Value]:
        return [Value(v) for v in x]

    X = [[0.1, 0.7, 0.2], [3.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    assert classify(model, X, "argmax") == [1, 0, 2]
    assert accuracy(model, X, [1, 0, 0], "argmax") == 2 / 3
    assert accuracy(model, X, [[0, 1, 0], [1, 0, 0], [0, 0, 1]], "argmax") == 1.0


# --------------------------------------------------------------------------- progress
def test_train_progress_bar_shows_the_loss_and_can_be_silenced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    fit(model, ROWS, TARGETS, loss="mse", optimizer=opt, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "loss=" in err and "3/3" in err
    fit(model, ROWS, TARGETS, loss="mse", optimizer=opt, epochs=3, progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


# --------------------------------------------------------------------------- errors
def _fit(**kwargs: object) -> object:
    model = line_model()
    args: dict[str, object] = {
        "loss": "mse",
        "optimizer": SGD(model.parameters(), lr=0.1),
        "progress": False,
    }
    args.update(kwargs)
    X = args.pop("X", ROWS)
    y = args.pop("y", TARGETS)
    return fit(model, X, y, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"loss": "l1"}, ValueError, "unknown loss 'l1'"),
        ({"loss": 3}, TypeError, "fit: loss must be a loss function"),
        ({"optimizer": "sgd"}, TypeError, "fit: optimizer must be an Optimizer, got str"),
        ({"y": [1.0]}, ValueError, "fit: 5 rows but 1 targets"),
        ({"X": [], "y": []}, ValueError, "fit: no training rows"),
        ({"epochs": 0}, ValueError, "fit: epochs must be an int ≥ 1, got 0"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be an int ≥ 1, got 0"),
        ({"decision": "round"}, ValueError, "fit: unknown decision 'round'"),
        ({"l2": -1.0}, ValueError, "fit: l2 must be in [0, inf], got -1.0"),
        ({"l2": True}, TypeError, "fit: l2 must be a number, got bool True"),
        ({"epochs": 2.0}, TypeError, "fit: epochs must be an int, got float 2.0"),
        ({"seed": "a"}, TypeError, "fit: seed must be an int, got str 'a'"),
        ({"X": None}, TypeError, "fit: X must be a sequence"),
        ({"y": None}, TypeError, "fit: y must be a sequence"),
        (
            {"X": [[1.0], [2.0, 3.0], [0.0], [1.0], [2.0]]},
            ValueError,
            "fit: X is ragged: X[1] has 2 entries but X[0] has 1",
        ),
        ({"X": [[1.0], [math.nan], [0.0], [1.0], [2.0]]}, ValueError, "fit: X[1] must be finite"),
    ],
)
def test_train_bad_arguments_are_clear_errors(
    kwargs: dict[str, object], exc: type[Exception], words: str
) -> None:
    with pytest.raises(exc) as info:
        _fit(**kwargs)
    assert words in str(info.value)


def test_train_accuracy_rule_needs_one_output_for_scalar_decisions() -> None:
    model = MLP(2, [2], seed=0)
    with pytest.raises(ValueError, match="decision 'prob' needs one output per example, got 2"):
        accuracy(model, [[0.0, 1.0]], [1], "prob")


def test_train_accuracy_rejects_a_class_index_out_of_range() -> None:
    model = MLP(2, [3], seed=0)
    with pytest.raises(ValueError, match=r"accuracy: class index 7 is out of range for 3 outputs"):
        accuracy(model, [[0.0, 1.0]], [7], "argmax")


# --------------------------------------------------------------------------- faults
def test_train_an_update_to_inf_keeps_the_last_good_weights_and_optimizer_state() -> None:
    model = line_model()
    opt = SGD(model.parameters(), lr=1e308, momentum=0.9)
    before = model.state_dict()
    with pytest.raises(DivergedError, match=r"became -?inf in the update at epoch 1 of 3, batch 1"):
        fit(model, ROWS, TARGETS, loss="mse", optimizer=opt, epochs=3, progress=False)
    assert model.state_dict() == before
    assert opt.buffers == [None, None]  # the failed step's momentum is gone too


def test_train_nan_loss_and_inf_update_keep_the_same_weights_as_a_clean_run() -> None:
    # both paths stop on epoch 3: the weights must be those after epoch 2 of the same run
    reference = line_model()
    fit(
        reference,
        ROWS,
        TARGETS,
        loss="mse",
        optimizer=SGD(reference.parameters(), lr=0.01),
        epochs=2,
        progress=False,
    )
    calls = 0

    def nan_on_third(preds: Sequence[Value], targets: Sequence[float]) -> Value:
        nonlocal calls
        calls += 1
        return Value(math.nan) if calls == 3 else mse(preds, targets)

    model = line_model()
    with pytest.raises(DivergedError, match="the weights before it are kept"):
        fit(
            model,
            ROWS,
            TARGETS,
            loss=nan_on_third,
            optimizer=SGD(model.parameters(), lr=0.01),
            epochs=5,
            progress=False,
        )
    assert model.state_dict() == reference.state_dict()

    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    with pytest.raises(DivergedError, match=r"became -?inf in the update at epoch 3 of 5"):
        fit(
            model,
            ROWS,
            TARGETS,
            loss="mse",
            optimizer=opt,
            epochs=5,
            progress=False,
            lr_schedule=lambda e: 1e308 if e == 2 else 0.01,
        )
    assert model.state_dict() == reference.state_dict()


def test_train_an_error_in_the_loss_names_the_epoch_and_batch() -> None:
    calls = 0

    def fails_on_fourth(preds: Sequence[Value], targets: Sequence[float]) -> Value:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyError("no such column")
        return mse(preds, targets)

    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    # 5 rows in batches of 2: 3 batches an epoch, so the 4th call is epoch 2, batch 1
    with pytest.raises(KeyError, match=r"fit: at epoch 2 of 3, batch 1: 'no such column'"):
        fit(
            model,
            ROWS,
            TARGETS,
            loss=fails_on_fourth,
            optimizer=opt,
            epochs=3,
            batch_size=2,
            progress=False,
        )


def test_train_a_loss_that_returns_a_float_is_a_named_error() -> None:
    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    with pytest.raises(
        TypeError, match=r"fit: at epoch 1 of 3, batch 1: the loss function returned float 0\.5"
    ):
        fit(model, ROWS, TARGETS, loss=lambda p, t: 0.5, optimizer=opt, epochs=3, progress=False)


def test_train_numpy_inputs_give_the_same_run_as_lists() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    X, y = data.xor()

    def run(X: object, y: object, epochs: object, size: object, seed: object, lr: object) -> list:
        model = MLP(2, [4, 1], "tanh", "sigmoid", seed=3)
        opt = SGD(model.parameters(), lr=lr)  # type: ignore[arg-type]
        h = fit(
            model,
            X,  # type: ignore[arg-type]
            y,  # type: ignore[arg-type]
            loss="bce",
            optimizer=opt,
            epochs=epochs,  # type: ignore[arg-type]
            batch_size=size,  # type: ignore[arg-type]
            seed=seed,  # type: ignore[arg-type]
            progress=False,
        )
        return [h.loss, h.accuracy, model.state_dict()]

    lr32 = np.float32(0.5)
    plain = run(X, y, 20, 2, 1, float(lr32))
    assert (
        run(np.array(X), np.array([0, 1, 1, 0]), np.int64(20), np.int64(2), np.int64(1), lr32)
        == plain
    )
    assert plain[1][-1] >= 0.0  # accuracy was recorded (targets np.int64 have labels)


def test_train_accuracy_with_a_nan_target_or_output_is_an_error() -> None:
    model = MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match=r"accuracy: a target must be finite, got nan"):
        accuracy(model, [[0.0], [1.0]], [1.0, math.nan], "prob")
    with pytest.raises(ValueError, match=r"accuracy: the model's output for row 0 is nan"):
        accuracy(lambda x: Value(math.nan), [[0.0]], [1.0], "prob")  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match=r"accuracy: a target must be a number, got bool"):
        accuracy(model, [[0.0]], [True], "prob")


def test_train_a_bad_scheduled_learning_rate_names_the_epoch_and_keeps_the_weights() -> None:
    model = line_model()
    opt = SGD(model.parameters(), lr=0.01)
    with pytest.raises(ValueError, match=r"fit: at epoch 2 of 3, batch 1: SGD: lr must be in"):
        fit(
            model,
            ROWS,
            TARGETS,
            loss="mse",
            optimizer=opt,
            epochs=3,
            progress=False,
            lr_schedule=lambda e: -1.0 if e == 1 else 0.01,
        )
    reference = line_model()
    fit(
        reference,
        ROWS,
        TARGETS,
        loss="mse",
        optimizer=SGD(reference.parameters(), lr=0.01),
        epochs=1,
        progress=False,
    )
    assert model.state_dict() == reference.state_dict()
