"""``deepglass.optim``: the notes' optimizer chain SGD → SGDM → NAG → AdaGrad → AdaDelta → Adam → NAdam.

Plus RMSprop, AdamW, Adamax, RAdam, Rprop, ASGD and L-BFGS, with PyTorch's update
rules, defaults, parameter groups and ``state_dict`` layout; learning-rate schedules
in :mod:`.lr_scheduler`.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "Adam", "AdamW", "NAdam", "RMSprop", "Adamax", "RAdam", "Rprop",
           "ASGD", "LBFGS", "lr_scheduler"]
