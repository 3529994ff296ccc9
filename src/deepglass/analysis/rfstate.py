"""Receptive-field state carried by every traced tensor, and the recurrence that moves it.

For one spatial axis a unit of a feature map is described by

* ``r``     the receptive-field size (input pixels, not capped by the image),
* ``j``     the jump: the distance in input pixels between two neighbouring units (effective stride),
* ``start`` the centre of the first unit, in input pixel coordinates (pixel centres at 0, 1, ...).

A conv or pooling window (kernel k, stride s, padding p, dilation d) moves them by::

    k_eff = d(k − 1) + 1
    r     ← r + (k_eff − 1)·j
    start ← start + ((k_eff − 1)/2 − p)·j
    j     ← j·s

The effective padding is ``P = (r − 1)/2 − start`` (= Σ p_l·j_(l−1)). Where branches join
(a residual add, a concatenation) the joined field is the union of the branches' fields:
``r = max`` when the branches are aligned (same jump and same start), otherwise the union
and the state is flagged ``aligned=False``. ``WHOLE`` marks a unit that sees the whole
input (after global pooling, a linear layer on flattened maps, attention over tokens).
"""
from __future__ import annotations

from dataclasses import dataclass

WHOLE = "whole"


@dataclass(frozen=True)
class RF:
    r: tuple
    j: tuple
    start: tuple
    aligned: bool = True
    exact: bool = True

    @classmethod
    def identity(cls, nd: int) -> RF:
        return cls((1.0,) * nd, (1.0,) * nd, (0.0,) * nd)

    @property
    def nd(self) -> int:
        return len(self.r)

    @property
    def padding(self) -> tuple:
        return tuple((r - 1) / 2 - s for r, s in zip(self.r, self.start))

    def window(self, k, s, p, d, exact=True) -> RF:
        r, j, st = [], [], []
        for i in range(self.nd):
            ke = d[i] * (k[i] - 1) + 1
            r.append(self.r[i] + (ke - 1) * self.j[i])
            st.append(self.start[i] + ((ke - 1) / 2 - p[i]) * self.j[i])
            j.append(self.j[i] * s[i])
        return RF(tuple(r), tuple(j), tuple(st), self.aligned, self.exact and exact)

    def transposed(self, k, s, p, d) -> RF:
        """Approximation: an output unit of a transposed conv sees ⌈k_eff/s⌉ input units."""
        r, j, st = [], [], []
        for i in range(self.nd):
            ke = d[i] * (k[i] - 1) + 1
            n_in = -(-ke // s[i])
            r.append(self.r[i] + (n_in - 1) * self.j[i])
            j.append(self.j[i] / s[i])
            st.append(self.start[i] - p[i] * self.j[i] / s[i] + (n_in - 1) * self.j[i] / 2)
        return RF(tuple(r), tuple(j), tuple(st), self.aligned, False)

    def upsample(self, scale) -> RF:
        j = tuple(jj / f for jj, f in zip(self.j, scale))
        st = tuple(s0 - (jj - jn) / 2 for s0, jj, jn in zip(self.start, self.j, j))
        return RF(self.r, j, st, self.aligned, False)


def join(states):
    """The union of several branches' fields (ignoring inputs that do not depend on the image)."""
    states = [s for s in states if s is not None]
    if not states:
        return None
    if any(s is WHOLE for s in states):
        return WHOLE
    first = states[0]
    if len(states) == 1:
        return first
    if any(s.nd != first.nd for s in states):
        return WHOLE
    r, j, st = [], [], []
    aligned = all(s.aligned for s in states)
    exact = all(s.exact for s in states)
    for i in range(first.nd):
        lo = min(s.start[i] - (s.r[i] - 1) / 2 for s in states)
        hi = max(s.start[i] + (s.r[i] - 1) / 2 for s in states)
        jumps = {s.j[i] for s in states}
        starts = {s.start[i] for s in states}
        if len(jumps) > 1 or len(starts) > 1:
            aligned = False
        r.append(hi - lo + 1)
        st.append((lo + hi) / 2)
        j.append(max(jumps))
    return RF(tuple(r), tuple(j), tuple(st), aligned, exact)


def apply_leaf(effect: tuple, state, out_ndim: int):
    """Move ``state`` through a leaf layer whose rule reported ``effect``."""
    if state is None:
        return None
    if state is WHOLE:
        return WHOLE
    kind = effect[0]
    if kind == "whole":
        return WHOLE
    if out_ndim != state.nd + 2:
        return WHOLE
    if kind == "keep":
        return state
    if kind == "window":
        k, s, p, d = effect[1:5]
        if len(k) != state.nd:
            return WHOLE
        exact = len(effect) < 6 or effect[5] == "exact"
        return state.window(k, s, p, d, exact)
    if kind == "transposed":
        return state.transposed(*effect[1:5])
    if kind == "upsample":
        return state.upsample(effect[1])
    return WHOLE


def as_number(v):
    """An integral float as an int (for display and comparisons)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def squeeze(t):
    """A per-axis tuple as one number when every axis agrees."""
    t = tuple(as_number(x) for x in t)
    return t[0] if len(set(t)) == 1 else t
