"""Property test: any nested checkpoint of supported values round-trips exactly through save/load."""
import io
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import deepglass as dg

keys = st.one_of(st.text(max_size=8), st.integers(-10**20, 10**20), st.booleans(), st.none(),
                 st.floats(allow_nan=False))
leaves = st.one_of(st.none(), st.booleans(), st.integers(-2**300, 2**300), st.floats(), st.text(max_size=10),
                   st.builds(lambda s, k: dg.tensor(np.random.default_rng(k).standard_normal(s).astype(np.float32)),
                             st.lists(st.integers(0, 3), max_size=3), st.integers(0, 99)))
trees = st.recursive(leaves, lambda c: st.one_of(st.lists(c, max_size=4), st.tuples(c, c),
                                                 st.dictionaries(keys, c, max_size=4)), max_leaves=12)


def _eq(a, b):
    if isinstance(a, dg.Tensor):
        return isinstance(b, dg.Tensor) and a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())
    if isinstance(a, float):
        return isinstance(b, float) and (math.isnan(a) and math.isnan(b) or a == b)
    if isinstance(a, dict):
        return (type(b) is dict and [(type(k), k) for k in a] == [(type(k), k) for k in b]
                and all(_eq(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=60, deadline=None)
@given(trees)
def test_round_trip(tree):
    buf = io.BytesIO()
    dg.save({"x": tree}, buf)
    buf.seek(0)
    assert _eq({"x": tree}, dg.load(buf))
