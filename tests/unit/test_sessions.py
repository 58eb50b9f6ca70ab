"""Sessions: issue, resolve, rotate, revoke, and refuse forged or stale tokens."""

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import sessions
from djangochat_rx.models import UserSession


def test_issue_returns_a_random_256_bit_token_and_stores_only_its_hash(session, alice):
    token = sessions.issue(session, alice.id, "test-agent")
    assert len(token) >= 43  # 32 bytes, url-safe base64
    row = session.exec(select(UserSession)).one()
    assert row.token_hash == sessions.hash_token(token) and token not in row.token_hash
    assert sessions.issue(session, alice.id) != token


def test_resolve_gives_the_identity_behind_a_token(session, alice):
    identity = sessions.resolve(session, sessions.issue(session, alice.id))
    assert (identity.user_id, identity.username) == (alice.id, "alice")


def test_forged_and_empty_tokens_resolve_to_nobody(session, alice):
    sessions.issue(session, alice.id)
    assert sessions.resolve(session, "forged-token") is None
    assert sessions.resolve(session, "") is None
    assert sessions.resolve(session, sessions.hash_token("anything")) is None


def test_revoked_token_no_longer_resolves(session, alice):
    token = sessions.issue(session, alice.id)
    assert sessions.revoke(session, token) is not None
    assert sessions.resolve(session, token) is None
    assert sessions.revoke(session, token) is None


def test_rotation_old_token_dies_new_one_lives(session, alice):
    old = sessions.issue(session, alice.id)
    sessions.revoke(session, old)
    new = sessions.issue(session, alice.id)
    assert sessions.resolve(session, old) is None and sessions.resolve(session, new) is not None


def test_revoke_all_ends_every_session_of_the_user_only(session, alice, bob):
    a1, a2, b1 = sessions.issue(session, alice.id), sessions.issue(session, alice.id), sessions.issue(session, bob.id)
    assert len(sessions.revoke_all(session, alice.id)) == 2
    assert sessions.resolve(session, a1) is None and sessions.resolve(session, a2) is None
    assert sessions.resolve(session, b1) is not None


def _age(session, token: str, **fields) -> None:
    row = session.exec(select(UserSession).where(UserSession.token_hash == sessions.hash_token(token))).one()
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()


def test_idle_session_expires(session, alice):
    token = sessions.issue(session, alice.id)
    row = session.exec(select(UserSession)).one()
    _age(session, token, last_seen_at=row.last_seen_at - settings.SESSION_IDLE_TIMEOUT - timedelta(seconds=1))
    assert sessions.resolve(session, token) is None


def test_session_past_its_absolute_lifetime_expires_even_if_active(session, alice):
    token = sessions.issue(session, alice.id)
    row = session.exec(select(UserSession)).one()
    _age(session, token, expires_at=row.created_at - timedelta(seconds=1))
    assert sessions.resolve(session, token) is None


def test_resolve_touches_last_seen_at_most_once_a_minute(session, alice):
    token = sessions.issue(session, alice.id)
    row = session.exec(select(UserSession)).one()
    stale = row.last_seen_at - timedelta(minutes=5)
    _age(session, token, last_seen_at=stale)
    sessions.resolve(session, token)
    session.expire_all()
    touched = session.exec(select(UserSession)).one().last_seen_at
    assert touched.replace(tzinfo=None) > stale.replace(tzinfo=None)


def test_disabled_user_sessions_do_not_resolve(session, alice):
    from djangochat_rx.models import User

    token = sessions.issue(session, alice.id)
    user = session.get(User, alice.id)
    user.is_active = False
    session.add(user)
    session.commit()
    assert sessions.resolve(session, token) is None


@pytest.fixture
def fresh_cache(monkeypatch):
    """A cache of its own: session ids repeat across the tests' databases."""
    monkeypatch.setattr(sessions, "recent", sessions.RecentIdentities())


@pytest.mark.usefixtures("fresh_cache")
def test_a_recently_resolved_session_is_forgotten_the_moment_it_ends(session, alice):
    token = sessions.issue(session, alice.id)
    identity = sessions.resolve(session, token)
    sessions.recent.put(token, identity)
    assert sessions.recent.get(token) == identity
    sessions.revoke(session, token)
    assert sessions.recent.get(token) is None


@pytest.mark.usefixtures("fresh_cache")
def test_logging_out_everywhere_forgets_every_cached_session_of_the_user(session, alice):
    tokens = [sessions.issue(session, alice.id) for _ in range(2)]
    for token in tokens:
        sessions.recent.put(token, sessions.resolve(session, token))
    sessions.revoke_all(session, alice.id)
    assert [sessions.recent.get(token) for token in tokens] == [None, None]


@pytest.mark.usefixtures("fresh_cache")
def test_a_resolve_that_raced_the_ending_cannot_bring_the_session_back(session, alice):
    token = sessions.issue(session, alice.id)
    identity = sessions.resolve(session, token)  # read just before the logout commits ...
    sessions.revoke(session, token)
    sessions.recent.put(token, identity)  # ... and stored just after it
    assert sessions.recent.get(token) is None


@pytest.mark.usefixtures("fresh_cache")
def test_a_cached_session_is_trusted_only_for_a_few_seconds(session, alice, monkeypatch):
    token = sessions.issue(session, alice.id)
    monkeypatch.setattr(settings, "SESSION_CACHE_SECONDS", 0.0)
    sessions.recent.put(token, sessions.resolve(session, token))
    time.sleep(0.01)
    assert sessions.recent.get(token) is None


@pytest.mark.usefixtures("fresh_cache")
def test_a_cached_session_past_half_its_life_is_due_for_a_fresh_look_once(session, alice, monkeypatch):
    token = sessions.issue(session, alice.id)
    identity = sessions.resolve(session, token)
    sessions.recent.put(token, identity)
    assert not sessions.recent.due(token)
    monkeypatch.setattr(settings, "SESSION_CACHE_SECONDS", 20.0)  # the entry has under half of 20 s left
    assert sessions.recent.due(token) and not sessions.recent.due(token)
    sessions.recent.put(token, identity)
    monkeypatch.setattr(settings, "SESSION_CACHE_SECONDS", 1000.0)
    assert sessions.recent.due(token)
    sessions.recent.drop(token)
    assert sessions.recent.get(token) is None and not sessions.recent.due(token)
