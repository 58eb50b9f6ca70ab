"""API tokens: made (for one's own account, or by an administrator for any account or a new bot) and
revoked (djangochat_rx/domain/api_tokens.py). Nothing live changes, so they have no events."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import accounts, api_tokens


def create_token(
    db: Session,
    actor_id: int,
    password: str,
    name: str,
    scopes: list[str],
    days: int | str,
    for_username: str = "",
    new_bot: bool = False,
) -> Outcome[tuple[api_tokens.TokenView, str]]:
    """A new token (and its secret, shown once), once the actor's current `password` is checked: a stolen
    session cannot mint a key that outlives it. bcrypt (and a new bot account's unusable password): run it
    with perform_hashing, charged to throttle.before_password_check first."""
    api_tokens.checked_form(name, scopes, days)  # a mistake in the form costs no password check
    accounts.check_current_password(db, actor_id, password)
    return Outcome(api_tokens.create(db, actor_id, name, scopes, days, for_username, new_bot))


def revoke_token(db: Session, actor_id: int, token_id: int) -> Outcome[api_tokens.TokenView]:
    return Outcome(api_tokens.revoke(db, actor_id, token_id))
