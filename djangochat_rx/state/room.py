"""One room's page: join its live feed, send messages."""

import uuid
from typing import Any, Literal, TypedDict

import reflex as rx

from djangochat_rx import db, messages, rooms, routes, throttle
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, field

COMPOSER_ID = "message"


class MessageItem(TypedDict):
    """A message in the window, as realtime.window_item sends it."""

    id: int
    author: str
    html: str
    created_at: str


class RoomState(AuthState):
    status: Literal["loading", "ready", "missing"] = "loading"
    room_name: str = ""
    room_description: str = ""
    # The room's newest messages. Written only by realtime.RoomHub, straight to the browser.
    messages: list[MessageItem] = []
    # Who is typing in the room. Also written only by realtime.RoomHub.
    typing: list[str] = []
    error: str = ""
    # The random id the next message is sent under (kept in the tab's sessionStorage, so it survives
    # a reconnect or a backend restart): pressing Send again after a failure cannot post twice.
    draft_id: str = rx.SessionStorage("", name="djangochat_draft_id")
    _room_id: int = 0

    @rx.event
    async def load(self):
        """Guard the page, find the room by its slug, and join its live feed."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error = ""
        self.draft_id = self.draft_id or uuid.uuid4().hex
        try:
            room = await db.run(rooms.room_by_slug, self.slug)
        except rooms.RoomNotFound:
            self.status, self._room_id = "missing", 0
            return
        self.status, self._room_id = "ready", room.id
        self.room_name, self.room_description = room.name, room.description
        await hub.join(self.router.session.session_id, room.id, identity.session_id)

    @rx.event
    async def typing_now(self, _text: str = ""):
        """The message box changed: tell the room (the page sends this at most every few seconds)."""
        identity = await self._identity()
        if identity is not None and self._room_id:
            await hub.typing(self._room_id, identity.username)

    @rx.event
    async def send(self, form: dict[str, Any]):
        """Post the message as the session's user; everyone in the room sees it via the hub."""
        identity = await self._identity()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        if not self._room_id:
            self.error = "This room is not open."
            return
        try:
            await throttle.before_send(identity.user_id)
            message = await db.run(
                messages.post_message, self._room_id, identity.user_id, field(form, "message"), field(form, "client_id")
            )
        except (messages.InvalidMessage, rooms.RoomNotFound, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error = ""
        self.draft_id = uuid.uuid4().hex
        # The new draft id and the cleared box reach the browser before the message comes back
        # through the room feed, so the next message can never go out under this one's id.
        yield rx.set_value(COMPOSER_ID, "")
        await hub.publish(message)
        await hub.typing(self._room_id, identity.username, active=False)
