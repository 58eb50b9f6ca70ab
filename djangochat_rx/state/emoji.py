"""Custom emoji on the account page (custom_emoji.py): every one listed with who added it, adding one (the name
typed here, the picture uploaded by the browser to files.upload_emoji) and removing one (its maker, or an
administrator)."""

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import emoji as emoji_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import custom_emoji
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState


class EmojiState(AuthState):
    emoji_list: list[custom_emoji.EmojiView] = []
    # The name the next upload takes (the upload's address carries it; "" takes the file's name).
    new_name: str = ""
    may_add: bool = False
    # When one may not add: who may (custom_emoji.WHO_ADDS says it).
    who_adds: str = ""
    emoji_error: str = ""
    emoji_notice: str = ""

    async def _list(self, user_id: int) -> None:
        self.emoji_list = await db.run(custom_emoji.listed)
        self.may_add = await db.run(custom_emoji.may_add, user_id)
        self.who_adds = "" if self.may_add else custom_emoji.WHO_ADDS[await db.run(custom_emoji.adders)]

    @rx.event
    async def load_emoji(self):
        """The list, when the account page's section opens."""
        identity = await self._identity()
        if identity is None:
            return
        self.emoji_error, self.emoji_notice = "", ""
        await self._list(identity.user_id)

    @rx.event
    def name_typed(self, typed: str):
        """The name box changed: the next upload asks for this name (checked by the server)."""
        self.new_name = typed.strip()[:40] if isinstance(typed, str) else ""

    @rx.event
    async def emoji_added(self, _id: int):
        """The browser's upload was kept: every page draws it already (EmojiChanged); the list shows it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        added = self.new_name.strip(":").lower()
        self.emoji_error, self.emoji_notice = "", f"Added :{added}:." if added else "Added."
        self.new_name = ""
        await self._list(identity.user_id)

    @rx.event
    def emoji_refused(self, reason: str):
        """The browser or the server refused the upload: say why."""
        self.emoji_error = reason[:300] if isinstance(reason, str) else ""
        self.emoji_notice = ""

    @rx.event
    async def remove_emoji(self, name: str):
        """Remove a custom emoji (its maker, or an administrator), within the emoji changes' budget."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.emoji_error, self.emoji_notice = "", ""
        try:
            await throttle.before_emoji_change(identity.user_id)
            removed = await perform(emoji_actions.remove_emoji, identity.user_id, name if isinstance(name, str) else "")
        except (throttle.Throttled, custom_emoji.EmojiRefused) as refused:
            self.emoji_error = str(refused)
        else:
            self.emoji_notice = f"Removed :{removed}:."
        await self._list(identity.user_id)
        return None
