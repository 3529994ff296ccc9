"""The autograd graph behind a tensor: what back-propagation will walk.

Every op recorded in grad mode leaves a node (its ``grad_fn``: the ``Function`` instance,
the *ctx*) that remembers its inputs and the arrays it saved for its backward.
:func:`graph` walks these nodes from an output back to the leaves — the tensors that
require grad and were made by no op (parameters, inputs with ``requires_grad``) — and
returns a :class:`Graph`: the nodes (op name, output shape, saved-array shapes and bytes,
inputs), the leaves (with parameter names when a model is given), as Graphviz DOT text,
or rendered to SVG/PNG when the ``dot`` program is installed.

Take the graph *before* ``backward()`` (which frees it) or after ``backward(retain_graph=True)``.
"""
from __future__ import annotations

import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["graph", "Graph", "Node", "Leaf"]


@dataclass
class Node:
    """An op of the graph: ``op`` (``LinearBackward`` ...), the ``shape`` of its output (a list of shapes for a
    multi-output op), the ``saved`` array shapes, ``saved_bytes`` (parameters excluded: they live in the model
    anyway), and the ids of its ``inputs`` (in argument order)."""

    id: int
    op: str
    shape: object = None
    dtype: str = ""
    saved: list = field(default_factory=list)
    saved_bytes: int = 0
    inputs: list = field(default_factory=list)


@dataclass
class Leaf:
    """A tensor that requires grad and was made by no op: a parameter (``name`` from the model) or an input."""

    id: int
    name: str
    shape: tuple
    dtype: str
    is_parameter: bool = False


