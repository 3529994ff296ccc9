"""Explanations of a prediction: where the network looked, what it weighted, how far it sees.

- :func:`grad_cam` — Grad-CAM (Selvaraju et al. 2017): the class score's gradient averaged
  over a convolution's feature map weighs its channels, α_k = (1/Z)·Σ_ij ∂y^c/∂A^k_ij, and
  L^c = ReLU(Σ_k α_k·A^k) is the class activation map, upsampled (bilinear) to the input.
- :func:`saliency` — the input gradient ∂y^c/∂x (Simonyan et al. 2013); the saliency map is
  max_c |∂y^c/∂x_c|.
- :func:`attention_rollout` — the attention maps of every ``nn.MultiheadAttention`` (heads
  averaged) and their rollout (Abnar & Zuidema 2020): R = Π_l (½A_l + ½I) (rows normalised),
  whose class-token row says how much each patch reaches the output.
- :func:`attention_gates` — what the notes' attention modules computed: SE's channel
  weights s_c, CBAM's channel gate M_c and spatial gate M_s, the spatial transformer's
  θ and warped input.
- :func:`receptive_field_box` — the receptive field of an output unit on the input
  (measured by autograd with :func:`deepglass.analysis.empirical_receptive_field`).

Every function takes the model (put it in ``eval()`` mode first) and an input of shape
``(C, H, W)`` or ``(1, C, H, W)``, and returns plain NumPy arrays in a dict.
"""
from __future__ import annotations

import numpy as np

__all__ = ["grad_cam", "saliency", "attention_rollout", "attention_gates", "receptive_field_box",
           "last_conv_layer"]


def _as_tensor(x):
    from .._tensor import Tensor, from_array

    return x if isinstance(x, Tensor) else from_array(np.asarray(x, dtype=np.float32))


def _batch1(x):
    x = _as_tensor(x)
    if x.ndim == 3:
        x = x.unsqueeze(0)
    if x.ndim < 2 or x.shape[0] != 1:
        raise ValueError(f"explanations take one input, (C, H, W) or (1, C, H, W); got shape {tuple(x.shape)}")
    return x


def _np(t):
    from ..backend import to_numpy

    return to_numpy(t._array if hasattr(t, "_array") else t)


