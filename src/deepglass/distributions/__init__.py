"""``deepglass.distributions``: probability distributions with PyTorch's ``torch.distributions`` API.

One file per family, all built on deepglass ops, so ``log_prob``, ``entropy``,
``kl_divergence`` and ``rsample`` are differentiable w.r.t. the parameters.

==================  ===========  ========================================================
family              rsample      notes
==================  ===========  ========================================================
Normal              yes          x = μ + σε
Uniform             yes          x = low + u (high − low)
MultivariateNormal  yes          x = μ + Lε; covariance, precision or scale_tril
Gamma               yes          implicit reparameterisation (gradient through the CDF)
Beta, Dirichlet     yes          normalised Gamma draws (implicit reparameterisation)
Bernoulli           no           probs or logits
Categorical         no           probs or logits
Independent         as its base  batch dims reinterpreted as event dims
==================  ===========  ========================================================

Random numbers come from deepglass's generator: ``deepglass.manual_seed`` repeats them
(the values differ from PyTorch's, whose generator is another algorithm).

Example:
    >>> import deepglass as dg
    >>> from deepglass.distributions import Normal, kl_divergence
    >>> mu = dg.tensor(0.5, requires_grad=True)
    >>> kl = kl_divergence(Normal(mu, dg.tensor(1.0)), Normal(dg.tensor(0.0), dg.tensor(1.0)))
    >>> kl.backward(); mu.grad
    tensor(0.5000)
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Gamma", "Independent", "MultivariateNormal", "Normal",
    "Uniform", "constraints", "kl_divergence", "register_kl",
]
