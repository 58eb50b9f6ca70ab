"""Issue 13, items 4 and 5, over real sockets: nothing an outsider creates or renames tells them a private
room or a direct conversation exists, nobody finds a conversation by its people's ids, and no public room
can block a conversation."""

import hashlib
import re

from djangochat_rx import db
from djangochat_rx.domain import members, rooms
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique

HIDDEN = re.compile(r"(p|dm)_[0-9a-f]{32}")


async def create(tab, name: str, private: bool = False) -> tuple[str, str]:
    """Create a room through the rooms page; (the error shown, the path it opened)."""
    redirects = len(tab.redirects)
    await tab.call(RoomsState, "create_room", form={"name": name, "description": "", "private": private})
    await tab.wait_for(lambda: len(tab.redirects) > redirects or tab.var(RoomsState, "error"))
    return tab.var(RoomsState, "error") or "", tab.redirects[-1] if len(tab.redirects) > redirects else ""


async def test_an_outsider_naming_a_room_like_a_private_one_gets_what_a_new_name_gets(open_tab, make_user):
    owner, _ = make_user()
    secret_name = unique("Secret Plans ")
    secret = db.call(rooms.create_room, secret_name, "", owner.id, True)
    assert HIDDEN.fullmatch(secret.slug)
    outsider_user, token = make_user()
    outsider = await open_tab("/rooms", token=token)

    error, path = await create(outsider, secret_name)  # was: "A room named … already exists."
    assert error == "" and path == f"/rooms/{rooms.base_slug(secret_name)}"  # was: …-2

    error, path = await create(outsider, secret_name)  # now the public one is there: the usual answer
    assert error == f"A room named “{secret_name}” already exists." and path == ""

    mine = db.call(rooms.create_room, unique("Mine "), "", outsider_user.id, False)
    room_tab = await open_tab(f"/rooms/{mine.slug}", token=token)
    await room_tab.wait_for(lambda: room_tab.var(RoomState, "status") == "ready")
    other_secret = db.call(rooms.create_room, unique("Other Secret "), "", owner.id, True).name
    await room_tab.call(RoomState, "save_room", form={"name": other_secret, "description": ""})
    await room_tab.wait_for(lambda: room_tab.var(RoomState, "panel_notice") or room_tab.var(RoomState, "panel_error"))
    assert room_tab.var(RoomState, "panel_notice") == "Saved." and not room_tab.var(RoomState, "panel_error")


async def test_a_conversation_cannot_be_found_from_its_peoples_ids_or_blocked_by_a_public_room(open_tab, make_user):
    alice, alice_token = make_user()
    bob, _ = make_user()
    _, attacker_token = make_user()
    attacker = await open_tab("/rooms", token=attacker_token)
    # The old address of alice and bob's conversation, computed from their ids, taken first by a public room.
    old_slug = "dm-" + hashlib.sha256(":".join(map(str, sorted([alice.id, bob.id]))).encode()).hexdigest()[:16]
    assert (await create(attacker, old_slug))[0] == ""

    tab = await open_tab(f"/users/{bob.username}", token=alice_token)
    await tab.wait_for(lambda: tab.var(ProfileState, "shown_name") == bob.username)
    await tab.call(ProfileState, "message")
    path = await tab.wait_for(lambda: next((p for p in tab.redirects if p.startswith("/rooms/")), None))
    assert HIDDEN.fullmatch(path.removeprefix("/rooms/")) and path != f"/rooms/{old_slug}"


def test_a_unique_key_clash_opening_a_conversation_is_a_message_not_a_server_error(make_user, monkeypatch):
    """Item 5: an IntegrityError escaped members.open_direct (nothing on the page)."""
    alice, _ = make_user()
    bob, _ = make_user()
    carol, _ = make_user()
    taken = db.call(members.open_direct, alice.id, [carol.username]).slug
    monkeypatch.setattr(members, "hidden_slug", lambda kind: taken)
    try:
        db.call(members.open_direct, alice.id, [bob.username])
    except members.MemberError as error:
        assert str(error) == "The conversation could not be opened. Try again."
    else:
        raise AssertionError("a clashing slug opened a conversation")


async def test_leaving_a_conversation_and_messaging_again_brings_you_back(open_tab, make_user):
    alice, alice_token = make_user()
    bob, _ = make_user()
    direct = db.call(members.open_direct, alice.id, [bob.username])
    db.call(members.leave, alice.id, direct.id)
    again = db.call(members.open_direct, alice.id, [bob.username])
    assert again.id == direct.id
    tab = await open_tab(f"/rooms/{again.slug}", token=alice_token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") in ("ready", "missing"))
    assert tab.var(RoomState, "status") == "ready"
