"""PyTorch's own OpInfo database as the oracle: its sample inputs through both frameworks.

``torch.testing._internal.common_methods_invocations.op_db`` (shipped in the torch
wheel; it needs ``expecttest``) lists ~700 OpInfos, each with a generator of sample
inputs. For every OpInfo whose name deepglass implements, this module runs a
deterministic subset of PyTorch's samples (float64 and float32) through
``torch`` and ``deepglass`` and compares forward values, dtypes and shapes, and
the input gradients of differentiable ops (one random upstream gradient).

Samples deepglass deliberately does not support are listed, with the reason, in
``KNOWN`` below (the one place). The same code writes ``docs/coverage.md``::

    PYTHONPATH=src python tests/test_op_db.py --write     # every sample, every op_db name
"""
from __future__ import annotations

import functools
import sys
import types
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")

import deepglass  # noqa: E402

COVERAGE = Path(__file__).resolve().parents[1] / "docs" / "coverage.md"
SUBSET = {"float64": 4, "float32": 2}     # samples per op and dtype in the test (evenly spaced, deterministic)

def _tensors(s):
    return [t for t in _flat([s.input, list(s.args), list(s.kwargs.values())]) if isinstance(t, torch.Tensor)]


def _all(s):
    return True



# op key -> [(reason, predicate(sample) -> bool)]: samples deepglass deliberately does not support (or not yet)
KNOWN: dict[str, list] = {
    "logcumsumexp": [("PyTorch's float32 gradient loses 3e-3 on a row holding 1e4; ours agrees with float64 "
                      "to 2e-7", lambda s: s.input.dtype == torch.float32 and float(s.input.abs().max()) > 1e3)],
    "as_strided.partial_views": [("the input is a view into a larger PyTorch storage, and this harness copies it into "
                                  "memory of its own, so storage offsets mean another thing (views of views: "
                                  "tests/ops/test_strided.py)", lambda s: s.input.untyped_storage().nbytes() !=
                                  s.input.numel() * s.input.element_size())],
    "nn.functional.multi_head_attention_forward": [
        ("training with dropout_p > 0 (every sample op_db makes for gradients): another random stream than "
         "PyTorch's; tests/nn/test_mha_functional.py runs op_db's dropout-free samples", lambda s: s.args[9] > 0)],
    "nn.functional.scaled_dot_product_attention": [
        ("dropout_p > 0: the dropout mask comes from another random stream than PyTorch's",
         lambda s: s.kwargs.get("dropout_p", 0.0) > 0)],
    "istft": [("PyTorch's autograd returns no gradient for a real window here although its istft depends on it "
               "(finite differences of torch.istft give one; deepglass's matches them to 2e-9)",
               lambda s: isinstance(s.kwargs.get("window"), torch.Tensor) and not s.kwargs.get("window").is_complex()
               and s.kwargs.get("window").requires_grad and not s.kwargs.get("return_complex", False))],
}
# op key -> why only forward values are compared: PyTorch's own gradient is wrong there
FORWARD_ONLY = {
    "as_strided_scatter": "PyTorch's gradient wrt input is wrong (its OpInfo marks test_fn_grad expectedFailure and "
                          "torch.autograd.gradcheck fails); deepglass's passes gradcheck",
}
# op key or (op key, dtype) -> (forward rtol, atol) where PyTorch's own OpInfo loosens its tolerance too
TOLERANCE: dict = {
    **{(f"polygamma.polygamma_n_{n}", "float32"): (1e-3, 1e-2) for n in range(5)},   # torch: toleranceOverride
    ("special.polygamma.special_polygamma_n_0", "float32"): (1e-3, 1e-2),
    ("addbmm", "float32"): (1e-5, 1e-4), ("histogram", "float32"): (1e-5, 1e-4),   # sums in another order   # a sum of products in another order
    # entries up to 9e4: PyTorch's float32 exp lands 0.05 from the float64 value, ours (float64, rounded) 2e-3
    ("matrix_exp", "float32"): (1e-5, 1e-1),
    ("nn.functional.scaled_dot_product_attention", "float32"): (5e-6, 5e-5),   # torch: toleranceOverride
    ("nn.functional.conv3d", "float32"): (1e-5, 1e-4),   # dilated 'same' conv: ours is 4e-5 from float64, torch 7e-5
    ("fft.hfft2", "float32"): (2e-4, 2e-4),   # torch: precisionOverride({torch.float: 2e-4}) for hfft2
    "special.bessel_j0": (1e-6, 1e-6), "special.bessel_y1": (1e-6, 1e-6),   # Cephes vs PyTorch's own series
}
# ops whose outputs are unique only up to signs or phases (singular vectors, eigenvectors: NumPy's OpenBLAS and PyTorch's MKL
# pick different ones): their forward values are compared through the sample's own output_process_fn_grad (op_db's
# sign-free |U|, |Vh|, U·Vh, S; eigenvalues and |V|), as their gradients are
GAUGE = {"svd", "linalg.svd", "linalg.eigh", "linalg.eig"}
# op_db names that resolve to something deepglass has but are deliberately not compared
NOT_COMPARED = {
    "empty": "uninitialised memory", "empty_like": "uninitialised memory", "new_empty": "uninitialised memory",
    "empty_strided": "uninitialised memory", "new_empty_strided": "uninitialised memory",
    "empty_permuted": "uninitialised memory",
    "randn": "random stream differs from PyTorch's", "randn_like": "random stream differs from PyTorch's",
    "rand_like": "random stream differs from PyTorch's", "randint": "random stream differs from PyTorch's",
    "randint_like": "random stream differs from PyTorch's", "bernoulli": "random stream differs from PyTorch's",
    "multinomial": "random stream differs from PyTorch's", "normal": "random stream differs from PyTorch's",
    **{n: f"random stream differs from PyTorch's (the in-place Tensor.{n}_; tested statistically in "
          "tests/ops/test_random_draws.py)" for n in ("uniform", "cauchy", "exponential", "geometric", "log_normal")},
    "nn.functional.dropout": "random stream differs from PyTorch's",
    "nn.functional.dropout2d": "random stream differs from PyTorch's",
    "nn.functional.dropout3d": "random stream differs from PyTorch's",
    "nn.functional.alpha_dropout": "random stream differs from PyTorch's",
    "nn.functional.feature_alpha_dropout": "random stream differs from PyTorch's",
    "nn.functional.rrelu": "random stream differs from PyTorch's",
    "svd_lowrank": "random stream differs from PyTorch's (a random subspace basis)",
    "pca_lowrank": "random stream differs from PyTorch's (a random subspace basis)",
    "nn.functional.fractional_max_pool2d": "random pooling regions (another stream than PyTorch's); "
                                           "tests/nn/test_fractional_pool.py runs these samples with shared "
                                           "_random_samples",
    "nn.functional.fractional_max_pool3d": "random pooling regions (another stream than PyTorch's); "
                                           "tests/nn/test_fractional_pool.py runs these samples with shared "
                                           "_random_samples",
}


