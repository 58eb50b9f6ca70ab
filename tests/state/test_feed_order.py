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


async def test_the_senders_box_is_cleared_and_given_a_new_client_id_before_its_message_arrives(
    open_tab, make_user, room
):
    """A next message typed as soon as the last one shows can be neither wiped by a late clear nor swallowed
    as a retry of the last one under the same client id."""
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    sent_under = tab.var(RoomState, "draft_id")
    await tab.call(RoomState, "send", form={"message": "hello", "client_id": sent_under})
    await tab.wait_for(lambda: tab.texts() == ["hello"])
    state, var = INCOMING

    def first(found) -> int:
        return next(index for index, frame in enumerate(tab.frames) if found(frame))

    cleared = first(lambda frame: any(event["name"] == "_set_value" for event in frame.get("events") or []))
    renewed = first(
        lambda frame: frame.get("delta", {}).get(state, {}).get("draft_id_rx_state_", sent_under) != sent_under
    )
    shown = first(lambda frame: frame.get("delta", {}).get(state, {}).get(var))
    assert renewed <= cleared < shown, (renewed, cleared, shown)
