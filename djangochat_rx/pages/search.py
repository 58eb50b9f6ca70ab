"""The search page: a search box, how to narrow a search, the files whose names match, and the messages
found, best match first."""

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.layout import error_callout, inline_form, page
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.domain.search import FileHit
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.search import SearchHit, SearchState

HELP = (
    'Every word must appear. Put a phrase in "quotes"; end a word with * to match its beginnings; '
    "from:name finds one person's messages; in:room-slug (the end of a room's address, as in in:general) one room's."
)


def _search_box() -> rx.Component:
    return inline_form(
        rx.input(
            name="q",
            id="search-q",
            type="search",
            # Remounted with each search, so the box shows the search the page is for.
            key=SearchState.query,
            default_value=SearchState.query,
            placeholder='Words, "a phrase", from:name, in:room',
            max_length=settings.SEARCH_QUERY_MAX_CHARS,
            aria_label="Search messages",
            flex="1",
        ),
        "Search",
        SearchState.submit,
        role="search",
    )


def _hit(hit: rx.Var[SearchHit]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(hit["room_name"], weight="bold", size="2"),
                    rx.text(hit["author"], size="2", color=rx.color("gray", 11)),
                    rx.spacer(),
                    rx.moment(hit["created_at"], format="lll", font_size="0.75rem", color=rx.color("gray", 11)),
                    align="center",
                    width="100%",
                    spacing="2",
                ),
                # search.Hit.snippet is escaped HTML; its only tags are the <mark>s around matches.
                rx.html(hit["snippet"], class_name="search-snippet", color=rx.color("gray", 12)),
                spacing="1",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        href=hit["href"],
        underline="none",
        width="100%",
        key=hit["message_id"],
        class_name="search-hit",
    )


def _file_hit(hit: rx.Var[FileHit]) -> rx.Component:
    file = hit["file"].to(FileView)
    return rx.hstack(
        rx.icon(rx.cond(file["kind"] == "image", "image", "file"), size=16, aria_hidden="true"),
        rx.el.a(
            file["name"],
            href=AuthState.files_base + rx.cond(file["kind"] == "image", file["url"], file["download_url"]),
            target="_blank",
            rel="noopener",
            class_name="attachment-name",
        ),
        rx.text(file["size_label"] + " · " + hit["author"] + " in " + hit["room_name"], size="1"),
        rx.spacer(),
        rx.link("Jump", href="/rooms/" + hit["room_slug"] + "?message=" + hit["message_id"].to_string(), size="1"),
        class_name="file-hit",
        align="center",
        width="100%",
    )


def _file_results() -> rx.Component:
    return rx.cond(
        SearchState.file_hits.length() > 0,
        rx.vstack(
            rx.heading("Files", size="3"),
            rx.foreach(SearchState.file_hits, _file_hit),
            id="file-results",
            spacing="1",
            width="100%",
        ),
    )


def _results() -> rx.Component:
    count = SearchState.hits.length()
    return rx.cond(
        count > 0,
        rx.vstack(
            rx.text(
                rx.cond(
                    count == settings.SEARCH_RESULTS,
                    f"The best {settings.SEARCH_RESULTS} matches",
                    count.to_string() + rx.cond(count == 1, " message found", " messages found"),
                ),
                id="search-count",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.foreach(SearchState.hits, _hit),
            spacing="2",
            width="100%",
            id="search-results",
        ),
        rx.text("No messages match “", SearchState.query, "”.", id="search-empty", role="status"),
    )


def search() -> rx.Component:
    return page(
        rx.heading("Search", size="7", margin_bottom="1rem"),
        rx.vstack(
            _search_box(),
            error_callout(SearchState.error),
            rx.cond(SearchState.searched, _file_results()),
            rx.cond(
                SearchState.searched,
                _results(),
                rx.cond(SearchState.error == "", rx.text(HELP, size="2", color=rx.color("gray", 11))),
            ),
            spacing="3",
            width="100%",
        ),
        wide=True,
    )
