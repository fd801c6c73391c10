"""An engagement with a PDR listing virtual services, and a context that loads the validation
questionnaire beside the web tests' small one."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from questionnaire.services import links
from questionnaire.store.delivery import Pdr, PdrRevision
from questionnaire.store.models import Engagement

ROOT = Path(__file__).resolve().parents[2]
WEB: dict[str, object] = {
    "name": "Web servers",
    "vip": "10.0.0.10",
    "ports": [443],
    "protocol": "https",
}
PACS: dict[str, object] = {
    "name": "PACS",
    "vip": "10.0.0.20",
    "ports": [104, 11112],
    "protocol": "tcp",
}
HEADINGS = ["Web servers — 10.0.0.10:443 HTTPS", "PACS — 10.0.0.20:104, 11112 TCP"]


def definitions_with_validation(folder: Path) -> Path:
    """A definitions folder holding the small questionnaire and the shipped validation one."""
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests" / "web" / "definitions" / "small.yaml", folder)
    shutil.copy(ROOT / "definitions" / "validation.yaml", folder)
    return folder


def handed_over(db: Session) -> Engagement:
    engagement = links.create_engagement(db, "Acme Health", "sales@loadbalancer.org", "PACS")
    engagement.contact_name, engagement.contact_email = "Jo Bloggs", "jo@acme.example"
    db.commit()
    return engagement


def with_pdr(db: Session, engagement_id: int, *services: dict[str, object]) -> Pdr:
    """The engagement's PDR, its revision 1 listing ``services`` (rows as the PDR stores them)."""
    content = {"virtual_services": [{**s, "real_servers": []} for s in services]}
    pdr = Pdr(engagement_id=engagement_id, created_by="eve@example.com")
    pdr.revisions.append(PdrRevision(number=1, content=content, author="eve@example.com"))
    db.add(pdr)
    db.commit()
    return pdr
