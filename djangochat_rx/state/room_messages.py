"""The room page's tools on one message: editing and deleting one's own, its earlier versions, pinning, reacting,
saving for later, voting in a poll, forwarding, taking a link's preview off one's own."""

from typing import Any

import reflex as rx

from djangochat_rx import db, settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.actions import previews as preview_actions
from djangochat_rx.domain import edit_history, forwarding, link_previews, messages, reactions, rooms
from djangochat_rx.domain.edit_history import VersionView
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import field, whole
from djangochat_rx.state.room_tab import InRoom


class MessageTools(InRoom, mixin=True):
    # The message whose reaction picker is open (0: none), in which list ("room": the history, "thread": the
    # thread panel, where the thread's first message shows too), and the user's most used emoji it offers first.
    reacting_id: int = 0
    reacting_in: str = ""
    favourites: list[str] = []
    editing_id: int = 0
    edit_text: str = ""
    deleting_id: int = 0
    # The versions of the message whose "(edited)" was opened, newest first (empty: the dialog is closed).
    versions: list[VersionView] = []
    # The user's answers in this room's polls, "<message id>:<position>" (their page marks them chosen).
    poll_choices: list[str] = []
    # Forwarding: the messages chosen (at most FORWARD_MAX_MESSAGES; they go in their room's order), whether the
    # room's messages offer a checkbox each to choose more (selection mode, its bar at the bottom), whether the
    # forward form is open, what it lists (author and first line of each chosen message), where they may go, and
    # what went wrong.
    selected_ids: tuple[int, ...] = ()
    selecting: bool = False
    forward_open: bool = False
    forward_chosen: list[forwarding.Chosen] = []
    forward_targets: list[forwarding.Target] = []
    forward_error: str = ""

    @rx.event
    async def start_edit(self, message_id: int):
        """Open message `message_id` for editing (only its author, within the edit window)."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int):
            return
        try:
            self.edit_text = await db.run(messages.message_source, message_id, identity.user_id, self._room_id)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.editing_id = "", message_id

    @rx.event
    def cancel_edit(self):
        self.editing_id, self.edit_text = 0, ""

    @rx.event
    async def save_edit(self, form: dict[str, Any]):
        """Save the edited text; everyone sees "(edited)" through the feed."""
        await self._change(message_actions.edit_message, self.editing_id, field(form, "text"))

    @rx.event
    def ask_delete(self, message_id: int):
        self.deleting_id = message_id if isinstance(message_id, int) else 0

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        """Delete the message asked about; others see "message deleted" through the feed."""
        await self._change(message_actions.delete_message, self.deleting_id)

    @rx.event
    async def pin(self, message_id: int):
        """Pin a message of this room (any member); everyone's Pinned panel shows it."""
        await self._tool(message_actions.pin_message, message_id)

    @rx.event
    async def unpin(self, message_id: int):
        await self._tool(message_actions.unpin_message, message_id)

    @rx.event
    async def save(self, message_id: int):
        """Save a message of this room for later (the Saved page); the user's pages of the room show it saved."""
        await self._tool(message_actions.save_message, message_id, named=True)

    @rx.event
    async def unsave(self, message_id: int):
        await self._tool(message_actions.unsave_message, message_id, named=True)

    @rx.event
    async def vote(self, message_id: int, position: int):
        """Vote for an answer of a poll of this room, change one's vote, or take it back (the chosen one again)."""
        if not isinstance(position, int):
            return
        done, chosen = await self._tool(message_actions.vote, message_id, position, self._room_id)
        if done:
            kept = [choice for choice in self.poll_choices if not choice.startswith(f"{message_id}:")]
            self.poll_choices = kept + ([f"{message_id}:{chosen}"] if chosen is not None else [])

    @rx.event
    async def close_poll(self, message_id: int):
        """The poll's author closes it."""
        await self._tool(message_actions.close_poll, message_id, self._room_id)

    @rx.event
    async def start_forward(self, message_id: int):
        """The forward tool of a message: the forward form opens with that message chosen."""
        if isinstance(message_id, int):
            self.selected_ids, self.selecting = (message_id,), False
            await self._open_forward()

    @rx.event
    async def forward_selected(self):
        """The selection bar's Forward: the forward form opens with the messages ticked."""
        if self.selected_ids:
            await self._open_forward()

    async def _open_forward(self) -> None:
        """Open the forward form for the messages chosen: they as it lists them (or why they cannot go, the same
        answer as for no such message when one is not the user's to read) and where they may go."""
        identity = await self._in_room()
        if identity is None:
            return
        self.forward_open, self.forward_error, self.forward_chosen = True, "", []
        try:
            self.forward_chosen = await db.run(forwarding.chosen, identity.user_id, self.selected_ids)
        except messages.InvalidMessage as error:
            self.forward_error = str(error)
        self.forward_targets = await db.run(forwarding.targets, identity.user_id)

    @rx.event
    def select_messages(self, message_id: int = 0):
        """Selection mode ("Select messages" on a message's tools): each message of the room offers a checkbox,
        that message ticked."""
        if self._room_id and isinstance(message_id, int):
            self.selecting, self.forward_open, self.forward_error = True, False, ""
            if message_id and message_id not in self.selected_ids:
                self._choose(message_id)

    @rx.event
    def add_messages(self):
        """The forward form's "Add messages": back to the room, in selection mode, the chosen ones ticked."""
        if self._room_id:
            self.selecting, self.forward_open, self.forward_error = True, False, ""

    @rx.event
    def toggle_selected(self, message_id: int):
        """Tick a message to forward, or untick it (at most FORWARD_MAX_MESSAGES; nothing read: the forwarding checks
        each one)."""
        if not self._room_id or not isinstance(message_id, int) or message_id <= 0:
            return
        if message_id in self.selected_ids:
            self.selected_ids = tuple(chosen for chosen in self.selected_ids if chosen != message_id)
            self.forward_error = ""
        else:
            self._choose(message_id)

    def _choose(self, message_id: int) -> None:
        if len(self.selected_ids) >= settings.FORWARD_MAX_MESSAGES:
            self.forward_error = f"You can forward at most {settings.FORWARD_MAX_MESSAGES} messages at once."
            return
        self.selected_ids, self.forward_error = (*self.selected_ids, message_id), ""

    @rx.event
    def stop_selecting(self):
        """Cancel (or Escape) in selection mode: no message is chosen any more."""
        self._forget_selection()

    def _forget_selection(self) -> None:
        self.selected_ids, self.selecting, self.forward_open, self.forward_error = (), False, False, ""
        self.forward_chosen = []

    @rx.event
    def forward_closed(self, is_open: bool):
        """The forward form closed without forwarding: in selection mode the ticked messages stay ticked."""
        if is_open is not True:
            if self.selecting:
                self.forward_open, self.forward_error = False, ""
            else:
                self._forget_selection()

    @rx.event
    async def forward(self, form: dict[str, Any]):
        """Forward the messages chosen to the room chosen, after the comment typed (if any), in one go: one copy of
        each, in their room's order. It spends the sending budget once per message it posts."""
        identity = await self._in_room()
        if identity is None or not self.selected_ids:
            return
        comment = field(form, "comment")
        try:
            await throttle.before_send(identity.user_id, len(self.selected_ids) + (1 if comment.strip() else 0))
            await perform(
                message_actions.forward_messages, identity.user_id, whole(form, "room"), self.selected_ids, comment
            )
        except (messages.InvalidMessage, rooms.RoomError, throttle.Throttled) as error:
            self.forward_error = str(error) if not isinstance(error, rooms.RoomNotFound) else "Choose where to send it."
            return
        self._forget_selection()

    @rx.event
    async def remove_preview(self, message_id: int, url: str):
        """Take the card of link `url` off one's own message (for good); everyone sees it go through the feed."""
        if isinstance(url, str):
            await self._tool(preview_actions.remove_preview, message_id, url, refused=link_previews.PreviewRefused)

    @rx.event
    async def show_versions(self, message_id: int):
        """Open the earlier versions of an edited message of this room (anyone who may read it)."""
        identity = await self._in_room()
        if identity is None or not isinstance(message_id, int):
            return
        try:
            found = await db.run(edit_history.versions, identity.user_id, message_id)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.versions = "", found

    @rx.event
    def versions_closed(self, is_open: bool):
        if is_open is not True:
            self.versions = []

    @rx.event
    async def reactions_opened(self, message_id: int, panel: str = "room"):
        """The toolbar opened the reaction picker of a message in `panel` ("room" or "thread"): read the user's
        most used emoji."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int) or panel not in ("room", "thread"):
            self._close_picker()
            return
        self.reacting_id, self.reacting_in = message_id, panel
        self.favourites = await db.run(reactions.favourites, identity.user_id)

    @rx.event
    def reactions_closed(self, is_open: bool):
        """The picker's own close (a click outside, Escape); it opens by reactions_opened, with its message."""
        if is_open is not True:
            self._close_picker()

    def _close_picker(self) -> None:
        self.reacting_id, self.reacting_in = 0, ""

    @rx.event
    async def react(self, message_id: int, emoji: str):
        """React to a message of this room with an emoji, or take that reaction back; the whole room sees it.
        Reactions share the sending budget (throttle.SEND_LIMITS)."""
        identity = await self._in_room()
        self._close_picker()
        if identity is None or not isinstance(message_id, int) or not isinstance(emoji, str):
            return
        try:
            await throttle.before_send(identity.user_id)
            await perform(message_actions.react, identity.user_id, message_id, emoji, self._room_id)
        except (reactions.ReactionError, messages.InvalidMessage, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error = ""

    async def _tool(
        self,
        action,
        message_id: int,
        *args: Any,
        named: bool = False,
        refused: type[Exception] = messages.InvalidMessage,
    ) -> tuple[bool, Any]:
        """A tool's action on a message, as the session's user (`named`: the action takes the username too), then
        `args`; it spends the sending budget, as in the API. (True, its value), or (False, None) with why shown."""
        identity = await self._in_room()
        if identity is None or not isinstance(message_id, int):
            return False, None
        who = (identity.user_id, identity.username) if named else (identity.user_id,)
        try:
            await throttle.before_send(identity.user_id)
            value = await perform(action, *who, message_id, *args)
        except (refused, throttle.Throttled) as error:
            self.error = str(error)
            return False, None
        self.error = ""
        return True, value

    async def _change(self, action, message_id: int, *args: str) -> None:
        """Edit or delete as the session's user (the domain checks author and time limit); it spends the sending
        budget, as in the API."""
        identity = await self._identity()
        self.editing_id, self.deleting_id = 0, 0
        if identity is None or not message_id:
            return
        try:
            await throttle.before_send(identity.user_id)
            await perform(action, identity.user_id, self._room_id, message_id, *args)
        except (messages.InvalidMessage, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error, self.edit_text = "", ""
