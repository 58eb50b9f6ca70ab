"""An outsider's raw websocket against a private room and a direct conversation they are not in, and a guest's
against a public room it was not added to: every event the pages offer, sent by hand, gets them nothing of it
and changes nothing."""

import asyncio
import uuid

import pytest
from sqlmodel import select

from djangochat_rx import db
from djangochat_rx.domain import members, messages, read_receipts, rooms, scheduled, sessions, signup, user_groups
from djangochat_rx.models import Mention, RoomMember, RoomRead
from djangochat_rx.state.export import ExportState
from djangochat_rx.state.later import LaterState
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.search import SearchState
from djangochat_rx.state.user_groups import GroupsState
from tests.state.conftest import beside_a_private_room, unique
from tests.support.client import STORAGE_KEY

# Every room-page event, as a forged client could send it (ids and names of the room it cannot see).
ROOM_EVENTS = [
    ("open_room", {"slug": "{slug}", "click": {"button": 0}}),
    ("refresh", {}),
    ("load_older", {"before_id": 10**9}),
    ("fill_gap", {"before_id": 10**9}),
    ("mark_read", {"seq": 10}),
    ("typing_now", {}),
    ("send", {"form": {"message": "let me in", "client_id": "forged"}}),
    ("load_mention_names", {}),
    ("invite", {"form": {"username": "{outsider}"}}),
    ("leave", {}),
    ("remove_member", {"username": "{member}"}),
    ("save_room", {"form": {"name": "taken over", "description": ""}}),
    ("set_archived", {"archived": True}),
    ("delete_room", {}),
    ("start_edit", {"message_id": "{message_id}"}),
    ("ask_delete", {"message_id": "{message_id}"}),
    ("confirm_delete", {}),
    ("start_forward", {"message_id": "{message_id}"}),
    ("select_messages", {"message_id": "{message_id}"}),
    ("toggle_selected", {"message_id": "{message_id}"}),
    ("forward_selected", {}),
    ("forward", {"form": {"room": "{room_id}", "comment": "let me in"}}),
]