# ---------------------------------------------------------------- the op database and names


@functools.lru_cache(maxsize=1)
def op_db():
    from torch.testing._internal.common_methods_invocations import op_db as db

    return list(db)


def key_of(op) -> str:
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def _lookup(name: str):
    """``special.erf`` -> deepglass.special.erf; a method-only name -> the Tensor method."""
    parts = name.split(".")
    if parts[0] == "torch":
        return None
    obj = deepglass
    try:
        for p in parts:
            obj = getattr(obj, p)
        if name not in ("cfloat", "cdouble"):   # deepglass.cfloat is a dtype; op_db's cfloat is the Tensor method
            return obj
    except (AttributeError, ImportError):
        pass
    if len(parts) == 1 and hasattr(deepglass.Tensor, name):
        attr = getattr(deepglass.Tensor, name)
        return attr if callable(attr) else (lambda x: getattr(x, name))
    return None


class _TorchShim(types.ModuleType):
    """Stands for ``torch`` inside op_db's lambdas, so ``lambda x: torch.polygamma(1, x)`` runs deepglass."""

    def __getattr__(self, name):
        if name in ("float64", "float32", "int64", "int32", "bool", "float16", "uint8", "int8", "int16", "long",
                    "complex64", "complex128", "cfloat", "cdouble"):
            return getattr(deepglass, name)
        fn = _lookup(name)
        if fn is None:
            raise AttributeError(f"deepglass has no {name!r}")
        return fn


_SHIM = _TorchShim("torch_as_deepglass")


_OUT_OF_SCOPE = ("sparse.", "_", "torch.", "jiterator", "to_sparse")