@dataclass
class Graph:
    """The graph of :func:`graph`: ``nodes`` from the output back to the inputs (reversed: a forward order),
    ``leaves`` (parameters and inputs, in forward order), the ``output`` id and ``saved_total`` bytes."""

    nodes: list
    leaves: list
    output: int | None
    saved_total: int = 0

    @property
    def ops(self) -> list:
        """Op names in forward order (inputs first)."""
        return [n.op for n in reversed(self.nodes)]

    @property
    def leaf_names(self) -> list:
        return [leaf.name for leaf in self.leaves]

    @property
    def saved_bytes(self) -> int:
        """Bytes the graph keeps alive for backward: the saved arrays, each once, parameters excluded."""
        return self.saved_total

    def __str__(self) -> str:
        lines = [f"autograd graph: {len(self.nodes)} ops, {len(self.leaves)} leaves, "
                 f"{_bytes(self.saved_bytes)} saved for backward"]
        names = {leaf.id: leaf.name for leaf in self.leaves}
        for n in reversed(self.nodes):
            ins = ", ".join(names.get(i, f"#{i}") for i in n.inputs)
            lines.append(f"  #{n.id} {n.op} -> {_shape(n.shape)}  saved {_bytes(n.saved_bytes)}  <- {ins}")
        return "\n".join(lines)

    def to_dot(self, name: str = "autograd") -> str:
        """Graphviz DOT text: ops as boxes (op, output shape, saved bytes), parameters as light-blue ellipses,
        other leaves as grey ellipses, edges in the forward direction (input → op)."""
        out = [f'digraph "{name}" {{', "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
        for leaf in self.leaves:
            color = "lightblue" if leaf.is_parameter else "lightgray"
            out.append(f'  n{leaf.id} [shape=ellipse, style=filled, fillcolor={color}, '
                       f'label="{_esc(leaf.name)}\\n{_shape(leaf.shape)}"];')
        for n in self.nodes:
            saved = f"\\nsaved {_bytes(n.saved_bytes)}" if n.saved_bytes else ""
            fill = ', style=filled, fillcolor="#ffe9a8"' if n.id == self.output else ""
            out.append(f'  n{n.id} [shape=box{fill}, label="{_esc(n.op)}\\n{_shape(n.shape)}{saved}"];')
        for n in self.nodes:
            for i in n.inputs:
                out.append(f"  n{i} -> n{n.id};")
        out.append("}")
        return "\n".join(out) + "\n"

    def render(self, path, format: str | None = None) -> tuple:
        """Write the graph: ``path.dot`` always, and ``path`` as SVG/PNG when Graphviz's ``dot`` is installed.

        Args:
            path: the output file; its suffix (``.svg``, ``.png``, ``.dot``) picks the format unless
                ``format`` is given.

        Returns:
            ``(written_path, message)``: the rendered file, or the DOT file and a message saying that
            ``dot`` was not found (install Graphviz: ``apt install graphviz``, ``brew install graphviz``).
        """
        path = Path(path)
        fmt = (format or path.suffix.lstrip(".") or "svg").lower()
        if fmt not in ("svg", "png", "pdf", "dot"):
            raise ValueError(f"graph format must be svg, png, pdf or dot, got {fmt!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        dot_path = path if fmt == "dot" else path.with_suffix(".dot")
        dot_path.write_text(self.to_dot())
        if fmt == "dot":
            return dot_path, f"wrote {dot_path}"
        exe = shutil.which("dot")
        if exe is None:
            return dot_path, (f"Graphviz 'dot' not found: wrote {dot_path} (render it with "
                              f"`dot -T{fmt} {dot_path} -o {path}` after installing Graphviz)")
        subprocess.run([exe, f"-T{fmt}", str(dot_path), "-o", str(path)], check=True, capture_output=True)
        return path, f"wrote {path} (and {dot_path})"

    def as_dict(self) -> dict:
        return {"output": self.output,
                "nodes": [{"id": n.id, "op": n.op, "shape": n.shape, "dtype": n.dtype, "saved": n.saved,
                           "saved_bytes": n.saved_bytes, "inputs": n.inputs} for n in self.nodes],
                "leaves": [vars(leaf).copy() for leaf in self.leaves]}


def graph(output, model=None, params: dict | None = None) -> Graph:
    """The autograd graph that ``output.backward()`` would walk.

    Args:
        output: a Tensor with a ``grad_fn`` (or a tuple/list of them: one graph for all).
        model: a module whose ``named_parameters()`` name the parameter leaves.
        params: ``{name: tensor}`` naming further leaves (e.g. ``{"x": x}``).

    Returns:
        a :class:`Graph`. Unnamed leaves are called ``leaf0``, ``leaf1``...

    Example:
        >>> import deepglass
        >>> from deepglass import nn
        >>> from deepglass.insight import graph
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> g = graph(net(deepglass.randn(5, 4)).sum(), model=net)
        >>> g.ops
        ['LinearBackward', 'ReLUBackward', 'LinearBackward', 'SumBackward']
        >>> g.leaf_names
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> g.nodes[1].shape, g.nodes[1].saved
        ((5, 2), [(5, 3), (2, 3)])
    """
    from .. import _inplace
    from .._tensor import Tensor

    names = {}
    if model is not None:
        names.update({id(p): n for n, p in model.named_parameters()})
    param_ids = set(names)
    names.update({id(t): n for n, t in (params or {}).items()})
    outputs = list(output) if isinstance(output, (tuple, list)) else [output]
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"graph() expects a Tensor (or a tuple of them), got {type(t).__name__}")
    roots = [t for t in outputs if t.grad_fn is not None]
    if not roots:
        raise RuntimeError("graph(): the output has no grad_fn (it was computed under no_grad, or nothing in it "
                           "requires grad); compute it in grad mode from tensors with requires_grad=True")
    found: dict = {}     # id(node) -> node
    preds: dict = {}     # id(node) -> its inputs: ("node", fn) or ("leaf", tensor), in argument order
    shapes: dict = {}    # id(node) -> (output shape, dtype), learned from the tensors that carry it
    queue = deque()
    for t in roots:
        shapes.setdefault(id(t.grad_fn), (tuple(t.shape), str(t.dtype)))
        queue.append(t.grad_fn)
    while queue:  # every node reachable from the outputs
        fn = queue.popleft()
        if id(fn) in found:
            continue
        if fn.__dict__.get("_freed"):
            raise RuntimeError(f"graph(): node {fn.name} was freed by a backward(); take the graph before "
                               "backward() or call backward(retain_graph=True)")
        found[id(fn)] = fn
        edges = preds[id(fn)] = []
        for inp, v in zip(fn._inputs, fn._versions):
            if not isinstance(inp, Tensor) or not inp.requires_grad:
                continue
            src = inp.grad_fn
            if src is not None and src._since > v:  # changed in place since: the node that made that version
                src = _inplace.node_at(inp, v)
            if src is _inplace.NO_GRAD:
                continue
            if src is None:
                edges.append(("leaf", inp))
            else:
                edges.append(("node", src))
                shapes.setdefault(id(src), (tuple(inp.shape), str(inp.dtype)))
                queue.append(src)
    forward = _topological([t.grad_fn for t in roots], preds)   # inputs before the ops that use them
    ids = {id(fn): i for i, fn in enumerate(reversed(forward))}  # ids count from the output
    leaves, leaf_arrays = [], set()
    for fn in forward:  # leaves numbered in forward order (the first layer's parameters first)
        for kind, obj in preds[id(fn)]:
            if kind == "leaf" and id(obj) not in ids:
                ids[id(obj)] = len(ids)
                name = names.get(id(obj), f"leaf{sum(1 for lf in leaves if not lf.is_parameter)}")
                leaves.append(Leaf(ids[id(obj)], name, tuple(obj.shape), str(obj.dtype), id(obj) in param_ids))
                leaf_arrays.add(id(obj._array))
    nodes, total, counted = [], 0, set()
    for fn in reversed(forward):
        inputs = [ids[id(obj)] for _, obj in preds[id(fn)]]
        saved, nbytes, mine = [], 0, set()
        for a in _inplace.saved_arrays(fn):
            if id(a) in mine:
                continue
            mine.add(id(a))
            saved.append(tuple(a.shape))
            if id(a) not in leaf_arrays:  # parameters live in the model anyway: not counted
                nbytes += int(a.nbytes)
                if id(a) not in counted:
                    counted.add(id(a))
                    total += int(a.nbytes)
        meta = fn.__dict__.get("_out_meta")
        if meta is not None:
            shape, dtype = [None if m is None else tuple(m[0]) for m in meta], ""
        else:
            shape, dtype = shapes.get(id(fn), (None, ""))
        nodes.append(Node(ids[id(fn)], fn.name, shape, dtype, saved, nbytes, inputs))
    return Graph(nodes, leaves, nodes[0].id if nodes else None, total)


def _topological(roots, preds) -> list:
    """The nodes in forward order (every node after the nodes it takes inputs from): DFS post-order."""
    order, done = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            fn, expanded = stack.pop()
            if expanded:
                order.append(fn)
                continue
            if id(fn) in done:
                continue
            done.add(id(fn))
            stack.append((fn, True))
            for kind, obj in reversed(preds[id(fn)]):
                if kind == "node" and id(obj) not in done:
                    stack.append((obj, False))
    return order


def _shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_shape(s) for s in shape)
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def _esc(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')