def fill(value, names: dict):
    if isinstance(value, dict):
        return {key: fill(item, names) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    return value


def rows(model, **where):
    with db.session() as session:
        return session.exec(select(model).filter_by(**where)).all()


def make_guest(host_id: int) -> tuple:
    """A guest of a public room of `host_id`'s (made through a guest invite), and a session token for them."""
    own = db.call(rooms.create_room, unique("Guest room "), "", host_id)
    _, token = db.call(signup.create_invite, host_id, 1, 1, "", (own.id,), 0)
    guest = db.call(signup.register, unique("g"), "password123", "password123", token)
    return guest, db.call(sessions.issue, guest.id, "test")


@pytest.mark.parametrize("kind", ["private", "dm", "public, as a guest"])
async def test_an_outsider_cannot_read_join_post_change_search_or_export_it(open_tab, make_user, kind):
    owner, owner_token = make_user()
    member, _ = make_user()
    host, _ = make_user()
    outsider, outsider_token = make_guest(host.id) if "guest" in kind else make_user()
    if kind == "public, as a guest":
        room = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    elif kind == "private":
        room = db.call(rooms.create_room, unique("Vault "), "", owner.id, True)
        db.call(members.invite, owner.id, room.id, member.username)
    else:
        room = db.call(members.open_direct, owner.id, [member.username])
    secret = f"secret{uuid.uuid4().hex[:10]}"
    posted = db.call(messages.post_message, room.id, owner.id, f"{secret} first")
    owner_tab = await open_tab(f"/rooms/{room.slug}", token=owner_token)
    await owner_tab.wait_for(lambda: owner_tab.texts() == [f"{secret} first"])

    db.call(read_receipts.set_sharing, outsider.id, True)  # a forged read of theirs would show if it counted
    peek = await open_tab(f"/rooms/{room.slug}", token=outsider_token)
    await peek.wait_for(lambda: peek.var(RoomState, "status") == "missing")
    names = {"outsider": outsider.username, "member": member.username, "message_id": posted.id, "slug": room.slug}
    names["room_id"] = str(room.id)
    for handler, payload in ROOM_EVENTS:
        await peek.call(RoomState, handler, **fill(payload, names))
    await peek.call(ExportState, "download_room", room_id=room.id)
    await peek.wait_for(lambda: peek.var(ExportState, "export_error") == "Only administrators can do that.")

    for query in (secret, f"in:{room.slug} {secret}", f"from:{owner.username} {secret}"):
        search = await open_tab(f"/search?q={query}", token=outsider_token)
        await search.wait_for(lambda: search.var(SearchState, "searched"))  # noqa: B023
        assert search.var(SearchState, "hits") == []
    profile = await open_tab(f"/users/{owner.username}", token=outsider_token)
    if "guest" in kind:  # they share no room: the owner does not exist for the guest
        await profile.wait_for(lambda: profile.var(ProfileState, "status") == "missing")
    else:
        await profile.wait_for(lambda: profile.var(ProfileState, "status") == "ready")
        assert (profile.var(ProfileState, "message_count"), profile.var(ProfileState, "rooms_in_common")) == (0, [])

    # The room goes on; the outsider's socket gets none of it.
    await owner_tab.call(RoomState, "send", form={"message": f"{secret} second"})
    await owner_tab.wait_for(lambda: owner_tab.texts() == [f"{secret} first", f"{secret} second"])
    await asyncio.sleep(0.5)
    assert secret not in str(peek.frames) and room.name not in str(peek.frames)
    assert [view.body for view in db.call(messages.newest_messages, room.id)] == [f"{secret} first", f"{secret} second"]
    unchanged = db.call(rooms.open_room, owner.id, room.slug)
    assert (unchanged.name, unchanged.archived) == (room.name, False)
    people = [owner.id] if "guest" in kind else [owner.id, member.id]
    assert sorted(m.user_id for m in rows(RoomMember, room_id=room.id)) == sorted(people)
    assert rows(RoomRead, user_id=outsider.id) == []
    # Read receipts: the outsider's reading is never shown, and they hear no one's.
    assert db.call(read_receipts.line_for, owner.id, room.id) == read_receipts.NO_LINE
    assert not any(name.startswith("seen_by") and value for name, value in _deltas(owner_tab) + _deltas(peek))

    if "guest" in kind:  # a guest sees no group, not even one they are in: the same page as a made-up name
        group = unique("team")
        db.call(user_groups.create, host.id, group, "", outsider.username)
        for path in ("/groups", f"/groups/{group}", "/groups/nosuchgroup"):
            page = await open_tab(path, token=outsider_token)
            await page.wait_for(lambda: page.var(GroupsState, "status") == "missing")  # noqa: B023
            assert page.var(GroupsState, "groups") == [] and page.var(GroupsState, "members") == []
        return
    # A group mention in the room tells the group's member there, never the outsider in the group.
    group = unique("team")
    db.call(user_groups.create, owner.id, group, "", f"{member.username}, {outsider.username}")
    await owner_tab.call(RoomState, "send", form={"message": f"@{group} {secret} third"})
    await owner_tab.wait_for(lambda: len(owner_tab.texts()) == 3)
    await asyncio.sleep(0.5)
    assert secret not in str(peek.frames) and room.name not in str(peek.frames)
    assert rows(Mention, user_id=outsider.id) == [] and len(rows(Mention, user_id=member.id)) == 1


async def test_an_outsider_gets_no_reminder_of_a_private_message_nor_anothers_scheduled_message(open_tab, make_user):
    owner, _den, secret, outsider, insider = await beside_a_private_room(open_tab, make_user)
    await outsider.call(RoomState, "start_remind", message_id=secret.id)
    await outsider.wait_for(lambda: outsider.var(RoomState, "reminding_id") == secret.id)
    await outsider.call(RoomState, "remind_preset", choice="20m")
    await outsider.wait_for(lambda: outsider.var(RoomState, "remind_error") == "Message not found.")
    await insider.call(RoomState, "send_later", text="secret plan, later", choice="1h", picked="")
    await insider.wait_for(lambda: insider.var(RoomState, "later_said"))
    stranger_page = await open_tab("/scheduled", token=outsider.local_storage[STORAGE_KEY])
    await stranger_page.wait_for(lambda: stranger_page.var(LaterState, "pending") == [])
    job_id = db.call(scheduled.listing, owner.id, "")[0][0].id
    answers = []
    for guessed in (job_id, job_id + 1000):
        await stranger_page.call(LaterState, "send_now", job_id=guessed)
        await stranger_page.wait_for(lambda: stranger_page.var(LaterState, "later_error"))
        answers.append(stranger_page.var(LaterState, "later_error"))
        await stranger_page.call(LaterState, "stop_edit_later")
        await stranger_page.wait_for(lambda: not stranger_page.var(LaterState, "later_error"))
    assert answers == ["Scheduled message not found."] * 2
    assert db.call(scheduled.listing, owner.id, "")[0][0].body == "secret plan, later"
    assert all("secret plan" not in str(frame) for frame in outsider.frames + stranger_page.frames)


def _deltas(tab) -> list[tuple[str, object]]:
    """Every (var, value) the tab's frames carried."""
    deltas = [delta for frame in tab.frames for delta in frame.get("delta", {}).values()]
    return [(name, value) for delta in deltas for name, value in delta.items()]
