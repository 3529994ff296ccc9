"""The op registry reaches every fast kernel path, against PyTorch and with gradients.

``tests/test_op_registry.py`` compares each op with PyTorch (float32, values and
gradients) and gradchecks it in float64, on whatever implementation
``kernels.choose`` picks: the fast kernels. That only proves the kernels right
where the samples reach them. Here the registry's own comparison
(``test_op_matches_torch``) runs on the samples of every op that has a
registered kernel, with

- a :func:`~deepglass.autograd.function.apply_hook` recording which ``Function``
  classes ran (and whether their outputs carry a gradient),
- ``parallel.parallel_chunks`` wrapped to record which chunk function ran, and
  whether it was split across threads,
- the chosen conv2d kernel's context read for cropped padding-only taps and
  max-pool's for windows that only cover padding.

It fails when a registered kernel class, a kernel's chunk function (the body of
each inner kernel: ``_Nchw``, ``_Rows``, ``_General``, ``_Winograd``...,
found by reading the kernel modules, so a new kernel is covered without
editing this file) or one of those geometry paths is never reached, or (with
two threads) never runs split into batch chunks. The fix is a sample in
``tests/opinfo/nn_*.py`` (``[kernel paths]`` / ``[batch chunks]`` entries).
"""
from __future__ import annotations

import collections
import importlib
import inspect
import pkgutil
import types

import numpy as np
import pytest
import test_op_registry as registry

import deepglass
from deepglass import kernels, parallel
from deepglass.autograd.function import apply_hook


def _kernel_modules():
    kernels.load_all()
    return [importlib.import_module(f"{kernels.__name__}.{m.name}") for m in pkgutil.iter_modules(kernels.__path__)]


def _chunk_functions() -> set:
    """``{(module, qualname)}`` of every function defined inside a kernel method that calls ``parallel_for`` or
    ``parallel_reduce``: the chunk bodies (``_Rows.forward.<locals>.chunk``...)."""
    found = set()
    for module in _kernel_modules():
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
                continue
            for attr in vars(cls).values():
                fn = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
                if not isinstance(fn, types.FunctionType):
                    continue
                if not {"parallel_for", "parallel_reduce"} & set(fn.__code__.co_names):
                    continue
                for const in fn.__code__.co_consts:
                    if isinstance(const, types.CodeType) and not const.co_name.startswith("<"):
                        found.add((module.__name__, const.co_qualname))
    return found


def _entries_with_kernels():
    ops = set(kernels.registered())
    return [e for e in registry.ENTRIES if e.name.split("[")[0] in ops]


class _Record:
    def __init__(self):
        self.classes = collections.defaultdict(set)  # (class, has grad) -> sample ids
        self.chunks = collections.defaultdict(set)  # (module, qualname, split) -> sample ids
        self.paths = collections.defaultdict(set)  # geometry path name -> sample ids
        self.sample = None

    def hook(self, cls, args, kwargs, call):
        out = call()
        first = out[0] if isinstance(out, tuple) else out
        ctx = first.grad_fn if isinstance(first, deepglass.Tensor) else None
        self.classes[(cls, ctx is not None)].add(self.sample)
        if ctx is not None and cls.__name__ in ("Conv2dKernel", "Conv1dKernel"):
            self.paths["conv: padding-only taps cropped" if ctx.geom.taps is not None else "conv: all taps"].add(
                self.sample)
        if ctx is not None and cls.__name__ == "MaxPool2dChunked":
            self.paths["max pool: windows over padding only" if ctx.stray is not None else "max pool: no such window"
                       ].add(self.sample)
        return out


@pytest.fixture(scope="module")
def record():
    """Run the registry's comparison with PyTorch on every sample of every op that has a fast kernel."""
    rec = _Record()
    original, threads = parallel.parallel_chunks, parallel.get_num_threads()

    def recording_chunks(fn, n, work=None, xp=np):
        parts = original(fn, n, work, xp)
        rec.chunks[(fn.__module__, fn.__qualname__, len(parts) > 1)].add(rec.sample)
        return parts

    parallel.parallel_chunks = recording_chunks
    parallel.set_num_threads(max(2, threads))  # batch chunks need two threads (Python threads: fine on one core)
    try:
        for entry in _entries_with_kernels():
            for k, sample in enumerate(entry.samples(np.random.default_rng(0))):  # the registry's own samples
                rec.sample = f"{entry.name}-{k}"
                deepglass.manual_seed(0)
                with apply_hook(rec.hook):
                    registry.test_op_matches_torch(entry, sample, "cpu")
    finally:
        parallel.parallel_chunks = original
        parallel.set_num_threads(threads)
    return rec


