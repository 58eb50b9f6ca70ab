"""Known devices: a browser that logged in keeps its own login budget; tokens hashed, expiring, bounded,
forgotten when the password changes or the account is disabled."""

from datetime import timedelta

from sqlalchemy import text, update

from djangochat_rx import settings
from djangochat_rx.domain import accounts, admin, devices
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import KnownDevice, utcnow
from tests.unit.conftest import make_admin


def test_a_device_is_recognised_only_for_its_own_account_and_stored_hashed(session, alice, bob):
    token = devices.remember(session, alice.id, "")
    assert len(token) >= 43  # 256 random bits
    assert devices.recognise(session, token, "alice") is not None
    assert devices.recognise(session, token, "bob") is None
    assert devices.recognise(session, "made-up", "alice") is None
    assert devices.recognise(session, "", "alice") is None
    stored = session.execute(text("SELECT token_hash FROM known_devices")).scalars().all()
    assert stored == [hash_token(token)]


def test_a_known_device_keeps_its_token_and_an_expired_one_gets_a_new_one(session, alice, bob):
    token = devices.remember(session, alice.id, "")
    assert devices.remember(session, alice.id, token) == token
    assert devices.remember(session, bob.id, token) != token  # alice's device, not bob's
    session.execute(update(KnownDevice).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert devices.recognise(session, token, "alice") is None
    assert devices.remember(session, alice.id, token) != token


def test_a_user_keeps_a_bounded_number_of_devices(session, alice, monkeypatch):
    monkeypatch.setattr(settings, "KNOWN_DEVICES_PER_USER", 3)
    tokens = [devices.remember(session, alice.id, "") for _ in range(5)]
    assert [devices.recognise(session, t, "alice") is not None for t in tokens] == [False, False, True, True, True]


def test_a_password_change_or_a_disabled_account_forgets_every_device(session, alice, bob):
    token = devices.remember(session, alice.id, "")
    accounts.change_password(session, alice.id, "correct horse", "a new password", "a new password")
    assert devices.recognise(session, token, "alice") is None
    token = devices.remember(session, bob.id, "")
    root = make_admin(session, accounts.register(session, "root", "root password", "root password"))
    admin.disable_user(session, root.id, bob.id)
    assert devices.recognise(session, token, "bob") is None
