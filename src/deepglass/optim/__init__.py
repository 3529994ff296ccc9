"""``deepglass.optim``: the notes' optimizer chain SGD → SGDM → NAG → AdaGrad → AdaDelta → Adam → NAdam.

Plus RMSprop and AdamW, with PyTorch's update rules, defaults, parameter groups
and ``state_dict`` layout; learning-rate schedules in :mod:`.lr_scheduler`.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .nadam import NAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "Adam", "AdamW", "NAdam", "RMSprop", "lr_scheduler"]
