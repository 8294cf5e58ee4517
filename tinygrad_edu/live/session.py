"""The live page's training run, in Python: the page calls this module inside Pyodide, and the
tests call it in CPython, so the page's numbers are the engine's and can be compared.

``Settings.parse(dict)`` validates a run's settings (the page's form, or its URL fragment) and
refuses a run bigger than the page trains in reasonable time, saying why and what to change.
``Training(settings)`` trains with ``train.fit`` in small pieces (``advance(seconds)`` returns
after about that long, so the page can draw its progress bar between pieces) and, for plain
gradient descent, records the explorer's frames with ``explore.record_run`` one recorded epoch
at a time; ``page_data()`` is then the explorer's data for the run.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any

from .. import checks, data, optim, train
from ..explore import Run, page_data, record_run
from ..nn import MLP

# dataset → (output activation with mse, default learning rate)
DATASETS: dict[str, tuple[str, float]] = {
    "xor": ("sigmoid", 1.0),
    "and": ("sigmoid", 1.0),
    "or": ("sigmoid", 1.0),
    "moons": ("sigmoid", 0.5),
    "circles": ("sigmoid", 0.5),
    "sine": ("linear", 0.05),
    "points": ("sigmoid", 0.5),
}
ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("bce", "mse", "half_sse")
OPTIMIZERS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9
MAX_EPOCHS = 5000
MAX_LAYERS = 3
MAX_WIDTH = 16
MAX_POINTS = 60
# epochs × rows × parameters the page trains in about a minute on a slow laptop (measured:
# XOR with MLP(2, [4, 4, 1]), 2,000 epochs = 296,000, trains and records in about 20 s)
MAX_WORK = 1_000_000
FRAMES = 40  # about this many recorded epochs for the explorer
PIECE = 10  # epochs per call of fit between two looks at the clock


def dataset(
    name: str, seed: int, points: list[list[float]]
) -> tuple[list[list[float]], list[float]]:
    """The rows and targets of a built-in dataset (or of the learner's clicked points).

    >>> dataset("xor", 0, [])
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    if name == "points":
        return [[p[0], p[1]] for p in points], [p[2] for p in points]
    if name == "sine":
        X, t = data.sine(n=24)
        return [[float(v) for v in r] for r in X], [float(v) for v in t]
    if name in ("moons", "circles"):
        X, labels = data.moons(n=40, seed=seed) if name == "moons" else data.circles(40, seed=seed)
    else:
        X, labels = data.logic_gate(name)
    return [[float(v) for v in r] for r in X], [float(v) for v in labels]


@dataclass
class Settings:
    """One run's settings, validated; ``as_dict()`` round-trips through ``parse``."""

    dataset: str = "xor"
    hidden: list[int] = field(default_factory=lambda: [4, 4])
    activation: str = "sigmoid"
    loss: str = "bce"
    lr: float = 1.0
    optimizer: str = "sgd"
    epochs: int = 1000
    seed: int = 0
    points: list[list[float]] = field(default_factory=list)

    @classmethod
    def parse(cls, given: dict[str, Any]) -> Settings:
        """Settings from a dict (keys as the fields); a bad value is a ValueError naming it.

        >>> Settings.parse({"hidden": [3], "lr": 0.5}).hidden
        [3]
        >>> Settings.parse({"epochs": 10**6})
        Traceback (most recent call last):
        ...
        ValueError: live settings: epochs must be 1 to 5000, got 1000000
        """
        where = "live settings"
        unknown = sorted(set(given) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{where}: unknown setting {unknown[0]!r}")
        s = cls(**given)
        s.dataset = checks.one_of(s.dataset, where, "dataset", sorted(DATASETS))
        hidden = list(checks.sequence(s.hidden, where, "hidden"))
        if not 1 <= len(hidden) <= MAX_LAYERS:
            raise ValueError(f"{where}: 1 to {MAX_LAYERS} hidden layers, got {len(hidden)}")
        s.hidden = [checks.count(h, where, "a hidden size", minimum=1) for h in hidden]
        if max(s.hidden) > MAX_WIDTH:
            raise ValueError(f"{where}: hidden sizes must be 1 to {MAX_WIDTH}, got {s.hidden}")
        s.activation = checks.one_of(s.activation, where, "activation", ACTIVATIONS)
        s.loss = checks.one_of(s.loss, where, "loss", LOSSES)
        s.optimizer = checks.one_of(s.optimizer, where, "optimizer", OPTIMIZERS)
        s.lr = checks.in_range(s.lr, where, "lr", 1e-6, 10.0)
        s.epochs = checks.count(s.epochs, where, "epochs", minimum=1)
        if s.epochs > MAX_EPOCHS:
            raise ValueError(f"{where}: epochs must be 1 to {MAX_EPOCHS}, got {s.epochs}")
        s.seed = checks.count(s.seed, where, "seed", minimum=0)
        s.points = [point(p, where) for p in checks.sequence(s.points, where, "points")]
        if s.dataset == "points":
            labels = {p[2] for p in s.points}
            if len(s.points) < 2 or labels != {0.0, 1.0}:
                raise ValueError(
                    f"{where}: the clicked dataset needs points of both classes (0 and 1), "
                    f"got {len(s.points)} point(s) of classes {sorted(labels)}"
                )
            if len(s.points) > MAX_POINTS:
                raise ValueError(f"{where}: at most {MAX_POINTS} points, got {len(s.points)}")
        if s.dataset == "sine" and s.loss == "bce":
            raise ValueError(f"{where}: sine is a regression: choose loss mse or half_sse")
        work = s.work()
        if work > MAX_WORK:
            raise ValueError(
                f"{where}: this run is {work:,} epochs × rows × parameters, more than the page "
                f"trains in about a minute ({MAX_WORK:,}): lower the epochs, the hidden sizes "
                "or the points, or train it in Python (tinygrad-edu explore)"
            )
        return s

    def output_activation(self) -> str:
        """The output neuron's activation: sigmoid for BCE, else the dataset's."""
        return "sigmoid" if self.loss == "bce" else DATASETS[self.dataset][0]

    def parameters(self) -> int:
        """The model's parameter count."""
        sizes = [1 if self.dataset == "sine" else 2, *self.hidden, 1]
        return sum((a + 1) * b for a, b in itertools.pairwise(sizes))

    def work(self) -> int:
        """epochs × rows × parameters: what the run costs, roughly."""
        rows = len(dataset(self.dataset, self.seed, self.points)[0])
        return self.epochs * rows * self.parameters()

    def as_dict(self) -> dict[str, Any]:
        """The settings as a JSON-able dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def point(p: object, where: str) -> list[float]:
    """A clicked point [x1, x2, class], checked: coordinates in [-5, 5], class 0 or 1."""
    xs = checks.sequence(p, where, "a point")
    if len(xs) != 3:
        raise ValueError(f"{where}: a point is [x1, x2, class], got {checks.show(p)}")
    x1 = checks.in_range(xs[0], where, "a point's x1", -5.0, 5.0)
    x2 = checks.in_range(xs[1], where, "a point's x2", -5.0, 5.0)
    label = checks.one_of(float(checks.real(xs[2], where, "a point's class")), where,
                          "a point's class", (0.0, 1.0))  # fmt: skip
    return [x1, x2, label]


def make_model(s: Settings) -> MLP:
    """The run's network, initialised from its seed."""
    nin = 1 if s.dataset == "sine" else 2
    return MLP(nin, [*s.hidden, 1], activation=s.activation,
               output_activation=s.output_activation(), seed=s.seed)  # fmt: skip


def make_optimizer(s: Settings, model: MLP) -> optim.Optimizer:
    """The run's optimizer over the model's parameters."""
    if s.optimizer == "adam":
        return optim.Adam(model.parameters(), lr=s.lr)
    momentum = MOMENTUM if s.optimizer == "momentum" else 0.0
    return optim.SGD(model.parameters(), lr=s.lr, momentum=momentum)


class Training:
    """A run trained in pieces; plain gradient descent also records the explorer's frames.

    >>> t = Training(Settings.parse({"epochs": 30, "optimizer": "adam", "lr": 0.05}))
    >>> while not t.done:
    ...     _ = t.advance(0.05)
    >>> len(t.losses), t.page_data() is None  # Adam: no explorer frames
    (30, True)
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.X, self.y = dataset(settings.dataset, settings.seed, settings.points)
        self.model = make_model(settings)
        self.optimizer = make_optimizer(settings, self.model)
        self.epoch = 0
        self.losses: list[float] = []
        self.accuracy: list[float] = []
        self.every = max(1, math.ceil(settings.epochs / FRAMES))
        self.run: Run | None = None
        if settings.optimizer == "sgd":
            self.run = Run(
                sizes=[self.model.nin, *self.model.nouts],
                activations=[layer.neurons[0].activation for layer in self.model.layers],
                loss_name=settings.loss, lr=settings.lr, epochs=settings.epochs,
                every=self.every, seed=settings.seed, X=self.X, y=self.y, title=self.title(),
            )  # fmt: skip

    @property
    def done(self) -> bool:
        """True once every epoch has run."""
        return self.epoch >= self.settings.epochs

    def title(self) -> str:
        """What the run is, in one line."""
        s = self.settings
        return (f"{s.dataset}, {self.model!r}, {s.loss}, {s.optimizer} lr {s.lr:g}, "
                f"{s.epochs} epochs, seed {s.seed}")  # fmt: skip

    def _recorded(self, epoch: int) -> bool:
        return epoch % self.every == 0 or epoch == self.settings.epochs - 1

    def _record_epoch(self) -> None:
        """One epoch through the explorer's recorder (its own SGD step: plain SGD has no state)."""
        assert self.run is not None
        s = self.settings
        one = record_run(self.model, self.X, self.y, loss=s.loss, lr=s.lr, epochs=1, every=1,
                         seed=s.seed)  # fmt: skip
        if not self.run.axes:
            self.run.axes = one.axes
        for f in one.frames:
            f.epoch = self.epoch
        self.run.frames += one.frames
        self.run.notes = one.notes or self.run.notes
        self.losses += one.losses
        self.accuracy += one.accuracy

    def _fit(self, epochs: int) -> None:
        s = self.settings
        history = train.fit(self.model, self.X, self.y, loss=s.loss, optimizer=self.optimizer,
                            epochs=epochs, progress=False, decision="auto")  # fmt: skip
        self.losses += history.loss
        self.accuracy += history.accuracy

    def advance(self, seconds: float = 0.15) -> dict[str, Any]:
        """Train for about ``seconds`` (at least one epoch); returns the progress so far."""
        start = time.perf_counter()
        first = True
        while not self.done and (first or time.perf_counter() - start < seconds):
            first = False
            if self.run is not None and self._recorded(self.epoch):
                self._record_epoch()
                self.epoch += 1
                continue
            stop = min(self.epoch + PIECE, self.settings.epochs)
            if self.run is not None:
                stop = min(stop, next(e for e in range(self.epoch, stop + 1)
                                      if e == stop or self._recorded(e)))  # fmt: skip
            self._fit(stop - self.epoch)
            self.epoch = stop
        if self.done and self.run is not None:
            self.run.losses = self.losses
            self.run.accuracy = self.accuracy
        return self.progress()

    def progress(self) -> dict[str, Any]:
        """Epochs done, of how many, and the losses so far."""
        return {
            "epoch": self.epoch,
            "epochs": self.settings.epochs,
            "loss": self.losses[-1] if self.losses else None,
            "losses": self.losses,
            "done": self.done,
        }

    def page_data(self) -> dict[str, Any] | None:
        """The explorer's data for the finished run (None for momentum and Adam: the explorer
        shows the plain gradient-descent update W − lr·∂L/∂W)."""
        if self.run is None or not self.done:
            return None
        return page_data(self.run)
