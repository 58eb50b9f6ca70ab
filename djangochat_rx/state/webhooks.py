"""The room settings panel's incoming webhooks (webhooks.py): listed, made (its URL shown once) and revoked
by the room's owners."""

from typing import Any

import reflex as rx

from djangochat_rx import db
from djangochat_rx.actions import perform
from djangochat_rx.actions import webhooks as webhook_actions
from djangochat_rx.domain import rooms, webhooks
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import field
from djangochat_rx.state.room import RoomState


class WebhooksState(RoomState):
    hooks: list[webhooks.WebhookView] = []
    # The URL of the webhook just made: shown once (only its token's hash is kept).
    hook_url: str = ""
    hook_error: str = ""

    @rx.event
    async def load_hooks(self):
        """The room's webhooks, when its settings panel opens (owners only)."""
        self.hook_url, self.hook_error = "", ""
        await self._hooks(lambda user_id: db.run(webhooks.listed, user_id, self._room_id))

    @rx.event
    async def create_hook(self, form: dict[str, Any]):
        async def make(user_id: int):
            await throttle.before_create_webhook(user_id)
            _, token = await perform(webhook_actions.create_webhook, user_id, self._room_id, field(form, "name"))
            self.hook_url = self.api_base + webhooks.PATH.format(token=token)
            return await db.run(webhooks.listed, user_id, self._room_id)

        self.hook_url, self.hook_error = "", ""
        await self._hooks(make)

    @rx.event
    async def revoke_hook(self, webhook_id: int):
        async def stop(user_id: int):
            await perform(webhook_actions.revoke_webhook, user_id, self._room_id, webhook_id)
            return await db.run(webhooks.listed, user_id, self._room_id)

        self.hook_url, self.hook_error = "", ""
        if isinstance(webhook_id, int):
            await self._hooks(stop)

    async def _hooks(self, work) -> None:
        identity = await self._identity()
        if identity is None or not self._room_id:
            self.hooks = []
            return
        try:
            self.hooks = await work(identity.user_id)
        except rooms.RoomNotFound:
            self.hooks = []
        except (webhooks.WebhookError, throttle.Throttled) as error:
            self.hook_error = str(error)
