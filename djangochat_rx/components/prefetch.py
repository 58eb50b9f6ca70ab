"""PrefetchPage: the scripts of a page people are about to open, loaded before they open it.

React Router's PrefetchPageLinks (react-router), rendered once in the signed-in page frame (layout.py): it puts
`<link rel="modulepreload">` for the room page's route module and its imports in the document, so a click on a
room in the rooms list or the sidebar draws the room instead of first fetching its scripts
(`python -m bench.run browser`, "open from the list"). The browser keeps them (http/page_assets.py), so this
costs one fetch per build."""

import reflex as rx


class PrefetchPage(rx.Component):
    """Loads the scripts of the page at `page` (any address of that route: "/rooms/_" for every room's)."""

    library = "react-router"
    tag = "PrefetchPageLinks"
    is_default = False

    page: rx.Var[str]


# Any room's address: every room has the same page, so its scripts are the same.
ROOM_PAGE = "/rooms/_"
