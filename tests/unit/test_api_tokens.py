"""API tokens (api_tokens.py): stored hashed, scoped, expiring, revocable by their owner or an admin, made for
other accounts or new bots by admins only, and refused alike when unknown, expired, revoked or disabled."""

from datetime import timedelta

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import accounts, admin, api_tokens, profiles
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import ApiToken, AuditEntry, User, utcnow


def test_a_token_is_shown_once_stored_hashed_and_acts_as_its_account(session, alice):
    view, token = api_tokens.create(session, alice.id, "  deploy   script ", ["post", "read"], 30)
    assert view.name == "deploy script" and view.scopes == ("read", "post") and view.username == "alice"
    assert token.startswith(api_tokens.PREFIX) and len(token) >= len(api_tokens.PREFIX) + 43
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hash_token(token) and token not in repr(row)
    caller = api_tokens.authenticate(session, token)
    assert (caller.user_id, caller.username, caller.scopes) == (alice.id, "alice", ("read", "post"))
    assert api_tokens.listed(session, alice.id)[0].last_used_at != ""
    assert session.exec(select(AuditEntry.action)).all() == ["api_token.create"]


@pytest.mark.parametrize(
    ("name", "scopes", "days", "refusal"),
    [
        ("", ["read"], 30, "name"),
        ("x", [], 30, "scopes"),
        ("x", ["read", "admin"], 30, "scopes"),
        ("x", ["read"], 0, "days"),
        ("x", ["read"], settings.API_TOKEN_MAX_DAYS + 1, "days"),
        ("x", ["read"], "soon", "days"),
    ],
)
def test_a_token_needs_a_name_known_scopes_and_a_lifetime_in_bounds(session, alice, name, scopes, days, refusal):
    with pytest.raises(api_tokens.TokenError, match=refusal):
        api_tokens.create(session, alice.id, name, scopes, days)
    assert session.exec(select(ApiToken)).all() == []


def test_unknown_expired_revoked_and_disabled_tokens_get_one_answer(session, alice, root):
    tokens = [api_tokens.create(session, alice.id, f"t{n}", ["read"], 30)[1] for n in range(3)]
    expired = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(tokens[0]))).one()
    expired.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    revoked = session.exec(select(ApiToken.id).where(ApiToken.token_hash == hash_token(tokens[1]))).one()
    api_tokens.revoke(session, alice.id, revoked)
    for token in ("", "dcrx_nothing", tokens[0], tokens[1]):
        with pytest.raises(api_tokens.NotAuthenticated):
            api_tokens.authenticate(session, token)
    assert api_tokens.authenticate(session, tokens[2]).username == "alice"
    admin.disable_user(session, root.id, alice.id)
    with pytest.raises(api_tokens.NotAuthenticated):
        api_tokens.authenticate(session, tokens[2])


def test_a_scope_the_token_lacks_is_refused(session, alice):
    caller = api_tokens.authenticate(session, api_tokens.create(session, alice.id, "reader", ["read"], 30)[1])
    caller.require("read")
    with pytest.raises(api_tokens.MissingScope, match='"post"'):
        caller.require("post")


def test_only_admins_make_tokens_for_others_or_bots_and_revoke_others_tokens(session, alice, bob, root):
    for kwargs in ({"for_username": "bob"}, {"for_username": "newbot", "new_bot": True}):
        with pytest.raises(admin.NotAdmin):
            api_tokens.create(session, alice.id, "x", ["read"], 30, **kwargs)
    assert not accounts.user_exists(session, "newbot")
    for_bob, _ = api_tokens.create(session, root.id, "for bob", ["read"], 30, for_username="bob")
    assert for_bob.username == "bob" and api_tokens.listed(session, bob.id)[0].id == for_bob.id
    bot, token = api_tokens.create(session, root.id, "deploys", ["post"], 7, for_username="deploybot", new_bot=True)
    assert session.exec(select(User.is_bot).where(User.username == "deploybot")).one() is True
    assert api_tokens.authenticate(session, token).username == "deploybot"
    # Marked as a bot wherever accounts are shown: the admin area's list, the profile page.
    assert [user.is_bot for user in admin.list_users(session, root.id, "deploybot")] == [True]
    assert (
        profiles.profile(session, alice.id, "deploybot").is_bot
        and not profiles.profile(session, alice.id, "bob").is_bot
    )
    with pytest.raises(accounts.UsernameTaken):
        api_tokens.create(session, root.id, "again", ["post"], 7, for_username="deploybot", new_bot=True)
    with pytest.raises(api_tokens.TokenError, match="no active account"):
        api_tokens.create(session, root.id, "x", ["read"], 30, for_username="nobody")

    with pytest.raises(api_tokens.TokenNotFound):
        api_tokens.revoke(session, alice.id, for_bob.id)  # not hers: the same as no such token
    with pytest.raises(admin.NotAdmin):
        api_tokens.listed(session, alice.id, everyone=True)
    assert {view.username for view in api_tokens.listed(session, root.id, everyone=True)} == {"bob", "deploybot"}
    assert api_tokens.revoke(session, root.id, bot.id).revoked


def test_an_account_holds_at_most_its_cap_of_live_tokens(session, alice, root, monkeypatch):
    monkeypatch.setattr(settings, "API_TOKENS_PER_USER", 3)
    made = [api_tokens.create(session, alice.id, f"t{n}", ["read"], 30)[0] for n in range(3)]
    with pytest.raises(api_tokens.TooManyTokens, match="at most 3 live tokens"):
        api_tokens.create(session, alice.id, "one more", ["read"], 30)
    with pytest.raises(api_tokens.TooManyTokens):
        api_tokens.create(session, root.id, "for alice", ["read"], 30, for_username="alice")
    assert len(api_tokens.listed(session, alice.id)) == 3
    api_tokens.revoke(session, alice.id, made[0].id)  # a revoked or expired one frees its place
    expired = session.get(ApiToken, made[1].id)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    for n in range(2):
        api_tokens.create(session, alice.id, f"again {n}", ["read"], 30)
    with pytest.raises(api_tokens.TooManyTokens):
        api_tokens.create(session, alice.id, "one more", ["read"], 30)


def test_recovering_an_account_revokes_its_live_tokens_and_keeps_them_listed(session, alice, bob):
    tokens = [api_tokens.create(session, alice.id, f"t{n}", ["read"], 30)[1] for n in range(2)]
    bobs = api_tokens.create(session, bob.id, "bob's", ["read"], 30)[1]
    assert api_tokens.revoke_all(session, alice.id, "password change") == 2
    for token in tokens:
        with pytest.raises(api_tokens.NotAuthenticated):
            api_tokens.authenticate(session, token)
    assert [view.revoked for view in api_tokens.listed(session, alice.id)] == [True, True]
    assert api_tokens.authenticate(session, bobs).username == "bob"
    assert api_tokens.revoke_all(session, alice.id, "log out everywhere") == 0  # nothing live is left
    entries = session.exec(select(AuditEntry.detail).where(AuditEntry.action == "api_token.revoke_all")).all()
    assert entries == ["2 tokens, password change"]
