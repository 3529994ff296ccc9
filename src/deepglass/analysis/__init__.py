"""Model analysis: parameters, MACs/FLOPs, memory and receptive fields, per layer.

The notes' sections 模型计算量(FLOPs)和参数量(Params) and 感受野:

* :func:`summary` — a shape-only pass over the model (no activation is allocated)
  giving, per layer, the geometry, output shape, parameters (trainable/frozen),
  MACs, FLOPs, output bytes and receptive field, and the totals. Conventions: MACs
  exclude bias and equal torchvision's published "GFLOPS"; FLOPs = 2·MACs + the
  element-wise operations (reported separately); ``convention="fvcore" | "thop" |
  "ptflops" | "torchinfo"`` reproduces those tools' totals (all of them report
  MACs under the name FLOPs or Mult-Adds). See :mod:`.summary` and :mod:`.conventions`.
* :func:`receptive_field` — size, jump, effective padding and start of every layer's
  units by the standard recurrence; :func:`empirical_receptive_field` measures it
  with autograd on a linearised copy of the network.
"""
from .conventions import CONVENTIONS
from .receptive_field import ReceptiveFields, RFRow, empirical_receptive_field, receptive_field
from .rules import LEAF_RULES, ShapeError
from .summary import LayerRow, Summary, summary

__all__ = ["summary", "Summary", "LayerRow", "receptive_field", "empirical_receptive_field", "RFRow",
           "ReceptiveFields", "ShapeError", "CONVENTIONS", "LEAF_RULES"]
