"""A message's thread beside its room: the message, its replies live, a box to answer (also to the room),
Follow and Close. A side panel at desktop width, a bottom sheet on a phone (chat.css `.thread-panel`)."""

import reflex as rx
from reflex.event import passthrough_event_spec

from djangochat_rx import settings
from djangochat_rx.components import room_feed
from djangochat_rx.components.code_copy import code_copy
from djangochat_rx.components.layout import error_callout
from djangochat_rx.components.message import message_row, replies_label
from djangochat_rx.components.message_toolbar import message_toolbar
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import REPLY_BOX_ID, ThreadState


class SeenUpTo(rx.Component):
    """Calls on_seen(value) whenever `value` grows while the page is visible (assets/seen_up_to.js)."""

    library = "$/public/seen_up_to.js"
    tag = "SeenUpTo"
    is_default = False

    value: rx.Var[int]
    on_seen: rx.EventHandler[passthrough_event_spec(int)]


def _composer() -> rx.Component:
    return rx.form(
        rx.text_area(
            id=REPLY_BOX_ID,
            name="reply",
            placeholder="Reply…",
            aria_label="Reply",
            enter_key_submit=True,
            auto_height=True,
            rows="2",
            max_length=settings.MESSAGE_MAX_CHARS * 2,
            width="100%",
        ),
        rx.el.input(type="hidden", name="reply_id", value=ThreadState.reply_id),
        rx.hstack(
            rx.el.label(
                rx.checkbox(name="also_to_room", id="also-to-room", size="1", aria_label="Also send to the room"),
                rx.text("Also send to the room", size="1"),
                class_name="also-to-room",
            ),
            rx.spacer(),
            rx.button("Reply", type="submit", size="2"),
            align="center",
            width="100%",
        ),
        error_callout(ThreadState.thread_error),
        on_submit=ThreadState.send_reply,
        reset_on_submit=False,
        width="100%",
    )


def thread_panel() -> rx.Component:
    """The open thread (nothing when none is open)."""
    replies = room_feed.thread_replies
    newest = rx.cond(replies.length() > 0, replies[-1].to(MessageView)["seq"], 0)
    return rx.cond(
        ThreadState.thread_parent != 0,
        rx.el.aside(
            rx.hstack(
                rx.heading("Thread", size="3", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.cond(ThreadState.thread_following, "Following", "Follow"),
                    on_click=ThreadState.toggle_follow,
                    variant=rx.cond(ThreadState.thread_following, "soft", "outline"),
                    size="1",
                    id="follow-thread",
                    aria_pressed=ThreadState.thread_following.to_string(),
                ),
                rx.icon_button(
                    rx.icon("x", size=16),
                    on_click=ThreadState.close_thread,
                    variant="ghost",
                    size="1",
                    aria_label="Close thread",
                    id="close-thread",
                ),
                align="center",
                width="100%",
            ),
            rx.box(
                rx.foreach(ThreadState.thread_head, lambda head: message_row(head, in_thread=True)),
                class_name="thread-head",
            ),
            rx.text(
                replies_label(replies.length()),
                size="1",
                color=rx.color("gray", 11),
                class_name="thread-divider",
            ),
            rx.box(
                rx.foreach(replies, lambda reply: message_row(reply, in_thread=True)),
                id="thread-replies",
                role="log",
                aria_label="Replies",
                aria_live="polite",
                class_name="thread-replies",
            ),
            rx.cond(~RoomState.archived, _composer()),
            message_toolbar("thread"),
            code_copy("thread"),
            SeenUpTo.create(value=newest, on_seen=ThreadState.thread_seen, key=ThreadState.thread_parent),
            id="thread-panel",
            aria_label="Thread",
            class_name="thread-panel",
        ),
    )
