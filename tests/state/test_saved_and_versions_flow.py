"""Saved messages and edit history over real websockets: saving from one tab shows it saved on every tab of the
saver's on that room (and on no one else's); "(edited)" opens the versions; an outsider gets neither of a
private room."""

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.saved import SavedState
from tests.state.conftest import beside_a_private_room, room_tab


def saved_ids_heard(tab) -> list[list[int]]:
    """Every value of saved_ids the tab's frames carried."""
    return [
        value
        for frame in tab.frames
        for delta in frame.get("delta", {}).values()
        for name, value in delta.items()
        if name.startswith("saved_ids")
    ]


def kept(tab) -> list[int]:
    return sorted(tab.var(RoomState, "saved_ids") or [])


async def test_saving_reaches_the_savers_tabs_of_the_room_and_nobody_elses(open_tab, make_user, room):
    author, author_token = make_user()
    _, saver_token = make_user()
    first = db.call(messages.post_message, room.id, author.id, "first")
    second = db.call(messages.post_message, room.id, author.id, "second")
    saver = await room_tab(open_tab, saver_token, room.slug)
    other_tab = await room_tab(open_tab, saver_token, room.slug)
    author_tab = await room_tab(open_tab, author_token, room.slug)

    await saver.call(RoomState, "save", message_id=second.id)
    await saver.wait_for(lambda: kept(saver) == [second.id])
    await other_tab.wait_for(lambda: kept(other_tab) == [second.id])
    await saver.call(RoomState, "save", message_id=first.id)
    await other_tab.wait_for(lambda: kept(other_tab) == [first.id, second.id])
    await saver.call(RoomState, "unsave", message_id=second.id)
    await other_tab.wait_for(lambda: kept(other_tab) == [first.id])
    assert kept(author_tab) == [] and all(heard == [] for heard in saved_ids_heard(author_tab))

    late = await room_tab(open_tab, saver_token, room.slug)  # a page opened later reads them
    assert kept(late) == [first.id]
    page = await open_tab("/saved", token=saver_token)
    await page.wait_for(lambda: [item["message"]["body"] for item in page.var(SavedState, "kept") or []] == ["first"])
    await page.call(SavedState, "remove", message_id=first.id)
    await page.wait_for(lambda: page.var(SavedState, "kept") == [])
    await saver.wait_for(lambda: kept(saver) == [])


async def test_edited_opens_the_versions_and_an_outsider_gets_none_of_a_private_room(open_tab, make_user):
    owner, _den, secret, outsider, insider = await beside_a_private_room(open_tab, make_user)
    db.call(messages.edit_message, secret.id, owner.id, "secret plan, revised")

    await insider.call(RoomState, "show_versions", message_id=secret.id)
    await insider.wait_for(lambda: len(insider.var(RoomState, "versions") or []) == 2)
    assert [v["current"] for v in insider.var(RoomState, "versions")] == [True, False]
    await insider.call(RoomState, "versions_closed", is_open=False)
    await insider.wait_for(lambda: insider.var(RoomState, "versions") == [])

    for handler in ("show_versions", "save"):
        await outsider.call(RoomState, handler, message_id=secret.id)
        await outsider.wait_for(lambda: outsider.var(RoomState, "error"))
        assert outsider.var(RoomState, "error") == "Message not found."
        await outsider.call(RoomState, "cancel_edit")  # any event: the error stays until the next action
    assert all("secret plan" not in str(frame) for frame in outsider.frames)
