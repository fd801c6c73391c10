"""The one module that owns database engines and sessions.

:class:`Database` is one engine and its session factory, with no web framework in sight: the
worker and the command line open sessions from it directly. A web request gets one session,
opened on first use and closed at teardown (:func:`init_app`, :func:`session`). Use cases own
their transactions: they commit or roll back the session they are given. Alembic is the only
way the schema is made: ``questionnaire db upgrade``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS = Path(__file__).parent / "migrations"


class Database:
    """One engine and the sessions made from it.

    On SQLite, a transaction that reads and then writes must say so when it begins: a deferred
    one that read a snapshot cannot upgrade to writing once another connection has written
    since ("database is locked", at once, however long the busy timeout). :meth:`writer`
    sessions begin ``IMMEDIATE`` (they wait their turn to write; readers are never blocked), so
    every use case that writes runs in one; reading sessions stay deferred and concurrent.
    PostgreSQL needs neither: both are the same there.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    def writer(self) -> Session:
        """A new session for a unit of work that writes (the caller closes it)."""
        return self._writers()

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> Session:
        """A new session; the caller closes it (``with database.session() as db:``)."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    options: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, begins transactions (the driver's own way breaks SAVEPOINT
    # and cannot begin IMMEDIATE): see _sqlite_begin.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


# -- the web request's session ------------------------------------------------------------------


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["database"] = database
    app.extensions["db_engine"] = database.engine
    app.teardown_appcontext(_close_session)
    return database


def session() -> Session:
    """The request's session, opened on first use: a writer's for a request that may change
    something (anything but GET and HEAD), a reader's otherwise."""
    from flask import current_app, g, has_request_context, request

    if "db_session" not in g:
        database: Database = current_app.extensions["database"]
        reads = has_request_context() and request.method in ("GET", "HEAD")
        g.db_session = database.session() if reads else database.writer()
    db_session: Session = g.db_session
    return db_session


def _close_session(exc: BaseException | None) -> None:
    from flask import g

    db_session: Session | None = g.pop("db_session", None)
    if db_session is not None:
        if exc is not None:
            db_session.rollback()
        db_session.close()


# -- migrations ---------------------------------------------------------------------------------


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
