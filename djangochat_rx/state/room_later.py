"""The room page's Send later (the composer's clock menu) and Remind me (a message's tool, and `/remind me ...`):
each time read in the person's own zone (when.py), each creation spending the sending budget."""

from datetime import datetime
from typing import Any

import reflex as rx

from djangochat_rx.actions import later as later_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import commands, messages, rooms, when
from djangochat_rx.domain.availability import zone
from djangochat_rx.domain.sessions import Identity
from djangochat_rx.infra import throttle
from djangochat_rx.models import utcnow
from djangochat_rx.state.auth import field
from djangochat_rx.state.room_composer import COMPOSER_ID
from djangochat_rx.state.room_tab import InRoom


def due_from(identity: Identity, choice: str, picked: str, now: datetime) -> datetime:
    """The moment a menu's choice names for this person: a preset (when.PRESETS), "pick" with the date-time
    input's value, read in their zone, or "at" with an ISO moment (QuietNotice's "their morning"); when.InvalidTime
    otherwise."""
    if choice == "pick":
        return when.picked(picked, identity.time_zone, now)
    if choice == "at":
        return when.instant(picked, now)
    return when.preset(choice, identity.time_zone, now)


class Later(InRoom, mixin=True):
    # What was scheduled or set, said under the box ("Scheduled for Tue 9 Dec, 09:00").
    later_said: str = ""
    # The message whose Remind me dialog is open (0: closed), and what went wrong there.
    reminding_id: int = 0
    remind_error: str = ""
    # The person's zone, named beside the date-time inputs ("" reads as UTC).
    zone_name: str = "UTC"

    @rx.event
    async def send_later(self, text: str, choice: str, picked: str = ""):
        """Schedule the box's text (components/later.py SendLater hands it over) for this room at the time chosen;
        the box empties. Slash commands are refused (scheduled.text_to_schedule)."""
        identity = await self._in_room()
        if identity is None or not all(isinstance(value, str) for value in (text, choice, picked)):
            return
        try:
            due = due_from(identity, choice, picked, utcnow())
            await throttle.before_send(identity.user_id)
            await perform(later_actions.schedule_message, identity.user_id, self._room_id, text, due)
        except (when.InvalidTime, messages.InvalidMessage, commands.CommandError, rooms.RoomError) as error:
            self.error, self.later_said = str(error), ""
            return
        except throttle.Throttled as error:
            self.error = str(error)
            return
        self.error = ""
        self.later_said = f"Scheduled for {when.shown(due, identity.time_zone)}."
        return rx.set_value(COMPOSER_ID, "")

    async def _remind_me_command(self, identity: Identity, spec: when.Spec, note: str) -> None:
        """`/remind me ...` typed in the box (commands.RemindMe): a reminder of the note (budget spent by send)."""
        now = utcnow()
        due = when.checked(when.resolve(spec, identity.time_zone, now), now)
        await perform(later_actions.remind, identity.user_id, None, due, note)
        self.later_said = f"I will remind you on {when.shown(due, identity.time_zone)}."

    @rx.event
    async def start_remind(self, message_id: int):
        """Open the Remind me dialog for a message (the toolbar's alarm clock)."""
        identity = await self._in_room()
        if identity is None or not isinstance(message_id, int):
            return
        self.zone_name = str(zone(identity.time_zone))
        self.reminding_id, self.remind_error = message_id, ""

    @rx.event
    def remind_closed(self, is_open: bool):
        if is_open is not True:
            self.reminding_id, self.remind_error = 0, ""

    @rx.event
    async def remind_preset(self, choice: str):
        """Remind me of the open message at a preset time (when.PRESETS)."""
        await self._remind(choice if isinstance(choice, str) else "", "")

    @rx.event
    async def remind_at(self, form: dict[str, Any]):
        """Remind me of the open message at the date-time chosen (in the person's zone)."""
        await self._remind("pick", field(form, "when"))

    async def _remind(self, choice: str, picked: str) -> None:
        identity = await self._in_room()
        if identity is None or not self.reminding_id:
            return
        try:
            due = due_from(identity, choice, picked, utcnow())
            await throttle.before_send(identity.user_id)
            await perform(later_actions.remind, identity.user_id, self.reminding_id, due)
        except (when.InvalidTime, messages.InvalidMessage, throttle.Throttled) as error:
            self.remind_error = str(error)
            return
        self.reminding_id, self.remind_error = 0, ""
        self.later_said = f"I will remind you on {when.shown(due, identity.time_zone)}."
