"""Transforms: values computed by hand with NumPy (torchvision isn't installed); Resize vs F.interpolate."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import deepglass as dg
from deepglass.data import transforms as T


def test_to_tensor_arrays_and_pil():
    img = np.random.randint(0, 256, (5, 4, 3), dtype=np.uint8)
    t = T.ToTensor()(img)
    assert t.shape == (3, 5, 4) and t.dtype == np.float32
    np.testing.assert_allclose(t.numpy(), img.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    gray = T.ToTensor()(img[:, :, 0])
    assert gray.shape == (1, 5, 4)
    np.testing.assert_allclose(T.ToTensor()(Image.fromarray(img)).numpy(), t.numpy())
    np.testing.assert_allclose(T.ToTensor()(Image.fromarray(img[:, :, 0])).numpy(), gray.numpy())
    f = np.random.rand(2, 3, 1).astype(np.float32)  # non-uint8: transposed, not scaled (torchvision)
    np.testing.assert_array_equal(T.ToTensor()(f).numpy(), f.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="PIL Image or a NumPy array"):
        T.ToTensor()([1, 2])


def test_normalize_by_hand_and_errors():
    x = dg.rand(3, 4, 5)
    mean, std = (0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261)
    out = T.Normalize(mean, std)(x)
    want = (x.numpy() - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
    assert not np.array_equal(out.numpy(), x.numpy())
    y = x.clone() if hasattr(x, "clone") else dg.tensor(x.numpy())
    assert T.Normalize(mean, std, inplace=True)(y) is y
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6)
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0,), (0,))(dg.rand(1, 2, 2))
    with pytest.raises(TypeError, match="ToTensor"):
        T.Normalize((0,), (1,))(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0,), (1,))(dg.zeros(1, 2, 2, dtype="uint8"))


def _windows(padded, th, tw):
    h, w = padded.shape[:2]
    return [padded[i:i + th, j:j + tw] for i in range(h - th + 1) for j in range(w - tw + 1)]


def test_random_crop_padding_is_a_window_and_seeded():
    img = np.arange(6 * 7 * 3, dtype=np.uint8).reshape(6, 7, 3)
    padded = np.pad(img, ((2, 2), (2, 2), (0, 0)))
    crop = T.RandomCrop((6, 7), padding=2)
    outs = []
    for _ in range(20):
        out = crop(img)
        assert out.shape == (6, 7, 3) and any(np.array_equal(out, w) for w in _windows(padded, 6, 7))
        outs.append(out)
    assert len({o.tobytes() for o in outs}) > 1
    dg.manual_seed(3)
    a = crop(img)
    dg.manual_seed(3)
    assert np.array_equal(crop(img), a)
    t = dg.tensor(img.transpose(2, 0, 1))  # tensors crop the last two dims
    tc = T.RandomCrop(4, padding=(1, 2), padding_mode="reflect")(t)
    assert tc.shape == (3, 4, 4)
    pil = T.RandomCrop(4, padding=1)(Image.fromarray(img))
    assert pil.size == (4, 4)
    with pytest.raises(ValueError, match="larger than input image"):
        T.RandomCrop(10)(img)
    assert T.RandomCrop(10, pad_if_needed=True)(img).shape == (10, 10, 3)


def test_flips():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(img), img[:, ::-1])
    assert np.array_equal(T.RandomHorizontalFlip(0.0)(img), img)
    assert np.array_equal(T.RandomVerticalFlip(1.0)(img), img[::-1])
    t = dg.tensor(img[None])
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(t).numpy(), img[None, :, ::-1])
    pil = T.RandomHorizontalFlip(1.0)(Image.fromarray(img))
    assert np.array_equal(np.asarray(pil), img[:, ::-1])
    dg.manual_seed(0)
    flips = [np.array_equal(T.RandomHorizontalFlip()(img), img) for _ in range(200)]
    assert 60 < sum(flips) < 140


@pytest.mark.parametrize("size,mode", [((7, 5), "bilinear"), ((12, 16), "bilinear"), ((3, 9), "nearest"),
                                       ((10, 10), "nearest")])
def test_resize_tensor_matches_interpolate(size, mode):
    x = np.random.rand(2, 6, 8).astype(np.float32)
    ours = T.Resize(size, interpolation=mode)(dg.tensor(x)).numpy()
    kw = {"align_corners": False} if mode == "bilinear" else {}
    ref = F.interpolate(torch.from_numpy(x)[None], size=size, mode=mode, **kw)[0].numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_resize_short_edge_and_kinds():
    img = np.zeros((20, 40, 3), np.uint8)
    assert T.Resize(10)(img).shape == (10, 20, 3) and T.Resize(10)(img).dtype == np.uint8
    assert T.Resize(10)(Image.fromarray(img)).size == (20, 10)
    assert T.Resize((5, 6))(dg.zeros(3, 20, 40)).shape == (3, 5, 6)


def test_center_crop_and_lambda_compose():
    img = np.arange(25).reshape(5, 5)
    assert np.array_equal(T.CenterCrop(3)(img), img[1:4, 1:4])
    assert np.array_equal(T.CenterCrop((2, 4))(img), img[2:4, 0:4])  # round((5-2)/2)=2 (banker's), as torchvision
    big = T.CenterCrop(7)(img)
    assert big.shape == (7, 7) and big[0].sum() == 0 and np.array_equal(big[1:6, 1:6], img)
    t = T.CenterCrop(2)(dg.tensor(img[None].astype(np.float32)))
    assert t.shape == (1, 2, 2)
    pipeline = T.Compose([T.CenterCrop(4), T.ToTensor(), T.Lambda(lambda x: x * 2)])
    out = pipeline(np.full((6, 6, 1), 255, np.uint8))
    assert out.shape == (1, 4, 4) and float(out.numpy().max()) == 2.0
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
