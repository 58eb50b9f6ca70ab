"""The Threads page: the threads the user follows (they wrote the message, replied, were mentioned, or chose
to), those with unread replies first, each opening beside its room."""

import reflex as rx

from djangochat_rx.components.avatar import avatar
from djangochat_rx.components.layout import page
from djangochat_rx.components.message import replies_label
from djangochat_rx.domain.threads import ThreadView
from djangochat_rx.state.thread import ThreadsState


def _thread(thread: rx.Var[ThreadView]) -> rx.Component:
    parent = thread["parent"]
    count = parent["reply_count"].to(int)
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(thread["room_name"], weight="bold", size="2"),
                    rx.spacer(),
                    rx.cond(
                        thread["unread"].to(int) > 0,
                        rx.badge(thread["unread"].to_string() + " new", size="1", class_name="thread-unread"),
                    ),
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    avatar(parent["author"]),
                    rx.text(parent["author"], weight="medium", size="2"),
                    rx.moment(
                        parent["created_at"], format="D MMM HH:mm", font_size="0.75rem", color=rx.color("gray", 11)
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.html(parent["html"], class_name="message-body"),
                rx.text(
                    replies_label(count) + " · last reply ",
                    rx.moment(parent["last_reply_at"], from_now=True),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        href="/rooms/" + thread["slug"] + "?thread=" + parent["id"].to_string(),
        class_name="thread-link",
        underline="none",
        data_unread=thread["unread"],
        width="100%",
    )


def threads() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Threads", size="6", as_="h1", class_name="page-title"),
            rx.text(
                "Threads you follow: you wrote the message, replied, were mentioned, or chose to follow it.",
                color=rx.color("gray", 11),
            ),
            rx.cond(
                ThreadsState.followed.length() > 0,
                rx.vstack(rx.foreach(ThreadsState.followed, _thread), spacing="2", width="100%", id="threads"),
                rx.text("No threads yet. Reply to a message to start one.", id="no-threads"),
            ),
            spacing="3",
            width="100%",
        ),
        title="Threads",
    )