def dg_callable(op):
    """The deepglass callable that mirrors ``op.op``, or None when deepglass lacks it.

    A lambda of op_db (``lambda x, n: torch.polygamma(n, x)``, ``lambda x: x.double()``) runs with
    ``torch`` standing for deepglass, if every ``torch.*`` function and Tensor method it names exists.
    """
    f = op.op
    if op.name.startswith(_OUT_OF_SCOPE) and not op.name.startswith("__"):
        return None
    if op.name in NOT_COMPARED:
        return _lookup(op.name) or _lookup(op.name + "_")     # "cauchy" is Tensor.cauchy_
    if getattr(f, "__name__", "") == "<lambda>":
        names = _names_in(f.__code__)
        for n in names:
            if hasattr(torch, n) and callable(getattr(torch, n)) and n not in _SKIP_NAMES and _lookup(n) is None \
                    and not any(_lookup(f"{ns}.{n}") is not None for ns in ("nn.functional", "linalg", "special")):
                return None
            if hasattr(torch.Tensor, n) and not hasattr(deepglass.Tensor, n) and not any(   # torch.linalg.lstsq
                    ns.split(".")[-1] in names and _lookup(f"{ns}.{n}") is not None
                    for ns in ("nn.functional", "linalg", "special")):
                return None
        if set(names) & _UNHANDLED:
            return None
        for sub in ("linalg", "special", "fft", "functional"):
            if sub in names:
                tmod = torch.nn.functional if sub == "functional" else getattr(torch, sub)
                dmod = _lookup("nn.functional" if sub == "functional" else sub)
                if any(hasattr(tmod, n) and not hasattr(dmod, n) for n in names if n != sub and n not in _SKIP_NAMES):
                    return None
        return types.FunctionType(f.__code__, {**f.__globals__, "torch": _SHIM, "wrapper_set_seed": _seeded},
                                  f.__name__, f.__defaults__, f.__closure__)
    return _lookup(op.name)


_SKIP_NAMES = {"torch", "float64", "float32", "int64", "bool", "long", "contiguous_format", "preserve_format"}
_UNHANDLED: set = set()     # names of helpers in op_db lambdas that cannot be redirected to deepglass


def _seeded(op, *args, **kwargs):
    """op_db's ``wrapper_set_seed`` for the deepglass side: seed deepglass's generator, then call."""
    deepglass.manual_seed(42)
    return op(*args, **kwargs)


def _names_in(code):
    """Every global/attribute name a code object (and the code nested in it) reads."""
    names = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names += _names_in(c)
    return names


# ---------------------------------------------------------------- conversion


def _np_dtype(td):
    return np.dtype(str(td).replace("torch.", ""))


def to_dg(x, memo):
    if isinstance(x, torch.Tensor):
        if id(x) in memo:
            return memo[id(x)]
        arr = x.detach().resolve_conj().numpy().copy()
        t = _from_array(arr)
        if x.requires_grad and (x.dtype.is_floating_point or x.dtype.is_complex):
            t.requires_grad_(True)
        memo[id(x)] = t
        return t
    if isinstance(x, torch.dtype):
        return _np_dtype(x)
    if isinstance(x, torch.nn.PairwiseDistance):      # a parameterless module passed as an argument
        return deepglass.nn.PairwiseDistance(p=x.norm, eps=x.eps, keepdim=x.keepdim)
    if isinstance(x, torch.memory_format):
        return getattr(deepglass, str(x).replace("torch.", ""))
    if isinstance(x, torch.Size):
        return tuple(x)
    if isinstance(x, torch.device):
        return str(x)
    if isinstance(x, (list, tuple)):
        return type(x)(to_dg(i, memo) for i in x) if not hasattr(x, "_fields") else type(x)(*(to_dg(i, memo) for i in x))
    if isinstance(x, dict):
        return {k: to_dg(v, memo) for k, v in x.items()}
    return x


def _from_array(arr):
    from deepglass._tensor import from_array

    return from_array(arr)


def _flat(out):
    if isinstance(out, (list, tuple)) and not isinstance(out, torch.Size) and \
            not (isinstance(out, tuple) and out and all(type(o) is int for o in out)):   # a shape is one output
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def _tols(key, dtype):
    for k in ((key, str(dtype).replace("torch.", "")), key):
        if k in TOLERANCE:
            return TOLERANCE[k]
    return (1e-7, 1e-7) if dtype == torch.float64 else (1.3e-6, 1e-5)


# ---------------------------------------------------------------- one sample


class Mismatch(AssertionError):
    pass


