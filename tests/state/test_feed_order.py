"""A room's tabs get new messages in the room's sequence order, whatever order their events arrive in."""

from djangochat_rx import db, settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.realtime import hub
from djangochat_rx.state.room import RoomState
from tests.support.server import on_backend

INCOMING = RoomState.get_full_name(), "incoming_rx_state_"


def arrived(tab) -> list[int]:
    """The seqs of the messages the tab was sent one by one, in the order they came."""
    state, var = INCOMING
    return [item["seq"] for frame in tab.frames for item in (frame.get("delta", {}).get(state, {}).get(var) or [])]


async def test_messages_whose_events_race_reach_the_tab_in_seq_order(open_tab, make_user, room):
    author, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    # Three sends committed in order, their events published newest first (threads finishing out of order).
    outcomes = [db.call(message_actions.send_message, author.id, room.id, f"m{i}") for i in range(3)]
    await on_backend(hub.publish([event for outcome in reversed(outcomes) for event in outcome.events]))
    await tab.wait_for(lambda: tab.texts() == ["m0", "m1", "m2"])
    assert arrived(tab) == [1, 2, 3]


async def test_a_message_whose_predecessor_never_comes_is_delivered_after_the_wait(open_tab, make_user, room):
    author, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    first, second = (db.call(message_actions.send_message, author.id, room.id, f"m{i}") for i in range(2))
    await on_backend(hub.publish(second.events))  # the first one's event is lost (a worker died)
    await tab.wait_for(lambda: arrived(tab) == [2], timeout=settings.FEED_REORDER_SECONDS + 5)
    # The page sees the hole before seq 2 and fills it from the database by seq.
    await tab.call(RoomState, "fill_gap", after_id=0, before_id=second.value.id)
    await tab.wait_for(lambda: tab.texts() == ["m0", "m1"])
    assert first.value.seq == 1
