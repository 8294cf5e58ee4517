"""What a drawing is made of, independent of how it is written out (DOT or Mermaid)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import Value

# Fill colours by role; "zero" overrides the role (the name in the box still tells the role).
FILL: dict[str, str] = {
    "root": "#f4cccc",
    "param": "#d9ead3",
    "input": "#cfe2f3",
    "value": "#ffffff",
    "neuron": "#d9d2e9",
    "layer": "#d9d2e9",
    "zero": "#e6e6e6",
    "op": "#fff2cc",
}
LEGEND: dict[str, str] = {
    "root": "root (loss)",
    "param": "parameter",
    "input": "input or constant (leaf)",
    "value": "intermediate value",
    "neuron": "neuron (collapsed)",
    "layer": "layer (collapsed)",
    "zero": "gradient exactly 0",
}
LEVELS: tuple[str, ...] = ("value", "neuron", "layer")
RANKDIRS: tuple[str, ...] = ("LR", "TB", "RL", "BT")


@dataclass
class Box:
    id: str
    role: str  # a key of FILL
    fields: list[list[str]]  # each field: one or more lines
    tooltip: str = ""
    zero: bool = False
    highlight: bool = False
    cluster: str | None = None
    op: bool = False  # a small operation node showing fields[0][0]
    wide: bool = False  # fields side by side (a value) rather than stacked (a neuron)


@dataclass
class Link:
    src: str
    dst: str
    label: str = ""
    tooltip: str = ""
    highlight: bool = False


@dataclass
class Scene:
    rankdir: str
    boxes: list[Box] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # id -> label, in order
    notes: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # boxes side by side, in this order


@dataclass
class Options:
    rankdir: str
    show_grad: bool
    show_local_grads: bool
    level: str
    clusters: bool
    precision: int
    show_ids: bool = False  # unnamed values get their id ("v11") as a title


@dataclass
class Focus:
    """What a step frame highlights: the node whose gradient is being passed on."""

    node: Value
    upstream: float
    contributions: tuple[float, ...] = ()  # local × upstream per edge, from the step (empty: seed)
