"""The wire: what goes to the browser and under which name. A message's shape on the socket (a serializer
Reflex uses for every MessageView it sends), and the roles delivery writes to: each role names a var of a page's
state, by the state's class name, so that realtime/ never imports state/ (tests/unit/test_layout.py)."""

import dataclasses

import reflex as rx
from reflex.state import State

from djangochat_rx.domain.messages import MessageView

# A message's thread, quote, poll, forward and link-preview fields while they are empty: left out of what goes to
# the browser, where a missing field reads as empty (components/message.py tests them as `> 0`), so a plain
# message costs its room's sockets no more than before threads (the relay between workers, events.to_wire, keeps
# them all).
_EMPTY_ON_THE_WIRE = {
    "thread_id": 0,
    "reply_count": 0,
    "last_reply_at": "",
    "repliers": (),
    "quote_id": 0,
    "quote_author": "",
    "quote_text": "",
    "poll": None,
    "forward_id": 0,
    "forward_author": "",
    "previews": (),
}
_MESSAGE_FIELDS = tuple(field.name for field in dataclasses.fields(MessageView))


@rx.serializer
def message_on_the_wire(message: MessageView) -> dict:
    """A message as the browser gets it: every field but those of _EMPTY_ON_THE_WIRE while they are empty."""
    return {
        name: value
        for name in _MESSAGE_FIELDS
        if (value := getattr(message, name)) != _EMPTY_ON_THE_WIRE.get(name, _KEPT)
    }


_KEPT = object()


# role -> "StateClass.var": where sockets.emit(role=...) writes (realtime/sockets.py), by role.
ROLES = {
    "draft_id": "RoomState.draft_id",
    "composer_error": "RoomState.error",
    "feed_room": "RoomState.feed_room",
    "snapshot": "RoomState.snapshot",
    "incoming": "RoomState.incoming",
    "typing": "RoomState.typing",
    "present": "RoomState.present",
    "pins": "RoomState.pins",
    "saved_ids": "RoomState.saved_ids",
    "seen_seq": "RoomState.seen_seq",
    "seen_by": "RoomState.seen_by",
    "files_posted": "RoomState.files_posted",
    "files_removed": "RoomState.files_removed",
    "thread_parent": "ThreadState.thread_parent",
    "thread_head": "ThreadState.thread_head",
    "thread_snapshot": "ThreadState.thread_snapshot",
    "thread_incoming": "ThreadState.thread_incoming",
    "threads_unread": "RoomsState.threads_unread",
    "lobby": "RoomsState.lobby",
    "lobby_total": "RoomsState.lobby_total",
    "own_rooms": "RoomsState.own_rooms",
    "reads": "RoomsState.reads",
    "read_marks": "RoomsState.read_marks",
    "mentioned": "RoomsState.mentioned",
    "muted": "RoomsState.muted",
    "notice": "AuthState.notice",
    "later_notice": "AuthState.later_notice",
    "avatars": "AuthState.avatars",
    "avatar_changed": "AuthState.avatar_changed",
    "emoji": "AuthState.custom_emoji",
    "emoji_changed": "AuthState.custom_emoji_changed",
}


def state_named(name: str) -> type[State]:
    """The app's state class called `name` (the app's pages have imported them all by the time it binds)."""
    stack = [State]
    while stack:
        state = stack.pop()
        if state.__name__ == name:
            return state
        stack.extend(state.get_substates())
    raise LookupError(f"no state class named {name}")


def targets() -> dict[str, tuple[type[State], str]]:
    """ROLES as sockets.bind takes them: role -> (state class, var), each checked to exist."""
    found = {}
    for role, where in ROLES.items():
        state_name, var = where.split(".")
        state = state_named(state_name)
        if var not in state.vars:
            raise LookupError(f"{where} (role {role}) is not a var")
        found[role] = (state, var)
    return found
