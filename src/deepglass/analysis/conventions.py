"""Other tools' counting rules, so a total can be compared with a number from a paper.

fvcore, thop, ptflops and torchinfo all report multiply-accumulates (they call
them FLOPs or Mult-Adds) but disagree on what else they add. Each function below
reproduces one tool's rules from the traced calls (class names are matched as the
tools match PyTorch's classes):

fvcore (``FlopCountAnalysis(model, x).total()``, one "flop" = one MAC):
    conv and transposed conv MACs (no bias), linear/matmul/bmm MACs (no bias),
    batch norm: eval 1·E (2·E with affine), training 4·E (5·E with affine); layer/group/
    instance norm 4·E (5·E with affine); adaptive_avg_pool2d: input elements;
    upsample nearest2d: output elements, bilinear2d: 4 × output; everything else 0
    (ReLU, adds, max/avg pooling, softmax, scaled_dot_product_attention).
thop (``profile(model, (x,))[0]``, exact classes only):
    conv and transposed conv: output elements × C_in/groups × ∏k (no bias); linear:
    in_features × output elements; BatchNorm/LayerNorm/InstanceNorm: 2·E, ×2 with affine;
    AvgPool: output elements; AdaptiveAvgPool: (∏(in/out) + 1) × output elements;
    Softmax: (3n − 1) per row of n; PReLU (eval): E; Upsample: nearest 0, linear 5,
    bilinear 11, bicubic 259, trilinear 31 per output element; the rest 0 (ReLU, ReLU6,
    LeakyReLU, max pooling, dropout, GroupNorm, functional ops).
ptflops (``get_model_complexity_info(model, (C, H, W))[0]``, pytorch backend, per image):
    conv MACs plus bias (one per output element); transposed conv counts over the
    input pixels; linear (in·out + out)·∏(leading dims); ReLU/PReLU/ELU/LeakyReLU/ReLU6/
    GELU: E; all pools: input elements; BN/InstanceNorm/GroupNorm: E, 2·E when the module has
    ``affine=True`` (LayerNorm has no ``affine`` attribute: E); Upsample: output elements;
    MultiheadAttention: ptflops' formula. With its default ``count_functional=True`` the
    functionals that these modules call are counted a second time (F.relu, F.elu, F.prelu,
    F.gelu, F.silu, F.softmax, the pooling functionals, F.interpolate), as are matmuls
    in the model's own forward.
torchinfo (``summary(model, input_size)``):
    Mult-Adds per leaf layer: for a Conv, (weight + bias elements) × N·∏(output spatial);
    for other layers, N × (weight + bias elements) — so batch norm counts N·2C and a
    linear layer on (N, T, F) counts N (not N·T) × (in·out + out); forward/backward pass
    size = 2 × output bytes of the leaf layers that have parameters; sizes in decimal
    MB (10⁶ bytes); params size = parameter bytes.
"""
from __future__ import annotations

from .rules import prod

CONVENTIONS = ("deepglass", "fvcore", "thop", "ptflops", "torchinfo")


def _leaves(tracer):
    return [c for c in tracer.calls if c.is_leaf and c.out_shape is not None]


def _in(c):
    return c.in_shapes[0] if c.in_shapes else c.out_shape


def _all_ops(tracer):
    for c in tracer.calls:
        yield from c.ops
    yield from tracer.root_ops


def _tname(c):
    return type(c.module).__name__


def _is_conv(name):
    return name in ("Conv1d", "Conv2d", "Conv3d")


def _is_convt(name):
    return name in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")


def _affine(m):
    return bool(getattr(m, "affine", False) or getattr(m, "elementwise_affine", False))


