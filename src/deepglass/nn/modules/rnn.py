"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells ``RNNCell``, ``LSTMCell``, ``GRUCell``.

PyTorch 2.13's constructor signatures, parameter names/shapes (``weight_ih_l{k}``, ``weight_hh_l{k}``,
``bias_ih_l{k}``, ``bias_hh_l{k}``, ``_reverse`` for the backward direction), gate order (LSTM i, f, g, o;
GRU r, z, n) and U(−1/√hidden, 1/√hidden) initialisation, so a torch ``state_dict`` loads unchanged.

Composed from Tensor ops (autograd works through them): the input projection of a whole sequence is one
matmul per layer and direction, then a Python loop runs the recurrence over the time steps.
PackedSequence inputs are not supported (a TypeError says so).
"""
from __future__ import annotations

import math
import numbers
import warnings

from ...creation import empty, zeros
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _reject_packed(input, name):
    if type(input).__name__ == "PackedSequence" or (isinstance(input, tuple) and hasattr(input, "batch_sizes")):
        raise TypeError(f"{name}: PackedSequence input is not supported by deepglass; pass a padded tensor "
                        f"(see deepglass.nn.utils.rnn.pad_sequence)")


def _rnn_step(mode, gi, h, c, w_hh, b_hh):
    """One time step. ``gi`` is the precomputed input projection (incl. b_ih) for this step."""
    gh = h.matmul(w_hh.transpose(0, 1))
    if b_hh is not None:
        gh = gh + b_hh
    if mode == "RNN_TANH":
        return (gi + gh).tanh(), None
    if mode == "RNN_RELU":
        return (gi + gh).relu(), None
    H = gi.shape[-1] // _GATES[mode]
    if mode == "LSTM":
        g = gi + gh
        i = g[..., 0:H].sigmoid()
        f = g[..., H:2 * H].sigmoid()
        gg = g[..., 2 * H:3 * H].tanh()
        o = g[..., 3 * H:4 * H].sigmoid()
        c_new = f * c + i * gg
        return o * c_new.tanh(), c_new
    # GRU: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 − z) * n + z * h
    r = (gi[..., 0:H] + gh[..., 0:H]).sigmoid()
    z = (gi[..., H:2 * H] + gh[..., H:2 * H]).sigmoid()
    n = (gi[..., 2 * H:3 * H] + r * gh[..., 2 * H:3 * H]).tanh()
    return n + z * (h - n), None


class RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`LSTM`, :class:`GRU` (parameters, checks, the recurrence)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int) or isinstance(input_size, bool):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size > 0 and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, int(num_layers)
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            layer_input = input_size if layer == 0 else real_hidden * num_directions
            for direction in range(num_directions):
                sfx = "_reverse" if direction == 1 else ""
                names = [f"weight_ih_l{layer}{sfx}", f"weight_hh_l{layer}{sfx}"]
                shapes = [(gate_size, layer_input), (gate_size, real_hidden)]
                if bias:
                    names += [f"bias_ih_l{layer}{sfx}", f"bias_hh_l{layer}{sfx}"]
                    shapes += [(gate_size,), (gate_size,)]
                if proj_size > 0:
                    names += [f"weight_hr_l{layer}{sfx}"]
                    shapes += [(proj_size, hidden_size)]
                for name, shape in zip(names, shapes):
                    self.register_parameter(name, Parameter(empty(tuple(shape), dtype=dtype, device=device)))
                self._flat_weights_names += names
        self.reset_parameters()

    @property
    def all_weights(self):
        nd = 2 if self.bidirectional else 1
        per = (4 if self.bias else 2) + (1 if self.proj_size > 0 else 0)
        ws = [getattr(self, n) for n in self._flat_weights_names]
        return [ws[k * per:(k + 1) * per] for k in range(self.num_layers * nd)]

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for name in self._flat_weights_names:
            init.uniform_(getattr(self, name), -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks ---------------------------------------------------------------------------------------
    def _check_input(self, input):
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _expected_hidden_size(self, x):
        """Hidden shape for the time-major batched ``x`` (T, B, in)."""
        nd = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * nd, x.shape[1], h)

    @staticmethod
    def _check_hidden(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(list(expected), list(hx.shape)))

    # -- the recurrence -----------------------------------------------------------------------------
    def _run(self, x, h0, c0):
        """``x``: (T, B, in) time-major; ``h0``/``c0``: (L·D, B, H). Returns output (T, B, D·H), h_n, c_n."""
        nd = 2 if self.bidirectional else 1
        T = x.shape[0]
        h_out, c_out = [], []
        layer_input = x
        for layer in range(self.num_layers):
            dir_outputs = []
            for d in range(nd):
                sfx = "_reverse" if d == 1 else ""
                w_ih = getattr(self, f"weight_ih_l{layer}{sfx}")
                w_hh = getattr(self, f"weight_hh_l{layer}{sfx}")
                b_ih = getattr(self, f"bias_ih_l{layer}{sfx}") if self.bias else None
                b_hh = getattr(self, f"bias_hh_l{layer}{sfx}") if self.bias else None
                w_hr = getattr(self, f"weight_hr_l{layer}{sfx}") if self.proj_size > 0 else None
                gi_all = F.linear(layer_input, w_ih, b_ih)  # (T, B, G·H): one matmul for all steps
                idx = layer * nd + d
                h = h0[idx]
                c = c0[idx] if c0 is not None else None
                steps = [None] * T
                order = range(T - 1, -1, -1) if d == 1 else range(T)
                for t in order:
                    h, c = _rnn_step(self.mode, gi_all[t], h, c, w_hh, b_hh)
                    if w_hr is not None:
                        h = h.matmul(w_hr.transpose(0, 1))
                    steps[t] = h
                dir_outputs.append(stack(steps, 0))
                h_out.append(h)
                if c is not None:
                    c_out.append(c)
            layer_output = dir_outputs[0] if nd == 1 else cat(dir_outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_output = F.dropout(layer_output, self.dropout, True)
            layer_input = layer_output
        return layer_input, stack(h_out, 0), (stack(c_out, 0) if c_out else None)

    def _forward_one_state(self, input, hx=None):
        """forward of RNN and GRU (one hidden state h; LSTM carries (h, c)): ``(output, h_n)``."""
        is_batched = self._prepare(input, type(self).__name__)
        if hx is not None:
            if is_batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            if not is_batched and hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
        self._check_input(input)
        x = self._time_major(input, is_batched)
        expected = self._expected_hidden_size(x)
        if hx is None:
            hx = zeros(tuple(expected), dtype=input.dtype, device=input.device)
        elif not is_batched:
            hx = hx.unsqueeze(1)
        self._check_hidden(hx, expected)
        out, h_n, _ = self._run(x, hx, None)
        if not is_batched:
            h_n = h_n.squeeze(1)
        return self._restore(out, is_batched), h_n

    def _prepare(self, input, name):
        _reject_packed(input, name)
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D tensor instead")
        return input.dim() == 3

    def _time_major(self, input, is_batched):
        if not is_batched:
            return input.unsqueeze(1)
        return input.transpose(0, 1) if self.batch_first else input

    def _restore(self, output, is_batched):
        if not is_batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), ``act`` tanh or relu, stacked/bidirectional.

    Args:
        input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
        dropout=0.0 (between layers, training only), bidirectional=False, device=None, dtype=None.

    Shape:
        input ``(L, N, H_in)`` (``(N, L, H_in)`` if batch_first) or unbatched ``(L, H_in)``; hx
        ``(D·num_layers, N, H)`` or ``(D·num_layers, H)`` → ``(output, h_n)``, output ``(L, N, D·H)``.

    Example:
        >>> out, h = RNN(10, 20, 2)(deepglass.randn(5, 3, 10))
        >>> out.shape, h.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    forward = RNNBase._forward_one_state


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o (in that order in the stacked weights).

    i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…);
    c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').

    Args:
        input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False, proj_size=0, device=None, dtype=None.

    With ``proj_size > 0`` each step's h is projected by ``weight_hr_l{k}`` (proj_size, hidden_size):
    h and the output have proj_size features, c keeps hidden_size.

    Shape:
        as :class:`RNN`, with ``hx = (h_0, c_0)`` → ``(output, (h_n, c_n))``.

    Example:
        >>> out, (h, c) = LSTM(10, 20, 2)(deepglass.randn(5, 3, 10))
        >>> out.shape, h.shape, c.shape
        ((5, 3, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = self._prepare(input, "LSTM")
        if hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
            h0, c0 = hx
            if is_batched and (h0.dim() != 3 or c0.dim() != 3):
                raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({h0.dim()}-D, {c0.dim()}-D) tensors")
            if not is_batched and (h0.dim() != 2 or c0.dim() != 2):
                raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                   f"({h0.dim()}-D, {c0.dim()}-D) tensors")
        self._check_input(input)
        x = self._time_major(input, is_batched)
        expected = self._expected_hidden_size(x)
        expected_c = expected[:2] + (self.hidden_size,)
        if hx is None:
            h0 = zeros(tuple(expected), dtype=input.dtype, device=input.device)
            c0 = zeros(tuple(expected_c), dtype=input.dtype, device=input.device)
        elif not is_batched:
            h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        self._check_hidden(h0, expected, "Expected hidden[0] size {}, got {}")
        self._check_hidden(c0, expected_c, "Expected hidden[1] size {}, got {}")
        out, h_n, c_n = self._run(x, h0, c0)
        if not is_batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._restore(out, is_batched), (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n (in that order in the stacked weights).

    r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 − z) ⊙ n + z ⊙ h.

    Args:
        input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False, device=None, dtype=None.

    Example:
        >>> out, h = GRU(10, 20, 2)(deepglass.randn(5, 3, 10))
        >>> out.shape, h.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    forward = RNNBase._forward_one_state


# ---------------------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Shared parameters of the cells: ``weight_ih`` (G·H, in), ``weight_hh`` (G·H, H), ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _cell_input(self, input, name):
        _reject_packed(input, name)
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}")
        is_batched = input.dim() == 2
        return (input if is_batched else input.unsqueeze(0)), is_batched

    def _cell_hidden(self, h, x, is_batched, name, label="hidden"):
        if h is None:
            return zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
        if h.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        if not is_batched:
            h = h.unsqueeze(0)
        if tuple(h.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(f"{label} has inconsistent shape: got {list(h.shape)}, expected "
                               f"{[x.shape[0], self.hidden_size]}")
        return h

    def _step(self, mode, x, h, c=None):
        gi = F.linear(x, self.weight_ih, self.bias_ih)
        return _rnn_step(mode, gi, h, c, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """One Elman step: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act tanh or relu.

    Shape: input ``(N, in)`` or ``(in,)``, hidden ``(N, H)`` or ``(H,)`` (zeros if omitted) → h'.

    Example:
        >>> RNNCell(10, 20)(deepglass.randn(3, 10)).shape
        (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, is_batched = self._cell_input(input, "RNNCell")
        h = self._cell_hidden(hx, x, is_batched, "RNNCell")
        h, _ = self._step("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", x, h)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o) → ``(h', c')``.

    Example:
        >>> h, c = LSTMCell(10, 20)(deepglass.randn(3, 10))
        >>> h.shape, c.shape
        ((3, 20), (3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, is_batched = self._cell_input(input, "LSTMCell")
        if hx is None:
            h = c = self._cell_hidden(None, x, is_batched, "LSTMCell")
        else:
            h = self._cell_hidden(hx[0], x, is_batched, "LSTMCell", "hx[0]")
            c = self._cell_hidden(hx[1], x, is_batched, "LSTMCell", "hx[1]")
        h, c = self._step("LSTM", x, h, c)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n) → h'.

    Example:
        >>> GRUCell(10, 20)(deepglass.randn(3, 10)).shape
        (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, is_batched = self._cell_input(input, "GRUCell")
        h = self._cell_hidden(hx, x, is_batched, "GRUCell")
        h, _ = self._step("GRU", x, h)
        return h if is_batched else h.squeeze(0)
