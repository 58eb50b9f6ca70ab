"""Profile pictures: setting one and going back to the generated one; every open page is told."""

from pathlib import Path

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import avatars
from djangochat_rx.domain.events import AvatarChanged
from djangochat_rx.models import User


def _username(db: Session, user_id: int) -> str:
    name = db.get(User, user_id).username
    db.rollback()
    return name


def set_avatar(db: Session, user_id: int, squares: dict[str, Path]) -> Outcome[str]:
    """The picture's squares (avatars.square, made on the image threads) become the user's picture; its small URL."""
    url = avatars.set_picture(db, user_id, squares)
    return Outcome(url, [AvatarChanged(_username(db, user_id), url)])


def remove_avatar(db: Session, user_id: int) -> Outcome[None]:
    """Back to the generated picture (initials on the name's colour); nobody is told when there was none."""
    removed = avatars.remove_picture(db, user_id)
    return Outcome(None, [AvatarChanged(_username(db, user_id), "")] if removed else [])
