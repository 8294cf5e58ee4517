"""One name for one quantity wherever a learner reads it: the forward graph's edge labels, the
explorer, the cross-check tables, the tutor's hints and worksheets all say x[0], a1[0],
W1[0, 0], b2[0] (layers counted from 1, as tinygrad_edu.names defines)."""

from __future__ import annotations

import re
from typing import Any

from tinygrad_edu import examples, manual, names, tutor
from tinygrad_edu.cli.demo import one_forward_pass
from tinygrad_edu.explore import record
from tinygrad_edu.viz import draw_dot

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


def test_the_forward_graph_labels_the_edges_with_the_delta_equations_names() -> None:
    model = examples.xor_network()
    loss, neuron = one_forward_pass(model, [1.0, 0.0], 1.0)
    source = draw_dot(loss, params=model, level="neuron").source
    edge_labels = re.findall(r'label="([xa]\d*\[\d+\]): ', source)
    assert {"x[0]", "x[1]"} <= set(edge_labels)  # the inputs into layer 1
    assert {"a1[0]", "a1[3]", "a2[0]"} <= set(edge_labels)  # the hidden activations after it
    assert not re.search(r'label="x\d: ', source)  # the old 0-based x0:, which read as x1
    assert neuron.label == "a1[0]" and "x[0]" in source


def test_the_explorer_the_cross_check_and_the_tutor_use_the_same_names() -> None:
    assert record.input_name(0, 1) == names.input_name(0, 1) == "x[1]"
    assert record.input_name(2, 0) == names.input_name(2, 0) == "a2[0]"
    assert record.weight_name(1, 3, 0) == names.tensor_name("layers.1.neurons.3.w.0") == "W2[3, 0]"
    assert record.bias_name(1, 3) == "b2[3]"

    report = manual.crosscheck(examples.xor_network(), XOR_X, XOR_Y, with_torch=False)
    first_cells = [report.row_cells(r)[0] for r in report.rows]
    assert first_cells[:3] == ["W1[0, 0]", "W1[0, 1]", "b1[0]"] and first_cells[-1] == "b3[0]"

    def doubled_first_weight(weights: Any, X: Any, Y: Any) -> Any:
        import numpy as np
        from learner_set import backprop

        grads = backprop(weights, X, Y)
        grads[0][0][0, 0] *= 2.0
        return [(np.asarray(a), b) for a, b in grads]

    hint = tutor.check_delta(doubled_first_weight, examples.xor_network(), XOR_X, XOR_Y)
    assert hint.first_wrong is not None and hint.first_wrong.where == "∂L/∂W1[0, 0]"
    assert hint.failures == ("∂L/∂W1[0, 0] (layers.0.neurons.0.w.0)",)

    ws = tutor.worksheet(5, 4)
    labels = {n.label for n in ws.nodes}
    assert {"x[0]", "x[1]", "W1[0, 0]", "b1[1]", "z1[0]", "a1[1]", "W2[0, 1]", "b2[0]"} <= labels
    wrong = ws.check({**ws.answer_key, "a1[0]": 0.0})
    assert wrong.first_wrong is not None and wrong.first_wrong.where == "node a1[0]"


def test_hints_name_unlabelled_nodes_by_the_expression_the_learner_wrote() -> None:
    from tinygrad_edu.engine import Value

    yhat, s, c = Value(0.3, "yhat"), Value(2.0, "s"), Value(4.0, "c")
    e = 0 - yhat
    q = s / c
    L = e * q
    L.label = "L"
    order = tutor.graphs.topo_order(L)
    label = tutor.graphs.names(order)
    assert label[e] == "0 - yhat" and label[q] == "s / c"
    assert label[e.parents[1]] == "the -yhat inside 0 - yhat"
    assert label[q.parents[1]] == "the 1/c inside s / c"
    assert not any("#" in text for text in label.values())
