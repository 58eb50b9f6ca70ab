"""User groups over the real backend: a group made on the Groups page, its page read live by a member while someone
is added (the page after the event equals a fresh load), the `@` picker offering it, a group mention marking and
telling its member in the room, and a stranger's change refused with a message on the page."""

from djangochat_rx import db
from djangochat_rx.domain import user_groups
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from djangochat_rx.state.user_groups import GroupsState
from tests.state.conftest import room_tab, unique
from tests.state.test_room_experience import lobby_entry


def page_of(tab) -> tuple:
    """What a group's page shows."""
    return tuple(tab.var(GroupsState, name) for name in ("shown", "description", "members", "may_manage", "is_member"))


async def test_a_group_is_made_followed_live_offered_and_mentioned(open_tab, make_user, room):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    carol, _ = make_user()
    name = unique("backend")

    groups = await open_tab("/groups", token=alice_token)
    await groups.wait_for(lambda: groups.var(GroupsState, "status") == "ready")
    assert groups.var(GroupsState, "may_create")
    await groups.call(GroupsState, "create", form={"name": name, "description": "the API", "members": bob.username})
    await groups.wait_for(lambda: groups.var(GroupsState, "group_notice") == "Group created.")
    assert name in [group["name"] for group in groups.var(GroupsState, "groups")]

    theirs = await open_tab(f"/groups/{name}", token=bob_token)
    await theirs.wait_for(lambda: theirs.var(GroupsState, "status") == "ready")
    members = sorted([alice.username, bob.username])
    assert page_of(theirs) == (name, "the API", members, True, True)

    # Alice adds Carol on her page: Bob's open page reads it again, and equals a fresh load.
    mine = await open_tab(f"/groups/{name}", token=alice_token)
    await mine.wait_for(lambda: mine.var(GroupsState, "status") == "ready")
    await mine.call(GroupsState, "add", form={"members": carol.username})
    await theirs.wait_for(lambda: carol.username in theirs.var(GroupsState, "members"))
    fresh = await open_tab(f"/groups/{name}", token=bob_token)
    await fresh.wait_for(lambda: fresh.var(GroupsState, "status") == "ready")
    assert page_of(fresh) == page_of(theirs)

    # Someone outside the group may not change it; the page says why.
    _, dave_token = make_user()
    outside = await open_tab(f"/groups/{name}", token=dave_token)
    await outside.wait_for(lambda: outside.var(GroupsState, "status") == "ready")
    assert not outside.var(GroupsState, "may_manage") and outside.var(GroupsState, "may_join")
    await outside.call(GroupsState, "remove", username=bob.username)
    await outside.wait_for(lambda: "Only the group's members" in outside.var(GroupsState, "group_error"))
    assert bob.username in db.call(user_groups.page, alice.id, name).members

    # The picker offers the group; a mention of it marks the room and tells Bob, who reads the room.
    writer = await room_tab(open_tab, alice_token, room.slug)
    await writer.call(RoomState, "load_mention_names")
    await writer.wait_for(lambda: f"{name}\tgroup · 3 members" in writer.var(RoomState, "mention_names"))
    lobby = await open_tab("/rooms", token=bob_token)
    await lobby.wait_for(lambda: lobby_entry(lobby, room.slug) is not None)
    await writer.call(RoomState, "send", form={"message": f"@{name} deploy?"})
    await lobby.wait_for(lambda: lobby.var(RoomsState, "mentioned") == [room.slug])
    assert lobby.var(AuthState, "notice")["text"] == f"@{name} deploy?"
    reader = await room_tab(open_tab, bob_token, room.slug)
    [shown] = await reader.wait_for(lambda: reader.feed())
    assert shown["mentions"] == sorted([bob.username, carol.username])
    assert 'class="mention group-mention"' in shown["html"] and f'href="/groups/{name}"' in shown["html"]
