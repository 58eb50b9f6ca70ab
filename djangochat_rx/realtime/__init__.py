"""Live delivery: who watches what, and how an action's events reach every screen that must show them.

Follow a message from Send: `state/room.py` calls `actions.messages.send_message`, which commits it and
returns a `MessageSent` event; `actions.perform` hands the events to `publish` here; the relay
(`relay.py`, through Redis when several workers run) gives every worker the event; each worker's
`deliver` passes it to the feed (`feed.py`: the one message to the room's sockets), the rooms lists
(`rooms_list.py`) and presence (`presence.py`). Sockets join groups as pages open (`attach`, `join`,
`watch_lists`); `sockets.py` writes one encoded delta per group.
"""

import contextlib
from collections.abc import Iterable

from reflex.event import Event as ReflexEvent

from djangochat_rx import db, routes, settings
from djangochat_rx.domain import accounts, availability, reads, sessions
from djangochat_rx.domain.events import (
    AvatarChanged,
    EmojiChanged,
    Event,
    MessageChanged,
    MessageSent,
    MutedChanged,
    PinsChanged,
    PreviewsChanged,
    QuietEnded,
    ReactionsChanged,
    ReadMoved,
    ReceiptsMoved,
    ReminderDue,
    RoomChanged,
    SavedChanged,
    ScheduledFailed,
    SessionsEnded,
    ThreadReplied,
    ThreadsRead,
    Typing,
    UserGroupsChanged,
)
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.infra import periodic
from djangochat_rx.realtime import wire
from djangochat_rx.realtime.feed import RoomFeed
from djangochat_rx.realtime.guard import guard
from djangochat_rx.realtime.presence import Presence
from djangochat_rx.realtime.relay import Relay
from djangochat_rx.realtime.rooms_list import RoomsLists, user_group
from djangochat_rx.realtime.sockets import EVERYONE, GROUPS, LOBBY, OWN, ROOM, SESSION, THREAD, USER, sockets


def later_notices(event: ReminderDue | ScheduledFailed) -> dict[str, dict[str, str | int]]:
    """What a person's pages show of a reminder that fell due or a scheduled message that failed: the page's own
    notice (`later_notice`: its text and link), and for a reminder the browser notification (`notice`) too."""
    if isinstance(event, ScheduledFailed):
        where = f" to {event.room_name}" if event.room_name else ""
        text = f"A scheduled message{where} was not sent. {event.reason}"
        return {"later_notice": {"id": f"s{event.job_id}", "text": text, "href": routes.SCHEDULED, "link": "Scheduled"}}
    about = event.note or event.excerpt
    where = f" in {event.room_name}" if event.room_name else ""
    href = routes.located(event.message_id) if event.message_id else routes.REMINDERS
    text = f"Reminder{where}: {about}" if about else f"Reminder{where}"
    shown = {"id": f"r{event.reminder_id}", "text": text, "href": href, "link": "Open"}
    browser = {
        "id": f"reminder-{event.reminder_id}",
        "title": "Reminder",
        "room": event.room_name,
        "author": "",
        "text": about,
        "path": href,
    }
    return {"later_notice": shown, "notice": browser}


