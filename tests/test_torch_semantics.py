"""PyTorch semantics that deepglass follows: each test runs the same code on torch and on deepglass.

The code under test is written once as a function of the framework module (``T``
is ``torch`` or ``deepglass``); its results on both are compared.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def _np(x):
    """A NumPy copy of a tensor of either framework (or of a nested tuple/list of them)."""
    if isinstance(x, (tuple, list)):
        return type(x)(_np(v) for v in x)
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().copy()
    if isinstance(x, dg.Tensor):
        return x.detach().numpy().copy()
    return x


def both(fn, *args):
    """Run ``fn(T, *args)`` on torch and deepglass; return both results as NumPy."""
    return _np(fn(torch, *args)), _np(fn(dg, *args))


def assert_same(fn, *args, rtol=1e-6, atol=1e-6):
    t, d = both(fn, *args)
    if isinstance(t, (tuple, list)):
        assert len(t) == len(d)
        for a, b in zip(t, d):
            _assert_close(a, b, rtol, atol)
    else:
        _assert_close(t, d, rtol, atol)


def _assert_close(a, b, rtol, atol):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and str(a.dtype) == str(b.dtype), (a, b)
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol)
    else:
        assert a == b, (a, b)


# ------------------------------------------------------------------ modules: re-assignment keeps order
def _reassign_program(T):
    T.manual_seed(0)
    nn = T.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 2, 3)
            self.conv2 = nn.Conv2d(2, 2, 3)
            self.fc = nn.Linear(4, 2)
            self.w = nn.Parameter(T.zeros(2))
            self.b = nn.Parameter(T.zeros(2))
            self.register_buffer("r1", T.zeros(1))
            self.register_buffer("r2", T.zeros(1))

    m = Net()
    m.conv1 = nn.Conv2d(1, 2, 5)
    m.w = nn.Parameter(T.ones(3))
    m.r1 = T.ones(2)
    m.register_buffer("r2", T.ones(3))
    m.add_module("conv2", nn.Identity())
    children = [type(c).__name__ for c in m.children()]
    keys = list(m.state_dict().keys())
    params = [n for n, _ in m.named_parameters()]
    trimmed = [type(c).__name__ for c in nn.Sequential(*list(m.children())[:-1]).children()]
    return children, keys, params, trimmed, tuple(m.conv1.weight.shape)


def test_reassigning_a_child_parameter_or_buffer_keeps_its_place():
    t, d = both(_reassign_program)
    assert t == d
    assert t[0] == ["Conv2d", "Identity", "Linear"]


# ------------------------------------------------------------------ in-place ops inside a graph
X0 = np.array([[0.5, -1.0, 2.0], [-0.3, 1.5, -2.5]], dtype=np.float32)
Y0 = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]], dtype=np.float32)


def _leaves(T):
    return T.tensor(X0, requires_grad=True), T.tensor(Y0, requires_grad=True)


def _grads(T, out, *leaves):
    (out * T.arange(out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
    return [out] + [leaf.grad for leaf in leaves]


def p_div_(T):
    x, y = _leaves(T)
    batch = x * y
    batch.div_(255.0)
    return _grads(T, batch, x, y)


def p_relu_(T):
    x, y = _leaves(T)
    h = x + y
    r = h.relu_()
    assert r is h
    return _grads(T, h * 3, x, y)


def p_add_mul_(T):
    x, y = _leaves(T)
    h = x * 2
    h.add_(y, alpha=0.5)
    h.mul_(y)
    h.sub_(1.0)
    h.clamp_(-1.0, 2.0)
    return _grads(T, h, x, y)


def p_iadd(T):
    x, y = _leaves(T)
    h = x.exp()
    h2 = h * 1
    h2 += y
    h2 *= y
    h2 -= x
    h2 /= 2
    return _grads(T, h2, x, y)


def p_setitem(T):
    x, y = _leaves(T)
    h = x * 2
    h[0] = y[1] * 3
    h[:, 1] = 7.0
    h[T.tensor([1, 0]), T.tensor([2, 0])] = y[0, :2]
    return _grads(T, h, x, y)


def p_setitem_on_plain_tensor(T):
    x, y = _leaves(T)
    buf = T.zeros(3, 3)
    buf[1:, :] = x * y
    return _grads(T, buf, x, y)


def p_used_before_change(T):
    # a node recorded before the change still sees the old value's graph
    x, y = _leaves(T)
    h = x * y
    before = h + 3  # AddBackward saves nothing: no error; its gradient goes to the old h
    h.mul_(y)
    return _grads(T, before * 2 + h, x, y)


def p_view_inplace(T):
    x, y = _leaves(T)
    h = x * 1
    h[0].mul_(y[0])
    v = h.view(-1)
    v[1:3].add_(5.0)
    h.t()[2].relu_()
    return _grads(T, h, x, y)


def p_inplace_plain_with_grad_operand(T):
    x, y = _leaves(T)
    acc = T.zeros(2, 3)
    acc.add_(x)
    acc.mul_(y)
    return _grads(T, acc, x, y)


def p_fill_zero_copy(T):
    x, y = _leaves(T)
    a = x * 2
    a[0].zero_()
    b = x * 1
    b.copy_(y * y)
    c = x + 0
    c[1].fill_(4.0)
    return _grads(T, a + b + c, x, y)


def p_unary_inplace(T):
    x, y = _leaves(T)
    a, b, c = x * 0.5, x * 1, x + 0
    a.exp_()
    b.sigmoid_()
    c.tanh_()
    g, n, p = y.abs() + 1, y * 1, y * 2
    g.sqrt_()
    n.neg_()
    p.pow_(2)
    return _grads(T, a + b + c + g + n + p, x, y)


def p_no_grad_update_then_backward(T):
    # in-place under no_grad on a non-leaf whose producer saved nothing: allowed, as torch
    x, y = _leaves(T)
    h = x + y
    with T.no_grad():
        h.mul_(2)
    return _grads(T, h * 3, x, y)


@pytest.mark.parametrize("program", [p_div_, p_relu_, p_add_mul_, p_iadd, p_setitem, p_setitem_on_plain_tensor,
                                     p_used_before_change, p_view_inplace, p_inplace_plain_with_grad_operand,
                                     p_fill_zero_copy, p_unary_inplace, p_no_grad_update_then_backward])
def test_inplace_in_a_graph_values_and_gradients_match_torch(program):
    assert_same(program, rtol=1e-5, atol=1e-5)


def e_leaf(T):
    x, _ = _leaves(T)
    x.add_(1)


def e_leaf_setitem(T):
    x, _ = _leaves(T)
    x[0] = 1.0


def e_leaf_iadd(T):
    x, _ = _leaves(T)
    x += 1


def e_view_of_leaf(T):
    x, _ = _leaves(T)
    x[0].mul_(2)


def e_saved_input_modified(T):
    x, y = _leaves(T)
    h = x + 1
    out = h * y  # MulBackward saves h
    h.add_(1)
    out.sum().backward()


def e_saved_output_modified(T):
    x, _ = _leaves(T)
    h = x.exp()  # ExpBackward saves its result
    h.add_(1)
    h.sum().backward()


def e_saved_output_modified_under_no_grad(T):
    x, _ = _leaves(T)
    h = x.sigmoid()
    with T.no_grad():
        h.mul_(2)
    h.sum().backward()


def e_view_saved_modified(T):
    x, y = _leaves(T)
    h = x + 1
    out = (h * y).sum()
    h.view(-1)[0].mul_(2)  # the view shares h's version counter
    out.backward()


def e_chained_unary(T):
    x, _ = _leaves(T)
    h = x * 1
    h.exp_()  # saves its result: h's memory
    h.sigmoid_()
    h.sum().backward()


def e_shape(T):
    x, y = _leaves(T)
    h = x[0] * 1
    h.add_(y)


ERRORS = {
    e_leaf: "a leaf Variable that requires grad is being used in an in-place operation.",
    e_leaf_setitem: "a leaf Variable that requires grad is being used in an in-place operation.",
    e_leaf_iadd: "a leaf Variable that requires grad is being used in an in-place operation.",
    e_view_of_leaf: "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    e_saved_input_modified: "one of the variables needed for gradient computation has been modified by an inplace "
                            "operation",
    e_saved_output_modified: "one of the variables needed for gradient computation has been modified by an inplace "
                             "operation",
    e_saved_output_modified_under_no_grad: "one of the variables needed for gradient computation has been modified",
    e_view_saved_modified: "one of the variables needed for gradient computation has been modified by an inplace",
    e_chained_unary: "one of the variables needed for gradient computation has been modified by an inplace",
    e_shape: "output with shape [3] doesn't match the broadcast shape [2, 3]",
}


@pytest.mark.parametrize("program", list(ERRORS), ids=lambda f: f.__name__)
def test_inplace_errors_are_torchs(program):
    for T in (torch, dg):
        with pytest.raises(RuntimeError) as info:
            program(T)
        assert ERRORS[program] in str(info.value), (T.__name__, str(info.value))


def test_no_error_when_the_changed_tensor_was_not_saved():
    # AddBackward saves nothing: changing its input afterwards is fine in both
    def program(T):
        x, y = _leaves(T)
        h = x * 1
        out = h + y
        h.mul_(4)
        return _grads(T, out + h, x, y)

    assert_same(program)


def test_views_share_the_version_counter():
    def program(T):
        x = T.zeros(2, 3)
        v, w, d = x[0], x.view(6), x.t()
        x.add_(1)
        v.mul_(2)
        return [t._version for t in (x, v, w, d)], x.detach()._version

    t, d = both(program)
    assert t == d


# ------------------------------------------------------------------ inplace=True modules really write in place
ACTIVATIONS = [("ReLU", ()), ("LeakyReLU", (0.1,)), ("ELU", (0.7,)), ("Hardtanh", (-0.5, 0.8)), ("ReLU6", ()),
               ("SiLU", ()), ("Hardswish", ()), ("SELU", ()), ("CELU", (0.9,)), ("Mish", ()), ("Hardsigmoid", ()),
               ("Threshold", (0.1, -2.0))]


@pytest.mark.parametrize("name,args", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_inplace_activation_modules_write_into_their_input(name, args):
    def program(T):
        x, y = _leaves(T)
        h = x * y
        act = getattr(T.nn, name)(*args, inplace=True)
        out = act(h)
        assert out is h
        return _grads(T, h + 0, x, y)

    assert_same(program, rtol=1e-5, atol=1e-5)
    # outside a graph: the input's memory holds the result
    arr = X0.copy()
    got = getattr(dg.nn, name)(*args, inplace=True)(dg.from_numpy(arr))
    want = getattr(torch.nn, name)(*args)(torch.from_numpy(X0.copy()))
    np.testing.assert_allclose(arr, want.numpy(), rtol=1e-6, atol=1e-6)
    assert np.shares_memory(got.numpy(), arr)


def test_inplace_activation_on_a_leaf_requiring_grad_is_torchs_error():
    for T in (torch, dg):
        x, _ = _leaves(T)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            T.nn.ReLU(inplace=True)(x)


def test_inplace_dropout_in_a_graph_matches_the_mask():
    for name in ("Dropout", "Dropout2d"):
        for T in (torch, dg):
            x, y = _leaves(T)
            h = (x * y).reshape(2, 3, 1, 1)
            before = _np(h)
            out = getattr(T.nn, name)(0.5, inplace=True)(h)
            assert out is h
            out.sum().backward()
            ratio = _np(out) / before
            assert set(np.unique(ratio)) <= {0.0, 2.0}, (T.__name__, ratio)
            np.testing.assert_allclose(_np(x.grad), Y0 * ratio.reshape(2, 3), rtol=1e-6)


def test_dropout2d_on_2d_and_3d_inputs_warns_and_masks_as_torch_2_13():
    for shape, mask_axes in [((40, 6), ()), ((4, 6, 5), (2,))]:
        for T in (torch, dg):
            with pytest.warns(UserWarning, match="dropout2d: Received a"):
                y = T.nn.functional.dropout2d(T.ones(*shape), 0.5)
            y = _np(y)
            assert set(np.unique(y)) <= {0.0, 2.0}
            for ax in mask_axes:  # whole (N, C) rows are kept or dropped together
                assert (y.min(axis=ax) == y.max(axis=ax)).all()
            if not mask_axes:  # a 2-D input is dropped element by element: rows are mixed
                assert ((y.min(axis=1) == 0) & (y.max(axis=1) == 2)).any()
    for T in (torch, dg):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"), \
                pytest.warns(UserWarning):
            T.nn.functional.dropout2d(T.ones(6), 0.5)


# ------------------------------------------------------------------ Tensor.data
def test_data_is_a_detached_tensor_over_the_same_memory():
    def program(T):
        T.manual_seed(0)
        lin = T.nn.Linear(3, 2)
        with T.no_grad():
            lin.weight.copy_(T.tensor(Y0))
        lin.bias.data.fill_(0)
        p = lin.weight
        p.data.add_(T.ones(2, 3), alpha=0.5)  # changes p, unseen by autograd
        arr = p.data.numpy()  # no error although p requires grad
        d = p.data
        facts = (d.requires_grad, d.grad_fn is None, p.requires_grad, type(arr).__name__)
        p.data = T.zeros(4, 3)  # swaps p's memory (the shape may change)
        x = T.tensor(X0, requires_grad=True)
        h = x * 2
        h.data.mul_(10)  # the graph does not see it: the gradient of x stays 2
        h.sum().backward()
        return facts, tuple(p.shape), _np(lin.bias), arr.copy(), _np(h), _np(x.grad)

    t, d = both(program)
    assert t[0] == d[0] and t[1] == d[1]
    for a, b in zip(t[2:], d[2:]):
        np.testing.assert_allclose(b, a)


# ------------------------------------------------------------------ legacy constructors and small forms
def test_legacy_tensor_constructors_match_torch():
    cases = [lambda T: T.Tensor(3, 4).shape, lambda T: T.Tensor().shape, lambda T: T.Tensor([1, 2]),
             lambda T: T.Tensor(np.arange(3)), lambda T: T.Tensor([[1.5, 2], [3, 4]]),
             lambda T: T.Tensor(T.zeros(2, 5).size()).shape, lambda T: T.FloatTensor([1, 2]),
             lambda T: T.DoubleTensor([1, 2]), lambda T: T.LongTensor([1.7, 2]), lambda T: T.IntTensor([3]),
             lambda T: T.BoolTensor([1, 0]), lambda T: T.ByteTensor([1, 2]), lambda T: T.LongTensor(2, 3).shape,
             lambda T: T.FloatTensor(2).shape]
    for case in cases:
        t, d = both(case)
        if isinstance(t, np.ndarray):
            assert str(t.dtype) == str(d.dtype) and t.shape == d.shape
            np.testing.assert_array_equal(d, t)
        else:
            assert tuple(t) == tuple(d)
    for T in (torch, dg):
        assert (T.Tensor(2, 3) == 0).all() or T is torch  # deepglass zeros the memory PyTorch leaves as is
        assert T.Tensor(2).dtype == T.float32
        x = T.ones(3)
        assert T.Tensor(x).data_ptr() == x.data_ptr() if T is torch else np.shares_memory(T.Tensor(x).numpy(), x.numpy())
        for ctor, dt in ((T.FloatTensor, T.float32), (T.LongTensor, T.int64), (T.BoolTensor, T.bool)):
            v = ctor([1, 0])
            assert isinstance(v, T.Tensor) and isinstance(v, ctor) and v.dtype == dt
        assert not isinstance(T.ones(2), T.LongTensor)
        with pytest.raises(TypeError):
            T.Tensor(2.5)


def test_new_methods_match_torch():
    def program(T):
        base = T.tensor([1, 2], dtype=T.float64)
        outs = [base.new_tensor([3, 4]), base.new_tensor([1, 2], dtype=T.int32), base.new_zeros(2, 3),
                base.new_zeros((1, 2)), base.new_ones(2), base.new_ones((2, 1), dtype=T.int64),
                base.new_full((2,), 7), base.new_full((1, 2), 1.5, dtype=T.float32), base.new_empty(2, 3).shape,
                base.new_empty((4,)).shape, base.new_zeros(2, requires_grad=True).requires_grad]
        return outs

    t, d = both(program)
    for a, b in zip(t, d):
        if isinstance(a, np.ndarray):
            assert str(a.dtype) == str(b.dtype), (a, b)
            np.testing.assert_array_equal(b, a)
        else:
            assert tuple(a) == tuple(b) if isinstance(a, tuple) else a == b


def test_size_keyword_randint_without_low_and_where_of_scalars_match_torch():
    def program(T):
        c = T.tensor([[True, False, True]])
        return [T.empty(size=(2, 3)).shape, T.zeros(size=(2,)), T.ones(size=(1, 2)), T.rand(size=(2, 2)).shape,
                T.randn(size=(3,)).shape, T.randint(10, (4,)).shape, T.randint(3, 10, (2, 2)).shape,
                T.randint(high=5, size=(2,)).shape, T.randint(10, (4,)).dtype, T.where(c, 1.0, 0.0),
                T.where(c, 1, 0), T.where(c, True, False), T.where(c, 2, 0.5)]

    t, d = both(program)
    for a, b in zip(t, d):
        if isinstance(a, np.ndarray):
            assert str(a.dtype) == str(b.dtype), (a, b)
            np.testing.assert_array_equal(b, a)
        else:
            a = tuple(a) if isinstance(a, torch.Size) else str(a).replace("torch.", "")
            b = tuple(b) if isinstance(b, tuple) else str(b).replace("deepglass.", "")
            assert a == b, (a, b)
    for T in (torch, dg):
        v = T.randint(5, (200,))
        assert 0 <= int(v.min()) and int(v.max()) < 5


def test_format_spec_matches_torch():
    for T in (torch, dg):
        assert f"{T.tensor(1.23456):+.2f}" == "+1.23"
        assert f"{T.tensor(7):>4d}" == "   7"
        assert f"{T.tensor(2.5):.1%}" == "250.0%"
        with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
            f"{T.tensor([1.5]):.2f}"
        assert f"{T.tensor([1.0, 2.0])}" == str(T.tensor([1.0, 2.0]))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var",
                                  "logsumexp", "all", "any"])
def test_reductions_accept_numpy_axis_and_keepdims(name):
    def program(T):
        x = T.tensor(X0)
        if name in ("all", "any"):
            x = x > 0
        fn = getattr(T, name)
        method = getattr(x, name)
        return [fn(x, axis=1), fn(x, axis=0, keepdims=True), method(axis=1, keepdims=True), fn(x, dim=1)]

    assert_same(program, rtol=1e-5)


def test_max_min_cumsum_accept_axis():
    def program(T):
        x = T.tensor(X0)
        return [x.max(axis=1).values, T.min(x, axis=0, keepdims=True).indices, T.cumsum(x, axis=1)]

    assert_same(program)


FUNCTIONAL = [("relu", ()), ("leaky_relu", (0.2,)), ("elu", (0.5,)), ("silu", ()), ("hardtanh", (-0.5, 0.5)),
              ("relu6", ()), ("hardswish", ()), ("threshold", (0.1, -1.0)), ("hardsigmoid", ()), ("selu", ()),
              ("celu", (0.7,)), ("mish", ())]


@pytest.mark.parametrize("name,args", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_inplace_true_matches_torch(name, args):
    def program(T):
        x, y = _leaves(T)
        h = x * y
        out = getattr(T.nn.functional, name)(h, *args, inplace=True)
        assert out is h
        return _grads(T, h + 0, x, y)

    assert_same(program, rtol=1e-5, atol=1e-5)
