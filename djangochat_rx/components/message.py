"""One chat message: author, time, its sanitised Markdown (see markup.py), files, link previews
(components/link_preview.py), reactions and thread summary.
Its tools (react, reply, pin, save, edit, delete) are the list's one toolbar (components/message_toolbar.py), shown on
the message the pointer is over or focus is in; a row carries what the toolbar needs in data- attributes.

A row is a memoised React component whose props are the message and a few plain values worked out by the list
(RowProps): no state var is read inside it, so a new message renders one row, and a change of the room's state
(typing, presence, a pin) re-renders only the rows whose props changed. Day separators and grouping of
consecutive messages are drawn by RoomLog (components/room_log.py) from the data- attributes here, in the
reader's time zone."""

from typing import NamedTuple

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.avatar import avatar
from djangochat_rx.components.files import message_files
from djangochat_rx.components.forward import forwarded_line, select_box
from djangochat_rx.components.link_preview import link_previews
from djangochat_rx.components.local_time import LocalTime
from djangochat_rx.components.marks import guest_mark
from djangochat_rx.components.poll import poll_card
from djangochat_rx.components.reactions import reactions_row
from djangochat_rx.components.room_log import LOADER
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.pins import PinView
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState

# The text area of the message being edited: Escape there cancels the edit (components/keys.py).
EDIT_BOX_ID = "edit-box"
# "Seen by" names this many readers, then "and N more" (every name on a click or tap).
_SEEN_NAMED = 3


class RowProps(NamedTuple):
    """What a message's row shows besides the message, as props (worked out from the states by the list)."""

    me: rx.Var[str]  # AuthState.username
    files_base: rx.Var[str]  # AuthState.files_base
    mark: rx.Var[str]  # "bot" or "guest" (what the author is, beside their name), or ""
    pinned: rx.Var[bool]
    saved: rx.Var[bool]  # the reader saved it (the Saved page)
    poll_choices: rx.Var[list[str]]  # the reader's answers in the room's polls, "<message id>:<position>"
    editing: rx.Var[bool]  # this message is being edited here
    edit_text: rx.Var[str]  # its text in the edit box ("" when not editing)
    first_unread: rx.Var[bool]  # the "New messages" line goes above it
    selecting: rx.Var[bool]  # the room is in selection mode (forwarding): the row offers a checkbox
    selected: rx.Var[bool]  # it is ticked
    seen_label: rx.Var[str]  # read receipts under it (the reader's own newest message seen): "ann, bob and 2 more"
    seen_names: rx.Var[str]  # ... and all their names ("" on every other message)


def _editor(row: RowProps) -> rx.Component:
    return rx.form(
        rx.text_area(
            id=EDIT_BOX_ID,
            name="text",
            default_value=row.edit_text,
            aria_label="Edit message",
            enter_key_submit=True,
            auto_height=True,
            auto_focus=True,
            max_length=settings.MESSAGE_MAX_CHARS * 2,
            width="100%",
        ),
        rx.hstack(
            rx.button("Save", type="submit", size="1"),
            rx.button("Cancel", type="button", on_click=RoomState.cancel_edit, size="1", variant="soft"),
            rx.text("Enter saves · Escape cancels", size="1", color=rx.color("gray", 11)),
            spacing="2",
            align="center",
            margin_top="0.25rem",
        ),
        on_submit=RoomState.save_edit,
        reset_on_submit=False,
        width="100%",
    )


def _edited_mark(message: rx.Var[MessageView]) -> rx.Component:
    """ "(edited)", opening the message's earlier versions (components/edit_history.py)."""
    return rx.el.button(
        "(edited)",
        type="button",
        on_click=RoomState.show_versions(message["id"]),
        class_name="edited-mark",
        title="Show earlier versions",
        aria_label="Edited: show earlier versions",
    )


def _pinned_mark() -> rx.Component:
    pin = rx.icon("pin", size=12)
    return rx.el.span(pin, role="img", aria_label="Pinned", title="Pinned", class_name="pinned-mark")


