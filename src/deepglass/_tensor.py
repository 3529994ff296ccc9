"""``Tensor``: an n-dimensional array with a device, a dtype and a gradient.

A tensor holds its values in ``_array`` (a NumPy array on the CPU, a CuPy array
on the GPU): the raw array that every op reads and writes. ``tensor.data`` is
PyTorch's: another Tensor over the same memory, cut from the graph. When ``requires_grad`` is True, every op that uses it records a
node (its ``grad_fn``) so that ``backward()`` can apply the chain rule — the
notes' 反向传播 — from the output back to every leaf.

The arithmetic operators and most methods (``exp``, ``sum``, ``reshape``...)
are attached by :mod:`deepglass.ops` so that each op is written once, next to
its backward, and is reachable both as ``deepglass.exp(x)`` and ``x.exp()``.

(Just over the 600-line guideline: this is the Tensor class alone — construction, properties, the autograd
fields and conversions; every op lives in ``deepglass/ops``.)
"""
from __future__ import annotations

import numpy as np

from . import backend, dtypes

_ndarray = np.ndarray


def _wrap_array(out):
    t = type(out)
    if t is _ndarray or backend.is_cuda_array(out):
        return out
    return np.asarray(out)


class Tensor:
    """An array that can record the operations applied to it.

    Build tensors with :func:`deepglass.tensor`, :func:`deepglass.zeros` and
    friends rather than calling this class; ``Tensor(array)`` wraps an existing
    NumPy/CuPy array without copying it.

    Example:
        >>> x = deepglass.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    # _vc: the version counter, a one-element list shared by a tensor and its views (None until the first
    # in-place change or view: creating a tensor stays as cheap as before; see bump_version);
    # _base: the tensor a view was made from (unset for tensors that are not views)
    __slots__ = ("_array", "requires_grad", "grad", "grad_fn", "_vc", "_base", "_retains_grad", "_hooks",
                 "__weakref__", "__dict__")
    __array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

    def __init__(self, *args, device=None, **kwargs):
        """PyTorch's legacy constructor (``Tensor(3, 4)``, ``Tensor([1, 2])``: float32; see ``deepglass._legacy``).

        Subclasses (``Parameter``) keep ``Subclass(array_or_tensor, requires_grad=...)``: the same memory.
        """
        if type(self) is not Tensor:
            return self._init(*args, **kwargs)
        if kwargs:
            raise TypeError(f"Tensor() got unexpected keyword arguments {sorted(kwargs)}; build tensors that "
                            "require grad with deepglass.tensor(data, requires_grad=True)")
        from ._legacy import legacy_array

        self._init(legacy_array(np.dtype(np.float32), args, device))

    def _init(self, data, requires_grad: bool = False) -> None:
        """Wrap an array (or another tensor's memory) without copying."""
        if isinstance(data, Tensor):
            data = data._array
        data = _wrap_array(data)
        self._array = data
        self.grad = None
        self.grad_fn = None
        self._vc = None
        self._retains_grad = False
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ facts
    @property
    def data(self) -> Tensor:
        """PyTorch's ``.data``: a new tensor over the same memory, detached from the graph.

        Changes made through it are not seen by autograd (unlike ``detach()`` in
        PyTorch, which shares the version counter); assigning ``t.data = other``
        swaps the memory this tensor uses (the shape may change).
        """
        return from_array(self._array)

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}; wrap it with deepglass.as_tensor()")
        self._array = value._array

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was changed in place (shared with its views, as PyTorch)."""
        vc = self._vc
        return 0 if vc is None else vc[0]

    @property
    def shape(self) -> tuple:
        return self._array.shape

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def device(self) -> backend.Device:
        return backend.device_of(self._array)

    @property
    def is_cuda(self) -> bool:
        return backend.is_cuda_array(self._array)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def itemsize(self) -> int:
        return self._array.itemsize

    def size(self, dim: int | None = None):
        if dim is None:
            return self._array.shape
        return self._array.shape[dim]

    def dim(self) -> int:
        return self._array.ndim

    def numel(self) -> int:
        return int(self._array.size)

    nelement = numel

    def element_size(self) -> int:
        return self._array.itemsize

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._array.dtype.kind == "c"

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether memory is row-major (or in ``memory_format``'s order, e.g. ``deepglass.channels_last``)."""
        if memory_format is None:
            return bool(self._array.flags.c_contiguous)
        from ._memory_format import _check, is_in_format

        return is_in_format(self._array, _check(memory_format))

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    # ------------------------------------------------------------ conversion
    def item(self):
        if self._array.size != 1:
            raise ValueError(
                f"a Tensor with {self._array.size} elements cannot be converted to a Python number; "
                "index or reduce it first"
            )
        return self._array.reshape(()).item()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The values as a NumPy array (sharing memory on the CPU)."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()"
            )
        if backend.is_cuda_array(self._array):
            if not force:
                raise TypeError(
                    f"can't convert a {self.device} tensor to numpy; use tensor.cpu() first"
                )
            return backend.to_numpy(self._array)
        return self._array

    def __array__(self, dtype=None, copy=None):
        arr = backend.to_numpy(self._array)
        return arr.astype(dtype) if dtype is not None else arr

    def tolist(self):
        return backend.to_numpy(self._array).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._array.dtype.kind not in "iub":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    def __bool__(self):
        if self._array.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._array.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.item())

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        """A leaf copy with its own memory (its grad copied too), as ``copy.deepcopy`` of a PyTorch tensor."""
        if self.grad_fn is not None:
            raise RuntimeError("only leaf tensors support deepcopy; detach() the tensor first")
        import copy

        new = object.__new__(type(self))
        memo[id(self)] = new
        new._array = self._array.copy()
        new.grad = None if self.grad is None else copy.deepcopy(self.grad, memo)
        new.grad_fn = None
        new.requires_grad = self.requires_grad
        new._vc = None
        new._retains_grad = False
        new._hooks = None
        for k, v in self.__dict__.items():
            new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    # -------------------------------------------------------------- autograd
    def detach(self) -> Tensor:
        """The same values (shared memory and version counter), cut from the graph."""
        t = from_array(self._array)
        t._vc = _counter(self)
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._array.dtype.kind not in "fc":
            raise RuntimeError(
                f"only floating-point and complex tensors can require gradients, got {dtypes.name_of(self.dtype)}; "
                "convert with .float() first"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad of leaf tensors; use .detach() for a non-leaf"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward()``."""
        if self.grad_fn is None:
            return
        self._retains_grad = True
        self.grad_fn._watched = self

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        if self.grad_fn is not None:
            self.grad_fn._watched = self
        return hook

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor with respect to every leaf (the chain rule).

        Args:
            gradient: dL/d(self); may be omitted for a scalar (it is then 1).
            retain_graph: keep the graph's saved arrays for a second backward.
            inputs: accumulate only into these leaves.
        """
        from .autograd.engine import run_backward

        if create_graph:
            raise NotImplementedError("deepglass has no double backward (create_graph=True)")
        run_backward([self], [gradient], bool(retain_graph), inputs=inputs)

    # ---------------------------------------------------------------- moves
    def to(self, *args, **kwargs) -> Tensor:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other_tensor)``.

        Each form takes ``non_blocking`` and ``copy`` after it (positionally or by keyword) and
        ``memory_format=`` (``deepglass.preserve_format`` by default, ``contiguous_format``,
        ``channels_last``).
        """
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        copy = kwargs.pop("copy", False)
        memory_format = kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected arguments {sorted(kwargs)}")
        flags = []
        for a in args:
            if isinstance(a, bool):       # non_blocking, then copy
                flags.append(a)
            elif isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, backend.Device) or (isinstance(a, str) and a not in dtypes._NAMES):
                device = a
            else:
                dtype = a
        if len(flags) > 2:
            raise TypeError(f"to() takes at most two bool arguments (non_blocking, copy), got {len(flags)}")
        if len(flags) == 2:
            copy = flags[1]
        out = self
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
            if dtype != self.dtype:
                from .ops.elementwise import _cast

                out = _cast(out, dtype)
        if device is not None:
            device = backend.as_device(device)
            if device != out.device:
                from .ops.elementwise import _move

                out = _move(out, device)
        if memory_format is not None:
            from ._memory_format import relayout

            out = relayout(out, memory_format)
        if copy and out is self:
            out = self.clone()
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def type(self, dtype=None):
        if dtype is None:
            return f"deepglass.{self.dtype.name}"
        return self.to(dtype)

    def float(self, memory_format=None):
        return self.to(dtypes.float32, memory_format=memory_format)

    def double(self, memory_format=None):
        return self.to(dtypes.float64, memory_format=memory_format)

    def half(self, memory_format=None):
        return self.to(dtypes.float16, memory_format=memory_format)

    def cfloat(self, memory_format=None):
        return self.to(dtypes.complex64, memory_format=memory_format)

    def cdouble(self, memory_format=None):
        return self.to(dtypes.complex128, memory_format=memory_format)

    def long(self, memory_format=None):
        return self.to(dtypes.int64, memory_format=memory_format)

    def int(self, memory_format=None):
        return self.to(dtypes.int32, memory_format=memory_format)

    def bool(self, memory_format=None):
        return self.to(dtypes.bool, memory_format=memory_format)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A new tensor (a copy of ``data``) with this tensor's dtype and device unless given."""
        from .creation import tensor

        if isinstance(data, Tensor):
            data = data.detach().clone()
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        from .creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return self.new_full(size, 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return self.new_full(size, 1, dtype=dtype, device=device, requires_grad=requires_grad)

    new_empty = new_zeros  # PyTorch leaves the memory uninitialised; zeros are one valid content

    def __format__(self, format_spec: str) -> str:
        """``f"{loss:.4f}"`` formats a 0-d tensor as its Python number; other tensors only without a spec."""
        if self._array.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    # ---------------------------------------------------------- in-place ops
    # Outside a graph an in-place op writes into ``_array`` directly (the fast path optimizers and
    # ``p.data.add_`` take); inside one, ``deepglass._inplace.inplace`` records it as PyTorch does.
    def _assign(self, value) -> Tensor:
        """Write ``value`` (array or scalar) into this tensor's memory, outside any graph."""
        xp = backend.array_module_of(self._array)
        if isinstance(value, Tensor):
            if value.device != self.device:
                raise RuntimeError(
                    f"expected all tensors on the same device, found {self.device} and {value.device}; "
                    "move the model and the data to the same device with .to(device)"
                )
            value = value._array
        shape = getattr(value, "shape", ())
        if shape and shape != self._array.shape and (
                len(shape) > self._array.ndim or np.broadcast_shapes(shape, self._array.shape) != self._array.shape):
            _inplace.check_shape(self, np.broadcast_shapes(shape, self._array.shape))
        if self.grad_fn is not None:
            _inplace.mark_overwritten(self)
        xp.copyto(self._array, value, casting="unsafe")
        bump_version(self)
        return self

    def _inplace(self, fn, *args, **kwargs) -> Tensor:
        """``self = fn(self, *args, **kwargs)`` in this tensor's memory (recorded inside a graph)."""
        return _inplace.inplace(self, fn, *args, **kwargs)

    def _graph(self, *args) -> bool:
        if not grad_mode._state.enabled:
            return False
        if self.requires_grad:
            return True
        for a in args:
            if isinstance(a, Tensor) and a.requires_grad:
                return True
        return False

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        if self._graph(value):
            return self._inplace(_inplace.fill, value)
        return self._assign(value)

    def copy_(self, src, non_blocking: bool = False) -> Tensor:
        if not isinstance(src, Tensor):
            src = from_array(np.asarray(src))
        if src.device != self.device:
            src = src.to(self.device)
        if self._graph(src):
            return self._inplace(_inplace.fill, src)
        return self._assign(src._array)

    def add_(self, other, alpha=1) -> Tensor:
        if self._graph(other):
            return self._inplace(_ops().add, other, alpha=alpha)
        o = other._array if isinstance(other, Tensor) else other
        return self._assign(self._array + (o if alpha == 1 else alpha * o))

    def sub_(self, other, alpha=1) -> Tensor:
        if self._graph(other):
            return self._inplace(_ops().sub, other, alpha=alpha)
        o = other._array if isinstance(other, Tensor) else other
        return self._assign(self._array - (o if alpha == 1 else alpha * o))

    def mul_(self, other) -> Tensor:
        if self._graph(other):
            return self._inplace(_ops().mul, other)
        return self._assign(self._array * (other._array if isinstance(other, Tensor) else other))

    def div_(self, other, rounding_mode=None) -> Tensor:
        if self._graph(other) or rounding_mode is not None:
            return self._inplace(_ops().div, other, rounding_mode=rounding_mode)
        return self._assign(self._array / (other._array if isinstance(other, Tensor) else other))

    def clamp_(self, min=None, max=None) -> Tensor:
        if self._graph(min, max):
            return self._inplace(_ops().clamp, min, max)
        xp = backend.array_module_of(self._array)
        lo = min._array if isinstance(min, Tensor) else min
        hi = max._array if isinstance(max, Tensor) else max
        return self._assign(xp.clip(self._array, lo, hi))

    def _random_(self, values) -> Tensor:
        """Write freshly drawn ``values`` into ``self`` (the random fills of ops/random_draws.py)."""
        if self._graph():
            return self._inplace(_inplace.fill, from_array(values))
        return self._assign(values)

    def __setitem__(self, index, value) -> None:
        if self._graph(value):
            from .ops.shape import _index_to_arrays

            index = _index_to_arrays(index, backend.array_module_of(self._array))
            self._inplace(_inplace.index_put, value, index)
            return
        if isinstance(value, Tensor):
            value = value._array
        if self.grad_fn is not None:
            _inplace.mark_overwritten(self)
        self._array[_unwrap_index(index)] = value
        bump_version(self)

    # ---------------------------------------------------------------- repr
    def __repr__(self) -> str:
        from ._repr import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__


def _unwrap_index(index):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index._array
    if isinstance(index, tuple):
        return tuple(i._array if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return [i._array if isinstance(i, Tensor) else i for i in index]
    return index


def from_array(array, grad_fn=None) -> Tensor:
    """A Tensor over ``array`` (NumPy or CuPy) without a copy: how ops and the package build tensors.

    ``grad_fn`` is the graph node that produced it (``None`` for a leaf that
    does not require grad). Users build tensors with :func:`deepglass.tensor`,
    :func:`deepglass.as_tensor` or :func:`deepglass.from_numpy`.

    Example:
        >>> import numpy as np
        >>> from deepglass._tensor import from_array
        >>> from_array(np.zeros(2, np.float32))
        tensor([0., 0.])
    """
    t = _new(Tensor)
    t._array = array if type(array) is _ndarray else _wrap_array(array)
    t.grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    t._vc = None
    t._retains_grad = False
    t._hooks = None
    return t


def as_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base`` when it shares its memory: one version counter, ``out._base`` set."""
    if out is not base and out._array is not base._array and backend.array_module_of(out._array).may_share_memory(
            out._array, base._array):
        out._vc = _counter(base)
        root = getattr(base, "_base", None)
        out._base = base if root is None else root
    return out


def _counter(t: Tensor) -> list:
    """``t``'s version counter, made now if it has none yet (to be shared with a view)."""
    if t._vc is None:
        t._vc = [0]
    return t._vc


def bump_version(tensor: Tensor) -> None:
    """Record that ``tensor``'s memory was changed in place (autograd checks versions at backward)."""
    vc = tensor._vc
    if vc is None:
        tensor._vc = [1]
    else:
        vc[0] += 1


_new = object.__new__



def _ops():
    from .ops import elementwise

    return elementwise


# imported last: the autograd package itself needs Tensor
from . import _inplace  # noqa: E402
from .autograd import grad_mode  # noqa: E402
