"""Record the arguments each Module was built with, so a whole module can be saved without pickle.

``Module.__init_subclass__`` calls :func:`record_init_args` for every subclass: it wraps the
class's own ``__init__`` so that the OUTERMOST constructor call (``Net(3, hidden=8)``, not the
``super().__init__(...)`` calls it makes) stores ``(args, kwargs)`` on the instance as
``_init_args``. Nothing is converted here (that costs time and may fail); ``deepglass.save``
encodes the arguments as JSON when a whole module is saved, and refuses clearly if it can't.

Example:
    >>> import deepglass.nn as nn
    >>> nn.Linear(3, 2, bias=False)._init_args
    ((3, 2), {'bias': False})
"""
from __future__ import annotations

import functools

ATTR = "_init_args"


def record_init_args(cls) -> None:
    """Wrap ``cls.__init__`` (if the class defines one) to record the outermost call's arguments."""
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, "_records_init_args", False):
        return

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if ATTR not in self.__dict__:  # the outermost call: the one the user wrote
            object.__setattr__(self, ATTR, (args, dict(kwargs)))
        init(self, *args, **kwargs)

    __init__._records_init_args = True
    cls.__init__ = __init__
