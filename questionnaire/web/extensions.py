"""Extensions created here and bound to each app in the factory."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
#: Counters live in the configured store (Redis in production), shared by every worker process.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
