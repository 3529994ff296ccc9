"""deepglass.insight.graph: the ops and leaves of small graphs, DOT text, rendering and the CLI."""
import pytest

import deepglass
from deepglass import nn
from deepglass.cli import main
from deepglass.insight import graph


def _net():
    deepglass.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def test_small_model_ops_and_leaves():
    net = _net()
    x = deepglass.randn(5, 4, requires_grad=True)
    g = graph(net(x).sum(), model=net, params={"x": x})
    assert g.ops == ["LinearBackward", "ReLUBackward", "LinearBackward", "SumBackward"]
    assert sorted(g.leaf_names) == ["0.bias", "0.weight", "2.bias", "2.weight", "x"]
    by_name = {leaf.name: leaf for leaf in g.leaves}
    assert by_name["0.weight"].shape == (3, 4) and by_name["0.weight"].is_parameter
    assert not by_name["x"].is_parameter
    nodes = {n.op: n for n in g.nodes}
    assert nodes["ReLUBackward"].shape == (5, 3)
    assert nodes["ReLUBackward"].saved == [(5, 3)] and nodes["ReLUBackward"].saved_bytes == 5 * 3 * 4
    assert nodes["SumBackward"].shape == () and g.output == nodes["SumBackward"].id
    # the edges: the first Linear takes x and the first layer's parameters
    first = g.nodes[-1]
    assert sorted(by_id.name for by_id in g.leaves if by_id.id in first.inputs) == ["0.bias", "0.weight", "x"]
    relu = nodes["ReLUBackward"]
    assert relu.inputs == [first.id]


def test_shared_subexpression_and_unnamed_leaf():
    a = deepglass.randn(3, requires_grad=True)
    b = a.exp()
    g = graph(b * b + a)
    assert sorted(g.ops) == ["AddBackward", "ExpBackward", "MulBackward"]
    assert g.leaf_names == ["leaf0"]
    mul = next(n for n in g.nodes if n.op == "MulBackward")
    exp = next(n for n in g.nodes if n.op == "ExpBackward")
    assert mul.inputs == [exp.id, exp.id]


def test_no_grad_and_freed_graph_errors():
    with pytest.raises(RuntimeError, match="no grad_fn"):
        graph(deepglass.randn(2) * 2)
    a = deepglass.randn(3, requires_grad=True)
    y = (a * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        graph(y)


def test_dot_and_render_without_graphviz(tmp_path, monkeypatch):
    net = _net()
    g = graph(net(deepglass.randn(2, 4)), model=net)
    dot = g.to_dot()
    assert dot.startswith('digraph "autograd" {') and dot.rstrip().endswith("}")
    assert dot.count(" -> ") == sum(len(n.inputs) for n in g.nodes) == 6
    assert '"0.weight\\n(3, 4)"' in dot
    monkeypatch.setattr("shutil.which", lambda name: None)
    path, message = g.render(tmp_path / "g.svg")
    assert path == tmp_path / "g.dot" and path.read_text() == dot
    assert "Graphviz 'dot' not found" in message


def test_cli_graph(tmp_path, capsys):
    assert main(["graph", "lenet5", "--input", "1x28x28"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("autograd graph: 12 ops, 10 leaves")
    assert "0.weight" in text and "Conv2d" in text
    assert main(["graph", "lenet5", "--input", "1x28x28", "--out", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert main(["graph", "lenet5", "--input", "0x1"]) == 2


def test_forward_order_with_a_skip_connection_and_saved_bytes():
    a = deepglass.randn(4, 3, requires_grad=True)
    w = nn.Parameter(deepglass.randn(2, 3))
    e = a.exp()
    long = e.sin().cos().tanh()
    y = (long + e.mul(2)).sum()
    g = graph(y, params={"a": a})
    node_ids = {n.id for n in g.nodes}
    for n in g.nodes:  # every op comes after (has a smaller id than) the ops it takes inputs from
        assert all(i > n.id for i in n.inputs if i in node_ids)
    assert g.ops[0] == "ExpBackward" and g.ops[-2:] == ["AddBackward", "SumBackward"]
    assert g.ops.index("TanhBackward") > g.ops.index("CosBackward") > g.ops.index("SinBackward")
    # parameters saved by an op are listed but not counted: they live in the model anyway
    x = deepglass.randn(5, 3)
    lin = graph(nn.functional.linear(x.requires_grad_(), w), params={"w": w, "x": x})
    (node,) = lin.nodes
    assert node.saved == [(5, 3), (2, 3)] and lin.leaf_names == ["x", "w"]
    assert node.saved_bytes == 0 and lin.saved_bytes == 0     # x is a leaf too
    h = deepglass.randn(5, 3, requires_grad=True).exp()
    lin = graph(nn.functional.linear(h, w).relu())
    assert lin.nodes[1].op == "LinearBackward" and lin.nodes[1].saved_bytes == 5 * 3 * 4
    assert lin.saved_bytes == 5 * 3 * 4 + 5 * 2 * 4   # Exp's output (saved by Exp and by Linear) once, and ReLU's


@pytest.mark.parametrize("command", ["graph", "explain", "report"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0 and f"deepglass {command}" in capsys.readouterr().out
