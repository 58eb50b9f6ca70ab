"""The room page's side panels: members (leaving; a direct message from a name), settings, search in the room,
pins and files; and how a room change run from them reports its answer there."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import perform
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import attachments, rooms
from djangochat_rx.state.auth import field
from djangochat_rx.state.room_tab import InRoom
from djangochat_rx.state.search import search_path


class Panels(InRoom, mixin=True):
    # The open side panel ("members", "settings", "search", "pins" or "files") and what happened there.
    panel: str = ""
    panel_error: str = ""
    panel_notice: str = ""
    # The Files panel: the room's newest files, read when it opens, then those of each message posted
    # (`files_posted`) and the ids of messages deleted, whose files go (`files_removed`), both written only
    # by realtime/, to the room; the browser merges them (components/files.py, assets/room_files.js).
    # `files_kind` filters them: "" (all), "image" or "file".
    room_files: list[attachments.RoomFile] = []
    files_posted: list[attachments.RoomFile] = []
    files_removed: list[int] = []
    files_kind: str = ""

    @rx.event
    async def toggle_panel(self, name: str):
        """Open the members, settings, search, pins or files panel (or close it when it is open)."""
        panels = ("members", "settings", "search", "pins", "files")
        self.panel = "" if self.panel == name or name not in panels else name
        self.panel_error, self.panel_notice = "", ""
        if self.panel == "files":
            identity = await self._in_room()
            if identity is not None:
                try:
                    self.room_files = await db.run(attachments.room_files, identity.user_id, self._room_id)
                except rooms.RoomNotFound as missing:
                    self.panel_error = str(missing)

    @rx.event
    def show_files(self, kind: str | list[str]):
        """The Files panel shows every file ("all"), only images ("image"), or only other files ("file")."""
        self.files_kind = kind if isinstance(kind, str) and kind in (attachments.IMAGE, attachments.FILE) else ""

    @rx.event
    def search_room(self, form: dict[str, Any]):
        """Search this room's messages (the search page, with `in:` this room)."""
        words = field(form, "q").strip()
        if words:
            return rx.redirect(search_path(f"in:{self.slug} {words}"))

    @rx.event
    async def leave(self):
        """Leave this private room or conversation."""
        if await self._room_action(room_actions.leave):
            return rx.redirect(routes.ROOMS)

    @rx.event
    async def message_user(self, username: str):
        """Open (or create) the direct conversation with `username`."""
        identity = await self._identity()
        if identity is None or not isinstance(username, str):
            return
        try:
            return await self._open_direct(identity, [username])
        except rooms.RoomError as error:
            self.panel_error = str(error)

    async def _room_action(self, action, *args: Any) -> Any:
        """Run a room action as the session's user (the domain checks membership and ownership): True, or
        its value when it has one; None with the reason on the panel."""
        identity = await self._in_room()
        self.panel_error, self.panel_notice = "", ""
        if identity is None:
            return None
        try:
            result = await perform(action, identity.user_id, self._room_id, *args)
        except rooms.RoomError as error:
            self.panel_error = str(error)
            return None
        return True if result is None else result
