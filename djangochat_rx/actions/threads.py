"""Replying in a thread, reading one, following one (threads.py)."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.actions.messages import send_message
from djangochat_rx.domain import accounts, room_prefs, threads
from djangochat_rx.domain.events import ThreadReplied, ThreadsRead
from djangochat_rx.domain.messages import MessageView


def reply(
    db: Session, user_id: int, parent_id: int, text: str, client_id: str = "", also_to_room: bool = False
) -> Outcome[MessageView]:
    """Reply in the thread of message `parent_id`: its open panels show the reply, the room the parent's new
    count, the thread's followers their unread replies, the people it mentions a notice. `also_to_room`: the
    room gets the text too, as a message quoting the parent (under its own client id, so a retry posts
    neither twice)."""
    replied = threads.post_reply(db, parent_id, user_id, text, client_id)
    quiet = ()
    if replied.reply.mentions:
        mentioned = [accounts.username_key(name) for name in replied.reply.mentions]
        quiet = room_prefs.quiet_keys(db, replied.reply.room_id, mentioned)
        db.rollback()
    events: list = [
        ThreadReplied(replied.reply, replied.parent, replied.unread, replied.room_name, replied.slug, quiet)
    ]
    if also_to_room:
        room_client_id = f"{client_id[:59]}-room" if client_id else ""
        sent = send_message(db, user_id, replied.parent.room_id, text, room_client_id, quote_id=parent_id)
        events += sent.events
    return Outcome(replied.reply, events)


def read_thread(db: Session, user_id: int, username: str, parent_id: int, seq: int) -> Outcome[None]:
    """The user has seen the thread's replies up to `seq`: their Threads count drops (on every tab)."""
    unread = threads.mark_read(db, user_id, parent_id, seq)
    return Outcome(None, [] if unread is None else [ThreadsRead(username, unread)])


def follow_thread(db: Session, user_id: int, username: str, parent_id: int, following: bool) -> Outcome[bool]:
    """Follow a thread (its new replies count as unread) or stop following it; whether the user follows it."""
    unread = threads.set_following(db, user_id, parent_id, following)
    return Outcome(following, [ThreadsRead(username, unread)])
