"""What every token we hand out shares (sessions, invites, resets, API tokens, webhooks, devices): we keep
only a hash of it."""

import hashlib


def hash_token(token: str) -> str:
    """SHA-256 of a token: a leaked database does not hand out live sessions, links or keys."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
