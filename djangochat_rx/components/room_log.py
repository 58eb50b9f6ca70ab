"""RoomLog (assets/room_log.js) around a room's history: it keeps the reader's place (following new messages,
keeping the row being read in place when history loads above, "Jump to latest", the message the address asks
for), draws day separators and grouping, loads earlier messages and fills gaps as their buttons come into view
(the children mark them `data-loader="older"` / `"gap"`) and says what was read."""

import reflex as rx
from reflex_base.event import passthrough_event_spec

LOADER = "data-loader"


class RoomLog(rx.Component):
    """Around the log (role="log") and its "Jump to latest" button (class jump-latest): on_read(newest seq),
    on_load_older(older_than: the first message's id) and on_fill_gap(gap_after, gap_before)."""

    library = "$/public/room_log.js"
    tag = "RoomLog"
    is_default = False

    newest: rx.Var[int]
    older_than: rx.Var[int]
    gap_after: rx.Var[int]
    gap_before: rx.Var[int]
    on_read: rx.EventHandler[passthrough_event_spec(int)]
    on_load_older: rx.EventHandler[passthrough_event_spec(int)]
    on_fill_gap: rx.EventHandler[passthrough_event_spec(int, int)]
