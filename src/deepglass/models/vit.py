"""Vision Transformer (Dosovitskiy et al. 2020) with torchvision's layout and state-dict keys.

The image is cut into P×P patches, each patch becomes a token (a linear map —
a P×P convolution with stride P), a learned class token is prepended and
learned position embeddings are added; a pre-norm Transformer encoder lets
every patch attend to every other one, and the class token's output is classified.

Small inputs: any ``image_size`` divisible by ``patch_size`` and any
``in_channels`` (e.g. ``vit(8, 4, 32, 2, 4, 64, 10, in_channels=1)`` on 1×8×8 digits).
"""
from __future__ import annotations

import math
from collections import OrderedDict

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import zeros
from ..nn import init
from ..nn.parameter import Parameter
from ..ops.shape import cat

__all__ = ["VisionTransformer", "vit", "vit_b_16"]


class MLPBlock(nn.Sequential):
    """Linear(dim, mlp_dim) → GELU → Dropout → Linear(mlp_dim, dim) → Dropout (torchvision's keys 0..4)."""

    def __init__(self, in_dim, mlp_dim, dropout):
        super().__init__(nn.Linear(in_dim, mlp_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_dim, in_dim),
                         nn.Dropout(dropout))
        with no_grad():
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    init.xavier_uniform_(m.weight)
                    init.normal_(m.bias, std=1e-6)


class EncoderBlock(nn.Module):
    """Pre-norm block: x = x + Dropout(SelfAttn(LN₁(x))); x = x + MLP(LN₂(x))."""

    def __init__(self, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, eps=1e-6):
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = nn.LayerNorm(hidden_dim, eps=eps)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout,
                                                    batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(hidden_dim, eps=eps)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input):
        if input.ndim != 3:
            raise ValueError(f"Expected (batch_size, seq_length, hidden_dim) got {tuple(input.shape)}")
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + input
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """Position embedding (learned, std 0.02), dropout, ``num_layers`` encoder blocks, final LayerNorm."""

    def __init__(self, seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, eps=1e-6):
        super().__init__()
        self.pos_embedding = Parameter(zeros(1, seq_length, hidden_dim))
        with no_grad():
            init.normal_(self.pos_embedding, std=0.02)
        self.dropout = nn.Dropout(dropout)
        layers = OrderedDict()
        for i in range(num_layers):
            layers[f"encoder_layer_{i}"] = EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, eps)
        self.layers = nn.Sequential(layers)
        self.ln = nn.LayerNorm(hidden_dim, eps=eps)

    def forward(self, input):
        return self.ln(self.layers(self.dropout(input + self.pos_embedding)))


class VisionTransformer(nn.Module):
    """torchvision's VisionTransformer: ``conv_proj`` patches → [class token; tokens] → ``encoder`` → ``heads``.

    Args:
        image_size: side of the (square) input; divisible by ``patch_size``.
        patch_size: side of a patch P.
        num_layers: encoder blocks. num_heads: attention heads. hidden_dim: token width.
        mlp_dim: hidden width of each block's MLP.
        dropout, attention_dropout: dropout rates (0).
        num_classes: outputs (1000). representation_size: optional pre-logits layer.
        in_channels: image channels (3).

    Shape:
        ``(N, in_channels, image_size, image_size)`` → ``(N, num_classes)``.

    Example:
        >>> model = vit(image_size=8, patch_size=4, dim=16, depth=1, heads=2, mlp_dim=32, num_classes=3)
        >>> model(deepglass.randn(2, 3, 8, 8)).shape
        (2, 3)
    """

    def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout=0.0,
                 attention_dropout=0.0, num_classes=1000, representation_size=None, in_channels=3):
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"Input shape indivisible by patch size! image_size {image_size}, patch {patch_size}")
        self.image_size, self.patch_size, self.hidden_dim = image_size, patch_size, hidden_dim
        self.mlp_dim, self.attention_dropout, self.dropout = mlp_dim, attention_dropout, dropout
        self.num_classes, self.representation_size = num_classes, representation_size
        self.conv_proj = nn.Conv2d(in_channels, hidden_dim, kernel_size=patch_size, stride=patch_size)
        seq_length = (image_size // patch_size) ** 2 + 1
        self.class_token = Parameter(zeros(1, 1, hidden_dim))
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout)
        self.seq_length = seq_length
        heads = OrderedDict()
        if representation_size is None:
            heads["head"] = nn.Linear(hidden_dim, num_classes)
        else:
            heads["pre_logits"] = nn.Linear(hidden_dim, representation_size)
            heads["act"] = nn.Tanh()
            heads["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads)
        with no_grad():
            fan_in = self.conv_proj.in_channels * patch_size * patch_size
            init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            init.zeros_(self.conv_proj.bias)
            if representation_size is not None:
                init.trunc_normal_(self.heads.pre_logits.weight, std=math.sqrt(1 / self.heads.pre_logits.in_features))
                init.zeros_(self.heads.pre_logits.bias)
            init.zeros_(self.heads.head.weight)
            init.zeros_(self.heads.head.bias)

    def _process_input(self, x):
        n, c, h, w = x.shape
        if h != self.image_size or w != self.image_size:
            raise ValueError(f"Wrong image size: expected {self.image_size}×{self.image_size}, got {h}×{w}; build "
                             f"the model with image_size={h} (e.g. vit(image_size={h}, patch_size=...))")
        x = self.conv_proj(x)                                    # (n, hidden, h/p, w/p)
        return x.reshape(n, self.hidden_dim, -1).permute(0, 2, 1)  # (n, seq, hidden)

    def forward(self, x):
        x = self._process_input(x)
        n = x.shape[0]
        x = cat([self.class_token.expand(n, -1, -1), x], dim=1)
        x = self.encoder(x)
        return self.heads(x[:, 0])


def vit(image_size=224, patch_size=16, dim=768, depth=12, heads=12, mlp_dim=3072, num_classes=1000, *,
        in_channels=3, dropout=0.0, attention_dropout=0.0):
    """A Vision Transformer of any size (torchvision's layout; ``vit()`` alone is ViT-B/16).

    Args:
        image_size: input side. patch_size: patch side. dim: token width. depth: encoder blocks.
        heads: attention heads. mlp_dim: MLP width. num_classes: outputs.
        in_channels: image channels. dropout, attention_dropout: rates (0).

    Example:
        >>> vit(8, 4, 16, 1, 2, 32, 10, in_channels=1)(deepglass.randn(2, 1, 8, 8)).shape
        (2, 10)
    """
    return VisionTransformer(image_size, patch_size, depth, heads, dim, mlp_dim, dropout=dropout,
                             attention_dropout=attention_dropout, num_classes=num_classes, in_channels=in_channels)


def vit_b_16(num_classes=1000, image_size=224, in_channels=3, **kwargs):
    """ViT-B/16: 12 blocks, width 768, 12 heads, MLP 3072; 86,567,656 parameters at 224×224, 1000 classes."""
    return VisionTransformer(image_size, 16, 12, 12, 768, 3072, num_classes=num_classes, in_channels=in_channels,
                             **kwargs)