def _compare(name, d, t, rtol, atol):
    if isinstance(t, torch.Tensor):
        if not isinstance(d, deepglass.Tensor):
            raise Mismatch(f"{name}: expected a Tensor, got {type(d).__name__}")
        tn = t.detach().resolve_conj().resolve_neg().numpy(force=True)
        dn = np.asarray(d.detach().cpu().numpy())
        if dn.shape != tn.shape:
            raise Mismatch(f"{name}: shape {dn.shape} != torch {tn.shape}")
        if str(dn.dtype) != str(tn.dtype):
            raise Mismatch(f"{name}: dtype {dn.dtype} != torch {tn.dtype}")
        if tn.dtype.kind in "biu":
            ok = np.array_equal(dn, tn)
        else:
            ok = np.allclose(dn, tn, rtol=rtol, atol=atol, equal_nan=True)
        if not ok:
            wide = np.complex128 if "c" in (dn.dtype.kind, tn.dtype.kind) else np.float64
            err = np.nanmax(np.abs(dn.astype(wide) - tn.astype(wide))) if dn.size else 0
            raise Mismatch(f"{name}: values differ (max abs err {err:.3g})")
        return
    if isinstance(t, torch.Size):
        t = tuple(t)
    if isinstance(d, deepglass.Tensor) and not isinstance(t, deepglass.Tensor):
        d = d.item() if d.numel() == 1 else d.tolist()
    if isinstance(t, float) and isinstance(d, float):
        if not np.isclose(d, t, rtol=rtol, atol=atol, equal_nan=True):
            raise Mismatch(f"{name}: {d} != torch {t}")
    elif d != t:
        raise Mismatch(f"{name}: {d!r} != torch {t!r}")


