"""The messages a room page shows, as a list the browser holds: Reflex renders it with rx.foreach like
any state list, and assets/room_feed.js keeps it (the snapshot at open, then each message as it comes,
merged by id in seq order). A delivery thus carries one message, never the window. A thread's panel
keeps its replies the same way."""

import reflex as rx
from reflex_base.vars import VarData

from djangochat_rx import settings
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState

_MODULE = "$/public/room_feed.js"
_NAME = "roomFeed"
_THREAD = "threadFeed"


def _feed_var(field: str, var_type: type) -> rx.Var:
    hook = f"const {_NAME} = useRoomFeed({RoomState.get_full_name()!r}, {settings.FEED_MAX_MESSAGES});"
    data = VarData(imports={_MODULE: ["useRoomFeed"]}, hooks={hook: None})
    return rx.Var(_js_expr=f"{_NAME}.{field}", _var_type=var_type, _var_data=data).guess_type()


def _thread_var(field: str, var_type: type) -> rx.Var:
    hook = f"const {_THREAD} = useThreadFeed({ThreadState.get_full_name()!r}, {settings.THREAD_WINDOW * 2});"
    data = VarData(imports={_MODULE: ["useThreadFeed"]}, hooks={hook: None})
    return rx.Var(_js_expr=f"{_THREAD}.{field}", _var_type=var_type, _var_data=data).guess_type()


# The messages shown, oldest first.
messages: rx.Var[list[MessageView]] = _feed_var("messages", list[MessageView])
# The same in blocks by seq (room_feed_core.js BLOCK): a block whose messages did not change stays the same array.
blocks: rx.Var[list[list[MessageView]]] = _feed_var("blocks", list[list[MessageView]])
# The ids around the first hole in the sequence (0 and 0 when there is none): the page fills it.
gap_after: rx.Var[int] = _feed_var("gapAfter", int)
gap_before: rx.Var[int] = _feed_var("gapBefore", int)

# The open thread's replies (the thread panel), oldest first, kept the same way from ThreadState's vars.
thread_replies: rx.Var[list[MessageView]] = _thread_var("messages", list[MessageView])
