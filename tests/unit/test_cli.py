"""`python -m djangochat_rx createsuperuser` and `promote`, run as a real process on a fresh SQLite file."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session
from sqlmodel import select as select_rows

from djangochat_rx import db
from djangochat_rx.domain import accounts, second_factor, sso
from djangochat_rx.models import AuditEntry, User

PASSWORD = "s3cret-Tr0mbone"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite file the CLI creates and migrates itself (overrides the migrated databases of conftest)."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


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


def test_createsuperuser_makes_an_admin_with_the_password_from_the_environment(db_url, session):
    done = run(db_url, "createsuperuser", "--username", "Boss")
    assert done.returncode == 0, done.stderr
    assert "Superuser “Boss” created." in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    boss = user(session, "boss")
    assert boss.is_admin and boss.is_active
    assert accounts.check_password(PASSWORD, boss.password_hash)
    assert audit(session) == [(None, "user.create_admin", "user:Boss")]


def test_createsuperuser_refuses_a_weak_password_without_showing_it(db_url, session):
    done = run(db_url, "createsuperuser", "--username", "boss", password="Tr0mb1")
    assert done.returncode == 1
    assert "Error: Password must be at least 8 characters." in done.stderr
    assert "Tr0mb1" not in done.stdout + done.stderr
    assert user(session, "boss") is None


def test_createsuperuser_refuses_an_existing_user_and_suggests_promote(db_url, session):
    db.migrate(db_url)
    accounts.register(session, "alice", "correct horse", "correct horse")
    done = run(db_url, "createsuperuser", "--username", "ALICE")
    assert done.returncode == 1
    assert "already exists and is not an administrator" in done.stderr
    assert "python -m djangochat_rx promote alice" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert not user(session, "alice").is_admin

    promoted = run(db_url, "promote", "ALICE", password=None)
    assert promoted.returncode == 0, promoted.stderr
    assert "“alice” is now an administrator." in promoted.stderr
    assert user(session, "alice").is_admin
    assert audit(session) == [(None, "user.promote", "user:alice")]
    assert run(db_url, "createsuperuser", "--username", "alice").returncode == 1


def test_promote_refuses_unknown_users(db_url, session):
    done = run(db_url, "promote", "nobody", password=None)
    assert (done.returncode, done.stderr.strip()) == (1, "Error: User not found.")


def test_without_a_terminal_the_username_and_password_must_be_given(db_url, session):
    no_password = run(db_url, "createsuperuser", "--username", "boss", password=None)
    assert no_password.returncode == 1
    assert "Set DJANGOCHAT_SUPERUSER_PASSWORD" in no_password.stderr
    no_username = run(db_url, "createsuperuser")
    assert no_username.returncode == 1
    assert "Give --username" in no_username.stderr
    assert PASSWORD not in no_username.stdout + no_username.stderr
    assert user(session, "boss") is None


def test_at_a_terminal_the_password_is_asked_twice_and_never_echoed(db_url, session):
    main, child = pty.openpty()
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGOCHAT_SUPERUSER_PASSWORD": "not this one"}
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
    typist = user(session, "typist")
    assert typist.is_admin and accounts.check_password(PASSWORD, typist.password_hash)


def test_help_lists_the_commands(db_url):
    done = run(db_url, "--help")
    assert done.returncode == 0
    assert "createsuperuser" in done.stdout and "promote" in done.stdout


def test_the_terminal_resets_a_second_factor_and_brings_passwords_back(db_url, session):
    assert run(db_url, "createsuperuser", "--username", "boss").returncode == 0
    engine = db.make_engine(db_url)
    with Session(engine) as fresh:
        boss_id = fresh.exec(select_rows(User.id).where(User.username == "boss")).one()
        secret = second_factor.start_enrolment(fresh, boss_id).secret
        second_factor.confirm_enrolment(fresh, boss_id, second_factor.code_now(secret))
    done = run(db_url, "reset-second-factor", "BOSS", password=None)
    assert (done.returncode, done.stderr.strip()) == (
        0,
        "Two-factor sign-in of “boss” is off: their password alone signs them in.",
    )
    with Session(engine) as fresh:
        assert not second_factor.is_enrolled(fresh, boss_id)
    done = run(db_url, "password-sign-in", "on", password=None)
    assert (done.returncode, done.stderr.strip()) == (0, "Passwords sign in again.")
    with Session(engine) as fresh:
        assert sso.passwords_allowed(fresh)
    assert run(db_url, "reset-second-factor", "nobody", password=None).returncode == 1
    engine.dispose()
