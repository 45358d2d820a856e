"""ReviewLens core: everything that works without a screen (no Qt here)."""
from __future__ import annotations

__version__ = "0.1.0"
