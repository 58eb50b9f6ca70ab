"""A "Copy" button on each code block of a message: CodeCopy (assets/code_copy.js) puts them in the blocks of the
message the pointer is over or focus is in, from one set of listeners on the list (the message's HTML comes from
the server, domain/markup.py, and holds no buttons)."""

from typing import Literal

import reflex as rx


class CodeCopy(rx.Component):
    """Inside a list of messages: `scope` selects the element around the list (the closest such element)."""

    library = "$/public/code_copy.js"
    tag = "CodeCopy"
    is_default = False

    scope: rx.Var[str]


def code_copy(panel: Literal["room", "thread"]) -> rx.Component:
    """The copy buttons of the room's history (`panel` "room", inside RoomLog) or of the thread panel."""
    return CodeCopy.create(scope=".room-log" if panel == "room" else "#thread-panel")
