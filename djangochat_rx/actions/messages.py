"""Sending, editing and deleting messages, a moderator's removal, pins, reactions, saved messages and polls."""

from collections.abc import Callable
from dataclasses import replace

from sqlmodel import Session

from djangochat_rx import db as database
from djangochat_rx.actions import Outcome
from djangochat_rx.domain import access, admin, forwarding, messages, pins, polls, reactions, reads, room_prefs, saved
from djangochat_rx.domain.events import MessageChanged, MessageSent, PinsChanged, ReactionsChanged, SavedChanged
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.models import Pin


def send_message(
    db: Session,
    user_id: int,
    room_id: int,
    text: str,
    client_id: str = "",
    present: tuple[str, ...] = (),
    file_ids: tuple[int, ...] = (),
    quote_id: int | None = None,
    forward_of_id: int | None = None,
    claim: Callable[[Session], bool] | None = None,
    in_transaction: bool = False,
    urgent: bool = False,
) -> Outcome[MessageView]:
    """Post a message (one write transaction; a retry under the same `client_id` posts nothing new): the
    room sees it, the author's rooms lists count it read, and the users it mentions are told (`present`:
    who is in the room now, whom an `@here` mentions). `file_ids`: the author's uploads that go with it;
    the room sees the message with them (their metadata, never their bytes). `quote_id`: the message of
    the room it quotes (a reply also sent to the room, actions/threads.py); `forward_of_id`: the message it is a
    forwarded copy of (forward_messages). `claim`: the durable job it carries out (actions/later.py), claimed in the
    same transaction (messages.post); `in_transaction`: in the caller's write transaction (messages.post). `urgent`: a
    direct message that notifies its people now, even in do not disturb or outside their working hours (the caller
    budgets it: throttle.before_urgent)."""
    if urgent and not access.is_direct(db, room_id):
        db.rollback()
        raise messages.InvalidMessage("Only a direct message can notify at once.")
    posted = messages.post(
        db, room_id, user_id, text, client_id, present, file_ids, quote_id, forward_of_id, claim, in_transaction
    )
    message = posted.message
    mentioned, quiet = {}, ()
    if message.mentions:
        mentioned = {key: tuple(slugs) for key, slugs in reads.mention_marks(db, message.mentions).items()}
        quiet = room_prefs.quiet_keys(db, room_id, mentioned, in_transaction)
        if not in_transaction:
            db.rollback()
    preview = reads.preview(message.body, message.deleted, message.removed)
    sent = MessageSent(message, posted.room_name, posted.slug, preview, mentioned, posted.direct, quiet, urgent)
    return Outcome(message, [sent])


def forward_messages(
    db: Session, user_id: int, room_id: int, message_ids: tuple[int, ...], comment: str = ""
) -> Outcome[list[MessageView]]:
    """Forward copies of messages one may read to a room or conversation one may post in, after `comment` (if
    any), in one transaction: one copy of each, in their room's order (whatever the order of `message_ids`), each a
    message sent there, told as any other (mentions in a copy notify no one: its @names are the original author's
    words, quoted). The messages posted, in order."""
    copies = forwarding.originals(db, user_id, tuple(message_ids))
    sent: list[Outcome[MessageView]] = []
    database.begin_write(db)
    try:
        if comment.strip():
            sent.append(send_message(db, user_id, room_id, comment, in_transaction=True))
        for original in copies:
            sent.append(
                send_message(db, user_id, room_id, original.text, forward_of_id=original.id, in_transaction=True)
            )
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return Outcome([outcome.value for outcome in sent], [event for outcome in sent for event in outcome.events])


def ask_poll(db: Session, user_id: int, room_id: int, asked: polls.Asked, client_id: str = "") -> Outcome[MessageView]:
    """Post a poll (`asked`: polls.ask checked it): its message, written out, with the poll everyone votes in."""
    sent = send_message(db, user_id, room_id, asked.text, client_id)
    if sent.value.poll is None and not sent.value.deleted:  # a retry under the same client id has its poll already
        polls.attach(db, sent.value.id, asked)
    message = messages.message_view(db, sent.value.id)
    return Outcome(message, [replace(event, message=message) for event in sent.events])


