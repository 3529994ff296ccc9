"""``deepglass.nn``: layers and losses (filled by the network issue)."""
from . import functional  # noqa: F401
