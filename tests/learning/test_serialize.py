"""Saving and loading: exact round trips, readable JSON, atomic writes, and every bad file a
clear error that names the file and leaves the model untouched."""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import mlp_shapes

from tinygrad_edu import data
from tinygrad_edu.engine import Value
from tinygrad_edu.nn import MLP, Layer, Module, Neuron, Perceptron, from_config
from tinygrad_edu.optim import SGD
from tinygrad_edu.serialize import FORMAT, ModelFileError, load, save
from tinygrad_edu.train import fit, predict

GRID = [[x / 4.0, y / 4.0] for x in range(-6, 7) for y in range(-6, 7)]


def trained_xor_model() -> MLP:
    X, y = data.xor()
    model = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    fit(
        model,
        X,
        y,
        loss="bce",
        optimizer=SGD(model.parameters(), lr=1.0),
        epochs=50,
        progress=False,
    )
    return model


def bits(model: Module) -> list[str]:
    return [float(v).hex() for v in model.state_dict().values()]


# --------------------------------------------------------------------------- round trips
def test_serialize_round_trip_gives_bit_identical_predictions(tmp_path: Path) -> None:
    model = trained_xor_model()
    path = save(model, tmp_path / "xor.json")
    loaded = load(path)
    assert isinstance(loaded, MLP)
    assert repr(loaded) == repr(model)
    assert bits(loaded) == bits(model)
    assert predict(loaded, GRID) == predict(model, GRID)  # == on floats: bit for bit


def test_serialize_load_into_an_existing_model(tmp_path: Path) -> None:
    model = trained_xor_model()
    save(model, tmp_path / "m.json")
    other = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=99)
    assert load(tmp_path / "m.json", other) is other
    assert predict(other, GRID) == predict(model, GRID)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(3, "tanh", seed=1),
        lambda: Layer(2, 3, "sigmoid", seed=1),
        lambda: MLP(3, [2, 2], activation="tanh", output_activation="linear", seed=1),
    ],
)
def test_serialize_every_module_kind_round_trips(
    make: Callable[[], Module], tmp_path: Path
) -> None:
    model = make()
    loaded = load(save(model, tmp_path / "m.json"))
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    assert bits(loaded) == bits(model)
    assert from_config(model.config() or {}).config() == model.config()


def test_serialize_perceptron_round_trips(tmp_path: Path) -> None:
    X, y = data.blobs(30, margin=0.2, seed=4)
    p = Perceptron(2, lr=0.5)
    p.fit(X, y)
    loaded = load(save(p, tmp_path / "p.json"))
    assert isinstance(loaded, Perceptron) and loaded.lr == 0.5
    assert loaded.predict(X) == p.predict(X) == y


def test_serialize_file_is_json_a_person_can_read(tmp_path: Path) -> None:
    model = MLP(2, [2, 1], seed=0)
    text = save(model, tmp_path / "m.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["format"] == FORMAT and doc["version"] == 1
    assert doc["model"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [2, 1],
        "activation": "relu",
        "output_activation": "linear",
    }
    assert list(doc["parameters"]) == [name for name, _ in model.named_parameters()]
    assert '    "layers.0.neurons.1.w.0": ' in text  # one parameter per line


# --------------------------------------------------------------------------- atomic writes
def test_serialize_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [1], seed=0), path)
    model = MLP(2, [1], seed=1)
    save(model, path)
    assert bits(load(path)) == bits(model)
    assert os.listdir(tmp_path) == ["m.json"]


def test_serialize_a_failed_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    good = MLP(2, [1], seed=0)
    save(good, path)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(2, [1], seed=1), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]  # the temporary file is gone too


def test_serialize_a_crash_mid_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [1], seed=0), path)
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise KeyboardInterrupt  # as if the process were stopped before the data hit the disk

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        save(MLP(2, [1], seed=1), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]


def test_serialize_save_into_a_missing_directory_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "m.json"
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .*no/such/m\.json"):
        save(MLP(2, [1], seed=0), target)


