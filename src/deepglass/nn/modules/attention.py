"""Attention modules: multi-head attention, squeeze-and-excitation, CBAM, the spatial transformer.

The notes' 注意力机制 chapter: soft attention is differentiable, so the weights
that say *where to look* are learned with the rest of the network —

- over **positions of a sequence** (MultiheadAttention, Vaswani et al. 2017),
- over **channels** (SqueezeExcitation, Hu et al. 2017),
- over **channels, then pixels** (CBAM, Woo et al. 2018),
- over **space**, as a learned warp (SpatialTransformer, Jaderberg et al. 2015).
"""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor, from_array
from ...autograd.grad_mode import no_grad
from ...creation import zeros
from ...ops import sampling
from ...ops.mha import causal_mask, multi_head_attention_forward
from ...ops.shape import cat
from ..parameter import Parameter
from .module import Module


def _xavier_uniform_(t: Tensor, fan_in: int, fan_out: int) -> Tensor:
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    with no_grad():
        return t.uniform_(-bound, bound)


class MultiheadAttention(Module):
    r"""Multi-head attention: each head attends from every query position to every key position.

    Attends over the positions of the key/value sequence, per head and query,
    with weights softmax(QKᵀ/√d) (Vaswani et al. 2017, "Attention Is All You Need").

    MultiHead(Q, K, V) = Concat(head₁..head_h)·W_O with
    head_i = softmax((Q·W_Qi)(K·W_Ki)ᵀ / √d_head + M)·(V·W_Vi). PyTorch's parameter
    layout: ``in_proj_weight`` ``(3E, E)`` (or ``q/k/v_proj_weight`` when
    ``kdim``/``vdim`` differ from ``E``), ``in_proj_bias`` ``(3E,)``, ``out_proj``.

    Args:
        embed_dim: model width E (split across the heads).
        num_heads: number of heads; must divide ``embed_dim``.
        dropout: dropout on the attention weights (training only).
        bias: add biases to the input and output projections.
        add_bias_kv: append a learned key and value (``bias_k``, ``bias_v``) to the sequence.
        add_zero_attn: append a zero key and value after the projections.
        kdim, vdim: widths of key and value (default ``embed_dim``).
        batch_first: inputs are ``(N, L, E)`` instead of ``(L, N, E)``.

    Shape:
        query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` (``(N, L, E)`` ... with
        ``batch_first``; no N for unbatched input); ``key_padding_mask`` ``(N, S)`` (True or
        ``-inf`` = ignore that key); ``attn_mask`` ``(L, S)`` or ``(N·heads, L, S)`` (True =
        not allowed, or additive float). Output ``(L, N, E)``, weights ``(N, L, S)`` averaged
        over heads (``(N, heads, L, S)`` with ``average_attn_weights=False``).

    Returns:
        ``(attn_output, attn_weights)``; the weights are None when ``need_weights=False``.

    Example:
        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = deepglass.randn(2, 5, 16)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        ((2, 5, 16), (2, 5, 5))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        from .linear import Linear

        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(zeros(embed_dim, embed_dim))
            self.k_proj_weight = Parameter(zeros(embed_dim, self.kdim))
            self.v_proj_weight = Parameter(zeros(embed_dim, self.vdim))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(zeros(3 * embed_dim, embed_dim))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter(zeros(1, 1, embed_dim))
            self.bias_v = Parameter(zeros(1, 1, embed_dim))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)

    def _reset_parameters(self):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            _xavier_uniform_(self.in_proj_weight, e, 3 * e)
        else:
            _xavier_uniform_(self.q_proj_weight, e, e)
            _xavier_uniform_(self.k_proj_weight, self.kdim, e)
            _xavier_uniform_(self.v_proj_weight, self.vdim, e)
        with no_grad():
            if self.in_proj_bias is not None:
                self.in_proj_bias.zero_()
                self.out_proj.bias.zero_()
            if self.bias_k is not None:
                self.bias_k.normal_(0.0, math.sqrt(2.0 / (2 * e)))
                self.bias_v.normal_(0.0, math.sqrt(2.0 / (2 * e)))

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Attend from ``query`` to ``key``/``value``; see the class docstring for shapes and masks.

        ``is_causal=True`` without an ``attn_mask`` builds the causal mask (PyTorch
        requires the mask and treats the flag as a hint). The computation is
        :func:`deepglass.nn.functional.multi_head_attention_forward`.
        """
        if query.ndim == 3 and key.ndim == 3 and value.ndim == 3 and self.batch_first:
            same_kv = key is value
            self_attn = query is key and same_kv
            query = query.transpose(0, 1)
            key = query if self_attn else key.transpose(0, 1)
            value = key if same_kv else value.transpose(0, 1)
        if query.ndim in (2, 3) and query.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query width {query.shape[-1]} != embed_dim {self.embed_dim}")
        if is_causal and attn_mask is None:
            attn_mask = causal_mask(query.shape[0], key.shape[0], query.dtype, query.device)
        out, w = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if out.ndim == 3 and self.batch_first:
            out = out.transpose(0, 1)
        return out, w

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"