def run_sample(op, fn, sample, dtype, key, grads=True):
    """Forward (and gradients) of one sample in both frameworks; raises Mismatch on a difference."""
    memo = {}
    d_in = to_dg(sample.input, memo)
    d_args = to_dg(sample.args, memo)
    d_kwargs = to_dg(sample.kwargs, memo)
    t_out = op(sample.input, *sample.args, **sample.kwargs)
    try:
        d_out = fn(d_in, *d_args, **d_kwargs)
    except Exception as e:  # noqa: BLE001 - any deepglass exception is a disagreement
        raise Mismatch(f"deepglass raised {type(e).__name__}: {str(e)[:160]}") from e
    rtol, atol = _tols(key, dtype)
    t_flat, d_flat = ([t_out], [d_out]) if isinstance(t_out, torch.Size) else (_flat(t_out), _flat(d_out))
    if key in GAUGE:
        t_flat, d_flat = _flat(sample.output_process_fn_grad(t_out)), _flat(sample.output_process_fn_grad(d_out))
    if len(t_flat) != len(d_flat):
        raise Mismatch(f"{len(d_flat)} outputs != torch {len(t_flat)}")
    for i, (d, t) in enumerate(zip(d_flat, t_flat)):
        _compare(f"output {i}", d, t, rtol, atol)
    if not (grads and op.supports_autograd):
        return
    t_leaves = [t for t in _flat([sample.input, list(sample.args), list(sample.kwargs.values())])
                if isinstance(t, torch.Tensor) and t.requires_grad]
    proc = sample.output_process_fn_grad
    t_g = [t for t in _flat(proc(t_out)) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_leaves or not t_g:
        return
    try:
        d_all, t_all = _flat(proc(d_out)), _flat(proc(t_out))
        d_g = [d for d in d_all if isinstance(d, deepglass.Tensor) and d.dtype.kind in "fc"]
        if len(d_g) != len(t_g) and len(d_all) == len(t_all):   # float outputs PyTorch declares non-differentiable
            d_g = [d for d, t in zip(d_all, t_all) if isinstance(t, torch.Tensor) and t.requires_grad]
    except Exception:  # noqa: BLE001 - the torch-side post-processing may not apply to deepglass
        d_g = [d for d in d_flat if isinstance(d, deepglass.Tensor) and d.dtype.kind in "fc"]
    t_float = [t for t in _flat(proc(t_out)) if isinstance(t, torch.Tensor) and (t.dtype.is_floating_point or t.dtype.is_complex)]
    if len(d_g) == len(t_float) != len(t_g):     # outputs PyTorch leaves without grad (native_*_norm's statistics)
        d_g = [d for d, t in zip(d_g, t_float) if t.requires_grad]
    if len(d_g) != len(t_g):
        raise Mismatch(f"{len(d_g)} differentiable outputs != torch {len(t_g)}")
    rng = np.random.default_rng(0)
    seeds = [rng.standard_normal(tuple(t.shape)) for t in t_g]
    try:
        t_grads = torch.autograd.grad(t_g, t_leaves, [torch.from_numpy(s).to(t.dtype) for s, t in zip(seeds, t_g)],
                                      allow_unused=True)
    except RuntimeError as e:                       # PyTorch has no derivative here (e.g. igamma wrt input)
        if "not implemented" in str(e):
            return
        raise
    d_leaves = [memo[id(t)] for t in t_leaves]
    if not all(d.requires_grad for d, t in zip(d_g, t_g)):
        raise Mismatch("deepglass output does not require grad (PyTorch's does, with a zero gradient where"
                       " the op is piecewise constant)")
    total = None
    for d, s in zip(d_g, seeds):
        if d.requires_grad:
            term = (d * _from_array(s.astype(d.dtype))).sum()
            total = term if total is None else total + term
    try:
        total.backward()
    except Exception as e:  # noqa: BLE001 - any deepglass exception is a disagreement
        raise Mismatch(f"deepglass backward raised {type(e).__name__}: {str(e)[:160]}") from e
    grtol, gatol = (1e-5, 1e-6) if dtype == torch.float64 else (1e-3, 1e-4)
    grtol, gatol = max(grtol, rtol), max(gatol, atol)
    for i, (dl, tg) in enumerate(zip(d_leaves, t_grads)):
        if tg is None:
            if dl.grad is not None and np.any(dl.grad.numpy() != 0):
                raise Mismatch(f"grad of input {i}: torch has none, deepglass is non-zero")
            continue
        if dl.grad is None:
            if np.any(tg.numpy() != 0):
                raise Mismatch(f"grad of input {i}: missing in deepglass")
            continue
        _compare(f"grad of input {i}", dl.grad, tg, grtol, gatol)


# ---------------------------------------------------------------- sample selection


_COMPLEX_TOO = {"istft", "stft", "real", "imag", "angle", "view_as_real", "conj", "conj_physical", "resolve_conj", "abs", "sgn"}


def _dtypes_for(op):
    supported = op.supported_dtypes("cpu")
    picks = [d for d in (torch.float64, torch.float32) if d in supported]
    if not picks:
        picks = [d for d in (torch.int64, torch.bool) if d in supported][:1]
    if (op.name.startswith("fft.") or op.name in _COMPLEX_TOO) and torch.complex128 in supported:
        picks.append(torch.complex128)     # complex inputs too, for the ops made for them
    return picks


def samples_of(op, dtype):
    torch.manual_seed(0)
    grad = op.supports_autograd and (dtype.is_floating_point or dtype.is_complex)
    return list(op.sample_inputs("cpu", dtype, requires_grad=grad))


def subset(n, k):
    """k evenly spaced indices of n (all of them when n <= k): deterministic and covering both ends."""
    if n <= k:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def known_reason(key, sample):
    for reason, pred in KNOWN.get(key, []):
        if pred(sample):
            return reason
    return None


def implemented():
    """(key, op, deepglass callable) for every OpInfo deepglass implements and compares."""
    out = []
    for op in op_db():
        key = key_of(op)
        if op.name in NOT_COMPARED:
            continue
        fn = dg_callable(op)
        if fn is not None:
            out.append((key, op, fn))
    return out


# ---------------------------------------------------------------- the test


@functools.lru_cache(maxsize=1)
def _cases():
    return implemented()


@pytest.mark.parametrize("key", [c[0] for c in _cases()])
def test_op_db_samples(key):
    _, op, fn = next(c for c in _cases() if c[0] == key)
    failures = []
    for dtype in _dtypes_for(op):
        samples = samples_of(op, dtype)
        for i in subset(len(samples), SUBSET.get(str(dtype).replace("torch.", ""), 3)):
            s = samples[i]
            if known_reason(key, s):
                continue
            try:
                run_sample(op, fn, s, dtype, key, grads=key not in FORWARD_ONLY)
            except Mismatch as e:
                failures.append(f"{dtype} sample {i}: {e}")
    assert not failures, f"{key}: " + "; ".join(failures[:4])


def test_coverage_table_is_current():
    """docs/coverage.md lists every op_db name, and its 'implemented' column is today's."""
    if not COVERAGE.exists():
        pytest.fail("docs/coverage.md is missing: run `PYTHONPATH=src python tests/test_op_db.py --write`")
    rows = {}
    for line in COVERAGE.read_text().splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1]
    keys = {key_of(op) for op in op_db()}
    assert set(rows) == keys, "op_db names differ from docs/coverage.md: regenerate it"
    have = {k for k, _, _ in implemented()}
    stale = sorted(k for k in keys if (rows[k] != "no") != (k in have or _resolves_only(k)))
    assert not stale, f"docs/coverage.md is stale for {stale[:10]}: regenerate it"


