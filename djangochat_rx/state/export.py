"""Downloads of exports: check who asks, get a one-time ticket, point the browser at the download route."""

import reflex as rx
from reflex_base.event import EventSpec

from djangochat_rx import db, routes
from djangochat_rx.domain import admin, rooms
from djangochat_rx.http import downloads
from djangochat_rx.models import utcnow
from djangochat_rx.state.auth import AuthState


class ExportState(AuthState):
    export_error: str = ""

    @rx.event
    async def download_mine(self):
        """Download every message the user wrote (in rooms they may still read) as JSON."""
        self.export_error = ""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        filename = f"djangochat-my-messages-{utcnow().date().isoformat()}.json"
        return await self._download(downloads.Grant(identity.user_id, identity.session_id, filename))

    @rx.event
    async def download_room(self, room_id: int):
        """Download every message of one room as JSON (administrators only; the download is audited)."""
        self.export_error = ""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        if not isinstance(room_id, int):
            self.export_error = str(rooms.RoomNotFound())
            return None
        try:
            room = await db.run(admin.room_by_id, identity.user_id, room_id)
        except (admin.NotAdmin, rooms.RoomNotFound) as refused:
            self.export_error = str(refused)
            return None
        # Named after the room's name: a private room's slug is random.
        filename = f"djangochat-room-{rooms.base_slug(room.name)}-{utcnow().date().isoformat()}.json"
        return await self._download(downloads.Grant(identity.user_id, identity.session_id, filename, room.id))

    async def _download(self, grant: downloads.Grant) -> EventSpec:
        """Send the browser to a fresh ticket's download, on the backend this socket is connected to."""
        ticket = await downloads.issue(grant)
        headers = self.router.headers
        # A Var, not a str: rx.download only takes paths as strings, and in development the
        # backend is on another port than the page.
        url = rx.Var.create(routes.backend_origin(headers.origin, headers.host) + downloads.path(ticket))
        return rx.download(url=url, filename=grant.filename)