def test_serialize_refuses_to_save_a_non_finite_parameter(tmp_path: Path) -> None:
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match=r"save: parameter 'layers.0.neurons.0.b' is nan"):
        save(model, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- bad files
def edit_params(fn: Callable[[dict[str, object]], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        doc = json.loads(text)
        fn(doc["parameters"])
        return json.dumps(doc)

    return edit


def set_first(value: object) -> Callable[[str], str]:
    return edit_params(lambda p: p.update({"layers.0.neurons.0.w.0": value}))


BAD_FILES: list[tuple[str, Callable[[str], str], str]] = [
    (
        "another architecture",
        lambda t: t.replace('"nouts": [3, 1]', '"nouts": [4, 1]'),
        "the file holds MLP(nin=2, nouts=[4, 1], activation='tanh', output_activation='sigmoid') "
        "but the model is MLP(nin=2, nouts=[3, 1],",
    ),
    ("truncated in a name", lambda t: t[: t.index("w.1")], "the file is truncated"),
    ("truncated after a value", lambda t: t[: t.index(",", t.index("w.1"))], "file is truncated"),
    ("truncated", lambda t: t[: len(t) // 2], "the JSON ends early (near line"),
    (
        "not JSON",
        lambda t: "weights = [1, 2, 3]\n",
        "not valid JSON (Expecting value: line 1, column 1)",
    ),
    ("empty", lambda t: "", "the file is empty"),
    (
        "a missing value",
        edit_params(lambda p: p.pop("layers.0.neurons.0.w.1")),
        "missing 1 parameter(s): 'layers.0.neurons.0.w.1'",
    ),
    (
        "an unexpected value",
        edit_params(lambda p: p.update({"layers.5.neurons.0.b": 0.0})),
        "unexpected 1 parameter(s): 'layers.5.neurons.0.b'",
    ),
    ("NaN", set_first(math.nan), "parameter 'layers.0.neurons.0.w.0' is not finite (nan)"),
    ("Infinity", set_first(-math.inf), "parameter 'layers.0.neurons.0.w.0' is not finite (-inf)"),
    (
        "an overflowing literal",
        lambda t: set_first(0.0)(t).replace(
            '"layers.0.neurons.0.w.0": 0.0', '"layers.0.neurons.0.w.0": 1e999'
        ),
        "parameter 'layers.0.neurons.0.w.0' is not finite (inf)",
    ),
    (
        "null",
        set_first(None),
        "parameter 'layers.0.neurons.0.w.0' must be a real number, got NoneType",
    ),
    (
        "a string",
        set_first("0.5"),
        "parameter 'layers.0.neurons.0.w.0' must be a real number, got str",
    ),
    ("a boolean", set_first(True), "parameter 'layers.0.neurons.0.w.0' must be a number, got bool"),
    ("a list", lambda t: "[1, 2]", "not a tinygrad_edu model file (the top level is a list)"),
    (
        "another format",
        lambda t: t.replace(FORMAT, "keras"),
        "not a tinygrad_edu model file (format is 'keras'",
    ),
    (
        "a newer version",
        lambda t: t.replace('"version": 1', '"version": 2'),
        "unsupported version 2",
    ),
    (
        "no parameters",
        lambda t: json.dumps({k: v for k, v in json.loads(t).items() if k != "parameters"}),
        "no 'parameters' in the file",
    ),
]


@pytest.mark.parametrize(("case", "corrupt", "words"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_serialize_bad_file_is_a_clear_error_and_leaves_the_model_untouched(
    case: str, corrupt: Callable[[str], str], words: str, tmp_path: Path
) -> None:
    source = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    path = save(source, tmp_path / "model.json")
    path.write_text(corrupt(path.read_text(encoding="utf-8")), encoding="utf-8")
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=7)
    before = bits(model)
    with pytest.raises(ModelFileError) as info:
        load(path, model)
    message = str(info.value)
    assert message.startswith(f"load: {path}: ")
    assert words in message
    assert bits(model) == before
    with pytest.raises(ModelFileError):
        load(path)  # and without a model to load into


def test_serialize_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ModelFileError, match=r"weights.bin: not a text file"):
        load(path)


def test_serialize_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.json"):
        load(tmp_path / "nope.json")


def test_serialize_bad_architecture_is_named(tmp_path: Path) -> None:
    path = save(MLP(2, [1], seed=0), tmp_path / "m.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"relu"', '"swish"'), encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"bad architecture MLP\(.*unknown activation 'swish'"):
        load(path)


def test_serialize_file_without_architecture_needs_a_model(tmp_path: Path) -> None:
    class Pair(Module):
        def __init__(self) -> None:
            self.a, self.b = Value(1.5), Value(-2.0)

        def named_parameters(self):  # type: ignore[no-untyped-def]
            yield "a", self.a
            yield "b", self.b

    path = save(Pair(), tmp_path / "pair.json")
    with pytest.raises(ModelFileError, match="records no architecture; pass the model"):
        load(path)
    target = Pair()
    target.a.data = 0.0
    assert load(path, target).a.data == 1.5


# --------------------------------------------------------------------------- state dicts
def test_serialize_state_dict_round_trip_in_memory() -> None:
    a = MLP(2, [3, 1], seed=0)
    b = MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert bits(a) == bits(b)
    assert list(a.state_dict()) == [name for name, _ in a.named_parameters()]


def test_serialize_load_state_dict_is_all_or_nothing() -> None:
    model = MLP(2, [1], seed=0)
    before = bits(model)
    state: dict[str, object] = dict(model.state_dict())
    state = {k: 5.0 for k in state}
    state["layers.0.neurons.0.b"] = "x"  # the last one is bad: none may be applied
    with pytest.raises(
        TypeError, match=r"parameter 'layers\.0\.neurons\.0\.b' must be a real number"
    ):
        model.load_state_dict(state)
    assert bits(model) == before
    with pytest.raises(TypeError, match="expected a mapping"):
        model.load_state_dict([1.0, 2.0])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hostile files
HEADER = '{"format": "tinygrad_edu.model", "version": 1, '


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    return path


def architecture(nin: object, nouts: object) -> str:
    return (
        f'"model": {{"type": "MLP", "nin": {nin}, "nouts": {nouts}, '
        '"activation": "relu", "output_activation": "linear"}, '
    )


HOSTILE: list[tuple[str, str, str]] = [
    (
        "a billion inputs",
        HEADER + architecture(1_000_000_000, "[1]") + '"parameters": {}}',
        "has 1000000001 parameters (at most 1000000 are read) but the file lists 0",
    ),
    (
        "three layers of a million",
        HEADER + architecture(2, "[1000000, 1000000, 1000000]") + '"parameters": {}}',
        "but the file lists 0",
    ),
    (
        "a few parameters short of a big model",
        HEADER + architecture(100, "[100]") + '"parameters": {"a": 1.0, "b": 2.0}}',
        "has 10100 parameters but the file lists 2",
    ),
    ("100,000 nested brackets", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (
        "a 401-digit integer",
        HEADER + '"model": null, "parameters": {"a": ' + "9" * 401 + "}}",
        "an integer of 401 digits",
    ),
    (
        "a 5,000-digit integer",
        HEADER + '"model": null, "parameters": {"a": ' + "1" * 5000 + "}}",
        "an integer of 5000 digits",
    ),
    (
        "a 401-digit nin",
        HEADER + architecture("1" * 401, "[1]") + '"parameters": {}}',
        "an integer of 401 digits",
    ),
    (
        "duplicate keys",
        HEADER + '"model": null, "parameters": {"a": 1.0, "a": 2.0}}',
        "the key 'a' appears twice in one object",
    ),
    (
        "a duplicate format",
        '{"format": "tinygrad_edu.model", "format": "x", "version": 1, "parameters": {}}',
        "the key 'format' appears twice",
    ),
    (
        "a bool version",
        '{"format": "tinygrad_edu.model", "version": true, "parameters": {}}',
        "unsupported version True",
    ),
]


@pytest.mark.parametrize(("case", "text", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_serialize_hostile_file_is_a_file_error_naming_path_and_problem(
    case: str, text: str, words: str, tmp_path: Path
) -> None:
    import tracemalloc

    path = write(tmp_path, text)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as info:
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(f"load: {path}: ")
    assert words in message
    assert len(message) < 400 + len(str(path))
    assert peak < 64 * path.stat().st_size + 1_000_000  # nothing the file merely declares


def test_serialize_a_megabyte_long_name_is_shortened_in_the_message(tmp_path: Path) -> None:
    name = "w" * 1_000_000
    path = write(tmp_path, HEADER + '"model": null, "parameters": {"' + name + '": 1.0}}')
    model = Neuron(1, seed=0)
    with pytest.raises(ModelFileError, match=r"unexpected 1 parameter\(s\): 'wwww") as info:
        load(path, model)
    assert len(str(info.value)) < 400 + len(str(path))
    assert "(1000002 characters)" in str(info.value)


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    return save(MLP(2, [3, 1], seed=0), tmp_path / "m.json")


@st.composite
def tampered_files(draw: st.DrawFn) -> tuple[int, list[int], str, int]:
    """A saved MLP's file, its declared sizes scaled up and/or its parameters cut short."""
    nin, nouts = draw(mlp_shapes(max_nin=6, max_layers=3, max_width=8))
    text = save_text(MLP(nin, nouts, seed=0))
    scale = draw(st.sampled_from([1, 2, 3, 10, 1000, 10**6, 10**9]))
    where = draw(st.sampled_from(["nin", "nouts"]))
    keep = draw(st.integers(0, 3))  # how many parameter lines to drop
    doc = json.loads(text)
    if where == "nin":
        doc["model"]["nin"] = nin * scale
    else:
        doc["model"]["nouts"] = [n * scale for n in nouts]
    names = list(doc["parameters"])
    for name in names[len(names) - keep :]:
        del doc["parameters"][name]
    return nin, nouts, json.dumps(doc), scale


def save_text(model: Module) -> str:
    from tinygrad_edu.serialize import _render

    return _render(model.config(), model.state_dict())


@settings(max_examples=25)
@given(case=tampered_files())
def test_serialize_load_never_allocates_more_than_a_small_multiple_of_the_file(
    case: tuple[int, list[int], str, int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    import tracemalloc

    _, _, text, _ = case
    path = tmp_path_factory.mktemp("tampered") / "m.json"
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with contextlib.suppress(ModelFileError):
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a valid file costs about 10-15x its size (JSON objects, then the model's Values)
    assert peak <= 32 * size + 65_536, (size, peak)


# --------------------------------------------------------------------------- saving
def test_serialize_save_names_a_module_and_a_path() -> None:
    with pytest.raises(TypeError, match=r"save: path must be a file name .* got None"):
        save(MLP(2, [1], seed=0), None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"save: model must be a Module .* got NoneType None"):
        save(None, "m.json")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"load: path must be a file name .* got int 3"):
        load(3)  # type: ignore[call-overload]


@pytest.mark.parametrize("bad", [True, "0.5", None])
def test_serialize_a_bad_parameter_never_replaces_a_good_file(bad: object, good_file: Path) -> None:
    before = good_file.read_bytes()
    model = MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].w[2].data = bad  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"save: parameter 'layers\.1\.neurons\.0\.w\.2' must be"):
        save(model, good_file)
    assert good_file.read_bytes() == before
    assert os.listdir(good_file.parent) == ["m.json"]


def test_serialize_a_model_whose_names_clash_is_refused_before_writing(good_file: Path) -> None:
    class Twice(Module):
        def __init__(self) -> None:
            self.a, self.b = Value(1.0), Value(2.0)

        def named_parameters(self):  # type: ignore[no-untyped-def]
            yield "a", self.a
            yield "a", self.b

    before = good_file.read_bytes()
    with pytest.raises(ModelFileError, match=r"save: refusing to write .*m\.json: .*'a' appears"):
        save(Twice(), good_file)
    assert good_file.read_bytes() == before


def test_serialize_numpy_parameter_values_are_saved_as_floats(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[0].data = np.float32(0.25)  # type: ignore[assignment]
    model.layers[0].neurons[0].w[1].data = np.float64(-1.5)  # type: ignore[assignment]
    model.layers[0].neurons[0].b.data = np.int64(3)  # type: ignore[assignment]
    loaded = load(save(model, tmp_path / "np.json"))
    assert loaded.state_dict() == {
        "layers.0.neurons.0.w.0": 0.25,
        "layers.0.neurons.0.w.1": -1.5,
        "layers.0.neurons.0.b": 3.0,
    }
    assert all(type(v) is float for v in loaded.state_dict().values())
