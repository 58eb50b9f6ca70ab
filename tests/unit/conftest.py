"""Domain tests run on a real, migrated SQLite file per test (copied from one migrated template)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from djangochat_rx import accounts, db, rooms


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


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
def general(session: Session, alice: accounts.UserView) -> rooms.RoomView:
    return rooms.create_room(session, "General", "Anything goes", alice.id)
