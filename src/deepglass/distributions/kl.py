"""``kl_divergence(p, q)``: KL(p ‖ q) = E_p[log p(x) − log q(x)] in closed form, and ``register_kl``.

Implemented pairs (same family), as PyTorch writes them:

- Normal:     ½ (σ_p²/σ_q² + (μ_p − μ_q)²/σ_q² − 1 − log(σ_p²/σ_q²))
- Uniform:    log((b_q − a_q) / (b_p − a_p)), +∞ unless [a_p, b_p] ⊆ [a_q, b_q]
- Bernoulli:  p log(p/q) + (1 − p) log((1 − p)/(1 − q)) (via softplus of the logits)
- Categorical: Σ_k p_k (log p_k − log q_k)
- MultivariateNormal: Σ log L_q,ii − Σ log L_p,ii + ½ (‖L_q⁻¹ L_p‖_F² + ‖L_q⁻¹(μ_q − μ_p)‖² − k)
- Gamma, Beta, Dirichlet: through log Γ and ψ (digamma)
- Independent: the base pair's KL summed over the reinterpreted dims

Across families (the pairs PyTorch has among these): KL(p ‖ q) = −H(p) − E_p[log q(x)], with
E_p[log q] in closed form (Beta or Gamma or Uniform against Normal, Gamma or Uniform), and +∞
where p's support is not inside q's (Normal against Beta/Gamma/Uniform, Gamma against Beta/Uniform).
"""
from __future__ import annotations

import math

from ..creation import full_like
from ..ops.activation import softplus
from ..ops.elementwise import where
from ..ops.special import digamma, lgamma
from ._primitives import solve
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .gamma import Gamma, _xlogy
from .independent import Independent, _sum_rightmost
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis, _half_log_det
from .normal import Normal
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY: dict = {}


def register_kl(type_p, type_q):
    """Decorator: register ``fn(p, q)`` as KL(p ‖ q) for ``p`` of ``type_p`` and ``q`` of ``type_q``.

    Example:
        >>> from deepglass.distributions import Distribution
        >>> class Point(Distribution):
        ...     arg_constraints = {}
        >>> @register_kl(Point, Point)
        ... def _kl_point(p, q):
        ...     return deepglass.tensor(0.0)
        >>> kl_divergence(Point(), Point())
        tensor(0.)
    """

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _dispatch(type_p, type_q):
    """The registered function for the most specific (p, q) pair of base classes."""
    best, best_rank = None, None
    for i, sp in enumerate(type_p.__mro__):
        for j, sq in enumerate(type_q.__mro__):
            fn = _KL_REGISTRY.get((sp, sq))
            if fn is not None and (best_rank is None or i + j < best_rank):
                best, best_rank = fn, i + j
    return best


def kl_divergence(p, q):
    """KL(p ‖ q), one value per batch element (shape: the broadcast batch shape).

    Raises:
        NotImplementedError: when no closed form is registered for the pair.

    Example:
        >>> p = Normal(deepglass.tensor(0.0), deepglass.tensor(1.0))
        >>> q = Normal(deepglass.tensor(1.0), deepglass.tensor(2.0))
        >>> kl_divergence(p, q)
        tensor(0.4431)
    """
    fn = _dispatch(type(p), type(q))
    if fn is None:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p of type {type(p).__name__} and q of type {type(q).__name__}; "
            "register one with deepglass.distributions.register_kl"
        )
    return fn(p, q)


def _inf_where(cond, x):
    return where(cond, float("inf"), x)


