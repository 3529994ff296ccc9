"""(placeholder: filled by the issue that owns this family)"""
from __future__ import annotations

__all__: list[str] = []
