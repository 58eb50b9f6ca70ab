"""Profile pages over real websockets: another user's page, "Message", one's own display name."""

from djangochat_rx import db
from djangochat_rx.domain import members
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState


async def test_message_from_a_profile_opens_the_one_conversation_of_the_pair(open_tab, make_user):
    alice, alice_token = make_user()
    bob, _ = make_user()
    page = await open_tab(f"/users/{bob.username.upper()}", token=alice_token)
    await page.wait_for(lambda: page.var(ProfileState, "status") == "ready")
    assert (page.var(ProfileState, "shown_name"), page.var(ProfileState, "is_me")) == (bob.username, False)
    await page.call(ProfileState, "message")
    await page.wait_for(lambda: page.redirects)
    direct = db.call(members.open_direct, bob.id, [alice.username])
    assert page.redirects == [f"/rooms/{direct.slug}"]
    room = await open_tab(page.redirects[0], token=alice_token)
    await room.wait_for(lambda: room.var(RoomState, "room_kind") == "dm")
    assert sorted(m["username"] for m in room.var(RoomState, "members")) == sorted([alice.username, bob.username])


async def test_own_page_saves_display_name_and_about_and_refuses_bad_text(open_tab, make_user):
    alice, token = make_user()
    page = await open_tab(f"/users/{alice.username}", token=token)
    await page.wait_for(lambda: page.var(ProfileState, "is_me"))
    await page.call(ProfileState, "save", form={"display_name": "x" * 65, "about": ""})
    await page.wait_for(lambda: page.var(ProfileState, "error") == "Display name must be at most 64 characters.")
    await page.call(ProfileState, "save", form={"display_name": "Alice L.", "about": "Curiouser"})
    await page.wait_for(lambda: page.var(ProfileState, "saved"))
    assert (page.var(ProfileState, "display_name"), page.var(ProfileState, "about")) == ("Alice L.", "Curiouser")

    _, bob_token = make_user()
    seen = await open_tab(f"/users/{alice.username}", token=bob_token)
    await seen.wait_for(lambda: seen.var(ProfileState, "display_name") == "Alice L.")


async def test_unknown_users_and_logged_out_visitors_get_nothing(open_tab, make_user):
    _, token = make_user()
    page = await open_tab("/users/no-such-person", token=token)
    await page.wait_for(lambda: page.var(ProfileState, "status") == "missing")
    stranger = await open_tab("/users/no-such-person")
    await stranger.wait_for(lambda: stranger.redirects == ["/login"])
    await stranger.call(ProfileState, "message")
    await stranger.wait_for(lambda: stranger.redirects == ["/login", "/login"])
