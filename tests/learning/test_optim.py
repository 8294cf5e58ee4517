"""Optimizers: update rules against steps computed with PyTorch 2.13 (float64), momentum and
Adam by hand, zero_grad, and clear errors for bad hyper-parameters."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.engine import Value
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, Adam, AdamW, Optimizer


def objective(p: list[Value]) -> Value:
    """The function the PyTorch reference minimised (same formula, same order)."""
    p0, p1, p2 = p
    return (p0 - 1) ** 2 + p0 * p1 + p2.sin() * p0 + 0.5 * p2**2 + (0.1 * p1).exp()


# Parameters after each of 5 steps from p = [0.5, -1.5, 2.0], computed with:
#
#   import torch; torch.set_default_dtype(torch.float64)
#   def loss_fn(p):
#       p0, p1, p2 = p[0], p[1], p[2]
#       return (p0 - 1)**2 + p0*p1 + torch.sin(p2)*p0 + 0.5*p2**2 + torch.exp(0.1*p1)
#   p = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
#   opt = torch.optim.SGD([p], **kwargs)      # or torch.optim.Adam
#   for _ in range(5):
#       opt.zero_grad(); loss_fn(p).backward(); opt.step(); print(p.tolist())
#
# (torch 2.13.0 CPU, in a separate venv)
TORCH_STEPS: dict[str, list[list[float]]] = {
    "sgd": [
        [0.6590702573174319, -1.5586070797642506, 1.8208073418273572],
        [0.7862259441814482, -1.633070889208416, 1.6550329701517952],
        [0.892642425125863, -1.7201867869108514, 1.4961447468811147],
        [0.9864111323318652, -1.8178706638859028, 1.3398727430601929],
        [1.0735704299110185, -1.9248495657296794, 1.1833088173956108],
    ],
    "sgd_momentum": [
        [0.6590702573174319, -1.5586070797642506, 1.8208073418273572],
        [0.9293891757671369, -1.6858172609962414, 1.4937595777964165],
        [1.2556766796310852, -1.9016939638147865, 1.0428879999659222],
        [1.6019832342799905, -2.2298188549338116, 0.46956288916292294],
        [1.9709947193048727, -2.693330873800049, -0.23624544392169952],
    ],
    "sgd_momentum_wd": [
        [0.579285128658716, -1.5285535398821253, 1.9094036709136786],
        [0.7216903568201289, -1.5867429747181867, 1.7410632575308622],
        [0.9073853514494521, -1.6786709835607319, 1.5077475474751203],
        [1.1173515137714847, -1.8101634545550398, 1.2187635750985495],
        [1.3376017181326842, -1.9876412810091197, 0.8778669300811148],
    ],
    "sgd_dampening": [
        [0.5795351286587159, -1.5293035398821253, 1.9104036709136785],
        [0.7153473929337197, -1.5856176592671045, 1.7524861917866716],
        [0.8902906712275445, -1.6723311655339168, 1.5373151678805081],
        [1.0878935836045212, -1.7942434120496475, 1.2731409560491111],
        [1.29554553210457, -1.9566805254881618, 0.9637352631555061],
    ],
    "sgd_nesterov_wd": [
        [0.6463667444515603, -1.5414267257760381, 1.8107669747359894],
        [0.8239728017037233, -1.6139918022535937, 1.5554631405257862],
        [1.0132040453576585, -1.7243216551867755, 1.2446634526346394],
        [1.205426627442315, -1.8778420990904592, 0.8816021551235316],
        [1.403803546635614, -2.07893806304531, 0.46611576671203353],
    ],
    "adam": [
        [0.599999999371347, -1.5999999982937214, 1.9000000005580586],
        [0.6996645241590604, -1.7001026122788334, 1.8001581248306802],
        [0.7987660967324256, -1.8004104121413163, 1.7005278974526006],
        [0.8970851108631914, -1.9010282178777052, 1.6011199101867015],
        [0.9944197385092644, -2.002055082171892, 1.5019031825720137],
    ],
    "adam_custom": [
        [0.5099999935094588, -1.5099999770679964, 1.9900000050202629],
        [0.5199946356728151, -1.5200101746656816, 1.9800028521364803],
        [0.5299804039481012, -1.530037011619414, 1.9700103456807168],
        [0.5399538629932901, -1.5400865292123542, 1.9600241961661684],
        [0.5499117042869001, -1.550164337259139, 1.9500460023083728],
    ],
    # torch.optim.AdamW (decoupled weight decay), same script, torch 2.14.1, float64
    "adamw": [
        [0.599499999371347, -1.5984999982937214, 1.8980000005580586],
        [0.698561209963074, -1.6970050116544595, 1.7962617057666024],
        [0.7969556161327839, -1.7956175624637634, 1.6948382259750596],
        [0.8944649897428728, -1.8944420797631651, 1.593739020296342],
        [0.9908910921229077, -1.9935769773202847, 1.4929316550369192],
    ],
    "adamw_custom": [
        [0.542499968567368, -1.5274999146862207, 1.9200000279029132],
        [0.5841916963798618, -1.5547415486968532, 1.8412932641509256],
        [0.6249849984546526, -1.5818148225256259, 1.7639053061505314],
        [0.6648043396932577, -1.608795502707377, 1.6878473860940408],
        [0.7035918023037737, -1.6357456140549307, 1.6131166056370572],
    ],
}

CONFIGS: dict[str, Callable[[list[Value]], Optimizer]] = {
    "sgd": lambda p: SGD(p, lr=0.1),
    "sgd_momentum": lambda p: SGD(p, lr=0.1, momentum=0.9),
    "sgd_momentum_wd": lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
    "sgd_dampening": lambda p: SGD(p, lr=0.05, momentum=0.9, dampening=0.1),
    "sgd_nesterov_wd": lambda p: SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adam": lambda p: Adam(p, lr=0.1),
    "adam_custom": lambda p: Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adamw": lambda p: AdamW(p, lr=0.1),
    "adamw_custom": lambda p: AdamW(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3),
}


# --------------------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_optim_steps_match_pytorch_float64(name: str) -> None:
    params = [Value(0.5), Value(-1.5), Value(2.0)]
    opt = CONFIGS[name](params)
    for step, expected in enumerate(TORCH_STEPS[name], start=1):
        opt.zero_grad()
        objective(params).backward()
        opt.step()
        for got, want in zip(params, expected):
            assert math.isclose(got.data, want, rel_tol=1e-14, abs_tol=1e-15), (name, step)


# --------------------------------------------------------------------------- by hand
def test_optim_sgd_halves_the_gap_on_a_quadratic() -> None:
    # f = (p − 3)², lr = 0.25: p ← p − 0.5 (p − 3), so the gap to 3 halves each step (exactly)
    p = Value(0.0)
    opt = SGD([p], lr=0.25)
    for _ in range(10):
        opt.zero_grad()
        ((p - 3.0) ** 2).backward()
        opt.step()
    assert p.data == 3.0 - 3.0 * 0.5**10


def test_optim_sgd_momentum_accumulates_a_velocity() -> None:
    # constant gradient 1, μ = 0.9: the buffer is 1, 1.9, 2.71; p moves by lr times it
    p = Value(0.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    expected = [-0.1, -0.1 - 0.19, -0.1 - 0.19 - 0.271]
    for want in expected:
        opt.zero_grad()
        (p * 1.0).backward()
        opt.step()
        assert math.isclose(p.data, want, rel_tol=1e-15)
    assert math.isclose(opt.buffers[0] or 0.0, 2.71, rel_tol=1e-15)


def test_optim_sgd_weight_decay_adds_lambda_p_to_the_gradient() -> None:
    p = Value(2.0)
    opt = SGD([p], lr=0.1, weight_decay=0.5)
    p.grad = 3.0
    opt.step()
    assert p.data == 2.0 - 0.1 * (3.0 + 0.5 * 2.0)


def test_optim_adam_with_a_constant_gradient_moves_lr_per_step() -> None:
    # with g constant, the bias-corrected m̂ = g and v̂ = g², so each step is lr·g/(|g| + ε)
    p = Value(1.0)
    opt = Adam([p], lr=0.1)
    for t in range(1, 4):
        p.grad = 2.0
        opt.step()
        assert math.isclose(p.data, 1.0 - t * 0.1 * 2.0 / (2.0 + 1e-8), rel_tol=1e-14)
    assert opt.t == 3


def test_optim_step_keeps_parameters_leaves_with_float_data() -> None:
    model = MLP(2, [3, 1], seed=0)
    opt = Adam(model.parameters(), lr=0.01)
    model([1.0, -1.0])[0].backward()
    opt.step()
    assert all(p.is_leaf and type(p.data) is float for p in model.parameters())


def test_optim_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    (out,) = model([1.0, -1.0])
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad == 0.0 and p.grad_value is None for p in model.parameters())


def test_optim_lr_can_change_between_steps() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=0.1)
    p.grad = 1.0
    opt.step()
    opt.lr = 0.5
    opt.step()
    assert p.data == -0.1 - 0.5


# --------------------------------------------------------------------------- errors
P = [Value(1.0)]


@pytest.mark.parametrize(
    ("make", "exc", "words"),
    [
        (lambda: SGD(P, lr=-0.1), ValueError, "SGD: lr must be in [0, inf], got -0.1"),
        (lambda: SGD(P, lr=math.nan), ValueError, "SGD: lr must be"),
        (lambda: SGD(P, lr=True), TypeError, "SGD: lr must be a number, got bool True"),
        (lambda: SGD(P, lr="0.1"), TypeError, "SGD: lr must be a real number, got str '0.1'"),  # type: ignore[arg-type]
        (lambda: Adam(P, eps=0.0), ValueError, "Adam: eps must be a finite number > 0, got 0.0"),
        (lambda: AdamW(P, eps=0), ValueError, "AdamW: eps must be a finite number > 0, got 0"),
        (
            lambda: SGD(MLP(2, [1], seed=0), lr=0.1),
            TypeError,
            "SGD: pass model.parameters(), not the model itself (got a MLP)",
        ),  # type: ignore[arg-type]
        (lambda: Adam(None), TypeError, "Adam: params (use model.parameters()) must be a sequence"),  # type: ignore[arg-type]
        (
            lambda: SGD(3, lr=0.1),
            TypeError,
            "SGD: params (use model.parameters()) must be a sequence",
        ),  # type: ignore[arg-type]
        (lambda: SGD(P, lr=0.1, momentum=-0.5), ValueError, "momentum must be"),
        (lambda: SGD(P, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be"),
        (lambda: SGD(P, lr=0.1, nesterov=True), ValueError, "nesterov needs momentum > 0"),
        (lambda: SGD([], lr=0.1), ValueError, "SGD: got an empty parameter list"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "params[0] must be a Value, got float"),
        (lambda: SGD(P + P, lr=0.1), ValueError, "params[1]"),
        (lambda: SGD(P[0], lr=0.1), TypeError, "got a single Value"),
        (lambda: Adam(P, betas=(1.0, 0.999)), ValueError, "betas[0] must be in [0, 1), got 1.0"),
        (lambda: Adam(P, betas=(0.9, -0.1)), ValueError, "betas[1] must be in [0, 1)"),
        (lambda: Adam(P, betas=(0.9,)), ValueError, "betas must be a pair"),  # type: ignore[arg-type]
        (lambda: Adam(P, eps=-1e-8), ValueError, "Adam: eps must be"),
        (lambda: Adam(P, lr=math.inf), ValueError, "Adam: lr must be"),
    ],
)
def test_optim_bad_hyper_parameters_are_clear_errors(
    make: Callable[[], Optimizer], exc: type[Exception], words: str
) -> None:
    with pytest.raises(exc) as info:
        make()
    assert words in str(info.value)


def test_optim_a_bad_lr_set_later_is_caught_at_step() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    opt.lr = -1.0
    with pytest.raises(ValueError, match="SGD: lr must be"):
        opt.step()
    assert p.data == 1.0


# --------------------------------------------------------------------------- AdamW
def test_optim_adamw_decays_the_weight_outside_the_moments() -> None:
    # g = 0 throughout: Adam's moments stay 0, so only the decoupled decay p ← p(1 − ηλ) acts
    p = Value(2.0)
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    for _ in range(3):
        p.grad = 0.0
        opt.step()
    assert p.data == 2.0 * 0.95 * 0.95 * 0.95
    assert opt.m == [0.0] and opt.v == [0.0]
    # Adam's coupled decay puts λp into the gradient: the moments see it and p moves by ≈ lr
    q = Value(2.0)
    coupled = Adam([q], lr=0.1, weight_decay=0.5)
    q.grad = 0.0
    coupled.step()
    assert coupled.m[0] == (1.0 - 0.9) * (0.5 * 2.0)
    assert math.isclose(q.data, 2.0 - 0.1, rel_tol=1e-7)


def test_optim_adamw_default_weight_decay_is_pytorchs() -> None:
    assert AdamW([Value(1.0)]).weight_decay == 0.01
    assert Adam([Value(1.0)]).weight_decay == 0.0


# --------------------------------------------------------------------------- all or nothing
class Exploding(float):
    """A gradient that raises as soon as an update rule does arithmetic with it."""

    def __init__(self, value: float, exc: type[BaseException]) -> None:
        self.exc = exc

    def __new__(cls, value: float, exc: type[BaseException]) -> Exploding:
        return super().__new__(cls, value)

    def _boom(self, *_: object) -> float:
        raise self.exc("injected")

    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = _boom


STEPPERS: dict[str, Callable[[list[Value]], Optimizer]] = {
    "sgd": lambda p: SGD(p, lr=0.1),
    "sgd_nesterov": lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adam": lambda p: Adam(p, lr=0.1, weight_decay=0.1),
    "adamw": lambda p: AdamW(p, lr=0.1),
}


@given(
    name=st.sampled_from(sorted(STEPPERS)),
    n=st.integers(1, 8),
    warmup=st.integers(0, 3),
    data=st.data(),
)
def test_optim_step_is_all_or_nothing_under_an_injected_exception(
    name: str, n: int, warmup: int, data: st.DataObject
) -> None:
    values = data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
    grads = data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
    bad = data.draw(st.integers(0, n - 1))
    exc = data.draw(st.sampled_from([KeyboardInterrupt, RuntimeError, ArithmeticError]))
    params = [Value(v) for v in values]
    twin = [Value(v) for v in values]
    opt, ref = STEPPERS[name](params), STEPPERS[name](twin)
    for _ in range(warmup):  # some state (buffers, moments, t) to protect
        for p, q, g in zip(params, twin, grads):
            p.grad = q.grad = g
        opt.step()
        ref.step()
    before = [p.data for p in params]
    state = opt.checkpoint().state
    for p, g in zip(params, grads):
        p.grad = g
    params[bad].grad = Exploding(grads[bad], exc)
    with pytest.raises(exc, match="injected"):
        opt.step()
    assert [p.data for p in params] == before
    assert opt.checkpoint().state == state
    # the optimizer goes on exactly as one that never saw the failed step
    for p, q, g in zip(params, twin, grads):
        p.grad = q.grad = g
    opt.step()
    ref.step()
    assert [p.data for p in params] == [q.data for q in twin]


def test_optim_an_interrupted_assignment_rolls_back_every_parameter() -> None:
    class Fragile(Value):
        """A parameter whose new value cannot be stored (a Ctrl-C at that moment)."""

        armed = False

        def __setattr__(self, key: str, value: object) -> None:
            if key == "data" and Fragile.armed:
                Fragile.armed = False
                raise KeyboardInterrupt
            super().__setattr__(key, value)

    params = [Value(1.0), Value(2.0), Fragile(3.0), Value(4.0)]
    opt = Adam(params, lr=0.1)
    for p in params:
        p.grad = 1.0
    Fragile.armed = True
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert [p.data for p in params] == [1.0, 2.0, 3.0, 4.0]
    assert opt.t == 0 and opt.m == [0.0] * 4


def test_optim_checkpoint_and_restore_put_back_values_and_state() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 1.0
    opt.step()
    saved = opt.checkpoint()
    opt.step()
    opt.step()
    opt.restore(saved)
    assert p.data == 0.9 and opt.buffers == [1.0]
    with pytest.raises(ValueError, match=r"SGD.restore: expected a checkpoint"):
        opt.restore(SGD([Value(0.0), Value(1.0)], lr=0.1).checkpoint())


def test_optim_numpy_hyper_parameters_are_numbers() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    p, q = Value(1.0), Value(1.0)
    SGD([p], lr=np.float32(0.5), momentum=np.float64(0.0)).lr  # noqa: B018
    opt = Adam([p], lr=np.float32(0.5), betas=(np.float64(0.9), np.float32(0.999)))
    ref = Adam([q], lr=float(np.float32(0.5)), betas=(0.9, float(np.float32(0.999))))
    assert type(opt.lr) is float and type(opt.betas[1]) is float
    p.grad = q.grad = 2.0
    opt.step()
    ref.step()
    assert p.data == q.data
