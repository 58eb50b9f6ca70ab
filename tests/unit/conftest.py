"""Domain tests run on a real, freshly migrated database per test: a SQLite file (copied from one
migrated template) and a PostgreSQL database (created from a migrated template database)."""

import contextlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bench.services import postgres_server
from djangochat_rx import db
from djangochat_rx.domain import accounts, rooms
from djangochat_rx.models import User


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[sa.Engine, str]]:
    """A PostgreSQL server with a migrated `chat_template` database; yields an admin engine and the base URL."""
    with postgres_server() as url:
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE chat_template"))
        base = url.rsplit("/", 1)[0]
        db.migrate(f"{base}/chat_template")
        yield admin, base
        admin.dispose()


@contextlib.contextmanager
def postgres_database(request, template: str | None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template`, or empty), dropped afterwards; yields its URL."""
    admin, base = request.getfixturevalue("postgres_template")
    name = f"chat_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with postgres_database(request, "chat_template") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def blank_db_url(request, tmp_path: Path) -> Iterator[str]:
    """An empty database with no tables, for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    with postgres_database(request, None) as url:
        yield url


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = db.make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


@pytest.fixture
def alice(session: Session) -> accounts.UserView:
    return accounts.register(session, "alice", "correct horse", "correct horse")


@pytest.fixture
def bob(session: Session) -> accounts.UserView:
    return accounts.register(session, "bob", "battery staple", "battery staple")


@pytest.fixture
def carol(session: Session) -> accounts.UserView:
    return accounts.register(session, "carol", "correct battery", "correct battery")


def make_admin(session: Session, user: accounts.UserView) -> accounts.UserView:
    """Make `user` an administrator (as `python -m djangochat_rx promote` would)."""
    session.execute(sa.update(User).where(User.id == user.id).values(is_admin=True))
    session.commit()
    return user


@pytest.fixture
def root(session: Session) -> accounts.UserView:
    return make_admin(session, accounts.register(session, "root", "root password", "root password"))


@pytest.fixture
def general(session: Session, alice: accounts.UserView) -> rooms.RoomView:
    return rooms.create_room(session, "General", "Anything goes", alice.id)


@pytest.fixture
def count_queries(session: Session) -> Callable[[], contextlib.AbstractContextManager[list[str]]]:
    """`with count_queries() as queries:` collects the SQL statements the session's engine sends inside
    the block (like Zulip's queries_captured), leaving out the BEGIN that SQLite is sent and Postgres is not."""

    @contextlib.contextmanager
    def capture() -> Iterator[list[str]]:
        queries: list[str] = []

        def record(_connection, _cursor, statement, *_args) -> None:
            if not statement.startswith("BEGIN"):
                queries.append(statement)

        engine = session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield queries
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return capture
