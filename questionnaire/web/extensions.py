"""Extensions created here and bound to each app in the factory."""

from __future__ import annotations

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