class SqueezeExcitation(Module):
    """Squeeze-and-excitation: re-weights the channels by a gate computed from their global means.

    Attends over **channels**: which feature maps matter for this input (Hu et al.
    2017, "Squeeze-and-Excitation Networks"; torchvision's layout and keys).

    s = σ(W₂·δ(W₁·z)), z_c = (1/HW)·Σ_{h,w} x_{c,h,w}, y_c = s_c·x_c — the two fully
    connected layers (``fc1``: C → C/r, ``fc2``: C/r → C) are 1×1 convolutions on the
    pooled ``(N, C, 1, 1)`` descriptor, as in torchvision.

    Args:
        input_channels: C.
        squeeze_channels: width of the bottleneck (default ``max(1, C // reduction)``).
        activation: module class between the layers (ReLU).
        scale_activation: module class of the gate (Sigmoid).
        reduction: r, used when ``squeeze_channels`` is not given (16 as in the paper).

    Shape:
        ``(N, C, H, W)`` → ``(N, C, H, W)``.

    Example:
        >>> se = nn.SqueezeExcitation(32, reduction=4)
        >>> se(deepglass.randn(2, 32, 8, 8)).shape
        (2, 32, 8, 8)
    """

    def __init__(self, input_channels, squeeze_channels=None, activation=None, scale_activation=None, *, reduction=16):
        super().__init__()
        from .activation import ReLU, Sigmoid
        from .conv import Conv2d
        from .pooling import AdaptiveAvgPool2d

        if squeeze_channels is None:
            squeeze_channels = max(1, input_channels // reduction)
        self.avgpool = AdaptiveAvgPool2d(1)
        self.fc1 = Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = Conv2d(squeeze_channels, input_channels, 1)
        self.activation = (activation or ReLU)()
        self.scale_activation = (scale_activation or Sigmoid)()

    def _scale(self, x):
        return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))

    def forward(self, input):
        return self._scale(input) * input


class ChannelAttention(Module):
    """CBAM's channel gate: σ(MLP(AvgPool(x)) + MLP(MaxPool(x))) with one shared MLP (1×1 convs, no bias)."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        from .activation import ReLU
        from .container import Sequential
        from .conv import Conv2d

        hidden = max(1, channels // reduction)
        self.mlp = Sequential(Conv2d(channels, hidden, 1, bias=False), ReLU(), Conv2d(hidden, channels, 1, bias=False))

    def forward(self, x):
        avg = x.mean(dim=(2, 3), keepdim=True)
        mx = x.amax(dim=(2, 3), keepdim=True)
        return (self.mlp(avg) + self.mlp(mx)).sigmoid()


class SpatialAttention(Module):
    """CBAM's spatial gate: σ(conv_k×k([mean_c(x); max_c(x)])), a 2-channel 7×7 convolution (no bias)."""

    def __init__(self, kernel_size=7):
        super().__init__()
        from .conv import Conv2d

        if kernel_size % 2 != 1:
            raise ValueError(f"SpatialAttention: kernel_size must be odd to keep the size, got {kernel_size}")
        self.conv = Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x):
        desc = cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return self.conv(desc).sigmoid()


