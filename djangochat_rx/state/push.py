"""Web Push on this device (components/push.py): ask this browser (assets/push_switch.js) to check,
subscribe or stop, and store what it answers through actions/notices.py."""

from typing import Any

import reflex as rx

from djangochat_rx import db
from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.actions import perform
from djangochat_rx.notify import push
from djangochat_rx.state.auth import AuthState


class PushState(AuthState):
    # "unknown" (not asked yet), "on", "off" or "unsupported" for this browser.
    push_status: str = "unknown"
    push_error: str = ""
    # How many browsers take this user's notifications.
    push_devices: int = 0
    # The server's VAPID public key (the browser subscribes with it), and what the browser is asked to
    # do next: "<check|subscribe|unsubscribe>:<n>" (a new n each time, so the same request runs again).
    push_key: str = ""
    push_request: str = ""
    _asked: int = 0

    def _ask(self, action: str) -> None:
        self._asked += 1
        self.push_error, self.push_request = "", f"{action}:{self._asked}"

    @rx.event
    async def check(self):
        """Ask this browser whether it takes notifications (when the settings appear)."""
        identity = await self._identity()
        if identity is None:
            return
        self.push_devices = await db.run(push.subscribed, identity.user_id)
        self.push_key = await db.run(push.public_key)
        self._ask("check")

    @rx.event
    def turn_on(self):
        """Subscribe this browser (it asks the person for the permission first)."""
        self._ask("subscribe")

    @rx.event
    def turn_off(self):
        self._ask("unsubscribe")

    @rx.event
    async def answered(self, answer: dict[str, Any]):
        """What the browser did; a subscription or its end is stored for the session's user."""
        identity = await self._identity()
        if identity is None or not isinstance(answer, dict):
            return
        if not answer.get("ok"):
            self.push_error = str(answer.get("error", ""))[:300]
            if answer.get("action") == "check":
                self.push_status = "unsupported"
            return
        action = answer.get("action")
        if action == "check":
            self.push_status = "on" if answer.get("subscribed") else "off"
        elif action == "subscribe":
            try:
                self.push_devices = await perform(
                    notice_actions.subscribe_push,
                    identity.user_id,
                    answer.get("subscription"),
                    self.router.headers.user_agent,
                )
            except push.InvalidSubscription as error:
                self.push_error = str(error)
                return
            self.push_status = "on"
        elif action == "unsubscribe":
            endpoint = answer.get("endpoint")
            if isinstance(endpoint, str) and endpoint:
                self.push_devices = await perform(notice_actions.unsubscribe_push, identity.user_id, endpoint)
            self.push_status = "off"