# --------------------------------------------------------------------- fvcore
def fvcore(tracer) -> dict:
    total = 0
    for c in _leaves(tracer):
        n, m, E = _tname(c), c.module, prod(c.out_shape)
        if _is_conv(n) or _is_convt(n) or n in ("Linear", "NonDynamicallyQuantizableLinear"):
            total += c.info.macs if c.info is not None else 0
        elif n.startswith("BatchNorm") or n == "SyncBatchNorm":
            aff = getattr(m, "weight", None) is not None
            total += E * ((5 if aff else 4) if m.training else (2 if aff else 1))
        elif n in ("LayerNorm", "GroupNorm") or n.startswith("InstanceNorm"):
            aff = getattr(m, "weight", None) is not None
            total += E * (5 if aff else 4)
        elif n == "AdaptiveAvgPool2d":
            total += prod(_in(c))
        elif n in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d") and len(c.out_shape) == 4:
            mode = getattr(m, "mode", "nearest")
            total += E if mode == "nearest" else 4 * E if mode == "bilinear" else 0
    for name, _ins, _out, macs, _ew in _all_ops(tracer):
        if name in ("MatMul", "Linear", "ConvNd", "Conv1dKernel", "Conv2dKernel", "Conv3dKernel"):
            total += macs
    return {"total": int(total), "unit": "MACs (fvcore calls them FLOPs)"}