def _body(message: rx.Var[MessageView], row: RowProps) -> rx.Component:
    return rx.cond(
        message["deleted"],
        rx.text(
            rx.cond(message["removed"], "removed by a moderator", "message deleted"),
            class_name="message-deleted",
            size="2",
        ),
        rx.cond(
            row.editing,
            _editor(row),
            rx.cond(
                message["poll"],
                poll_card(message, message["author"] == row.me, row.poll_choices),
                rx.html(message["html"], class_name="message-body"),
            ),
        ),
    )


def replies_label(count: rx.Var[int]) -> rx.Var[str]:
    """ "1 reply", "3 replies"."""
    return count.to_string() + rx.cond(count == 1, " reply", " replies")


def thread_summary(message: rx.Var[MessageView]) -> rx.Component:
    """ "3 replies · last reply 2 min ago" with the latest repliers' faces, opening the thread."""
    count = message["reply_count"].to(int)
    return rx.cond(
        count > 0,
        rx.button(
            rx.foreach(message["repliers"].to(list[str]), lambda name: avatar(name)),
            rx.text(
                replies_label(count),
                weight="medium",
                class_name="thread-count",
            ),
            rx.text("· last reply", color=rx.color("gray", 11)),
            rx.moment(message["last_reply_at"], from_now=True, color=rx.color("gray", 11)),
            on_click=ThreadState.open_thread(message["id"]),
            variant="ghost",
            size="1",
            class_name="thread-summary",
            aria_label="Open thread: " + replies_label(count),
        ),
    )


def quote(message: rx.Var[MessageView]) -> rx.Component:
    """The thread's first message that a message sent to the room from its thread answers: its author and first
    line, jumping to it (loaded around it when it is older than what the page holds)."""
    return rx.cond(
        message["quote_id"].to(int) > 0,
        rx.link(
            rx.icon("corner-down-right", size=12),
            rx.text(message["quote_author"], weight="bold", as_="span"),
            rx.text(message["quote_text"], as_="span"),
            href="?message=" + message["quote_id"].to_string(),
            class_name="message-quote",
            size="1",
            color=rx.color("gray", 11),
            underline="hover",
        ),
    )


def _select_box(message: rx.Var[MessageView], row: RowProps) -> rx.Component:
    """In selection mode, the checkbox that chooses the message to forward (none on a deleted one)."""
    return rx.cond(row.selecting & ~message["deleted"], select_box(message, row.selected))


def _seen_line(row: RowProps) -> rx.Component:
    """ "Seen by ann, bob" (read receipts, read_receipts.py); a click or tap shows every name."""
    return rx.cond(
        row.seen_names != "",
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    "Seen by " + row.seen_label,
                    variant="ghost",
                    size="1",
                    color_scheme="gray",
                    title="Seen by " + row.seen_names,
                    class_name="seen-by",
                )
            ),
            rx.popover.content(rx.text("Seen by " + row.seen_names, size="2"), class_name="seen-by-names"),
        ),
    )


