"""``DistributedDataParallel``: one model replica per process, gradients averaged across processes.

Each of the N processes (ranks) runs the same model on its own shard of the batch. After
``loss.backward()`` every rank holds the same gradient, the average of the ranks' gradients

    g = (1/N) Σ_r ∇_θ L_r(θ),

which is the gradient of the mean loss over the global batch of N·B samples when each rank's
loss is the mean over its B samples. The same optimizer step on the same parameters then keeps
the replicas bit-identical (parameters and buffers are copied from rank 0 at construction).

How the averaging overlaps backward (PyTorch's reducer, simplified): parameters are grouped,
in reverse order of ``module.parameters()`` (the order their gradients roughly become ready),
into buckets of about ``bucket_cap_mb`` MB, one flat buffer each. ``forward`` walks the
autograd graph of its outputs and counts how many gradient contributions each parameter will
receive; a hook on each parameter counts them arriving during backward, and on the last one
copies the parameter's full gradient into its bucket. A full bucket starts a non-blocking
all-reduce (``MPI_Iallreduce``) at once, while backward goes on computing earlier layers;
buckets start in index order on every rank, so the collectives match. The hook of the last
parameter waits for all buckets and writes the averages into every ``.grad``.
"""
from __future__ import annotations

import contextlib

import numpy as np

from ... import backend
from ... import distributed as dist
from ..._tensor import Tensor, bump_version, from_array
from ...autograd import grad_mode
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1 << 20  # PyTorch's small first bucket: the last layers' gradients leave early