def vote(db: Session, user_id: int, message_id: int, position: int, room_id: int | None = None) -> Outcome[int | None]:
    """Vote for an answer of a poll, change one's vote, or take it back (the same answer again): the room sees the
    new results. The user's answer now (None: no vote)."""
    chosen = polls.vote(db, user_id, message_id, position, room_id)
    return Outcome(chosen, [_message_changed(messages.message_view(db, message_id))])


def close_poll(db: Session, user_id: int, message_id: int, room_id: int | None = None) -> Outcome[None]:
    """The poll's author closes it: the room sees its final results."""
    polls.close(db, user_id, message_id, room_id)
    return Outcome(None, [_message_changed(messages.message_view(db, message_id))])


def _message_changed(message: MessageView) -> MessageChanged:
    """The room sees the message's new version (the rooms lists its new preview, when it is their last)."""
    return MessageChanged(message, reads.preview(message.body, message.deleted, message.removed))


def _changed(db: Session, message: MessageView, was_pinned: bool) -> Outcome[MessageView]:
    """The room sees the new version; if the message was pinned, its pins panel too (a deleted one leaves it)."""
    events: list = [_message_changed(message)]
    if was_pinned:
        events.append(_pins_changed(db, message.room_id))
    return Outcome(message, events)


def _pinned(db: Session, message_id: int) -> bool:
    found = db.get(Pin, message_id) is not None
    db.rollback()
    return found


def _pins_changed(db: Session, room_id: int) -> PinsChanged:
    return PinsChanged(room_id, tuple(pins.pinned(db, room_id)))


def edit_message(db: Session, user_id: int, room_id: int, message_id: int, text: str) -> Outcome[MessageView]:
    """The author replaces the text of their message (within the edit window)."""
    was_pinned = _pinned(db, message_id)
    return _changed(db, messages.edit_message(db, message_id, user_id, text, room_id=room_id), was_pinned)


def delete_message(db: Session, user_id: int, room_id: int, message_id: int) -> Outcome[MessageView]:
    """The author deletes their message (within the edit window); a placeholder keeps its place."""
    was_pinned = _pinned(db, message_id)
    return _changed(db, messages.delete_message(db, message_id, user_id, room_id=room_id), was_pinned)


def remove_message(db: Session, admin_id: int, message_id: int) -> Outcome[MessageView]:
    """An administrator removes anyone's message: "removed by a moderator" for everyone, audited."""
    was_pinned = _pinned(db, message_id)
    return _changed(db, admin.remove_message(db, admin_id, message_id), was_pinned)


def pin_message(db: Session, user_id: int, message_id: int) -> Outcome[None]:
    """A member pins a message in its room: the room's pins panel shows it first."""
    return Outcome(None, [_pins_changed(db, pins.pin(db, user_id, message_id))])


def unpin_message(db: Session, user_id: int, message_id: int) -> Outcome[None]:
    """A member takes a message's pin away: it leaves the room's pins panel."""
    return Outcome(None, [_pins_changed(db, pins.unpin(db, user_id, message_id))])


def react(
    db: Session, user_id: int, message_id: int, emoji: str, room_id: int | None = None, want: bool | None = None
) -> Outcome[bool]:
    """React to a message with an emoji, or take that reaction back (the tab's room only, when `room_id`
    is given; `want`: make sure it is there or not): the room sees the message with its reactions now.
    True when the user's reaction is there afterwards."""
    toggled = reactions.toggle(db, user_id, message_id, emoji, room_id, want)
    return Outcome(toggled.added, [ReactionsChanged(messages.message_view(db, message_id))])


def _saved_changed(db: Session, user_id: int, username: str, room_id: int) -> SavedChanged:
    return SavedChanged(username, room_id, tuple(saved.saved_in_room(db, user_id, room_id)))


def save_message(db: Session, user_id: int, username: str, message_id: int) -> Outcome[None]:
    """Save a message one may read to one's Saved list: one's pages of its room show it saved."""
    return Outcome(None, [_saved_changed(db, user_id, username, saved.save(db, user_id, message_id))])


def unsave_message(db: Session, user_id: int, username: str, message_id: int) -> Outcome[None]:
    """Take a message off one's Saved list (no event when there was no such message to tell of)."""
    room_id = saved.unsave(db, user_id, message_id)
    return Outcome(None, [_saved_changed(db, user_id, username, room_id)] if room_id else [])