def _row(message: rx.Var[MessageView], row: RowProps, in_thread: bool) -> rx.Component:
    mine = message["author"] == row.me
    divider = rx.cond(
        row.first_unread,
        rx.box(rx.text("New messages", size="1"), id="new-messages", class_name="new-messages", role="separator"),
    )
    return rx.fragment(
        *([] if in_thread else [divider]),
        rx.box(
            rx.hstack(
                *([] if in_thread else [_select_box(message, row)]),
                avatar(message["author"], files_base=row.files_base),
                rx.link(
                    message["author"],
                    href="/users/" + message["author"],
                    class_name="message-author",
                    weight="bold",
                    size="2",
                    underline="hover",
                    color=rx.cond(mine, rx.color("accent", 11), rx.color("gray", 12)),
                ),
                rx.match(
                    row.mark,
                    ("bot", rx.badge("bot", color_scheme="gray", variant="soft", size="1", class_name="bot-mark")),
                    ("guest", guest_mark()),
                    rx.fragment(),
                ),
                LocalTime.create(value=message["created_at"], class_name="message-time"),
                rx.cond(message["edited"] & ~message["deleted"], _edited_mark(message)),
                *([] if in_thread else [rx.cond(row.pinned, _pinned_mark())]),
                spacing="2",
                align="baseline",
                class_name="message-header",
            ),
            *([] if in_thread else [quote(message)]),
            forwarded_line(message),
            _body(message, row),
            message_files(message["files"].to(list[FileView]), row.files_base),
            link_previews(message, mine, row.files_base),
            reactions_row(message, row.me),
            *([] if in_thread else [thread_summary(message), _seen_line(row)]),
            data_message_id=message["id"],
            data_seq=message["seq"],
            data_author=message["author"],
            data_created_at=message["created_at"],
            data_mine=mine.to_string(),
            data_deleted=message["deleted"].to_string(),
            data_mentioned=message["mentions"].contains(row.me).to_string(),
            data_pinned=row.pinned.to_string(),
            data_saved=row.saved.to_string(),
            data_selected=row.selected.to_string(),
            # Focus on a message brings its tools (MessageToolbar), also on one grouped under the one before.
            tab_index=0,
            class_name="message",
        ),
    )


def _memo_row(name: str, in_thread: bool):
    """The memoised row component `name`: a message of the room's history, or (`in_thread`) of a thread's panel."""

    def row_component(
        message: rx.Var[MessageView],
        me: rx.Var[str],
        files_base: rx.Var[str],
        mark: rx.Var[str],
        pinned: rx.Var[bool],
        saved: rx.Var[bool],
        poll_choices: rx.Var[list[str]],
        editing: rx.Var[bool],
        edit_text: rx.Var[str],
        first_unread: rx.Var[bool],
        selecting: rx.Var[bool],
        selected: rx.Var[bool],
        seen_label: rx.Var[str],
        seen_names: rx.Var[str],
    ) -> rx.Component:
        row = RowProps(
            me,
            files_base,
            mark,
            pinned,
            saved,
            poll_choices,
            editing,
            edit_text,
            first_unread,
            selecting,
            selected,
            seen_label,
            seen_names,
        )
        return _row(message, row, in_thread)

    row_component.__name__ = row_component.__qualname__ = name
    return rx.memo(row_component)


# A message of the room's history; a message in a thread's panel (no divider, no pins, no replies of its own).
room_message = _memo_row("room_message", in_thread=False)
thread_message = _memo_row("thread_message", in_thread=True)


class ListProps(NamedTuple):
    """What a list of messages reads from the states, once per render, and its rows' props are worked out from."""

    me: rx.Var[str]  # AuthState.username
    files_base: rx.Var[str]  # AuthState.files_base
    pins: rx.Var[list[PinView]]
    saved_ids: rx.Var[list[int]]
    poll_choices: rx.Var[list[str]]
    bots: rx.Var[list[str]]
    guests: rx.Var[list[str]]
    editing_id: rx.Var[int]
    edit_text: rx.Var[str]
    first_unread_seq: rx.Var[int]
    selecting: rx.Var[bool]
    selected_ids: rx.Var[tuple[int, ...]]
    seen_seq: rx.Var[int]  # read receipts: the reader's own message they go under (0: none), and who
    seen_by: rx.Var[list[str]]


def list_props() -> ListProps:
    return ListProps(
        me=AuthState.username,
        files_base=AuthState.files_base,
        pins=RoomState.pins,
        saved_ids=RoomState.saved_ids,
        poll_choices=RoomState.poll_choices,
        bots=RoomState.bots,
        guests=RoomState.guests,
        editing_id=RoomState.editing_id,
        edit_text=RoomState.edit_text,
        first_unread_seq=RoomState.first_unread_seq,
        selecting=RoomState.selecting,
        selected_ids=RoomState.selected_ids,
        seen_seq=RoomState.seen_seq,
        seen_by=RoomState.seen_by,
    )


