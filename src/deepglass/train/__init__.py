"""Training (the notes' 训练): the :class:`Trainer` loop, callbacks, history and the end-of-run diagnosis.

Example:
    >>> from deepglass.train import Trainer, ModelCheckpoint, EarlyStopping  # doctest: +SKIP
    >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, out_dir="runs/demo",  # doctest: +SKIP
    ...                   callbacks=[ModelCheckpoint(monitor="val_accuracy"), EarlyStopping(patience=3)])
    >>> trainer.fit(train_loader, val_loader, epochs=10)  # doctest: +SKIP
"""
from .callbacks import Callback, EarlyStopping, LearningRateMonitor, ModelCheckpoint
from .diagnosis import Diagnosis, diagnose
from .history import History
from .trainer import NonFiniteLossError, Trainer, classification_metrics, run_model

__all__ = ["Trainer", "History", "Callback", "ModelCheckpoint", "EarlyStopping", "LearningRateMonitor",
           "NonFiniteLossError", "Diagnosis", "diagnose", "classification_metrics", "run_model"]