def _logits(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def last_conv_layer(model, x) -> str:
    """The name of the last leaf module (in forward order) whose output is a 4-D feature map larger than 1×1."""
    x = _batch1(x)
    order, handles = [], []
    for name, m in model.named_modules():
        if name and not any(True for _ in m.children()):
            handles.append(m.register_forward_hook(
                lambda mod, a, out, name=name: order.append(name)
                if getattr(out, "ndim", 0) == 4 and out.shape[2] * out.shape[3] > 1 else None))
    try:
        from .. import no_grad

        with no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    if not order:
        raise ValueError("the model has no layer with a 4-D (N, C, H, W) output; Grad-CAM needs a convolutional "
                         "feature map (pass layer=... to choose one)")
    return order[-1]


def grad_cam(model, x, target: int | None = None, layer: str | None = None) -> dict:
    """Grad-CAM of the class ``target`` (default: the predicted class) at ``layer`` (default: the last feature map).

    Args:
        model: a CNN classifier returning logits ``(1, classes)``.
        x: the input, ``(C, H, W)`` or ``(1, C, H, W)``.
        target: the class index whose score y^c (the logit) is explained.
        layer: a module name (``named_modules()``); its output ``A`` is the feature map (its last call's, for a
            module called several times in one forward, as a shared ReLU).

    Returns:
        ``{"cam": L^c (h, w) at the layer's resolution, "heatmap": L^c upsampled bilinearly to (H, W) and
        divided by its maximum, "weights": α (C_layer,), "class", "score", "layer"}``.

    Example:
        >>> import deepglass
        >>> from deepglass import nn
        >>> from deepglass.insight.explain import grad_cam
        >>> _ = deepglass.manual_seed(0)
        >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        ...                     nn.Linear(4, 3)).eval()
        >>> r = grad_cam(net, deepglass.randn(1, 8, 8))
        >>> r["layer"], r["cam"].shape, r["heatmap"].shape, float(r["heatmap"].max())
        ('1', (8, 8), (8, 8), 1.0)
    """
    from .. import enable_grad
    from ..nn import functional as F

    x = _batch1(x)
    layer = layer or last_conv_layer(model, x)
    module = model.get_submodule(layer)
    calls, grads = [], {}

    def hook(m, args, out):  # a module called several times (a shared ReLU): the last call is the feature map
        calls.append(out)
        if out.requires_grad:
            out.register_hook(_keep_grad(grads, len(calls) - 1))
        return None

    handle = module.register_forward_hook(hook)
    try:
        with enable_grad():
            logits = _logits(model(x))
    finally:
        handle.remove()
    if not calls:
        raise RuntimeError(f"layer {layer!r} was not called by the model's forward")
    target = int(_np(logits)[0].argmax()) if target is None else int(target)
    score = logits[0, target]
    if not score.requires_grad:
        raise RuntimeError("the class score does not require grad: the model has no trainable parameter before "
                           f"{layer!r} and the input does not require grad; call requires_grad_() on the input")
    score.backward()
    A = _np(calls[-1])[0].astype(np.float64)
    if len(calls) - 1 not in grads:
        raise RuntimeError(f"no gradient reached layer {layer!r} from the class score")
    dA = _np(grads[len(calls) - 1])[0].astype(np.float64)
    alpha = dA.reshape(dA.shape[0], -1).mean(axis=1)
    cam = np.maximum((alpha[:, None, None] * A).sum(axis=0), 0.0)
    from .._tensor import from_array

    up = F.interpolate(from_array(cam[None, None]), size=tuple(x.shape[2:]), mode="bilinear", align_corners=False)
    heat = _np(up)[0, 0]
    peak = heat.max()
    heatmap = heat / peak if peak > 0 else heat
    return {"cam": cam, "heatmap": heatmap, "weights": alpha, "class": target, "score": float(_np(score)),
            "layer": layer}


def _keep_grad(store: dict, key):
    def hook(g):
        store.setdefault(key, g)
        return None
    return hook


def saliency(model, x, target: int | None = None) -> dict:
    """Input-gradient saliency: ``{"gradient": ∂y^c/∂x (C, H, W), the batch axis dropped, "saliency": max_c |∂y^c/∂x| (H, W), "class",
    "score"}`` for the class ``target`` (default: the predicted one).

    Example:
        >>> import deepglass
        >>> from deepglass import nn
        >>> from deepglass.insight.explain import saliency
        >>> net = nn.Linear(3, 2)
        >>> with deepglass.no_grad():
        ...     _ = net.weight.copy_(deepglass.tensor([[1., -2., 0.], [0., 0., 0.]]))
        >>> saliency(net, deepglass.ones(1, 3), target=0)["gradient"]
        array([ 1., -2.,  0.], dtype=float32)
    """
    from .. import enable_grad

    x = _batch1(x).detach().requires_grad_()
    with enable_grad():
        logits = _logits(model(x))
    target = int(_np(logits)[0].argmax()) if target is None else int(target)
    score = logits[0, target]
    score.backward()
    g = _np(x.grad)[0]
    sal = np.abs(g).max(axis=0) if g.ndim >= 2 else np.abs(g)
    return {"gradient": g, "saliency": sal, "class": target, "score": float(_np(score))}


def attention_rollout(model, x, head_fusion: str = "mean") -> dict:
    """Attention maps of every ``nn.MultiheadAttention`` in ``model`` and their rollout.

    ``x`` is the input as the model takes it, with a batch of one (``(1, C, H, W)`` for a ViT,
    ``(1, L, E)`` for a batch-first Transformer). Each attention's weights are taken with ``need_weights=True`` (heads averaged with
    ``head_fusion="mean"``, or the maximum over heads with ``"max"``) whatever the model asked for.

    Returns:
        ``{"layers": [names], "maps": [A_l (L, S)], "rollout": R (L, L), "cls": R[0, 1:] (the class token's
        row without itself), "grid": that row as a square (h, w) map when the patches form a square}``.

    Example:
        >>> import deepglass
        >>> from deepglass.models import vit
        >>> from deepglass.insight.explain import attention_rollout
        >>> net = vit(16, 4, 16, 2, 2, 32, 3).eval()       # 16×16 images, 4×4 patches, 2 blocks
        >>> r = attention_rollout(net, deepglass.randn(1, 3, 16, 16))
        >>> len(r["maps"]), r["rollout"].shape, r["grid"].shape
        (2, (17, 17), (4, 4))
    """
    from .. import no_grad
    from ..nn import MultiheadAttention

    if head_fusion not in ("mean", "max"):
        raise ValueError(f"head_fusion must be 'mean' or 'max', got {head_fusion!r}")
    x = _as_tensor(x)
    names, maps, wrapped = [], [], []

    def wrap(name, m):
        cls_forward = type(m).forward

        def forward(*args, **kwargs):
            kwargs.update(need_weights=True, average_attn_weights=False)
            out, w = cls_forward(m, *args, **kwargs)
            ww = _np(w)[0].astype(np.float64)          # (heads, L, S)
            names.append(name)
            maps.append(ww.mean(axis=0) if head_fusion == "mean" else ww.max(axis=0))
            return out, w
        object.__setattr__(m, "forward", forward)
        wrapped.append(m)

    try:
        for name, m in model.named_modules():
            if isinstance(m, MultiheadAttention):
                wrap(name, m)
        if not wrapped:
            raise ValueError("the model has no nn.MultiheadAttention; attention maps need a Transformer/ViT")
        with no_grad():
            model(x)
    finally:
        for m in wrapped:
            m.__dict__.pop("forward", None)
    n = maps[0].shape[-1]
    rollout = np.eye(n)
    for a in maps:
        if a.shape != (n, n):
            raise ValueError(f"attention rollout needs self-attention maps of one size; got {a.shape} after {n}×{n}")
        a = 0.5 * a + 0.5 * np.eye(n)
        a = a / a.sum(axis=-1, keepdims=True)
        rollout = a @ rollout
    cls_row = rollout[0, 1:]
    side = int(round(np.sqrt(cls_row.size)))
    grid = cls_row.reshape(side, side) if side * side == cls_row.size else None
    return {"layers": names, "maps": maps, "rollout": rollout, "cls": cls_row, "grid": grid}


def attention_gates(model, x) -> dict:
    """What the attention modules of ``model`` computed for ``x``, by module name.

    Returns:
        ``{name: {"kind": "se", "channel": s (C,)}``, ``{"kind": "cbam", "channel": M_c (C,), "spatial": M_s (h, w)}``,
        ``{"kind": "stn", "theta": θ (2, 3), "warped": the resampled input (C, h, w)}`` ...}.
    """
    from .. import no_grad
    from ..nn import CBAM, SpatialTransformer, SqueezeExcitation

    x = _batch1(x)
    found, handles = {}, []

    def keep(name, key, fn=lambda out: _np(out)[0]):
        return lambda m, args, out: found[name].__setitem__(key, fn(out)) if key not in found[name] else None

    for name, m in model.named_modules():
        if isinstance(m, SqueezeExcitation):
            found[name] = {"kind": "se"}
            handles.append(m.scale_activation.register_forward_hook(keep(name, "channel",
                                                                         lambda o: _np(o)[0].reshape(-1))))
        elif isinstance(m, CBAM):
            found[name] = {"kind": "cbam"}
            handles.append(m.channel_attention.register_forward_hook(keep(name, "channel",
                                                                          lambda o: _np(o)[0].reshape(-1))))
            handles.append(m.spatial_attention.register_forward_hook(keep(name, "spatial", lambda o: _np(o)[0, 0])))
        elif isinstance(m, SpatialTransformer):
            found[name] = {"kind": "stn"}
            handles.append(m.register_forward_hook(keep(name, "warped")))
            handles.append(m.register_forward_pre_hook(_theta_hook(found[name])))
    if not found:
        raise ValueError("the model has no SqueezeExcitation, CBAM or SpatialTransformer module")
    try:
        with no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return found


def _theta_hook(slot: dict):
    def hook(module, args):
        slot.setdefault("theta", _np(module.theta(args[0]))[0])
        return None
    return hook


def receptive_field_box(model, x, layer: str | None = None) -> dict:
    """The receptive field of the centre unit of ``layer`` (default: the deepest one with a finite field).

    Measured with autograd on a linearised copy (:func:`deepglass.analysis.empirical_receptive_field`).

    Returns:
        ``{"size": extent per axis, "region": ((y0, y1), (x0, x1)) inclusive, "layer"}``.
    """
    from ..analysis import empirical_receptive_field
    from ..analysis.receptive_field import _last_spatial_layer

    x = _batch1(x)
    shape = tuple(x.shape)
    layer = layer or _last_spatial_layer(model, shape)
    size, region = empirical_receptive_field(model, shape, layer)
    if region is None:
        raise RuntimeError(f"no gradient from layer {layer!r} reaches the input")
    return {"size": size, "region": tuple(tuple(int(v) for v in r) for r in region), "layer": layer}
