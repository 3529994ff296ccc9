"""``Optimizer``: the base class that owns parameter groups and per-parameter state.

An algorithm subclasses it and writes two methods::

    class SGD(Optimizer):
        def _init_state(self, p, group):           # first time p has a gradient
            return {}
        def _update(self, group, params, grads, states):   # raw arrays, under no_grad
            for p, g, s in zip(params, grads, states):
                p -= group["lr"] * g                # in place on p's NumPy/CuPy array

``step()`` loops over the groups, collects the parameters whose ``grad`` is not
``None`` and hands their arrays (``p._array``, ``p.grad._array``) and state dicts
to ``_update`` — one Python call per group, so the per-step overhead stays small.
State values are arrays (NumPy or CuPy, the parameter's) or Python numbers;
``state_dict()`` wraps the arrays as deepglass Tensors and indexes parameters by
integer ids, like PyTorch, so that :mod:`deepglass.io` can save it as
safetensors + JSON (no pickle).
"""
from __future__ import annotations

import numpy as np

from .. import parallel
from .._tensor import Tensor, bump_version, from_array
from ..autograd import grad_mode

required = object()  # marker for a hyper-parameter without a default


class Optimizer:
    """Base of every optimizer.

    Args:
        params: an iterable of Tensors (``requires_grad=True``), or of dicts, each a
            parameter group ``{"params": [...], "lr": ..., ...}`` whose options
            override ``defaults``.
        defaults: the algorithm's default hyper-parameters.

    Attributes:
        param_groups: list of dicts, one per group (``"params"`` plus options).
        state: dict keyed by parameter Tensor: that parameter's buffers (``step``,
            ``exp_avg``, ...), created on its first update.
        defaults: the default options.

    Example:
        >>> opt = deepglass.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.1}], lr=0.01)
        >>> loss = (w * w).sum() + b.sum()
        >>> loss.backward(); opt.step(); opt.zero_grad()
        >>> [g["lr"] for g in opt.param_groups]
        [0.01, 0.1]
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor; wrap it in a list: [tensor]")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (missing ones come from ``defaults``).

        Useful to unfreeze layers while training: ``opt.add_param_group({"params": head.parameters(), "lr": 1e-4})``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor; optimize the leaf it was computed from")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains duplicate parameters; pass each parameter once")
        group = dict(param_group)
        group["params"] = params
        for k, v in self.defaults.items():
            if v is required and k not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {k}")
            group.setdefault(k, v)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group; each belongs to one group")
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Validate a group's options (subclasses raise ``ValueError`` on bad values)."""

    # ------------------------------------------------------------- steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to ``None`` by default, as PyTorch)."""
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad._array[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient (parameters with ``grad is None`` are skipped).

        Args:
            closure: optional callable that re-evaluates the model and returns the loss.

        Returns:
            The closure's loss, or ``None``.
        """
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        state = self.state
        with grad_mode.no_grad():
            for group in self.param_groups:
                params, grads, states = [], [], []
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    s = state.get(p)
                    if s is None:
                        s = state[p] = self._init_state(p._array, group)
                    bump_version(p)
                    params.append(p._array)
                    grads.append(p.grad._array)
                    states.append(s)
                if params:
                    self._update(group, params, grads, states)
        return loss

    def _init_state(self, p, group: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, group: dict, params: list, grads: list, states: list) -> None:  # pragma: no cover
        raise NotImplementedError

    # -------------------------------------------------------- state dict
    def state_dict(self) -> dict:
        """The optimizer's state, parameters replaced by integer ids (PyTorch's layout).

        Returns:
            ``{"state": {id: {name: Tensor | number}}, "param_groups": [{..., "params": [ids]}]}``.
            Tensors share memory with the live state (as in PyTorch): save or copy them
            before stepping on.
        """
        index: dict = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                s = self.state.get(p)
                if s is not None:
                    state[index[id(p)]] = {k: (v if v is None or isinstance(v, (int, float)) else from_array(v))
                                           for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state saved by :meth:`state_dict` (of an optimizer built the same way).

        Buffers are copied into this optimizer, cast to each parameter's dtype and
        device; the groups' options are restored. Training then continues exactly
        where the saved optimizer stopped.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        for i, (g, sg) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError(f"loaded state dict contains a parameter group {i} of {len(sg['params'])} "
                                 f"parameters, which doesn't match this optimizer's group of {len(g['params'])}")
        id_map = {}
        for g, sg in zip(self.param_groups, saved_groups):
            for p, i in zip(g["params"], sg["params"]):
                id_map[i] = p
        from .. import backend

        new_state = {}
        for key, s in state_dict["state"].items():
            p = id_map.get(int(key))
            if p is None:
                continue
            xp = backend.array_module_of(p._array)
            st = {}
            for k, v in s.items():
                if isinstance(v, Tensor) or (hasattr(v, "shape") and hasattr(v, "dtype")):
                    arr = v._array if isinstance(v, Tensor) else v
                    if k in self._scalar_state:  # step counters and scalar products are Python numbers
                        st[k] = arr.item()
                    else:
                        st[k] = xp.array(backend.to_device(arr, p.device), dtype=p._array.dtype, copy=True)
                else:
                    st[k] = v
            new_state[p] = st
        self.state = new_state
        for g, sg in zip(self.param_groups, saved_groups):
            for k, v in sg.items():
                if k != "params":
                    g[k] = tuple(v) if isinstance(v, list) and k in _TUPLE_OPTIONS else v


_TUPLE_OPTIONS = ("betas", "etas", "step_sizes")  # pair options PyTorch keeps as tuples (JSON gives lists)



def update_in_slices(update, *arrays) -> None:
    """Run the element-wise in-place ``update(*arrays)``, on flat slices on the CPU threads when they are large.

    An element-wise update gives the same numbers whole or slice by slice, so a large parameter (its update
    makes about four passes over ``MIN_PARALLEL_WORK / 4`` elements or more) is cut into one contiguous
    slice per thread, as PyTorch's foreach kernels do with OpenMP; small or non-contiguous ones run whole.

    Example:
        >>> import numpy as np
        >>> p, g = np.ones(6), np.arange(6.0)
        >>> update_in_slices(lambda p, g: np.subtract(p, 0.5 * g, out=p), p, g)
        >>> p.tolist()
        [1.0, 0.5, 0.0, -0.5, -1.0, -1.5]
    """
    first = arrays[0]
    if (4 * first.size < parallel.MIN_PARALLEL_WORK or type(first) is not np.ndarray
            or any(a.shape != first.shape or not a.flags.c_contiguous for a in arrays)):
        update(*arrays)
        return
    flat = [a.reshape(-1) for a in arrays]
    parallel.parallel_for(first.size, lambda lo, hi: update(*(f[lo:hi] for f in flat)), work=4 * first.size)


def fused_add(xp, y, alpha, x, out=None):
    """y + α·x (into ``out`` when given): PyTorch's ``add(alpha=)``.

    NumPy rounds the product and the sum separately (PyTorch's CPU kernels fuse them); the
    difference, 1 ulp per step, keeps trajectories within the 1e-5 the parity tests demand.
    """
    if out is None:
        return y + alpha * x
    return xp.add(y, x if alpha == 1 else alpha * x, out=out, casting="unsafe")  # alpha 1: no temporary


def fused_addcmul_(xp, y, value, a, b):
    """y ← y + (value·a)·b in place (PyTorch's ``addcmul_``)."""
    y += value * a * b
    return y


def lerp_(xp, a, b, w):
    """a ← a + w·(b − a) in place, rounded as PyTorch's ``lerp_`` (its two-branch fused formula)."""
    if abs(w) < 0.5:
        fused_add(xp, a, w, b - a, out=a)
    else:
        fused_add(xp, b, -(1 - w), b - a, out=a)


def check_torch_flags(*, foreach=None, fused=None, capturable=False, differentiable=False) -> None:
    """PyTorch's implementation flags, accepted by every optimizer for drop-in compatibility.

    ``foreach`` and ``fused`` choose among PyTorch's kernels for the same update: deepglass has one
    vectorised update, so they have no effect. ``capturable`` only matters inside a CUDA graph; it is
    accepted and ignored. ``differentiable=True`` asks for autograd *through* the step, which
    deepglass does not support (the update runs outside the graph): it raises.
    """
    if differentiable:
        raise NotImplementedError(
            "differentiable=True (autograd through the optimizer step) is not supported by deepglass: "
            "the update runs outside the graph; leave differentiable=False"
        )


def weight_decay_(xp, p, g, lr, wd, decoupled=False):
    """The gradient after weight decay: L2, g + wd·p; or decoupled (AdamW), p ← p·(1 − lr·wd) in place."""
    if wd != 0:
        if decoupled:
            p *= 1 - lr * wd
        else:
            g = fused_add(xp, g, wd, p)
    return g


def adam_moments_(xp, m, v, g, beta1, beta2):
    """Adam's moments in place: m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²."""
    lerp_(xp, m, g, 1 - beta1)
    v *= beta2
    fused_addcmul_(xp, v, 1 - beta2, g, g)


def scalar_state(x: float) -> float:
    """``x`` rounded as PyTorch stores a scalar state tensor (``step``, ASGD's ``eta``/``mu``).

    PyTorch keeps those in 0-d tensors of its scalar dtype: float32, or float64 when the
    default dtype is float64; reading them back (``.item()``) gives the rounded value.
    """
    from ..dtypes import get_default_dtype

    return float(x) if get_default_dtype() == np.float64 else float(np.float32(x))


def check_nonneg(name: str, value, extra: str = "") -> None:
    """PyTorch's ``if not 0.0 <= value: raise ValueError("Invalid <name>: <value>")`` (NaN is rejected too)."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name}: {value}{extra}")


__all__ = ["Optimizer", "required"]
