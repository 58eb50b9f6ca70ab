"""The tools on a message (react, reply in a thread, pin, forward, select messages to forward, remind me, save for
later, edit, delete): one toolbar for a list of messages, not a row of buttons in every row. MessageToolbar
(assets/message_toolbar.js) shows it on the message the pointer is over or focus is in, and calls the tool's event
with that message's id; which tools a message offers follows the row's data- attributes (chat.css): edit and delete
on one's own, pin or unpin by data-pinned, save or unsave by data-saved, nothing on a deleted message, only edit,
delete, forward, select, remind and save in an archived room."""

from typing import Literal

import reflex as rx
from reflex_base.event import passthrough_event_spec

from djangochat_rx.components.reactions import reaction_picker
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState


class MessageToolbar(rx.Component):
    """Around a list of messages: `scope` selects the element around the list (the toolbar's closest such
    element), `held_id` the message whose picker is open (the toolbar stays on it), `label` names the
    toolbar; on_<tool>(message id) for each button marked data-tool="<tool>"."""

    library = "$/public/message_toolbar.js"
    tag = "MessageToolbar"
    is_default = False

    scope: rx.Var[str]
    held_id: rx.Var[int]
    label: rx.Var[str]
    archived: rx.Var[bool]
    on_react: rx.EventHandler[passthrough_event_spec(int)]
    on_reply: rx.EventHandler[passthrough_event_spec(int)]
    on_pin: rx.EventHandler[passthrough_event_spec(int)]
    on_unpin: rx.EventHandler[passthrough_event_spec(int)]
    on_save: rx.EventHandler[passthrough_event_spec(int)]
    on_unsave: rx.EventHandler[passthrough_event_spec(int)]
    on_forward: rx.EventHandler[passthrough_event_spec(int)]
    on_remind: rx.EventHandler[passthrough_event_spec(int)]
    on_select: rx.EventHandler[passthrough_event_spec(int)]
    on_edit: rx.EventHandler[passthrough_event_spec(int)]
    on_delete: rx.EventHandler[passthrough_event_spec(int)]


def _tool(tool: str, icon: str, label: str, **props) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=14),
        variant=props.pop("variant", "ghost"),
        size="1",
        aria_label=label,
        title=label,
        data_tool=tool,
        **props,
    )


def message_toolbar(panel: Literal["room", "thread"]) -> rx.Component:
    """The toolbar of the room's history (`panel` "room", inside RoomLog) or of the thread panel ("thread": no
    replies or pins of its own)."""
    held = rx.cond(RoomState.reacting_in == panel, RoomState.reacting_id, 0)
    room = panel == "room"
    return MessageToolbar.create(
        reaction_picker(_tool("react", "smile-plus", "Add reaction"), panel),
        *(
            [
                _tool("reply", "reply", "Reply in thread"),
                _tool("pin", "pin", "Pin message"),
                _tool("unpin", "pin-off", "Unpin message", variant="soft"),
            ]
            if room
            else []
        ),
        _tool("forward", "forward", "Forward message"),
        _tool("remind", "alarm-clock", "Remind me"),
        *([_tool("select", "list-checks", "Select messages")] if room else []),
        _tool("save", "bookmark", "Save for later"),
        _tool("unsave", "bookmark-minus", "Remove from saved", variant="soft"),
        _tool("edit", "pencil", "Edit message"),
        _tool("delete", "trash-2", "Delete message", color_scheme="red"),
        scope=".room-log" if room else "#thread-panel",
        held_id=held,
        label="Message actions",
        archived=RoomState.archived,
        on_react=lambda message_id: RoomState.reactions_opened(message_id, panel),
        on_reply=ThreadState.open_thread,
        on_pin=RoomState.pin,
        on_unpin=RoomState.unpin,
        on_save=RoomState.save,
        on_unsave=RoomState.unsave,
        on_forward=RoomState.start_forward,
        on_remind=RoomState.start_remind,
        on_select=RoomState.select_messages,
        on_edit=RoomState.start_edit,
        on_delete=RoomState.ask_delete,
    )