def _output_tensors(obj, out):
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _output_tensors(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _output_tensors(o, out)
    return out


def _count_uses(outputs, index: dict) -> np.ndarray:
    """How many gradient contributions each parameter (``id → i`` in ``index``) gets from ``outputs``' graph."""
    from ... import _inplace

    counts = np.zeros(len(index), dtype=np.int64)
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    for t in outputs:
        if t.grad_fn is None and id(t) in index and t.requires_grad:  # the output is a parameter itself
            counts[index[id(t)]] += 1
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for i, inp in enumerate(node._inputs):
            if not isinstance(inp, Tensor) or not inp.requires_grad:
                continue
            fn = inp.grad_fn
            if fn is not None and fn._since > node._versions[i]:  # changed in place after this node used it
                fn = _inplace.node_at(inp, node._versions[i])
                if fn is _inplace.NO_GRAD:
                    continue
            if fn is None:
                j = index.get(id(inp))
                if j is not None:
                    counts[j] += 1
            elif id(fn) not in seen:
                stack.append(fn)
    return counts


class _Bucket:
    def __init__(self, params, dtype, device):
        self.indices = [i for i, _ in params]
        sizes = [p.numel() for _, p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        xp = backend.get_array_module(device)
        self.buffer = xp.zeros(int(self.offsets[-1]), dtype=dtype)
        self.pending = 0
        self.work = None


class _Iteration:
    """What one forward/backward expects and has seen."""

    def __init__(self, expected, buckets):
        self.expected = expected
        self.arrived = np.zeros_like(expected)
        self.used = (expected > 0).astype(np.int32)
        self.next_bucket = 0
        self.finalized = False
        self.started = False
        self.launched_before_last = 0
        for b in buckets:
            b.pending = len(b.indices)
            b.work = None


class DistributedDataParallel(Module):
    """Data-parallel training across processes (PyTorch's ``torch.nn.parallel.DistributedDataParallel``).

    Call :func:`deepglass.distributed.init_process_group` first; give each rank its shard of the
    data (``deepglass.data.DistributedSampler``). Parameters and buffers are broadcast from rank
    0 here; after each ``backward()`` every rank's ``.grad`` is the average over ranks.

    Args:
        module: the model (the same architecture on every rank).
        device_ids, output_device, dim: accepted for PyTorch's signature (one device per process).
        broadcast_buffers: copy rank 0's buffers (e.g. batch-norm running statistics) to every
            rank at the start of each forward. Default True.
        init_sync: broadcast parameters and buffers from rank 0 now. Default True.
        process_group: None (the default group).
        bucket_cap_mb: bucket size in MB (default 25); smaller buckets start communicating earlier.
        find_unused_parameters: allow parameters that get no gradient in an iteration (they are
            found by walking the graph at forward); without it such a parameter makes the next
            forward raise, as in PyTorch.
        gradient_as_bucket_view, static_graph: accepted; deepglass copies into buckets either way.

    Attributes:
        module: the wrapped model (``state_dict`` keys carry the ``module.`` prefix).

    Example:
        >>> import deepglass.distributed as dist
        >>> from deepglass.nn.parallel import DistributedDataParallel as DDP
        >>> dist.init_process_group("mpi")                        # doctest: +SKIP
        >>> model = DDP(nn.Linear(4, 2))                          # doctest: +SKIP
        >>> model(dg.randn(8, 4)).sum().backward()                # doctest: +SKIP
        >>> list(model.state_dict())                              # doctest: +SKIP
        ['module.weight', 'module.bias']
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel needs the default process group: call "
                               "deepglass.distributed.init_process_group('mpi') first (and start with mpiexec)")
        dist.process_group._check_group(process_group)
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.world_size = dist.get_world_size()
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._index = {id(p): i for i, p in enumerate(self._params)}
        self._verify_same_model()
        if init_sync:
            self._broadcast([*self._params, *[b for b in module.buffers() if b is not None]])
        self._buckets, self._where = self._make_buckets()
        self._iteration = None
        for i, p in enumerate(self._params):
            p.register_hook(self._make_hook(i))

    # ---------------------------------------------------------------- set-up
    def _verify_same_model(self):
        """All ranks must wrap the same parameter shapes (else the all-reduces would mix unrelated tensors)."""
        shapes = [tuple(p.shape) for p in self._params]
        mine = np.array([len(shapes), sum(int(np.prod(s)) for s in shapes),
                         hash(tuple(shapes)) & 0x7FFFFFFF], dtype=np.int64)
        everyone = from_array(np.zeros((self.world_size, 3), np.int64))
        dist.all_gather_into_tensor(everyone, from_array(mine))
        bad = [r for r in range(self.world_size) if not np.array_equal(everyone._array[r], mine)]
        if bad:
            raise RuntimeError(f"DistributedDataParallel: rank {dist.get_rank()}'s model has {len(shapes)} parameters "
                               f"of {mine[1]} values, but rank(s) {bad} differ; every rank must build the same model")

    def _broadcast(self, tensors):
        """Copy rank 0's values into ``tensors`` on every rank, one flat message per dtype."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault((t._array.dtype, t.device), []).append(t)
        for (dtype, device), ts in by_dtype.items():
            xp = backend.get_array_module(device)
            flat = from_array(xp.concatenate([t._array.reshape(-1) for t in ts]).astype(dtype, copy=False))
            dist.broadcast(flat, src=0)
            off = 0
            for t in ts:
                n = t.numel()
                t._array[...] = flat._array[off:off + n].reshape(t._array.shape)
                bump_version(t)
                off += n

    def _make_buckets(self):
        """Buckets in reverse parameter order, one dtype/device each; the first one small."""
        buckets, current, size, key = [], [], 0, None
        for i in reversed(range(len(self._params))):
            p = self._params[i]
            k = (p._array.dtype, p.device)
            cap = _FIRST_BUCKET_BYTES if not buckets else self.bucket_bytes_cap
            nbytes = p.numel() * p._array.itemsize
            if current and (k != key or size + nbytes > min(cap, self.bucket_bytes_cap)):
                buckets.append(_Bucket(current, *key))
                current, size = [], 0
            current.append((i, p))
            size += nbytes
            key = k
        if current:
            buckets.append(_Bucket(current, *key))
        where = {}
        for b_index, b in enumerate(buckets):
            for slot, i in enumerate(b.indices):
                where[i] = (b_index, int(b.offsets[slot]), int(b.offsets[slot + 1]))
        return buckets, where

    # ---------------------------------------------------------------- forward
    def forward(self, *inputs, **kwargs):
        self._pre_forward()
        output = self.module(*inputs, **kwargs)
        self._post_forward(output)
        return output

    def _pre_forward(self):
        """Before the module's forward: check the last iteration finished; copy rank 0's buffers."""
        self._check_previous_iteration()
        if self.broadcast_buffers and self.world_size > 1 and grad_mode.is_grad_enabled():
            buffers = [b for b in self.module.buffers() if b is not None]
            if buffers:
                self._broadcast(buffers)

    def _post_forward(self, output):
        """After it: count the gradient contributions the coming backward will deliver."""
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self._prepare_for_backward(output)
        else:
            self._iteration = None

    def _check_previous_iteration(self):
        it = self._iteration
        if it is not None and it.started and not it.finalized:
            missing = [self._names[i] for i in range(len(self._params)) if it.arrived[i] < it.expected[i]
                       or it.expected[i] == 0]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss (or backward ran "
                "for only part of the outputs). Pass find_unused_parameters=True to DistributedDataParallel, or "
                f"make sure every output takes part in the loss. Parameters without a gradient: {missing}")

    def _prepare_for_backward(self, output):
        expected = _count_uses(_output_tensors(output, []), self._index)
        self._iteration = _Iteration(expected, self._buckets)
        if self.find_unused_parameters:
            for i in np.flatnonzero(expected == 0):
                self._mark_ready(i, None)

    # ---------------------------------------------------------------- backward
    def _make_hook(self, i):
        def hook(grad):
            return self._on_grad(i, grad)

        return hook

    def _on_grad(self, i, grad):
        it = self._iteration
        if it is None:  # no_sync, no_grad forward or a module used outside the wrapper: local accumulation
            return None
        it.started = True
        if it.finalized or it.arrived[i] >= it.expected[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once: parameter {self._names[i]!r} received a gradient "
                "after its reduction (a second backward through the same forward, or a parameter used outside the "
                "module's forward); run forward again before each backward")
        it.arrived[i] += 1
        self._progress()
        if it.arrived[i] < it.expected[i]:
            return None
        self._mark_ready(i, grad)
        if it.next_bucket == len(self._buckets):
            return self._finalize(i)
        return None

    def _mark_ready(self, i, grad):
        """Copy parameter i's whole local gradient (accumulated + this contribution) into its bucket."""
        it, p = self._iteration, self._params[i]
        b_index, lo, hi = self._where[i]
        bucket = self._buckets[b_index]
        view = bucket.buffer[lo:hi]
        if grad is None:
            view[...] = 0 if p.grad is None else p.grad._array.reshape(-1)
        elif p.grad is None:
            view[...] = grad._array.reshape(-1)
        else:
            view[...] = (p.grad._array + grad._array).reshape(-1)
        bucket.pending -= 1
        while it.next_bucket < len(self._buckets) and self._buckets[it.next_bucket].pending == 0:
            b = self._buckets[it.next_bucket]
            b.work = dist.all_reduce(from_array(b.buffer), async_op=True)
            it.next_bucket += 1
            if it.next_bucket < len(self._buckets):
                it.launched_before_last += 1

    def _progress(self):
        """Poll the buckets in flight: MPI moves a non-blocking collective along when it is tested."""
        for b in self._buckets:
            if b.work is not None:
                b.work.is_completed()

    def _finalize(self, last):
        """Wait for every bucket, write the averages into ``.grad``; the last parameter's is returned to the engine."""
        it = self._iteration
        used = None
        if self.find_unused_parameters:
            used_t = from_array(it.used.copy())
            dist.all_reduce(used_t, op=dist.ReduceOp.MAX)
            used = used_t._array
        for b in self._buckets:
            b.work.wait()
            b.buffer /= self.world_size
        result = None
        for i, p in enumerate(self._params):
            if used is not None and not used[i]:
                continue  # no rank used it: its .grad stays as it was, as in PyTorch
            b_index, lo, hi = self._where[i]
            avg = self._buckets[b_index].buffer[lo:hi].reshape(p._array.shape)
            if i == last:
                # the engine adds the returned gradient to .grad after this hook: start it from nothing
                p.grad = None
                result = from_array(avg)
            elif p.grad is None:
                p.grad = from_array(avg.copy())
            else:
                p.grad._array[...] = avg
                bump_version(p.grad)
        it.finalized = True
        return result

    # ---------------------------------------------------------------- API
    @contextlib.contextmanager
    def no_sync(self):
        """Inside this context, backward only accumulates local gradients (no communication).

        The first backward after leaving it averages the accumulated gradients across ranks.
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, buckets={len(self._buckets)}"
