"""Walk the op registry: every public op against PyTorch and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from opinfo import OpInfo, Sample, all_entries

import deepglass
from deepglass import _legacy, creation, ops
from deepglass._tensor import from_array
from deepglass.nn import functional as F

ENTRIES = all_entries()


def _public_op_names() -> set:
    names = set()
    for module in ops.OP_MODULES + ops.FUNCTIONAL_MODULES:
        names |= set(module.__all__)
    names |= set(F.__all__)
    names |= {f"linalg.{n}" for n in deepglass.linalg.__all__}  # entries named "linalg.norm"...
    names |= {f"fft.{n}" for n in deepglass.fft.__all__}  # entries named "fft.rfft"...
    names |= {f"masked.{n}" for n in deepglass.masked.__all__}  # entries named "masked.sum"...
    # creation.py has no __all__: every public function defined there, and the legacy FloatTensor...
    names |= {n for n, obj in vars(creation).items()
              if callable(obj) and not n.startswith("_") and getattr(obj, "__module__", None) == creation.__name__}
    names |= set(_legacy.__all__)
    return names


def _missing(entries) -> list:
    covered = set()
    for e in entries:
        covered.add(e.name)
        covered |= set(e.aliases)
    return sorted(_public_op_names() - covered)


def test_every_public_op_has_a_registry_entry():
    missing = _missing(ENTRIES)
    assert not missing, f"public ops without an OpInfo entry in tests/opinfo/: {missing}"


def test_coverage_gate_sees_linalg_and_creation(monkeypatch):
    names = _public_op_names()
    assert {"linalg.cross", "linalg.inv", "zeros", "randint_like", "from_numpy", "LongTensor"} <= names
    assert not {"Tensor", "from_array", "numpy_generator"} & names  # imported into creation.py, not defined there

    def fresh_constructor(*size):
        return deepglass.zeros(*size)

    fresh_constructor.__module__ = creation.__name__
    monkeypatch.setattr(creation, "fresh_constructor", fresh_constructor, raising=False)
    monkeypatch.setattr(deepglass.linalg, "__all__", [*deepglass.linalg.__all__, "fresh_solver"])
    assert _missing(ENTRIES) == ["fresh_constructor", "linalg.fresh_solver"]


def _to_dg(x, dtype, requires_grad, device="cpu"):
    if isinstance(x, np.ndarray):
        arr = x.astype(dtype) if x.dtype.kind == "f" else x
        t = from_array(arr if not x.flags.c_contiguous or x.dtype.kind != "f" else arr.copy())
        if device != "cpu":
            t = t.to(device)
        if requires_grad and arr.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(x, (list, tuple)) and x and all(isinstance(i, np.ndarray) for i in x):
        return type(x)(_to_dg(i, dtype, requires_grad, device) for i in x)
    return x


def _to_torch(x, dtype, requires_grad):
    if isinstance(x, np.ndarray):
        arr = x.astype(dtype) if x.dtype.kind == "f" else x
        t = torch.from_numpy(np.array(arr, copy=True, order="C"))
        if requires_grad and arr.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(x, (list, tuple)) and x and all(isinstance(i, np.ndarray) for i in x):
        return type(x)(_to_torch(i, dtype, requires_grad) for i in x)
    return x


def _flat_outputs(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat_outputs(o))
        return res
    return [out]


def _np(x):
    if isinstance(x, deepglass.Tensor):
        return np.asarray(x.detach().cpu().numpy())
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)  # force: a ZeroTensor gradient (torch.sgn) converts too
    return np.asarray(x)


def _grad_positions(sample: Sample):
    pos = []
    for i, a in enumerate(sample.args):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and (sample.grad is None or i in sample.grad):
            pos.append(i)
    return pos


def _leaves(args, positions):
    out = []
    for i in positions:
        a = args[i]
        out.extend(a if isinstance(a, (list, tuple)) else [a])
    return out


def _cases():
    for e in ENTRIES:
        samples = e.samples(np.random.default_rng(0))
        for k, s in enumerate(samples):
            yield pytest.param(e, s, id=f"{e.name}-{k}")


@pytest.mark.parametrize("entry,sample", list(_cases()))
def test_op_matches_torch(entry: OpInfo, sample: Sample, device):
    positions = _grad_positions(sample) if entry.grad else []
    dg_args = [_to_dg(a, np.float32, i in positions, device) for i, a in enumerate(sample.args)]
    th_args = [_to_torch(a, np.float32, i in positions) for i, a in enumerate(sample.args)]
    dg_out = entry.dg(*dg_args, **sample.kwargs)
    th_out = entry.torch(*th_args, **sample.kwargs)
    if entry.compare is not None:
        entry.compare(dg_out, th_out)
    else:
        d_flat, t_flat = _flat_outputs(dg_out), _flat_outputs(th_out)
        assert len(d_flat) == len(t_flat)
        for d, t in zip(d_flat, t_flat):
            dn, tn = _np(d), _np(t)
            assert dn.shape == tn.shape, f"{entry.name}: shape {dn.shape} != torch {tn.shape}"
            if isinstance(t, torch.Tensor):
                assert str(dn.dtype) == str(t.dtype).replace("torch.", ""), f"{entry.name}: dtype {dn.dtype} vs {t.dtype}"
            np.testing.assert_allclose(dn.astype(np.float64) if dn.dtype != bool else dn, tn.astype(np.float64) if tn.dtype != bool else tn,
                                       rtol=entry.rtol, atol=entry.atol, equal_nan=True, err_msg=f"{entry.name} forward")
    if not positions:
        return
    # one random upstream gradient per differentiable float output, shared by both frameworks
    rng = np.random.default_rng(1)
    d_flat = [d for d in _flat_outputs(dg_out) if isinstance(d, deepglass.Tensor) and d.requires_grad]
    t_flat = [t for t in _flat_outputs(th_out) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not d_flat:
        return
    seeds = [rng.standard_normal(t.shape).astype(np.float32) for t in t_flat]
    d_total = sum(((d * deepglass.tensor(s, device=device)).sum() for d, s in zip(d_flat, seeds)), deepglass.tensor(0.0, device=device))
    t_total = sum((t * torch.from_numpy(s)).sum() for t, s in zip(t_flat, seeds))
    d_total.backward()
    t_total.backward()
    grtol = entry.grad_rtol if entry.grad_rtol is not None else entry.rtol
    gatol = entry.grad_atol if entry.grad_atol is not None else entry.atol
    for k, (dl, tl) in enumerate(zip(_leaves(dg_args, positions), _leaves(th_args, positions))):
        tg = tl.grad
        dg_grad = dl.grad
        if tg is None:
            assert dg_grad is None or np.all(_np(dg_grad) == 0), f"{entry.name}: grad of input {k} should be None"
            continue
        assert dg_grad is not None, f"{entry.name}: no gradient for input {k}"
        np.testing.assert_allclose(_np(dg_grad), _np(tg), rtol=grtol, atol=gatol, err_msg=f"{entry.name} grad of input {k}")


# Samples with more differentiable input elements than this are checked along one random direction
# (gradcheck(fast_mode=True): two forward evaluations per input) instead of column by column: a sample
# may then be as large as a kernel path needs (>= 16 channels, several batches) and stay fast.
FULL_GRADCHECK_MAX_ELEMENTS = 512


def _n_elements(args, positions) -> int:
    return sum(int(np.size(a)) for a in _leaves(args, positions))


@pytest.mark.parametrize("entry,sample", [c for c in _cases() if c.values[0].grad and c.values[0].gradcheck])
def test_op_gradcheck_float64(entry: OpInfo, sample: Sample):
    positions = _grad_positions(sample)
    if not positions:
        pytest.skip("no differentiable inputs")
    fast = _n_elements(sample.args, positions) > FULL_GRADCHECK_MAX_ELEMENTS
    args = [_to_dg(a, np.float64, i in positions) for i, a in enumerate(sample.args)]
    # non-contiguous inputs are made contiguous for the finite differences
    args = [a.contiguous().detach().requires_grad_(True) if isinstance(a, deepglass.Tensor) and a.requires_grad and not a.is_contiguous() else a for a in args]
    leaves = tuple(_leaves(args, positions))

    def fn(*xs):
        it = iter(xs)
        call = []
        for i, a in enumerate(args):
            if i in positions:
                call.append(type(a)(next(it) for _ in a) if isinstance(a, (list, tuple)) else next(it))
            else:
                call.append(a)
        out = entry.dg(*call, **sample.kwargs)
        outs = [o for o in _flat_outputs(out) if isinstance(o, deepglass.Tensor) and o.dtype.kind == "f"]
        return tuple(outs)

    assert deepglass.autograd.gradcheck(fn, leaves, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=fast)
