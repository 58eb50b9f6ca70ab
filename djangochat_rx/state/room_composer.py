"""The room page's message box: sending (or a slash command), the next message's client id, the `@` and `/`
pickers' lists, and the files that go with the next message."""

import functools
import uuid
from typing import Any

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import files as file_actions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform, performing
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import (
    accounts,
    attachments,
    availability,
    commands,
    messages,
    polls,
    rooms,
    user_groups,
    when,
)
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.infra import throttle
from djangochat_rx.notify import hooks
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import field
from djangochat_rx.state.room_tab import InRoom

COMPOSER_ID = "message"


class Composer(InRoom, mixin=True):
    # Who `@` offers: loaded the first time the user types "@" in this tab.
    mention_names: list[str] = []
    # What `/` at the start of the box offers, "name\tusage\thelp" each: loaded the first time it is typed.
    command_list: list[str] = []
    # The random id the next message is sent under (kept in the tab's sessionStorage, so it survives
    # a reconnect or a backend restart): pressing Send again after a failure cannot post twice.
    draft_id: str = rx.SessionStorage("", name="djangochat_draft_id")
    # Files (attachments.py, files.py; the tickets are AuthState's): this room's upload route, and what was
    # uploaded and goes with the next message.
    upload_url: str = ""
    pending_files: list[FileView] = []
    # The poll form (components/poll.py): open or not, and what went wrong with what it asked.
    poll_form_open: bool = False
    poll_error: str = ""
    # Who of the room may not be disturbed now: name, zone, until (availability.py), for QuietNotice.
    quiet_people: list[dict[str, str]] = []

    @rx.event
    async def load_mention_names(self):
        """What `@` offers (the page asks when the user first types "@", once per page load, so a group made
        since shows then): `room` (everyone in the room), `here` (everyone in it now), the user groups
        ("name\tgroup · N members", user_groups.picker_entries), then the usernames."""
        identity = await self._identity()
        if identity is not None:
            groups = await db.run(user_groups.picker_entries, identity.user_id)
            people = await db.run(accounts.active_usernames, identity.user_id)
            self.mention_names = ["room", "here", *groups, *people]

    @rx.event
    async def load_quiet_people(self):
        """The room's people who may not be disturbed now (availability.quiet_in_room), for the sender's notice
        (components/quiet_notice.py); asked at the first keystroke."""
        identity = await self._identity()
        if identity is not None and self._room_id:
            self.quiet_people = await db.run(availability.quiet_in_room, self._room_id, identity.user_id)

    @rx.event
    async def load_commands(self):
        """The slash commands `/` offers (commands.py: the built-ins and the hooks'), for the page's picker."""
        if await self._identity() is not None:
            self.command_list = [f"{command.name}\t{command.usage}\t{command.help}" for command in commands.listed()]

    @rx.event
    async def send(self, form: dict[str, Any]):
        """Post the message as the session's user (everyone in the room sees it through the feed), or carry out
        the slash command it is (commands.py); a refused command leaves its text in the box."""
        identity = await self._identity()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        if not self._room_id:
            self.error = "This room is not open."
            return
        try:
            await throttle.before_send(identity.user_id)
            match commands.parse(field(form, "message")):
                case commands.Post(text=text):
                    present = tuple(hub.presence.present(self._room_id)) if "@here" in text.lower() else ()
                    async with performing(
                        message_actions.send_message,
                        identity.user_id,
                        self._room_id,
                        text,
                        field(form, "client_id"),
                        present,
                        tuple(file.id for file in self.pending_files),
                    ):
                        # The box empties and the next message's client id arrives before the message itself.
                        self.pending_files = []
                        await hub.composer_sent(self.router.session.session_id, self._next_draft())
                case commands.AskPoll(asked=asked):
                    async with performing(
                        message_actions.ask_poll, identity.user_id, self._room_id, asked, field(form, "client_id")
                    ):
                        await hub.composer_sent(self.router.session.session_id, self._next_draft())
                case commands.SetTopic(topic=topic):
                    await perform(room_actions.set_topic, identity.user_id, self._room_id, topic)
                    yield self._sent()
                case commands.RemindMe(spec=spec, note=note):
                    await self._remind_me_command(identity, spec, note)
                    yield self._sent()
                case commands.Invoke(name=name, args=args):
                    await hooks.invoke(name, identity.username, self._room_id, self.slug, args)
                    yield self._sent()
        except rooms.NotOwner:
            self.error = "Only the room's owner can change its topic."
        except (messages.InvalidMessage, rooms.RoomError, throttle.Throttled, commands.CommandError) as error:
            self.error = str(error)
        except when.InvalidTime as error:
            self.error = str(error)

    @rx.event
    async def send_urgent(self, text: str):
        """QuietNotice's "Notify now" in a direct conversation: post the box's text and notify its people at once,
        though they may not be disturbed (budgeted: URGENT_LIMITS a day, and the sending budget)."""
        identity = await self._in_room()
        if identity is None or not isinstance(text, str):
            return
        try:
            await throttle.before_send(identity.user_id)
            await throttle.before_urgent(identity.user_id)
            urgent = functools.partial(message_actions.send_message, urgent=True)
            async with performing(urgent, identity.user_id, self._room_id, text, self.draft_id):
                await hub.composer_sent(self.router.session.session_id, self._next_draft())
        except (messages.InvalidMessage, rooms.RoomError, throttle.Throttled) as error:
            self.error = str(error)

    @rx.event
    def poll_form_opened(self, is_open: bool):
        self.poll_form_open, self.poll_error = is_open is True, ""

    @rx.event
    async def ask_poll(self, form: dict[str, Any]):
        """The poll form's question, answers (one per line) and choice of anonymous voting, posted as a poll: the
        same as `/poll`, through the same action and budget."""
        identity = await self._in_room()
        if identity is None:
            return
        try:
            answers = field(form, "answers").splitlines()
            asked = polls.ask(field(form, "question"), answers, form.get("anonymous") in ("on", True))
            await throttle.before_send(identity.user_id)
            await perform(message_actions.ask_poll, identity.user_id, self._room_id, asked, uuid.uuid4().hex)
        except (messages.InvalidMessage, rooms.RoomError, throttle.Throttled) as error:
            self.poll_error = str(error)
            return
        self.poll_form_open, self.poll_error = False, ""

    def _next_draft(self) -> str:
        """What was typed went through: no error, and a new client id for the next message (returned)."""
        self.error = ""
        self.draft_id = uuid.uuid4().hex
        return self.draft_id

    def _sent(self):
        """_next_draft, and an empty box."""
        self._next_draft()
        return rx.set_value(COMPOSER_ID, "")

    @rx.event
    async def file_uploaded(self, file_id: int):
        """The browser uploaded a file (components/files.py FileDrop): it goes with the next message, if it is
        the user's own upload to this room, not posted yet."""
        identity = await self._in_room()
        if identity is None or not isinstance(file_id, int):
            return
        wanted = [file.id for file in self.pending_files] + [file_id]
        found = await db.run(attachments.pending, identity.user_id, self._room_id, wanted)
        if len(found) > settings.FILES_PER_MESSAGE:
            await perform(file_actions.take_back_upload, identity.user_id, file_id)
            self.error = f"A message takes at most {settings.FILES_PER_MESSAGE} files."
            return
        self.pending_files, self.error = found, ""

    @rx.event
    async def remove_file(self, file_id: int):
        """Take an uploaded file off the next message (its bytes are deleted at once)."""
        identity = await self._identity()
        if identity is None or not isinstance(file_id, int):
            return
        await perform(file_actions.take_back_upload, identity.user_id, file_id)
        self.pending_files = [file for file in self.pending_files if file.id != file_id]

    @rx.event
    def file_refused(self, reason: str):
        """The browser refused a file before uploading it, or the server refused the upload: say why."""
        self.error = reason[:300] if isinstance(reason, str) else ""