# ----------------------------------------------------------------------- thop
def thop(tracer) -> dict:
    total = 0.0
    for c in _leaves(tracer):
        n, m, E = _tname(c), c.module, prod(c.out_shape)
        x = _in(c)
        if _is_conv(n) or _is_convt(n):
            total += E * (x[1] // m.groups) * prod(m.weight.shape[2:])
        elif n == "Linear":
            total += m.in_features * E
        elif n.startswith("BatchNorm") or n == "SyncBatchNorm" or n == "LayerNorm" or n.startswith("InstanceNorm"):
            total += 2 * prod(x) * (2 if _affine(m) else 1)
        elif n.startswith("AvgPool"):
            total += E
        elif n.startswith("AdaptiveAvgPool"):
            k = 1.0
            for a, b in zip(x[2:], c.out_shape[2:]):
                k *= a / b
            total += (k + 1) * E
        elif n == "Softmax":
            nf = x[m.dim] if m.dim is not None else x[-1]
            total += (prod(x) // nf) * (3 * nf - 1)
        elif n == "PReLU":  # thop profiles in eval mode, where PReLU counts E
            total += prod(x)
        elif n in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
            mode = getattr(m, "mode", "nearest")
            total += E * {"nearest": 0, "linear": 5, "bilinear": 11, "bicubic": 259, "trilinear": 31}.get(mode, 0)
    return {"total": float(total), "unit": "MACs (thop's 'ops' / 'FLOPs')"}


# -------------------------------------------------------------------- ptflops
_PT_ACT_MODULE = ("ReLU", "PReLU", "ELU", "LeakyReLU", "ReLU6", "GELU")
_PT_ACT_FUNCTIONAL = ("ReLU", "PReLU", "ELU", "GELU", "SiLU")  # modules whose forward calls a patched F.*


def _mha_ptflops(m, c):
    q = k = v = c.in_shapes[0]
    if len(c.in_shapes) >= 3:
        q, k, v = c.in_shapes[:3]
    bf = bool(getattr(m, "batch_first", False))
    b = q[0] if bf else q[1]
    li = 1 if bf else 0
    qd, kd, vd = q[2], k[2], v[2]
    ql, kl, vl = q[li], k[li], v[li]
    h = m.num_heads
    f = ql * qd + ql * qd * qd + kl * kd * kd + vl * vd * vd
    if getattr(m, "in_proj_bias", None) is not None:
        f += (ql + kl + vl) * qd
    f += h * (ql * kl * (qd // h) + ql * kl + ql * kl * (vd // h))
    f += ql * vd * (vd + 1)
    return f * b


def ptflops(tracer) -> dict:
    total = 0
    n_batch = tracer.input_size[0] if tracer.input_size else 1
    inside_mha = set()
    for c in tracer.calls:
        if type(c.module).__name__ == "MultiheadAttention" and c.in_shapes and c.out_shape is not None:
            total += _mha_ptflops(c.module, c)
            stack = [c]
            while stack:
                d = stack.pop()
                inside_mha.add(id(d))
                stack.extend(d.children)
    for c in _leaves(tracer):
        if id(c) in inside_mha:
            continue
        n, m, E = _tname(c), c.module, prod(c.out_shape)
        x = _in(c)
        N = x[0]
        if _is_conv(n) or _is_convt(n):
            k = prod(m.weight.shape[2:])
            pos = N * prod(x[2:] if _is_convt(n) else c.out_shape[2:])
            total += k * m.in_channels * (m.out_channels // m.groups) * pos
            if getattr(m, "bias", None) is not None:
                total += E
        elif n in _PT_ACT_MODULE or n in _PT_ACT_FUNCTIONAL:
            total += E * ((n in _PT_ACT_MODULE) + (n in _PT_ACT_FUNCTIONAL))
        elif "Pool" in n:
            total += 2 * prod(x)  # module hook + the pooling functional it calls
        elif n.startswith("BatchNorm") or n.startswith("InstanceNorm") or n == "GroupNorm" or n == "LayerNorm":
            total += prod(x) * (2 if getattr(m, "affine", False) else 1)
        elif n == "Linear":
            bias = c.out_shape[-1] if getattr(m, "bias", None) is not None else 0
            total += (x[-1] * c.out_shape[-1] + bias) * prod(x[:-1])
        elif n == "Upsample":
            total += 2 * E  # module hook + F.interpolate
        elif n == "Softmax":
            total += E  # F.softmax
    for name, ins, _out, _macs, _ew in _all_ops(tracer):
        if name == "MatMul" and len(ins) == 2:
            total += prod(ins[0]) * ins[1][-1]
    return {"total": int(round(total / max(n_batch, 1))), "unit": "MACs per image (ptflops' 'GMac')"}


# ------------------------------------------------------------------ torchinfo
def torchinfo(tracer, model) -> dict:
    macs, out_bytes = 0, 0
    for c in _leaves(tracer):
        m, out = c.module, c.out_shape
        n = _tname(c)
        num = 0
        for pname, p in m.named_parameters():
            cnt = prod(p.shape)
            num += cnt
            base = pname.rsplit(".", 1)[-1]
            if base in ("weight", "bias"):
                macs += cnt * prod(out[:1] + out[2:]) if "Conv" in n else out[0] * cnt
            elif "weight" in base or "bias" in base:
                macs += prod(out[:2]) * cnt
        if num > 0:
            out_bytes += 2 * prod(out) * c.out_dtype.itemsize
    params = sum(prod(p.shape) for p in model.parameters())
    param_bytes = sum(prod(p.shape) * p.dtype.itemsize for p in model.parameters())
    input_bytes = prod(tracer.input_size) * tracer.dtype.itemsize
    return {
        "total": int(macs),
        "unit": "Mult-Adds (torchinfo)",
        "total_params": int(params),
        "mult_adds_G": round(macs / 1e9, 2),
        "input_size_MB": round(input_bytes / 1e6, 2),
        "forward_backward_pass_size_MB": round(out_bytes / 1e6, 2),
        "params_size_MB": round(param_bytes / 1e6, 2),
        "estimated_total_size_MB": round((input_bytes + out_bytes + param_bytes) / 1e6, 2),
        "forward_backward_pass_bytes": int(out_bytes),
    }


def compute(name: str, tracer, model) -> dict:
    if name == "fvcore":
        return fvcore(tracer)
    if name == "thop":
        return thop(tracer)
    if name == "ptflops":
        return ptflops(tracer)
    if name == "torchinfo":
        return torchinfo(tracer, model)
    raise ValueError(f"unknown convention {name!r}; choose one of {', '.join(CONVENTIONS)}")


__all__ = ["CONVENTIONS", "compute", "fvcore", "thop", "ptflops", "torchinfo"]