def row_props(message: rx.Var[MessageView], given: ListProps) -> RowProps:
    """A row's props, from what its list read (never from a state inside a row)."""
    editing = given.editing_id == message["id"]
    # Only the row the receipts go under gets them (strings: the other rows' props stay equal, so they stay drawn).
    seen_here = (message["seq"] == given.seen_seq) & (message["author"] == given.me) & (given.seen_by.length() > 0)
    shown = given.seen_by.length() > _SEEN_NAMED
    label = rx.cond(
        shown,
        given.seen_by[:_SEEN_NAMED].join(", ") + " and " + (given.seen_by.length() - _SEEN_NAMED).to_string() + " more",
        given.seen_by.join(", "),
    )
    return RowProps(
        me=given.me,
        files_base=given.files_base,
        mark=rx.cond(
            given.bots.contains(message["author"]),
            "bot",
            rx.cond(given.guests.contains(message["author"]), "guest", ""),
        ),
        pinned=given.pins.map(lambda pin: pin["message"]["id"]).contains(message["id"]),
        saved=given.saved_ids.contains(message["id"]),
        poll_choices=given.poll_choices,
        editing=editing,
        edit_text=rx.cond(editing, given.edit_text, ""),
        first_unread=message["seq"] == given.first_unread_seq,
        selecting=given.selecting,
        selected=given.selected_ids.contains(message["id"]),
        seen_label=rx.cond(seen_here, label, ""),
        seen_names=rx.cond(seen_here, given.seen_by.join(", "), ""),
    )


def message_row(message: rx.Var[MessageView], in_thread: bool = False, given: ListProps | None = None) -> rx.Component:
    """A message of the room's history, or (`in_thread`) a message in a thread's panel, keyed by its id; `given`:
    what its list read (by default, from the states here)."""
    made = thread_message if in_thread else room_message
    props = row_props(message, given or list_props())
    return rx.fragment(made(message=message, **props._asdict()), key=message["id"])


def _gap_loader(message: rx.Var[MessageView], gap_after: rx.Var[int], gap_before: rx.Var[int]) -> rx.Component:
    """ "Load newer messages" before `message` when the messages just before it are missing (RoomLog loads them
    as the button comes into view)."""
    return rx.cond(
        message["id"] == gap_before,
        rx.button(
            "Load newer messages",
            id="load-gap",
            custom_attrs={LOADER: "gap"},
            on_click=RoomState.fill_gap(gap_after, gap_before),
            variant="ghost",
            size="1",
            width="100%",
        ),
    )


@rx.memo
def room_block(
    block: rx.Var[list[MessageView]],
    me: rx.Var[str],
    files_base: rx.Var[str],
    pins: rx.Var[list[PinView]],
    saved_ids: rx.Var[list[int]],
    poll_choices: rx.Var[list[str]],
    bots: rx.Var[list[str]],
    guests: rx.Var[list[str]],
    editing_id: rx.Var[int],
    edit_text: rx.Var[str],
    first_unread_seq: rx.Var[int],
    selecting: rx.Var[bool],
    selected_ids: rx.Var[tuple[int, ...]],
    seen_seq: rx.Var[int],
    seen_by: rx.Var[list[str]],
    gap_after: rx.Var[int],
    gap_before: rx.Var[int],
) -> rx.Component:
    """A block of the room's history (room_feed.blocks): its rows, with no element of its own around them (RoomLog
    reads the rows as the log's children). Its props are the list's, so a block whose messages did not change is
    not rendered again when a message comes."""
    given = ListProps(
        me,
        files_base,
        pins,
        saved_ids,
        poll_choices,
        bots,
        guests,
        editing_id,
        edit_text,
        first_unread_seq,
        selecting,
        selected_ids,
        seen_seq,
        seen_by,
    )
    return rx.fragment(
        rx.foreach(
            block,
            lambda message: rx.fragment(
                _gap_loader(message, gap_after, gap_before), message_row(message, given=given), key=message["id"]
            ),
        )
    )