def _zero_where(cond, x):
    return where(cond, 0.0, x)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).square()
    t1 = ((p.loc - q.loc) / q.scale).square()
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where((q.low > p.low) | (q.high < p.high), result)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = _zero_where(p.probs == 0, _inf_where(q.probs == 0, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = _zero_where(p.probs == 1, _inf_where(q.probs == 1, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = _inf_where((q.probs == 0).expand_as(t), t)
    t = _zero_where((p.probs == 0).expand_as(t), t)
    return t.sum(-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes cannot be computed"
        )
    Lp, Lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = _half_log_det(Lq) - _half_log_det(Lp)
    term2 = solve(Lq, Lp, lower=True).square().sum((-2, -1))
    term3 = _batch_mahalanobis(Lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - p.event_shape[0])


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = lgamma(q.concentration) - lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    t1 = lgamma(q.concentration1) + lgamma(q.concentration0) + lgamma(sum_p)
    t2 = lgamma(p.concentration1) + lgamma(p.concentration0) + lgamma(sum_q)
    t3 = (p.concentration1 - q.concentration1) * digamma(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * digamma(p.concentration0)
    t5 = (sum_q - sum_p) * digamma(sum_p)
    return t1 - t2 + t3 + t4 + t5


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    sum_p = p.concentration.sum(-1)
    sum_q = q.concentration.sum(-1)
    t1 = lgamma(sum_p) - lgamma(sum_q)
    t2 = (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = digamma(p.concentration) - digamma(sum_p).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


# ------------------------------------------------------------------ across families


def _infinite_like(t):
    return full_like(t.detach(), float("inf"))


def _x_log_x(t):
    return _xlogy(t, t)


@register_kl(Normal, Beta)
@register_kl(Normal, Gamma)
@register_kl(Normal, Uniform)
def _kl_normal_infinity(p, q):
    return _infinite_like(p.loc)


@register_kl(Gamma, Beta)
@register_kl(Gamma, Uniform)
def _kl_gamma_infinity(p, q):
    return _infinite_like(p.concentration)


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    # E_p[log x] = ψ(a) − ψ(a + b), E_p[x] = a / (a + b)
    total = p.concentration1 + p.concentration0
    e_log_x = digamma(p.concentration1) - digamma(total)
    e_x = p.concentration1 / total
    neg_e_log_q = lgamma(q.concentration) - q.concentration * q.rate.log() - (q.concentration - 1) * e_log_x \
        + q.rate * e_x
    return -p.entropy() + neg_e_log_q


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    # E_p[(x − μ)²] = Var + (E x − μ)², with E x = a/(a+b), Var = E x (1 − E x)/(a + b + 1)
    total = p.concentration1 + p.concentration0
    e_x = p.concentration1 / total
    e_x2 = e_x * (1 - e_x) / (total + 1) + e_x.square()
    var = q.scale.square()
    return -p.entropy() + 0.5 * (2 * math.pi * var).log() + (0.5 * e_x2 - q.loc * e_x + 0.5 * q.loc.square()) / var


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return _inf_where((q.low > 0.0) | (q.high < 1.0), result)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    # E_p[x] = α/β, E_p[x²] = (α² + α)/β², H(p) = α − log β + log Γ(α) + (1 − α) ψ(α)
    a, b = p.concentration, p.rate
    var = q.scale.square()
    t1 = 0.5 * (b.square() * var * 2 * math.pi).log() - a - lgamma(a)
    t2 = 0.5 * (a.square() + a) / b.square() - q.loc * a / b + 0.5 * q.loc.square()
    return t1 + (a - 1) * digamma(a) + t2 / var


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    t1 = (math.sqrt(2 * math.pi) * q.scale / width).log()
    e_sq = width.square() / 12 + ((p.high + p.low - 2 * q.loc) / 2).square()  # E_p[(x − μ)²]
    return t1 + 0.5 * e_sq / q.scale.square()


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    # E_p[log x] = (h log h − l log l − (h − l)) / (h − l) on [l, h] ⊂ (0, ∞)
    width = p.high - p.low
    e_log_x = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    a = q.concentration
    result = -width.log() + lgamma(a) - a * q.rate.log() + (1 - a) * e_log_x + q.rate * (p.high + p.low) / 2
    return _inf_where(p.low < 0.0, result)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    e_log_x = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    e_log_1mx = -(_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    log_beta = lgamma(q.concentration1) + lgamma(q.concentration0) - lgamma(q.concentration1 + q.concentration0)
    result = -width.log() - (q.concentration1 - 1) * e_log_x - (q.concentration0 - 1) * e_log_1mx + log_beta
    return _inf_where((p.high > 1.0) | (p.low < 0.0), result)
