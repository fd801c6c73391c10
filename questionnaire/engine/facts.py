"""The facts recorded at the sales handover that a question may start from (``prefill: <fact>``).

The catalogue is data the engine owns, so that ``questionnaire lint`` can check a definition
without the web app or a database: each fact's name, its label, and the answer types that can
hold it. The sales handover (``services/handover.py``) parses and stores exactly these names, and
a test holds the two together. It imports nothing, so the definition model can name the facts
in its JSON Schema (:mod:`.prefill` turns facts into answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """A fact a question may start from: its label, and the answer types that can hold it (the
    first is the type the handover itself parses it with)."""

    label: str
    types: tuple[str, ...]


TEXT = ("text", "long_text")

#: Every fact a definition may name in ``prefill``, by name.
FACTS: Mapping[str, Fact] = {
    "customer": Fact("Customer organisation", TEXT),
    "project": Fact("Project", TEXT),
    "contact_name": Fact("Customer contact", TEXT),
    "contact_email": Fact("Contact's email address", ("email",)),
    "contact_phone": Fact("Contact's phone number", ("phone",)),
    "ps_days_sold": Fact("PS days sold", ("decimal",)),
    "contract_date": Fact("Sale, invoice or contract date", ("date",)),
    "purchase_order": Fact("Purchase order", TEXT),
    "quote_number": Fact("Quote number", TEXT),
    "terms_url": Fact("Professional Services Agreement", ("url",)),
    "timeline": Fact("Expected timeline", TEXT),
    "services_lead": Fact("Services lead", TEXT),
}

#: Recorded at the handover but never offered to a questionnaire: sales' notes are written for
#: the services team, not for the customer, and a pre-filled answer is shown to the customer.
PRIVATE_FACTS = frozenset({"notes"})
