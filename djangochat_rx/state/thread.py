"""A message's thread beside its room (threads.py): open it, read its replies live, reply (also to the room),
follow it or stop following it; and the Threads page, the threads the user follows."""

import uuid
from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import perform, performing
from djangochat_rx.actions import threads as thread_actions
from djangochat_rx.domain import messages, threads
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.infra import throttle
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, field
from djangochat_rx.state.room import RoomState

REPLY_BOX_ID = "reply-box"


class ThreadState(RoomState):
    # Written only by realtime/, straight to the browser: the message whose thread this tab shows (0: none),
    # that message as it is now (a list of one), its newest replies when the panel opened, then each new or
    # changed reply (merged by id in the thread's order: components/room_feed.py's thread feed).
    thread_parent: int = 0
    thread_head: list[MessageView] = []
    thread_snapshot: list[MessageView] = []
    thread_incoming: list[MessageView] = []
    # Whether the user follows the open thread, and what went wrong in its panel.
    thread_following: bool = False
    thread_error: str = ""
    # The random id the next reply is sent under (a retried Reply posts it once).
    reply_id: str = ""
    _thread_id: int = 0

    @rx.event
    async def open_thread(self, parent_id: int):
        """Show the thread of message `parent_id` (of this room) in the side panel, live, and mark it read."""
        identity = await self._identity()
        if identity is None or not self._room_id or not isinstance(parent_id, int):
            return
        sid = self.router.session.session_id
        try:  # a thread opens beside its own room's page only; its replies reach the socket once it may read them
            await db.run(threads.check_thread, identity.user_id, parent_id, self._room_id)
            await hub.watch_thread(sid, parent_id)
            parent, replies, following = await db.run(threads.thread, identity.user_id, parent_id, self._room_id)
        except messages.MessageNotFound as missing:
            await hub.unwatch_thread(sid)
            self._thread_id, self.error = 0, str(missing)
            return
        await hub.show_thread(sid, parent, replies)
        self._thread_id, self.thread_following, self.thread_error = parent_id, following, ""
        self.reply_id = self.reply_id or uuid.uuid4().hex
        await perform(thread_actions.read_thread, identity.user_id, identity.username, parent_id, parent.reply_count)

    @rx.event
    async def open_from_address(self):
        """After the room page loads: `?thread=<id>` (a link from the Threads page) opens that thread beside it."""
        thread = self.router.url.query_parameters.get("thread", "")
        if thread.isdigit() and self.status == "ready":
            return ThreadState.open_thread(int(thread))

    @rx.event
    async def close_thread(self):
        self._thread_id, self.thread_error = 0, ""
        await hub.unwatch_thread(self.router.session.session_id)

    @rx.event
    async def thread_seen(self, seq: int):
        """The open panel shows the thread's replies up to `seq` (the page says so while it is visible)."""
        identity = await self._identity()
        if identity is not None and self._thread_id and isinstance(seq, int):
            await perform(thread_actions.read_thread, identity.user_id, identity.username, self._thread_id, seq)

    @rx.event
    async def send_reply(self, form: dict[str, Any]):
        """Reply in the open thread as the session's user; with "Also send to the room" ticked, the room gets it
        too, quoting the thread's first message."""
        identity = await self._identity()
        if identity is None or not self._thread_id:
            self.thread_error = "This thread is not open."
            return
        try:
            await throttle.before_send(identity.user_id)
            # A ticked checkbox comes as True (Radix's) or "on" (a plain input).
            text, also = field(form, "reply"), form.get("also_to_room") in (True, "on")
            async with performing(
                thread_actions.reply, identity.user_id, self._thread_id, text, field(form, "reply_id"), also
            ):
                self.thread_error, self.reply_id = "", uuid.uuid4().hex
                yield rx.set_value(REPLY_BOX_ID, "")
        except (messages.InvalidMessage, throttle.Throttled) as error:
            self.thread_error = str(error)

    @rx.event
    async def toggle_follow(self):
        """Follow the open thread (its new replies count in Threads) or stop following it."""
        identity = await self._identity()
        if identity is None or not self._thread_id:
            return
        try:
            self.thread_following = await perform(
                thread_actions.follow_thread,
                identity.user_id,
                identity.username,
                self._thread_id,
                not self.thread_following,
            )
        except messages.MessageNotFound as missing:
            self.thread_error = str(missing)


class ThreadsState(AuthState):
    """The Threads page: the threads the user follows, those with unread replies first."""

    followed: list[threads.ThreadView] = []

    @rx.event
    async def load(self):
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.followed = await db.run(threads.followed_threads, identity.user_id)