class Realtime:
    """This worker's sockets, what they watch, and the delivery of events to them."""

    def __init__(self) -> None:
        self.feed = RoomFeed()
        self.presence = Presence()
        self.lists = RoomsLists(self.presence)
        self.relay = Relay(self.deliver, self.presence)
        self._refresh: list[ReflexEvent] = []
        self._clear_composer: list[ReflexEvent] = []
        self._groups_refresh: list[ReflexEvent] = []
        sockets.on_disconnect(self._gone)

    def bind(self, app, refresh, clear_composer, groups_refresh) -> None:
        """Write to the vars of `app`'s states that wire.ROLES names (see sockets.bind); `refresh` re-reads a
        room's page, `clear_composer` empties its message box, `groups_refresh` re-reads a groups page."""
        sockets.bind(app, **wire.targets())
        if app.event_namespace is not None:
            guard.install(app.event_namespace)
        self._refresh = ReflexEvent.from_event_type(refresh)
        self._clear_composer = ReflexEvent.from_event_type(clear_composer)
        self._groups_refresh = ReflexEvent.from_event_type(groups_refresh)

    async def composer_sent(self, sid: str, draft_id: str) -> None:
        """The message typed on socket `sid` is saved: its box empties and its error goes, and the next message's
        client id arrives, in one frame written before the message is delivered. The sender's box is cleared
        before the sender's log shows the message (a next message typed as soon as it appears is never wiped
        by a late clear), and the room is not kept waiting for the page's own state update, which follows."""
        await sockets.emit({"draft_id": draft_id, "composer_error": ""}, to=sid, events=self._clear_composer)

    async def publish(self, events: Iterable[Event]) -> None:
        """Deliver committed changes on every worker (in the order given)."""
        for event in events:
            await self.relay.publish(event)

    # --- what sockets watch ----------------------------------------------------------------------

    async def attach(self, sid: str, session_id: int, username: str) -> None:
        """A logged-in page opened on socket `sid`: stop watching any room, follow the session and user."""
        await self._unwatch(sid)
        await sockets.enter(sid, f"{SESSION}{session_id}")
        await sockets.enter(sid, user_group(username))
        await sockets.enter(sid, EVERYONE)

    async def show_pictures(self, sid: str, pictures: dict[str, str], emoji: dict[str, str]) -> None:
        """Send the page on socket `sid` everyone's uploaded pictures (username -> URL) and the custom emoji
        (name -> URL), in one frame. They go straight to the browser, which keeps them: a team's pictures held
        in every tab's state cost the server memory per tab as the team grows."""
        await sockets.emit({"avatars": pictures, "emoji": emoji}, to=sid)

    async def detach(self, sid: str) -> None:
        """Socket `sid` is no longer logged in: out of every room, rooms list, session and user."""
        await self._gone(sid)
        for group in sockets.groups_of(sid):
            if group.startswith((SESSION, USER)) or group == EVERYONE:
                await sockets.leave(sid, group)

    async def join(self, sid: str, room_id: int, username: str) -> None:
        """Socket `sid` (already attached) watches `room_id`: its snapshot, typing and presence, then changes."""
        await self._unwatch(sid)
        await self.feed.open(sid, room_id)
        await sockets.emit(self.presence.snapshot(room_id), to=sid)
        if not sockets.connected(sid):  # it went away while joining: its disconnect has already been handled
            await self._gone(sid)
            return
        await self.presence.arrive(sid, room_id, username)

    async def watch_groups(self, sid: str) -> None:
        """Socket `sid` (already attached) shows user groups: its page reads them again when one changes."""
        await sockets.enter(sid, GROUPS)

    def watching(self, sid: str) -> int:
        """The room socket `sid` watches (0: none): presence knows it from join to the page's change."""
        watched = self.presence.watcher(sid)
        return watched[0] if watched else 0

    async def watch_lists(self, sid: str, user_id: int, username: str, fresh: bool = False) -> None:
        """Socket `sid` (already attached) shows the user's rooms lists (the sidebar of every signed-in page,
        and the rooms page), live from now on; read again when `fresh`."""
        await self.lists.watch(sid, user_id, username, fresh)

    async def watch_thread(self, sid: str, parent_id: int) -> None:
        """Socket `sid` (watching the parent's room) shows the thread of message `parent_id` from now on: it
        is told which first, so every reply sent to the thread after this reaches a panel that keeps it."""
        await self.unwatch_thread(sid, tell=False)
        await sockets.emit({"thread_parent": parent_id}, to=sid)
        await sockets.enter(sid, f"{THREAD}{parent_id}")

    async def show_thread(self, sid: str, parent: MessageView, replies: list[MessageView]) -> None:
        """Send socket `sid` the thread it watches as read after it started watching (replies merge by id)."""
        await sockets.emit({"thread_head": [parent], "thread_snapshot": replies}, to=sid)

    async def unwatch_thread(self, sid: str, tell: bool = True) -> None:
        """Socket `sid` no longer shows a thread (`tell`: its panel closes)."""
        for group in sockets.groups_of(sid) if sockets.bound else []:
            if group.startswith(THREAD):
                await sockets.leave(sid, group)
        if tell and sockets.bound:
            await sockets.emit({"thread_parent": 0}, to=sid)

    async def _unwatch(self, sid: str) -> None:
        """Stop sending socket `sid` a room's messages and threads, and take it off the room's presence (its
        page changed)."""
        for group in sockets.groups_of(sid) if sockets.bound else []:
            if group.startswith((ROOM, THREAD)) or group == GROUPS:
                await sockets.leave(sid, group)
        self.presence.depart(sid)

    async def _gone(self, sid: str) -> None:
        """Socket `sid` went away or logged out: no room, no rooms lists."""
        await self._unwatch(sid)
        for group in sockets.groups_of(sid) if sockets.bound else []:
            if group.startswith(OWN) or group == LOBBY:
                await sockets.leave(sid, group)
        self.lists.unwatched()

    # --- delivery (on every worker, from the relay) ------------------------------------------------

    async def deliver(self, event: Event) -> None:
        """Show one committed change to this worker's sockets."""
        match event:
            case MessageSent():
                await self.feed.posted(event.message)  # its files join the Files panels with it (feed.py)
                await self.presence.typing(event.message.room_id, event.message.author, active=False)
                await self.lists.message_sent(event)
            case MessageChanged() if event.message.thread_id:
                await self._thread_changed(event.message)
            case MessageChanged():
                await self._message_changed(event.message)  # a deleted one's files leave the Files panels
                self.lists.message_changed(event)
            case ReactionsChanged() | PreviewsChanged() if event.message.thread_id:
                await self._thread_changed(event.message)
            case ReactionsChanged() | PreviewsChanged():
                await self._message_changed(event.message, soon=True)
            case ThreadReplied():
                await self._thread_changed(event.reply)
                await self._message_changed(event.parent, soon=True)
                for key, unread in event.unread.items():
                    await sockets.emit({"threads_unread": unread}, to=f"{USER}{key}")
                await self._thread_mentions(event)
            case ThreadsRead():
                await sockets.emit({"threads_unread": event.unread}, to=user_group(event.username))
            case ReadMoved():
                await self.lists.read(event)
            case Typing():
                await self.presence.typing(event.room_id, event.username, event.active)
            case RoomChanged():
                await self._room_changed(event)
            case PinsChanged():
                await sockets.emit({"pins": list(event.pins)}, to=f"{ROOM}{event.room_id}")
            case MutedChanged():
                await self.lists.muted(event)
            case SavedChanged():
                for sid in self._own_pages(event.username, event.room_id):
                    await sockets.emit({"saved_ids": list(event.saved)}, to=sid)
            case ReminderDue():  # the person's pages: the notice on the page, and a browser notice while hidden
                await sockets.emit(later_notices(event), to=user_group(event.username))
            case ScheduledFailed():
                await sockets.emit(later_notices(event), to=user_group(event.username))
            case ReceiptsMoved():  # each author's own pages of that room, nobody else's
                for author, line in event.lines.items():
                    for sid in self._own_pages(author, event.room_id):
                        await sockets.emit({"seen_seq": line.seq, "seen_by": list(line.by)}, to=sid)
            case AvatarChanged():
                await sockets.emit({"avatar_changed": {event.username: event.url}}, to=EVERYONE)
            case EmojiChanged():
                await sockets.emit({"emoji_changed": {event.name: event.url}}, to=EVERYONE)
            case QuietEnded():  # the person's pages: one notice summing up what waited
                notice = {
                    "id": "quiet-ended",
                    "title": "While you were away",
                    "text": availability.summary_text(event.mentions, event.direct),
                    "path": routes.ROOMS,
                }
                await sockets.emit({"notice": notice}, to=user_group(event.username))
            case UserGroupsChanged():  # the group pages open on this worker read again (access checked there)
                if sockets.has_members(GROUPS):
                    await sockets.ask(self._groups_refresh, to=GROUPS)
            case SessionsEnded():
                sessions.recent.forget(event.session_ids)
                for session_id in event.session_ids:
                    for sid in sockets.members(f"{SESSION}{session_id}"):
                        await self.detach(sid)

    @staticmethod
    def _own_pages(username: str, room_id: int) -> list[str]:
        """The sockets of `username`'s pages of room `room_id` on this worker (in both groups)."""
        if not sockets.has_members(f"{ROOM}{room_id}"):
            return []
        room = set(sockets.members(f"{ROOM}{room_id}"))
        return [sid for sid in sockets.members(user_group(username)) if sid in room]

    async def _message_changed(self, message: MessageView, soon: bool = False) -> None:
        """A message of a room changed: its room shows the new version (`soon`: with the room's next message, see
        feed.py), and so does the head of its thread's panels."""
        await (self.feed.changed_soon if soon else self.feed.changed)(message)
        if sockets.has_members(f"{THREAD}{message.id}"):
            await sockets.emit({"thread_head": [message]}, to=f"{THREAD}{message.id}")

    async def _thread_mentions(self, event: ThreadReplied) -> None:
        """The people a reply mentions (but those who hear nothing of its room) get a notice opening the thread."""
        notice = {
            "id": event.reply.id,
            "room": event.room_name,
            "slug": event.slug,
            "author": event.reply.author,
            "text": reads.preview(event.reply.body, False, False),
            "path": routes.thread(event.slug, event.parent.id),
        }
        for name in event.reply.mentions:
            key = accounts.username_key(name)
            if key not in event.quiet and name != event.reply.author:
                await sockets.emit({"notice": notice}, to=f"{USER}{key}")

    async def _thread_changed(self, reply: MessageView) -> None:
        """A reply is new or changed: the panels showing its thread merge it (by id, in the thread's order)."""
        await sockets.emit({"thread_incoming": [reply]}, to=f"{THREAD}{reply.thread_id}")

    async def sweep_sessions(self) -> list[int]:
        """Cut off the sockets of sessions that expired (idle or absolute) or whose user was disabled since
        they attached, without waiting for their tab to act; the ended session ids."""
        if not sockets.bound:
            return []
        attached = {int(group.removeprefix(SESSION)) for group in sockets.groups(SESSION)}
        ended = sorted(attached - await db.run(sessions.live, attached)) if attached else []
        if ended:  # as an ending's event does, on this worker: the sessions are other workers' to sweep
            await self.deliver(SessionsEnded(tuple(ended)))
        return ended

    def sweeping(self, interval: float = settings.SESSION_SWEEP_SECONDS) -> contextlib.AbstractAsyncContextManager:
        """While the app runs, sweep_sessions every `interval` seconds (a lifespan task)."""
        return periodic.every(interval, self.sweep_sessions, "session-sweep")

    async def _room_changed(self, event: RoomChanged) -> None:
        group = f"{ROOM}{event.room_id}"
        if event.purged:  # the history kept here holds messages that are gone: the pages' reads fetch it anew
            self.feed.forget(event.room_id)
        # One frame asks every page in the room to read it again (access is re-checked there) ...
        await sockets.ask(self._refresh, to=group)
        # ... and the sockets of those who lost it stop receiving its messages now, whatever their page does.
        expelled = set(event.expelled)
        for sid in sockets.members(group):
            watched = self.presence.watcher(sid)
            if event.gone or (watched is not None and accounts.username_key(watched[1]) in expelled):
                await self._unwatch(sid)
        if event.gone:
            self.feed.forget(event.room_id)
        self.lists.room_changed(event)


hub = Realtime()
