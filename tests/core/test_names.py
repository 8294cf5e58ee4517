"""The name map: scalar parameter names ↔ tensor entries, both ways, checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.names import (
    TensorEntry,
    name_map,
    parse_scalar_name,
    parse_tensor_name,
    scalar_name,
    tensor_name,
)
from tinygrad_edu.nn import MLP


def test_tensor_name_maps_the_issue_examples() -> None:
    assert tensor_name("layers.1.neurons.3.w.0") == "W2[3, 0]"
    assert tensor_name("layers.1.neurons.3.b") == "b2[3]"


def test_scalar_name_maps_the_issue_examples_back() -> None:
    assert scalar_name("W2[3, 0]") == "layers.1.neurons.3.w.0"
    assert scalar_name("b2[3]") == "layers.1.neurons.3.b"
    assert scalar_name("W2[3,0]") == "layers.1.neurons.3.w.0"


def test_parse_scalar_name_gives_one_based_layer_row_and_column() -> None:
    assert parse_scalar_name("layers.0.neurons.2.w.5") == TensorEntry("W", 1, 2, 5)
    assert parse_scalar_name("layers.4.neurons.0.b") == TensorEntry("b", 5, 0, None)


@given(st.integers(0, 50), st.integers(0, 50), st.one_of(st.none(), st.integers(0, 50)))
def test_names_round_trip_both_ways(layer: int, row: int, col: int | None) -> None:
    tail = "b" if col is None else f"w.{col}"
    name = f"layers.{layer}.neurons.{row}.{tail}"
    entry = tensor_name(name)
    assert scalar_name(entry) == name
    assert tensor_name(scalar_name(entry)) == entry
    assert parse_tensor_name(entry) == parse_scalar_name(name)


def test_name_map_covers_every_parameter_of_an_mlp_in_order() -> None:
    model = MLP(2, [3, 1], seed=0)
    m = name_map(model)
    assert list(m) == [n for n, _ in model.named_parameters()]
    assert len(m) == 13
    assert m["layers.0.neurons.2.w.1"] == "W1[2, 1]"
    assert m["layers.1.neurons.0.w.2"] == "W2[0, 2]"
    assert m["layers.1.neurons.0.b"] == "b2[0]"
    assert len(set(m.values())) == 13


@pytest.mark.parametrize(
    "bad",
    [
        "layers.1.neurons.3",
        "layer.1.neurons.3.b",
        "layers.1.neurons.3.w",
        "layers.-1.neurons.0.b",
        "layers.0.neurons.0.b ",
        "w.0",
        "",
    ],
)
def test_parse_scalar_name_refuses_malformed_names(bad: str) -> None:
    with pytest.raises(ValueError, match=r"parse_scalar_name: .* is not an MLP parameter name"):
        parse_scalar_name(bad)


@pytest.mark.parametrize("bad", ["W0[1, 1]", "W2[3]", "b2[3, 0]", "X1[0]", "W2[3, 0", "W[1, 1]"])
def test_parse_tensor_name_refuses_malformed_entries(bad: str) -> None:
    with pytest.raises(ValueError, match=r"parse_tensor_name: .* is not a tensor entry"):
        parse_tensor_name(bad)


def test_names_refuse_non_strings_naming_the_value() -> None:
    with pytest.raises(TypeError, match=r"tensor_name|parse_scalar_name: the name must be a str"):
        tensor_name(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parse_tensor_name: the name must be a str, got int 3"):
        scalar_name(3)  # type: ignore[arg-type]


def test_names_checked_against_a_model_shape() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert tensor_name("layers.0.neurons.2.w.1", model) == "W1[2, 1]"
    with pytest.raises(ValueError, match="names layer 3, but the network has 2 layer"):
        tensor_name("layers.2.neurons.0.b", model)
    with pytest.raises(ValueError, match="names row 3, but layer 1 has 3 neuron"):
        tensor_name("layers.0.neurons.3.b", model)
    with pytest.raises(ValueError, match="names column 2, but layer 1 has 2 input"):
        scalar_name("W1[0, 2]", model)
    with pytest.raises(TypeError, match="model must be an MLP"):
        tensor_name("layers.0.neurons.0.b", object())
