"""The Transformer (Vaswani et al. 2017) with PyTorch's classes, signatures and state-dict keys.

An encoder layer lets every position attend to every other position of the
same sequence (self-attention), then applies a position-wise feed-forward
network; a decoder layer adds attention from the target sequence to the
encoder's output (the memory). Each sub-layer is wrapped in a residual
connection and layer normalisation:

    post-norm (default):  x = LN(x + Sublayer(x))
    pre-norm (norm_first): x = x + Sublayer(LN(x))
"""
from __future__ import annotations

import copy
import math

import numpy as np

from ... import backend
from ..._tensor import from_array
from .attention import MultiheadAttention, _xavier_uniform_
from .container import ModuleList
from .module import Module


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_activation(activation):
    if callable(activation):
        return activation
    from .. import functional as F

    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _layer_norm(d_model, eps, bias):
    from .normalization import LayerNorm

    return LayerNorm(d_model, eps=eps) if bias else LayerNorm(d_model, eps=eps, bias=False)


def _ffn_parts(self, d_model, dim_feedforward, dropout, bias):
    from .dropout import Dropout
    from .linear import Linear

    self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
    self.dropout = Dropout(dropout)
    self.linear2 = Linear(dim_feedforward, d_model, bias=bias)


class TransformerEncoderLayer(Module):
    """Self-attention over the sequence, then a position-wise feed-forward network.

    Attends from each position of ``src`` to all positions of ``src`` (self-attention;
    Vaswani et al. 2017, "Attention Is All You Need").

    post-norm: x = LN₁(x + Dropout(SelfAttn(x))); x = LN₂(x + Dropout(W₂·Dropout(act(W₁x))))

    Args:
        d_model: width of the model. nhead: attention heads.
        dim_feedforward: hidden width of the feed-forward network (2048).
        dropout: dropout probability (0.1). activation: "relu", "gelu" or a callable.
        layer_norm_eps: LayerNorm's eps (1e-5). batch_first: ``(N, S, E)`` inputs.
        norm_first: pre-norm (LayerNorm before each sub-layer). bias: biases in linears and norms.

    Shape:
        src ``(S, N, E)`` (``(N, S, E)`` with ``batch_first``) → the same.

    Example:
        >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, batch_first=True)
        >>> layer(deepglass.randn(2, 10, 16)).shape
        (2, 10, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        from .dropout import Dropout

        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        _ffn_parts(self, d_model, dim_feedforward, dropout, bias)
        self.norm_first = norm_first
        self.norm1 = _layer_norm(d_model, layer_norm_eps, bias)
        self.norm2 = _layer_norm(d_model, layer_norm_eps, bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _get_activation(activation)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention from the target to the memory, then a feed-forward network.

    Attends from each target position to the (masked) target positions, then to every
    position of the encoder's output (cross-attention; Vaswani et al. 2017).

    post-norm: x = LN₁(x + SA(x)); x = LN₂(x + CrossAttn(x, memory)); x = LN₃(x + FFN(x))

    Args:
        d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
        norm_first, bias: as in :class:`TransformerEncoderLayer`.

    Shape:
        tgt ``(T, N, E)``, memory ``(S, N, E)`` (batch first with ``batch_first``) → ``(T, N, E)``.

    Example:
        >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4, batch_first=True)
        >>> layer(deepglass.randn(2, 7, 16), deepglass.randn(2, 10, 16)).shape
        (2, 7, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        from .dropout import Dropout

        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        _ffn_parts(self, d_model, dim_feedforward, dropout, bias)
        self.norm_first = norm_first
        self.norm1 = _layer_norm(d_model, layer_norm_eps, bias)
        self.norm2 = _layer_norm(d_model, layer_norm_eps, bias)
        self.norm3 = _layer_norm(d_model, layer_norm_eps, bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _get_activation(activation)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=bool(is_causal),
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=bool(is_causal), need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (each with its own weights), then ``norm``.

    Attends, layer after layer, from every source position to every source position
    (Vaswani et al. 2017); the copies start with equal weights, as in PyTorch.

    Args:
        encoder_layer: a :class:`TransformerEncoderLayer` to copy.
        num_layers: how many copies. norm: an optional final normalisation layer.
        enable_nested_tensor, mask_check: accepted for PyTorch compatibility (no effect).

    Shape:
        src ``(S, N, E)`` (or batch first, as the layer says) → the same.

    Example:
        >>> enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, batch_first=True), num_layers=2)
        >>> enc(deepglass.randn(2, 10, 16)).shape
        (2, 10, 16)
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        if self.norm is not None:
            x = self.norm(x)
        return x


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then ``norm``.

    Attends from the target to itself and to the memory in every layer (Vaswani et al. 2017).

    Args:
        decoder_layer: a :class:`TransformerDecoderLayer` to copy.
        num_layers: how many copies. norm: an optional final normalisation layer.

    Shape:
        tgt ``(T, N, E)``, memory ``(S, N, E)`` → ``(T, N, E)``.

    Example:
        >>> dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 4), num_layers=2)
        >>> dec(deepglass.randn(7, 2, 16), deepglass.randn(10, 2, 16)).shape
        (7, 2, 16)
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        if self.norm is not None:
            x = self.norm(x)
        return x


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need" (Vaswani et al. 2017).

    Attends within the source (encoder), within the target and from the target to the
    encoded source (decoder). Parameters with more than one dimension are initialised
    with Xavier-uniform, as in PyTorch.

    Args:
        d_model (512), nhead (8), num_encoder_layers (6), num_decoder_layers (6),
        dim_feedforward (2048), dropout (0.1), activation ("relu"), custom_encoder,
        custom_decoder, layer_norm_eps (1e-5), batch_first (False), norm_first (False), bias (True).

    Shape:
        src ``(S, N, E)``, tgt ``(T, N, E)`` → ``(T, N, E)`` (batch first with ``batch_first``).

    Example:
        >>> model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
        ...                        dim_feedforward=32)
        >>> model(deepglass.randn(10, 2, 16), deepglass.randn(7, 2, 16)).shape
        (7, 2, 16)
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, _layer_norm(d_model, layer_norm_eps, bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, _layer_norm(d_model, layer_norm_eps, bias))
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first
        for p in self.parameters():
            if p.ndim > 1:
                _xavier_uniform_(p, p.shape[1] * int(np.prod(p.shape[2:])), p.shape[0] * int(np.prod(p.shape[2:])))
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        bdim = 0 if self.batch_first else 1
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[bdim] != tgt.shape[bdim]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """Float mask ``(sz, sz)``: ``-inf`` above the diagonal (future positions), 0 elsewhere."""
        dt = np.dtype(dtype) if dtype is not None else np.float32
        m = np.triu(np.full((sz, sz), -np.inf), 1).astype(dt)
        return from_array(backend.to_device(m, backend.Device(device or "cpu")))


class PositionalEncoding(Module):
    """Sinusoidal position encoding added to the embeddings, then dropout.

    Gives attention — which is blind to order — each position's place in the sequence
    (Vaswani et al. 2017, section 3.5):

        PE(pos, 2i) = sin(pos / 10000^{2i/d}),  PE(pos, 2i+1) = cos(pos / 10000^{2i/d})

    Args:
        d_model: embedding width.
        dropout: dropout after the addition (0.1).
        max_len: longest supported sequence (5000).
        batch_first: inputs are ``(N, S, E)`` instead of ``(S, N, E)``.

    Shape:
        ``(S, N, E)`` (or ``(N, S, E)``) → the same. The table is the buffer ``pe`` ``(max_len, 1, E)``
        (PyTorch tutorial layout).

    Example:
        >>> pe = nn.PositionalEncoding(16, dropout=0.0, batch_first=True)
        >>> pe(deepglass.zeros(2, 5, 16))[0, 0, :2].tolist()   # sin(0), cos(0)
        [0.0, 1.0]
    """

    def __init__(self, d_model, dropout=0.1, max_len=5000, batch_first=False):
        super().__init__()
        from .dropout import Dropout

        self.dropout = Dropout(p=dropout)
        self.batch_first = batch_first
        position = np.arange(max_len)[:, None]
        div_term = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = np.zeros((max_len, 1, d_model))
        pe[:, 0, 0::2] = np.sin(position * div_term)
        pe[:, 0, 1::2] = np.cos(position * div_term)[:, : d_model // 2]
        self.register_buffer("pe", from_array(pe.astype(np.float32)))

    def forward(self, x):
        n = x.shape[1] if self.batch_first else x.shape[0]
        if n > self.pe.shape[0]:
            raise ValueError(f"PositionalEncoding: sequence length {n} exceeds max_len {self.pe.shape[0]}; "
                             "build it with a larger max_len")
        pe = self.pe[:n]
        if self.batch_first:
            pe = pe.transpose(0, 1)
        return self.dropout(x + pe.to(x.dtype))


__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer", "PositionalEncoding"]
