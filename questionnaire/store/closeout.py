"""Close-out: the completed engagement's record and its webhook deliveries."""

from __future__ import annotations
