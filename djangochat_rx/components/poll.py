"""Polls on the room page: a poll's card in its message (each answer a button with its share of the votes, who
chose it in a visible poll, the total, "Close poll" for its author) and the message box's poll form. The card is
drawn from the message's `poll` (domain/poll_views.py), live like any change of a message; which answer is the
reader's own comes from the list (RoomState.poll_choices, "<message id>:<position>")."""

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.layout import error_callout
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.poll_views import OptionView, PollView
from djangochat_rx.state.room import RoomState


def _answer(message: rx.Var[MessageView], poll: rx.Var[PollView], option: rx.Var[OptionView], index, choices):
    chosen = choices.contains(message["id"].to_string() + ":" + index.to_string())
    votes = option["votes"].to(int)
    return rx.el.li(
        rx.el.button(
            rx.el.span(option["text"], class_name="poll-answer-text"),
            rx.el.span(votes.to_string(), class_name="poll-answer-votes"),
            rx.el.progress(value=votes, max=rx.cond(poll["total"].to(int) > 0, poll["total"], 1), aria_hidden="true"),
            type="button",
            on_click=RoomState.vote(message["id"], index),
            disabled=poll["closed"].to(bool),
            aria_pressed=chosen.to_string(),
            class_name="poll-answer",
            title=rx.cond(chosen, "Your vote (click again to take it back)", "Vote for this answer"),
        ),
        rx.cond(
            ~poll["anonymous"].to(bool) & (votes > 0),
            rx.el.span(option["voters"].to(list[str]).join(", "), class_name="poll-voters"),
        ),
    )


def poll_card(message: rx.Var[MessageView], mine: rx.Var[bool], choices: rx.Var[list[str]]) -> rx.Component:
    """The poll a message asks (its body written out is what search and notifications read)."""
    poll = message["poll"].to(PollView)
    total = poll["total"].to(int)
    return rx.box(
        rx.text(poll["question"], weight="bold", class_name="poll-question"),
        rx.el.ul(
            rx.foreach(
                poll["options"].to(list[OptionView]),
                lambda option, index: _answer(message, poll, option, index, choices),
            ),
            class_name="poll-answers",
        ),
        rx.hstack(
            rx.text(
                total.to_string() + rx.cond(total == 1, " vote", " votes"),
                rx.cond(poll["anonymous"].to(bool), " · anonymous", ""),
                rx.cond(poll["closed"].to(bool), " · closed", ""),
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.cond(
                mine & ~poll["closed"].to(bool),
                rx.button("Close poll", on_click=RoomState.close_poll(message["id"]), variant="ghost", size="1"),
            ),
            align="center",
            spacing="3",
        ),
        class_name="poll",
        role="group",
        aria_label="Poll: " + poll["question"].to(str),
        data_closed=poll["closed"].to_string(),
    )


def poll_form() -> rx.Component:
    """The message box's poll form (the same as `/poll`), in a dialog outside the message box's own form."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Ask a poll"),
            rx.form(
                rx.vstack(
                    rx.el.label("Question", html_for="poll-question", class_name="rt-Text rt-r-size-2"),
                    rx.input(id="poll-question", name="question", max_length=300, width="100%", auto_focus=True),
                    rx.el.label(
                        f"Answers, one per line (2 to {settings.POLL_MAX_OPTIONS})",
                        html_for="poll-answers",
                        class_name="rt-Text rt-r-size-2",
                    ),
                    rx.text_area(id="poll-answers", name="answers", rows="4", width="100%"),
                    rx.el.label(
                        rx.checkbox(name="anonymous"),
                        rx.text("Anonymous: show counts, not who voted", size="2"),
                        class_name="poll-anonymous",
                    ),
                    error_callout(RoomState.poll_error),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft")),
                        rx.button("Ask", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=RoomState.ask_poll,
                reset_on_submit=False,
            ),
            max_width="30rem",
        ),
        open=RoomState.poll_form_open,
        on_open_change=RoomState.poll_form_opened,
    )


def poll_button() -> rx.Component:
    """Beside the message box: opens the poll form."""
    return rx.icon_button(
        rx.icon("chart-bar", size=16),
        type="button",
        variant="ghost",
        aria_label="Ask a poll",
        title="Ask a poll",
        on_click=RoomState.poll_form_opened(True),
    )
