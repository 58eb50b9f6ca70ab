"""`python -m djangochat_rx createsuperuser` and `promote`, run as a real process on a fresh SQLite file."""

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from djangochat_rx import accounts, db
from djangochat_rx.models import AuditEntry, User

PASSWORD = "s3cret-Tr0mbone"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def database(url: str) -> Iterator[Session]:
    engine = db.make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def run(url: str, *args: str, password: str | None = PASSWORD) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGOCHAT_SUPERUSER_PASSWORD", None)
    if password is not None:
        env["DJANGOCHAT_SUPERUSER_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "djangochat_rx", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def user(session: Session, username: str):
    """The user's row as the database has it now (not as this session last saw it)."""
    session.rollback()
    return session.exec(User.__table__.select().where(User.username_key == username)).first()


def audit(session: Session) -> list[tuple[int | None, str, str]]:
    session.rollback()
    return [(row.actor_id, row.action, row.target) for row in session.exec(AuditEntry.__table__.select())]


def test_createsuperuser_makes_an_admin_with_the_password_from_the_environment(url, database):
    done = run(url, "createsuperuser", "--username", "Boss")
    assert done.returncode == 0, done.stderr
    assert "Superuser “Boss” created." in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    boss = user(database, "boss")
    assert boss.is_admin and boss.is_active
    assert accounts.check_password(PASSWORD, boss.password_hash)
    assert audit(database) == [(None, "user.create_admin", "user:Boss")]


def test_createsuperuser_refuses_a_weak_password_without_showing_it(url, database):
    done = run(url, "createsuperuser", "--username", "boss", password="Tr0mb1")
    assert done.returncode == 1
    assert "Error: Password must be at least 8 characters." in done.stderr
    assert "Tr0mb1" not in done.stdout + done.stderr
    assert user(database, "boss") is None


def test_createsuperuser_refuses_an_existing_user_and_suggests_promote(url, database):
    db.migrate(url)
    accounts.register(database, "alice", "correct horse", "correct horse")
    done = run(url, "createsuperuser", "--username", "ALICE")
    assert done.returncode == 1
    assert "already exists and is not an administrator" in done.stderr
    assert "python -m djangochat_rx promote alice" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert not user(database, "alice").is_admin

    promoted = run(url, "promote", "ALICE", password=None)
    assert promoted.returncode == 0, promoted.stderr
    assert "“alice” is now an administrator." in promoted.stderr
    assert user(database, "alice").is_admin
    assert audit(database) == [(None, "user.promote", "user:alice")]
    assert run(url, "createsuperuser", "--username", "alice").returncode == 1


def test_promote_refuses_unknown_users(url, database):
    done = run(url, "promote", "nobody", password=None)
    assert (done.returncode, done.stderr.strip()) == (1, "Error: User not found.")


def test_without_a_terminal_the_username_and_password_must_be_given(url, database):
    no_password = run(url, "createsuperuser", "--username", "boss", password=None)
    assert no_password.returncode == 1
    assert "Set DJANGOCHAT_SUPERUSER_PASSWORD" in no_password.stderr
    no_username = run(url, "createsuperuser")
    assert no_username.returncode == 1
    assert "Give --username" in no_username.stderr
    assert PASSWORD not in no_username.stdout + no_username.stderr
    assert user(database, "boss") is None


def test_at_a_terminal_the_password_is_asked_twice_and_never_echoed(url, database):
    main, child = pty.openpty()
    env = {**os.environ, "DATABASE_URL": url, "DJANGOCHAT_SUPERUSER_PASSWORD": "not this one"}
    # A new session has no controlling terminal, so getpass turns off echo on stdin, our pty.
    process = subprocess.Popen(
        [sys.executable, "-m", "djangochat_rx", "createsuperuser"],
        env=env,
        stdin=child,
        stdout=child,
        stderr=child,
        start_new_session=True,
    )
    os.close(child)
    screen = b""

    def answer_after(prompt: bytes, reply: str) -> None:
        nonlocal screen
        deadline = time.monotonic() + 30
        while not screen.endswith(prompt):
            assert time.monotonic() < deadline, screen
            if select.select([main], [], [], 0.5)[0]:
                screen += os.read(main, 1024)
        os.write(main, reply.encode() + b"\n")

    answer_after(b"Username: ", "Typist")
    answer_after(b"Password: ", PASSWORD)
    answer_after(b"Password (again): ", PASSWORD)
    assert process.wait(timeout=30) == 0
    while select.select([main], [], [], 0.5)[0]:
        try:
            screen += os.read(main, 1024)
        except OSError:  # Linux reports the closed pty as EIO
            break
    os.close(main)
    text = screen.decode()
    assert "Superuser “Typist” created." in text
    assert PASSWORD not in text
    typist = user(database, "typist")
    assert typist.is_admin and accounts.check_password(PASSWORD, typist.password_hash)


def test_help_lists_the_commands(url):
    done = run(url, "--help")
    assert done.returncode == 0
    assert "createsuperuser" in done.stdout and "promote" in done.stdout
