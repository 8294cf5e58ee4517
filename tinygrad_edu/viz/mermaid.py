"""The Mermaid writer: the same scene as flowchart text, rendered by Markdown viewers."""

from __future__ import annotations

from ..textsafe import visible
from .scene_types import FILL, Box, Scene


def _text(text: str) -> str:
    text = " ".join(visible(text).splitlines())  # a line break would end the statement
    for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, code)
    return text


def _node_line(box: Box, indent: str) -> str:
    if box.op:
        return f'{indent}{box.id}(("{_text(box.fields[0][0])}"))'
    text = "<br/>".join(_text(line) for lines in box.fields for line in lines)
    return f'{indent}{box.id}["{text}"]'


def to_mermaid_text(scene: Scene) -> str:
    """``flowchart`` text: nodes, subgraphs for clusters, labelled edges, classes by role."""
    out = [f"flowchart {scene.rankdir}"]
    for box in scene.boxes:
        if box.cluster is None:
            out.append(_node_line(box, "    "))
    for cid, label in scene.clusters.items():
        out.append(f'    subgraph {cid}["{_text(label)}"]')
        out.extend(_node_line(b, "        ") for b in scene.boxes if b.cluster == cid)
        out.append("    end")
    for link in scene.links:
        if link.label:
            out.append(f'    {link.src} -->|"{_text(link.label)}"| {link.dst}')
        else:
            out.append(f"    {link.src} --> {link.dst}")
    classes: dict[str, list[str]] = {}
    for box in scene.boxes:
        cls = "op" if box.op else "zero" if box.zero else box.role
        classes.setdefault(cls, []).append(box.id)
    for cls, ids in classes.items():
        dash = ",stroke-dasharray:4 3" if cls == "zero" else ""
        out.append(f"    classDef {cls} fill:{FILL[cls]},stroke:#333333{dash}")
        out.append(f"    class {','.join(ids)} {cls}")
    for note in scene.notes:
        out.append(f"    %% {note}")
    return "\n".join(out) + "\n"
