"""Registration rules, hashing and authentication on a real SQLite file with real bcrypt."""

import pytest

from djangochat_rx import settings
from djangochat_rx.domain import accounts


def test_register_then_authenticate_returns_the_user(session, alice):
    user = accounts.authenticate(session, "alice", "correct horse")
    assert user.id == alice.id and user.username == "alice"


def test_password_is_stored_as_bcrypt_hash_not_plaintext(session, alice):
    from djangochat_rx.models import User

    stored = session.get(User, alice.id).password_hash
    assert stored.startswith("$2b$") and "correct horse" not in stored


def test_production_cost_is_12(monkeypatch):
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 12)
    assert accounts.hash_password("correct horse").startswith("$2b$12$")
    assert accounts.check_password("correct horse", accounts.hash_password("correct horse"))


@pytest.mark.parametrize("name", ["ALICE", "Alice", "alice"])
def test_username_taken_is_case_insensitive(session, alice, name):
    with pytest.raises(accounts.UsernameTaken, match="taken"):
        accounts.register(session, name, "another password", "another password")


@pytest.mark.parametrize("name", ["ab", "x" * 33, "has space", "semi;colon", "<script>", "", "   "])
def test_bad_usernames_are_refused_with_the_rule(session, name):
    with pytest.raises(accounts.InvalidUsername, match="3–32 characters"):
        accounts.register(session, name, "long enough", "long enough")


@pytest.mark.parametrize("name", ["abc", "a.b-c_d", "x" * 32, "Zoë", "名前です"])
def test_good_usernames_are_accepted(session, name):
    assert accounts.register(session, name, "long enough", "long enough").username == name


def test_passwords_must_match(session):
    with pytest.raises(accounts.InvalidPassword, match="do not match"):
        accounts.register(session, "carol", "long enough", "long enougH")


def test_password_shorter_than_8_characters_is_refused(session):
    with pytest.raises(accounts.InvalidPassword, match="at least 8 characters"):
        accounts.register(session, "carol", "seven77", "seven77")


def test_password_over_72_bytes_is_refused_and_says_bytes(session):
    password = "é" * 37  # 37 characters, 74 bytes
    with pytest.raises(accounts.InvalidPassword, match="72 bytes"):
        accounts.register(session, "carol", password, password)


def test_password_of_exactly_72_bytes_with_4_byte_characters_works(session):
    password = "😀" * 18  # 72 bytes
    accounts.register(session, "carol", password, password)
    assert accounts.authenticate(session, "carol", password).username == "carol"


def test_wrong_password_and_unknown_user_get_the_same_generic_error(session, alice):
    with pytest.raises(accounts.InvalidCredentials) as wrong:
        accounts.authenticate(session, "alice", "wrong password")
    with pytest.raises(accounts.InvalidCredentials) as unknown:
        accounts.authenticate(session, "nobody", "wrong password")
    assert str(wrong.value) == str(unknown.value) == "Invalid username or password."


def test_unknown_user_costs_a_bcrypt_check(session, monkeypatch):
    calls = []
    real = accounts.bcrypt.checkpw
    monkeypatch.setattr(accounts.bcrypt, "checkpw", lambda *a: calls.append(1) or real(*a))
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "nobody", "whatever1")
    assert calls == [1]


def test_login_with_a_too_long_password_fails_cleanly(session, alice):
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "alice", "x" * 100)


def test_login_is_case_insensitive_on_username(session, alice):
    assert accounts.authenticate(session, "ALICE", "correct horse").id == alice.id
