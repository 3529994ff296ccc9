"""Every zoo model: parameter counts, shape-only pass, receptive field theory = autograd measurement."""
import pytest

from deepglass import models
from deepglass.analysis import empirical_receptive_field, receptive_field, summary

SHAPES = {"lenet5": (1, 1, 28, 28), "digits_cnn": (1, 1, 8, 8), "cifar_net": (1, 3, 32, 32),
          "vit": (1, 3, 224, 224), "vit_b_16": (1, 3, 224, 224)}
NAMES = [n for n in models.list_models() if n != "mlp"]  # the tabular MLP has no image input


def _build(name, **kw):
    try:
        return models.get_model(name, num_classes=10, **kw).eval()   # small heads: faster to build
    except TypeError:
        return models.get_model(name, **kw).eval()


def _variants():
    out = [(n, {}) for n in NAMES]
    out += [("resnet18", {"attention": "se"}), ("resnet18", {"attention": "cbam"})]
    return out


@pytest.mark.parametrize("name,kw", _variants(), ids=lambda v: v if isinstance(v, str) else str(v.get("attention", "")))
def test_zoo_model(name, kw):
    model = _build(name, **kw)
    shape = SHAPES.get(name, (1, 3, 96, 96))
    s = summary(model, shape)
    assert s.mode == "meta", s.note
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert s.macs > 0
    assert s.output_shape == (1, 10)
    rows = receptive_field(model, shape, leaves_only=True)
    finite = [r for r in rows if r.size is not None]
    assert finite and all(r.aligned for r in finite)
    layer = finite[-1].name
    n = shape[-1]
    try:
        while receptive_field(model, shape[:2] + (n, n))[layer].clipped:
            n += 32
    except ValueError:  # a fixed-size model (flatten → linear): compare the clipped region instead
        n = shape[-1]
    r = receptive_field(model, shape[:2] + (n, n))[layer]
    size, region = empirical_receptive_field(model, shape[:2] + (n, n), layer=layer)
    assert region == r.region, (layer, n)
    assert size == (r.visible if r.clipped else r.size), (layer, n)


def test_zoo_torchvision_macs():
    assert summary(_build("resnet34"), (1, 3, 224, 224)).macs == 3_663_761_408 - 512 * 990
    assert summary(_build("vit_b_16"), (1, 3, 224, 224)).macs == 17_563_828_224 - 768 * 990