def test_every_registered_kernel_class_runs_with_gradients(record):
    classes = set(kernels.registered().values())
    assert len(classes) >= 10, f"expected the conv, pool, norm and attention kernels, found {classes}"
    missing = sorted(c.__name__ for c in classes if not record.classes[(c, True)])
    assert not missing, (f"registered kernels no registry sample reaches with gradients: {missing}; "
                         "add a sample to tests/opinfo/nn_*.py whose geometry picks them")


def test_every_kernel_chunk_function_runs(record):
    expected = _chunk_functions()
    assert len(expected) >= 10, f"expected the chunk bodies of every kernel, found {sorted(expected)}"
    ran = {(m, q) for (m, q, _split) in record.chunks}
    missing = sorted(q for (m, q) in expected - ran)
    assert not missing, (f"kernel paths no registry sample reaches: {missing}; add a sample to "
                         "tests/opinfo/nn_*.py whose geometry picks them (read the kernel's dispatch)")
    backward = {q for (m, q) in expected if ".backward." in q}
    assert backward and backward <= {q for (m, q) in ran}, "every kernel's backward chunk runs (gradients compared)"


def test_every_kernel_chunk_function_runs_in_batch_chunks(record):
    if parallel.get_num_threads() < 2 and not any(split for (_m, _q, split) in record.chunks):
        pytest.skip("no BLAS thread control (threadpoolctl): deepglass runs no batch chunks here")
    split = {(m, q) for (m, q, s) in record.chunks if s}
    missing = sorted(q for (m, q) in _chunk_functions() - split)
    assert not missing, (f"kernel paths never split into batch chunks on threads: {missing}; add a sample whose "
                         f"work reaches parallel.MIN_PARALLEL_WORK ({parallel.MIN_PARALLEL_WORK} multiply-adds)")


@pytest.mark.parametrize("path", ["conv: padding-only taps cropped", "conv: all taps",
                                  "max pool: windows over padding only", "max pool: no such window"])
def test_geometry_paths_run(record, path):
    assert record.paths[path], f"no registry sample takes the kernel path {path!r}"


@pytest.mark.parametrize("name", ["layer_norm[batch chunks]", "conv2d[kernel paths]"])
def test_fast_gradcheck_catches_a_lost_chunk(name, monkeypatch):
    """The large samples are worth their time: the registry's fast-mode gradcheck fails when the partial weight
    gradients of one batch chunk are lost (``parallel_reduce`` summing all but the last chunk)."""
    from deepglass.autograd.gradcheck import GradcheckError

    original = parallel.parallel_chunks
    dropped = []

    def lose_last_chunk(fn, n, work=None, xp=np):
        parts = original(fn, n, work, xp)
        if len(parts) > 1 and isinstance(parts[-1], tuple):  # parallel_reduce's partial sums
            dropped.append(fn.__qualname__)
            return parts[:-1]
        return parts

    entry = next(e for e in registry.ENTRIES if e.name == name)
    samples = entry.samples(np.random.default_rng(0))
    sample = next(s for s in samples if registry._n_elements(s.args, registry._grad_positions(s)) > 4096)
    threads = parallel.get_num_threads()
    parallel.set_num_threads(max(2, threads))
    try:
        if parallel.get_num_threads() < 2:
            pytest.skip("no BLAS thread control (threadpoolctl): deepglass runs no batch chunks here")
        registry.test_op_gradcheck_float64(entry, sample)  # intact: passes
        monkeypatch.setattr(parallel, "parallel_chunks", lose_last_chunk)
        with pytest.raises(GradcheckError, match="fast mode"):
            registry.test_op_gradcheck_float64(entry, sample)
        assert dropped, "the sample never reduced over chunks"
    finally:
        parallel.set_num_threads(threads)
