"""A response stays on the exact definition version it started on, whatever happens to the YAML."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from questionnaire import create_app
from questionnaire.store import db
from questionnaire.store.models import DefinitionVersion, Response
from tests.conftest import ROOT, app_config

from .customer import Customer, invite


def test_response_resumes_on_its_own_version_after_the_yaml_changed(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    source = ROOT / "tests" / "web" / "definitions" / "small.yaml"
    shutil.copy(source, folder / "small.yaml")
    config = app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder))
    old_app = create_app(config)
    customer = Customer(old_app.test_client(), invite(old_app))
    customer.start()
    customer.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})

    # The authors publish a new version: a question renamed, another page's wording changed.
    text = source.read_text().replace('version: "1.0.0"', 'version: "2.0.0"')
    text = text.replace("Organisation name", "Legal name of your organisation")
    (folder / "small.yaml").write_text(text)
    new_app = create_app(config)  # a new worker process loads the new version
    resumed = Customer(new_app.test_client(), customer.token)
    page = resumed.get("/p/about")
    assert "Organisation name" in page.text and "Legal name" not in page.text
    assert 'value="Acme"' in page.text

    # A customer who starts now gets the new version.
    newcomer = Customer(new_app.test_client(), invite(new_app, customer="Beta"))
    newcomer.start()
    assert "Legal name of your organisation" in newcomer.get("/p/about").text
    with new_app.app_context():
        session = db.session()
        versions = sorted(session.scalars(select(DefinitionVersion.version)).all())
        pinned = session.execute(select(Response.definition_sha256)).scalars().all()
    assert versions == ["1.0.0", "2.0.0"]
    assert len(set(pinned)) == 2
    for application in (old_app, new_app):
        application.extensions["db_engine"].dispose()


def test_broken_definition_does_not_stop_the_others(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "web" / "definitions" / "small.yaml", folder / "small.yaml")
    (folder / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    application = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    customer = Customer(application.test_client(), invite(application))
    assert customer.get("/").status_code == 200
    application.extensions["db_engine"].dispose()