class CBAM(Module):
    """Convolutional Block Attention Module: channel attention, then spatial attention.

    Attends over **channels** (which maps) and then over **pixels** (where), each a
    sigmoid gate multiplied in (Woo et al. 2018, "CBAM: Convolutional Block Attention Module").

    F′ = M_c(F) ⊙ F with M_c = σ(MLP(AvgPool(F)) + MLP(MaxPool(F)));
    F″ = M_s(F′) ⊙ F′ with M_s = σ(conv7×7([AvgPool_c(F′); MaxPool_c(F′)])).
    The MLP is shared by both descriptors (1×1 convolutions without bias, as in
    the widely used CBAM.PyTorch code the notes cite).

    Args:
        channels: C.
        reduction: r of the MLP's bottleneck (C → C/r → C), default 16.
        kernel_size: the spatial gate's convolution (7 in the paper).

    Shape:
        ``(N, C, H, W)`` → ``(N, C, H, W)``.

    Example:
        >>> cbam = nn.CBAM(32, reduction=8)
        >>> cbam(deepglass.randn(2, 32, 8, 8)).shape
        (2, 32, 8, 8)
    """

    def __init__(self, channels, reduction=16, kernel_size=7):
        super().__init__()
        self.channel_attention = ChannelAttention(channels, reduction)
        self.spatial_attention = SpatialAttention(kernel_size)

    def forward(self, x):
        x = self.channel_attention(x) * x
        return self.spatial_attention(x) * x


class SpatialTransformer(Module):
    """Spatial transformer: a small network predicts an affine warp θ, and the input is resampled by it.

    Attends over **space** by learning where to sample from — crop, zoom, rotate
    the informative region (Jaderberg et al. 2015, "Spatial Transformer Networks").

    θ = fc_loc(localization(x)) ∈ R^{2×3} (initialised to the identity [[1,0,0],[0,1,0]]),
    grid = affine_grid(θ, size), y = grid_sample(x, grid).

    Args:
        in_channels: C of the input.
        localization: a module mapping the input to features (flattened to
            ``loc_features``); default: Conv3×3(C→8)-ReLU-AdaptiveAvgPool(4)-Conv3×3(8→10)-ReLU-
            AdaptiveAvgPool(2)-Flatten (40 features), which works on any input size ≥ 1×1.
            ``fc_loc`` = Linear(loc_features, 32)-ReLU-Linear(32, 6) maps them to θ.
        loc_features: width of the flattened localization output (needed with a custom
            ``localization``).
        output_size: ``(H_out, W_out)`` of the warped output (default: the input's).
        align_corners, mode, padding_mode: passed to affine_grid / grid_sample.

    Shape:
        ``(N, C, H, W)`` → ``(N, C, H_out, W_out)``.

    Example:
        >>> stn = nn.SpatialTransformer(1)
        >>> x = deepglass.randn(2, 1, 8, 8)
        >>> stn(x).allclose(x, atol=1e-6)    # θ starts at the identity
        True
    """

    def __init__(self, in_channels, localization=None, loc_features=None, output_size=None, align_corners=False,
                 mode="bilinear", padding_mode="zeros"):
        super().__init__()
        from .activation import ReLU
        from .container import Sequential
        from .conv import Conv2d
        from .flatten import Flatten
        from .linear import Linear
        from .pooling import AdaptiveAvgPool2d

        if localization is None:
            localization = Sequential(Conv2d(in_channels, 8, 3, padding=1), ReLU(), AdaptiveAvgPool2d(4),
                                      Conv2d(8, 10, 3, padding=1), ReLU(), AdaptiveAvgPool2d(2), Flatten())
            loc_features = 40
        elif loc_features is None:
            raise ValueError("SpatialTransformer: pass loc_features (the flattened width of your localization "
                             "network's output) together with localization")
        self.localization = localization
        self.fc_loc = Sequential(Linear(loc_features, 32), ReLU(), Linear(32, 6))
        with no_grad():
            self.fc_loc[2].weight.zero_()
            self.fc_loc[2].bias.copy_(from_array(np.array([1, 0, 0, 0, 1, 0], dtype=self.fc_loc[2].bias.dtype)))
        self.output_size = None if output_size is None else tuple(output_size)
        self.align_corners, self.mode, self.padding_mode = align_corners, mode, padding_mode

    def theta(self, x):
        """The predicted affine matrices ``(N, 2, 3)``."""
        return self.fc_loc(self.localization(x).flatten(1)).reshape(-1, 2, 3)

    def forward(self, x):
        n, c, h, w = x.shape
        size = (n, c) + (self.output_size or (h, w))
        grid = sampling.affine_grid(self.theta(x), size, align_corners=self.align_corners)
        return sampling.grid_sample(x, grid, mode=self.mode, padding_mode=self.padding_mode,
                                    align_corners=self.align_corners)


__all__ = ["MultiheadAttention", "SqueezeExcitation", "CBAM", "ChannelAttention", "SpatialAttention",
           "SpatialTransformer"]
