"""The search page: the query lives in the URL (`/search?q=…`), so a search is a page load, and every
search runs for the identity the server resolves then."""

from typing import Any, TypedDict
from urllib.parse import urlencode

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.domain import search
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState, field


class SearchHit(TypedDict):
    """A search.Hit as the page shows it, with the link that opens the room at the message."""

    message_id: int
    href: str
    room_name: str
    author: str
    created_at: str
    snippet: str


def search_path(text: str) -> str:
    """The search page's path for `text`."""
    return f"{routes.SEARCH}?{urlencode({'q': text})}" if text else routes.SEARCH


class SearchState(AuthState):
    query: str = ""
    hits: list[SearchHit] = []
    # Files whose names match (search.files), newest first.
    file_hits: list[search.FileHit] = []
    # Whether `query` was searched (and `hits` are its results), and why not when it could not be.
    searched: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """Guard the page and search for the URL's `q`, as the user the session belongs to now."""
        self.query = self.router.url.query_parameters.get("q", "").strip()
        self.hits, self.file_hits, self.searched, self.error = [], [], False, ""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        if not self.query:
            return
        try:
            await throttle.before_search(identity.user_id)
            hits = await db.run(search.search, identity.user_id, self.query)
            self.file_hits = await db.run(search.files, identity.user_id, self.query)
        except (search.InvalidSearch, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.searched = True
        self.hits = [
            SearchHit(
                message_id=hit.message_id,
                href=(
                    routes.thread(hit.room_slug, hit.thread_id)
                    if hit.thread_id
                    else routes.message(hit.room_slug, hit.message_id)
                ),
                room_name=hit.room_name,
                author=hit.author,
                created_at=hit.created_at,
                snippet=hit.snippet,
            )
            for hit in hits
        ]

    @rx.event
    def submit(self, form: dict[str, Any]):
        """The search box (on the page or in the navbar): go to the search page for what was typed."""
        return rx.redirect(search_path(field(form, "q").strip()))
