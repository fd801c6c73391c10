"""The customer handover document's functional tests: one or more per agreed virtual service
and GSLB configuration."""

from __future__ import annotations
