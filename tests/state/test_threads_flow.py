"""Threads over real websockets: a reply reaches the tabs showing its thread as that one reply, the room's tabs
the parent with its new count (never the replies, never the window), the followers' sidebars their unread
count; "also send to the room" posts a quoting message; an outsider opens, answers and hears nothing of a
private room's thread."""

import asyncio

from djangochat_rx import db, settings
from djangochat_rx.domain import messages, threads
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from djangochat_rx.state.thread import ThreadState
from tests.state.conftest import beside_a_private_room, room_tab


def bodies(items) -> list[str]:
    return [item["body"] for item in items]


def parent_in(tab, parent_id: int) -> dict:
    [parent] = [m for m in tab.feed() if m["id"] == parent_id]
    return parent


async def test_a_thread_conversation_is_live_for_its_panels_the_room_and_the_followers(open_tab, make_user, room):
    author, author_token = make_user()
    replier, replier_token = make_user()
    parent = db.call(messages.post_message, room.id, author.id, "release on friday?")
    starter = await room_tab(open_tab, author_token, room.slug)
    answerer = await room_tab(open_tab, replier_token, room.slug)
    await starter.wait_for(lambda: starter.var(RoomsState, "threads_unread") == 0)

    await answerer.call(ThreadState, "open_thread", parent_id=parent.id)
    await answerer.wait_for(lambda: answerer.var(ThreadState, "thread_parent") == parent.id)
    await answerer.wait_for(lambda: [h["id"] for h in answerer.var(ThreadState, "thread_head", [])] == [parent.id])
    frames = len(starter.frames)
    await answerer.call(ThreadState, "send_reply", form={"reply": "fine by me", "reply_id": "t-1"})
    await answerer.wait_for(lambda: bodies(answerer.thread()) == ["fine by me"])
    # The author (not watching the thread) sees the count move in the room, and their Threads count.
    await starter.wait_for(lambda: parent_in(starter, parent.id).get("reply_count", 0) == 1)
    await starter.wait_for(lambda: starter.var(RoomsState, "threads_unread") == 1)
    assert parent_in(starter, parent.id)["repliers"] == [replier.username]
    assert bodies(starter.feed()) == ["release on friday?"]  # the reply is not in the room's stream
    room_frames = [
        delta["incoming_rx_state_"]
        for frame in starter.frames[frames:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" in delta
    ]
    assert [[m["id"] for m in batch] for batch in room_frames] == [[parent.id]]

    # Opening the thread reads it: the Threads count drops on the author's every tab.
    await starter.call(ThreadState, "open_thread", parent_id=parent.id)
    await starter.wait_for(lambda: bodies(starter.thread()) == ["fine by me"])
    await starter.wait_for(lambda: starter.var(RoomsState, "threads_unread") == 0)
    await starter.wait_for(lambda: starter.var(ThreadState, "thread_following") is True)

    # Both panels open: a reply reaches both, as the one reply; "also to the room" quotes the parent there.
    frames = len(answerer.frames)
    form = {"reply": "shipping it", "reply_id": "t-2", "also_to_room": "on"}
    await starter.call(ThreadState, "send_reply", form=form)
    await answerer.wait_for(lambda: bodies(answerer.thread()) == ["fine by me", "shipping it"])
    await answerer.wait_for(lambda: bodies(answerer.feed()) == ["release on friday?", "shipping it"])
    quoting = answerer.feed()[-1]
    assert (quoting["quote_id"], quoting["quote_author"], quoting["quote_text"]) == (
        parent.id,
        author.username,
        "release on friday?",
    )
    thread_frames = [
        delta["thread_incoming_rx_state_"]
        for frame in answerer.frames[frames:]
        for delta in (frame.get("delta") or {}).values()
        if "thread_incoming_rx_state_" in delta
    ]
    assert [bodies(batch) for batch in thread_frames] == [["shipping it"]]

    # The panel says it has seen the new reply: nothing stays unread for the replier.
    await answerer.call(ThreadState, "thread_seen", seq=2)
    await answerer.wait_for(lambda: answerer.var(RoomsState, "threads_unread") == 0)

    # Editing a reply reaches the thread's panels, not the room's stream.
    reply_id = answerer.thread()[0]["id"]
    await answerer.call(RoomState, "start_edit", message_id=reply_id)
    await answerer.wait_for(lambda: answerer.var(RoomState, "editing_id") == reply_id)
    await answerer.call(RoomState, "save_edit", form={"text": "fine by me, edited"})
    await starter.wait_for(lambda: bodies(starter.thread())[0] == "fine by me, edited")
    assert "fine by me, edited" not in bodies(starter.feed())

    # A page opened later (a link from the Threads page) opens the thread from its address.
    late = await open_tab(f"/rooms/{room.slug}?thread={parent.id}", token=replier_token)
    await late.wait_for(lambda: bodies(late.thread()) == ["fine by me, edited", "shipping it"])
    await late.wait_for(lambda: parent_in(late, parent.id).get("reply_count", 0) == 2)

    await late.call(ThreadState, "send_reply", form={"reply": "   ", "reply_id": "t-3"})
    await late.wait_for(lambda: late.var(ThreadState, "thread_error") == "Type a message first.")


async def test_an_outsider_neither_opens_nor_answers_nor_hears_a_private_rooms_thread(open_tab, make_user):
    _owner, _den, secret, outsider, insider = await beside_a_private_room(open_tab, make_user)

    await outsider.call(ThreadState, "open_thread", parent_id=secret.id)
    await outsider.wait_for(lambda: outsider.var(RoomState, "error") == "Message not found.")
    assert outsider.var(ThreadState, "thread_parent", 0) == 0 and outsider.thread() == []
    await outsider.call(ThreadState, "send_reply", form={"reply": "let me in", "reply_id": "x-1"})
    await outsider.wait_for(lambda: outsider.var(ThreadState, "thread_error") == "This thread is not open.")
    # A thread of another room the outsider may read does not open beside this room either.
    frames = len(outsider.frames)
    await insider.call(ThreadState, "open_thread", parent_id=secret.id)
    await insider.call(ThreadState, "send_reply", form={"reply": "between us", "reply_id": "x-2"})
    await insider.wait_for(lambda: bodies(insider.thread()) == ["between us"])
    await asyncio.sleep(0.3)
    assert "between us" not in repr(outsider.frames[frames:]) and "secret plan" not in repr(outsider.frames[frames:])
    assert db.call(messages.message_view, secret.id).reply_count == 1


async def test_a_reply_that_mentions_someone_notifies_them_with_the_threads_address(open_tab, make_user, room):
    author, author_token = make_user()
    replier, replier_token = make_user()
    parent = db.call(messages.post_message, room.id, author.id, "who reviews?")
    mentioned = await room_tab(open_tab, author_token, room.slug)
    answerer = await room_tab(open_tab, replier_token, room.slug)
    await answerer.call(ThreadState, "open_thread", parent_id=parent.id)
    await answerer.wait_for(lambda: answerer.var(ThreadState, "thread_parent") == parent.id)
    await answerer.call(ThreadState, "send_reply", form={"reply": f"@{author.username} I will", "reply_id": "m-1"})
    notice = await mentioned.wait_for(lambda: mentioned.var(AuthState, "notice"))
    assert (notice["author"], notice["slug"]) == (replier.username, room.slug)
    assert notice["text"] == f"@{author.username} I will"
    assert notice["path"] == f"/rooms/{room.slug}?thread={parent.id}"
    assert not answerer.var(AuthState, "notice")  # the author of a reply is not told of it


async def test_a_plain_message_goes_out_without_its_empty_thread_fields(open_tab, make_user, room):
    author, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    await tab.call(RoomState, "send", form={"message": "plain", "client_id": "p-1"})
    await tab.wait_for(lambda: bodies(tab.feed()) == ["plain"])
    [plain] = tab.feed()
    assert not {"thread_id", "reply_count", "last_reply_at", "repliers", "quote_id", "quote_text"} & set(plain)
    assert plain["author"] == author.username and plain["files"] == [] and plain["reactions"] == []


async def test_a_new_reply_count_rides_with_the_rooms_next_message(open_tab, make_user, room, monkeypatch):
    author, token = make_user()
    _, replier_token = make_user()
    parent = db.call(messages.post_message, room.id, author.id, "topic")
    tab = await room_tab(open_tab, token, room.slug)
    monkeypatch.setattr(settings, "FEED_CHANGE_SECONDS", 30.0)  # nothing goes alone during the test
    replier = await room_tab(open_tab, replier_token, room.slug)
    frames = len(tab.frames)
    await replier.call(ThreadState, "open_thread", parent_id=parent.id)
    await replier.call(ThreadState, "send_reply", form={"reply": "a reply", "reply_id": "ride-1"})
    await replier.wait_for(lambda: bodies(replier.thread()) == ["a reply"])
    assert parent_in(tab, parent.id).get("reply_count", 0) == 0  # waiting for the next message
    await tab.call(RoomState, "send", form={"message": "next", "client_id": "ride-2"})
    await tab.wait_for(lambda: parent_in(tab, parent.id).get("reply_count", 0) == 1)
    batches = [
        [m["body"] for m in delta["incoming_rx_state_"]]
        for frame in tab.frames[frames:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" in delta
    ]
    assert batches == [["topic", "next"]]  # one frame: the parent's new count, then the new message
    assert db.call(threads.thread, author.id, parent.id)[0].reply_count == 1
