"""Link previews: a message's links bound to their fetched cards (after the commit that sent or edited it, from
notify/previews.py), and its author taking a card away. The room sees the message with its cards (PreviewsChanged:
with the room's next message, as a reaction does, not a frame of its own to every socket)."""

from sqlmodel import Session, select

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import link_previews, messages
from djangochat_rx.domain.events import PreviewsChanged
from djangochat_rx.domain.link_previews import Card
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.models import Message, User


def _changed(db: Session, message_id: int) -> Outcome[MessageView]:
    message = messages.message_view(db, message_id)
    return Outcome(message, [PreviewsChanged(message)])


def attach_previews(db: Session, message_id: int, fetched: tuple[Card, ...] = ()) -> Outcome[MessageView | None]:
    """Keep the `fetched` cards and give the message the cards of its links as they are now (an edit meanwhile
    counts): the room sees the message with them. Nothing to tell when what it shows is unchanged (None)."""
    found = messages.views(db, select(Message, User.username).where(Message.id == message_id))
    db.rollback()
    urls = link_previews.wanted(found[0].html) if found else []
    changed, gone = link_previews.attach(db, message_id, urls, fetched)
    link_previews.forget_images(gone)
    return _changed(db, message_id) if changed else Outcome(None, [])


def remove_preview(db: Session, user_id: int, message_id: int, url: str) -> Outcome[MessageView | None]:
    """The author takes the card of one of their message's links away, for good: the room sees the message without
    it. Nothing to tell when it showed no such card (None)."""
    if not link_previews.remove(db, user_id, message_id, url):
        return Outcome(None, [])
    return _changed(db, message_id)
