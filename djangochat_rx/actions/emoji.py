"""Custom emoji: adding one and removing one (every open page is told), and who may add them."""

from pathlib import Path

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import admin, custom_emoji
from djangochat_rx.domain.events import EmojiChanged


def add_emoji(db: Session, user_id: int, name: str, png: Path, width: int, height: int) -> Outcome[str]:
    """The picture custom_emoji.shrink made (on the image threads) becomes the custom emoji `name`; its URL."""
    name = custom_emoji.check_name(name)
    url = custom_emoji.add(db, user_id, name, png, width, height)
    return Outcome(url, [EmojiChanged(name, url)])


def remove_emoji(db: Session, actor_id: int, name: str) -> Outcome[str]:
    """Its maker or an administrator removes a custom emoji; every `:name:` shows as text again. Its name."""
    removed = custom_emoji.remove(db, actor_id, name)
    return Outcome(removed, [EmojiChanged(removed, "")])


def choose_adders(db: Session, admin_id: int, adders: str) -> Outcome[str]:
    """An administrator chooses who may add custom emoji ("members" or "admins"); account pages read it when their
    emoji section opens, and the adding checks it each time (no page is told)."""
    return Outcome(admin.choose_emoji_adders(db, admin_id, adders))
