"""The model zoo (filled by the network issues)."""
from .small import cifar_net, lenet5  # noqa: F401
