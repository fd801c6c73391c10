"""The validation questionnaire's name, in a module of its own so that any service may name it
without importing the PDR (``validation_records``) or the emails it sends."""

from __future__ import annotations

#: The validation questionnaire's definition id (``definitions/validation.yaml``): it asks the
#: customer about the PDR's virtual services, feeds the acceptance document, not the SoW.
VALIDATION = "validation"
#: Where its group's records come from (``records_from`` in the definition).
VIRTUAL_SERVICES_SOURCE = "pdr.virtual_services"
