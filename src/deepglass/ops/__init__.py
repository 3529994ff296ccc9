"""Every differentiable op, one file per family, and their binding to ``Tensor``.

- ``elementwise`` arithmetic, exp/log, trig, clamp, comparisons
- ``reduce``      sum, mean, max/min, var/std, logsumexp, cumsum, norms
- ``shape``       views, indexing, cat/stack/split, gather/scatter, sort/topk
- ``matrix``      triangles and diagonals (tril/triu, diagonal, diag, diag_embed)
- ``layout``      pad and the pixel/channel shuffles (nn.functional only)
- ``linalg``      matmul, linear, bilinear, einsum, trace
- ``distance``    cdist, cosine similarity, pairwise distance, normalize
- ``blas``        addmm/addmv/addr/baddbmm/addbmm, addcmul/addcdiv, tensordot, kron, cross, block_diag ...
- ``scan``        cumprod/cummax/cummin/logcumsumexp, nansum/nanmean, median/mode/kthvalue/quantile ...
- ``stats``       diff, trapezoid, cov/corrcoef, renorm, dist; histc, bincount, unique, searchsorted ...
- ``indexing``    scatter/scatter_reduce, index_add/copy/fill/put, masked_select/scatter, take(_along_dim)
- ``arrange``     movedim, roll, rot90, repeat_interleave, tensor_split, h/v/dstack, atleast_nd, meshgrid ...
- ``linalg_solve`` inv, det, slogdet, solve, cholesky, eigvalsh, matrix_power (deepglass.linalg's names)
- ``linalg_decomp``, ``linalg_lu``, ``linalg_lstsq``, ``linalg_ldl``  SVD, QR, Householder, matrix_exp; LU and
  triangular / Cholesky solves; pinv, matrix_rank, lstsq, cond, tensorinv/tensorsolve; LDLᵀ
- ``strided``     as_strided (+ copy/scatter), empty_strided, empty_permuted
- ``scatter_views``, ``copies``  select/slice/diagonal_scatter, put, index_reduce; *_copy forms, small extras
- ``special``, ``pointwise``  issue 14's unary math (tan, erf, lgamma ...) and binary math (atan2, hypot, ...)
- ``complex``     real/imag/angle, view_as_real/view_as_complex, complex/polar (complex tensors)
- ``fft``         deepglass.fft's transforms (reached as deepglass.fft.*); ``spectral``: stft/istft on top of them
- ``activation``  relu, softmax, log_softmax, ... (the notes' table)
- ``activation_more``  PyTorch's other activations (shrinkage, SELU/CELU, Mish, GLU, ...)
- ``conv``, ``conv3d``, ``conv_transpose``, ``fold``, ``pool``, ``adaptive_pool``, ``pool3d``, ``norm``, ``dropout``  layers' kernels
  (im2col convolution and its adjoint, unfold/fold, pooling, normalisation)
- ``loss``, ``cross_entropy``, ``margin_loss``  the notes' loss functions (cross-entropy fused with
  log-softmax) and PyTorch's margin, ranking and embedding losses
- ``random_draws`` normal, bernoulli, multinomial, poisson and the in-place random fills
- ``ctc``         the CTC loss (α/β recursion in log space)
- ``embedding_bag`` sums/means/maxima of bags of embedding rows
- ``fractional_pool`` fractional_max_pool2d/3d (random window starts)
- ``unpool``, ``upsample`` max_unpool1d/2d/3d; the deprecated upsample* aliases of interpolate
- ``native_norm`` torch.native_batch_norm/layer_norm/group_norm (output and statistics)
- ``mha``         multi_head_attention_forward (nn.MultiheadAttention's computation)
- ``attention``, ``sampling``  scaled dot-product attention; affine_grid / grid_sample / interpolate

Each module lists its public ops in ``__all__``; the op-registry test checks
that every one of them has a sample entry compared against PyTorch.
"""
from __future__ import annotations

import importlib as _importlib  # noqa: E402

from .._tensor import Tensor
from . import (
               activation,
               activation_more,
               adaptive_pool,
               arrange,
               attention,
               blas,
               box_loss,
               compare,
               complex,
               conv,
               conv3d,
               conv_transpose,
               copies,
               cross_entropy,
               ctc,
               distance,
               dropout,
               elementwise,
               embedding_bag,
               fold,
               fractional_pool,
               indexing,
               layout,
               linalg,
               linalg_decomp,
               linalg_lstsq,
               linalg_lu,
               linalg_solve,
               loss,
               margin_loss,
               matrix,
               mha,
               native_norm,
               pointwise,
               pool,
               pool3d,
               random_draws,
               reduce,
               sampling,
               scan,
               scatter_views,
               shape,
               special,
               spectral,
               stats,
               strided,
               tensor_methods,
               unpool,
               upsample,
)
from .activation import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403

# `norm` (the function from reduce) shadows the submodule attribute of the same name
_norm_module = _importlib.import_module(f"{__name__}.norm")

OP_MODULES = [elementwise, compare, reduce, shape, matrix, linalg, distance, activation, special, pointwise, blas, scan, stats, indexing, arrange,
              linalg_solve, linalg_decomp, linalg_lu, linalg_lstsq, scatter_views, copies, random_draws, native_norm, strided, complex, spectral]
# families reached through deepglass.nn.functional only (not bound as Tensor methods)
FUNCTIONAL_MODULES = [activation, activation_more, conv, conv3d, conv_transpose, fold, pool, adaptive_pool, pool3d, _norm_module, dropout, loss,
                      margin_loss, cross_entropy, attention, sampling, layout, box_loss, unpool, upsample, embedding_bag, ctc,
                      mha, fractional_pool]


tensor_methods.bind(Tensor)
complex._mark_complex_aware()
