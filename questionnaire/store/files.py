"""Files attached to an engagement by its customer and engineers, kept for a set time after
completion."""

from __future__ import annotations