def _resolves_only(key):
    op = next(o for o in op_db() if key_of(o) == key)
    return op.name in NOT_COMPARED and dg_callable(op) is not None


# ---------------------------------------------------------------- the coverage table

ABSENT = {  # why an op_db name is not in deepglass (the default: not written yet)
    "sparse.": "sparse tensors are out of scope",
    "jiterator_": "CUDA jiterator test ops, not public API", "signal.windows.": "signal windows are out of scope",
    "_": "private ATen op, not public API", "torch.": "private ATen op, not public API",
    "special.chebyshev": "special polynomials are out of scope",
    "special.hermite": "special polynomials are out of scope", "special.laguerre": "special polynomials are out of scope",
    "special.legendre": "special polynomials are out of scope", "special.shifted_chebyshev":
    "special polynomials are out of scope",
}
ABSENT_EXACT = {
    "chalf": "NumPy has no complex32 (complex with float16 parts): deepglass has complex64 and complex128 only",
    "bfloat16": "NumPy has no bfloat16", "to_sparse": "sparse tensors are out of scope",
    "slice": "aten.slice.Tensor, a private ATen op (PyTorch has no public torch.slice): x[start:end:step] and narrow "
             "are the public forms",
    "max_pool2d_with_indices_backward": "PyTorch's private ATen backward kernel (torch.ops.aten), not public API: "
                                        "max_pool2d's gradient is compared through autograd",
    "native_dropout_backward": "PyTorch's private ATen backward kernel (torch.ops.aten; torch has no public "
                               "native_dropout_backward): dropout's gradient is compared through autograd",
}


def absent_reason(key):
    if key in ABSENT_EXACT:
        return ABSENT_EXACT[key]
    name = key.split(".")[0] if not any(key.startswith(p) for p in ("nn.", "special.", "linalg.", "fft.")) else key
    if name in ABSENT_EXACT:
        return ABSENT_EXACT[name]
    for prefix, reason in ABSENT.items():
        if key.startswith(prefix):
            return reason
    return "not implemented yet"


def coverage_rows():
    rows = []
    for op in op_db():
        key = key_of(op)
        fn = dg_callable(op)
        if fn is None:
            rows.append((key, "no", "", absent_reason(key)))
            continue
        if op.name in NOT_COMPARED:
            rows.append((key, "yes", "", f"not compared: {NOT_COMPARED[op.name]}"))
            continue
        agree = total = 0
        notes = set()
        for dtype in _dtypes_for(op):
            for s in samples_of(op, dtype):
                total += 1
                reason = known_reason(key, s)
                try:
                    run_sample(op, fn, s, dtype, key, grads=key not in FORWARD_ONLY)
                    agree += 1
                except Mismatch as e:
                    notes.add(reason or str(e).split(":")[0])
                except Exception as e:  # noqa: BLE001 - torch itself refused the sample
                    total -= 1
                    del e
        share = f"{100 * agree / total:.0f}% of {total}" if total else "no samples"
        rows.append((key, "yes", share, "; ".join(sorted(notes))[:200]))
    return rows


def write_coverage(path=COVERAGE):
    rows = coverage_rows()
    n_yes = sum(r[1] == "yes" for r in rows)
    lines = ["# deepglass against PyTorch's OpInfo database", "",
             "Generated by `PYTHONPATH=src python tests/test_op_db.py --write` (torch "
             f"{torch.__version__.split('+')[0]}): every name of "
             "`torch.testing._internal.common_methods_invocations.op_db`, whether deepglass implements it, and the "
             "share of PyTorch's own float64/float32 sample inputs on which deepglass agrees (values, dtypes, "
             "shapes and gradients).", "",
             f"{n_yes} of {len(rows)} OpInfos implemented.", "",
             "| op_db name | implemented | samples that agree | note |", "| --- | --- | --- | --- |"]
    lines += [f"| `{k}` | {yes} | {share} | {note.replace('|', '/')} |" for k, yes, share, note in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    if "--write" in sys.argv:
        write_coverage()
    else:
        for k, _, _ in implemented():
            print(k)
