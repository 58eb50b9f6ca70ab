"""The quick switcher over real websockets: it lists the user's rooms (unread first), narrows as they type,
goes to a room or opens the conversation with a person, and Alt+Up/Down step through the rooms."""

from djangochat_rx import db
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import rooms
from djangochat_rx.state.switcher import SwitcherState
from tests.state.conftest import unique


async def test_the_switcher_finds_rooms_and_people_and_goes_there(open_tab, make_user):
    _, token = make_user()
    bob, _ = make_user(unique("bob"))
    quiet = db.call(rooms.create_room, unique("Quiet "), "", bob.id)
    busy = db.call(rooms.create_room, unique("Busy "), "", bob.id)
    db.call(message_actions.send_message, bob.id, quiet.id, "unread for alice")
    secret = db.call(rooms.create_room, unique("Hidden "), "", bob.id, True)
    tab = await open_tab("/rooms", token=token)

    await tab.call(SwitcherState, "open_switcher")
    await tab.wait_for(lambda: tab.var(SwitcherState, "switcher_open"))
    # Unread rooms first, the most recently active first (other tests' rooms follow).
    assert tab.var(SwitcherState, "choices")[0]["label"] == quiet.name
    await tab.call(SwitcherState, "narrow", query=secret.name)
    await tab.wait_for(lambda: tab.var(SwitcherState, "query") == secret.name)
    assert tab.var(SwitcherState, "choices") == []  # a private room the user is not in is never offered

    await tab.call(SwitcherState, "narrow", query=busy.name[:6].upper())
    await tab.wait_for(lambda: [c["label"] for c in tab.var(SwitcherState, "choices")][:1] == [busy.name])
    await tab.call(SwitcherState, "go_first", form={"query": busy.name})
    await tab.wait_for(lambda: tab.redirects)
    assert tab.redirects[-1] == f"/rooms/{busy.slug}" and not tab.var(SwitcherState, "switcher_open")

    await tab.call(SwitcherState, "open_switcher")
    await tab.call(SwitcherState, "narrow", query="@" + bob.username)
    await tab.wait_for(lambda: [c["username"] for c in tab.var(SwitcherState, "choices")] == [bob.username])
    await tab.call(SwitcherState, "go", index=0)
    await tab.wait_for(lambda: len(tab.redirects) == 2)
    direct = tab.redirects[-1]
    assert direct.startswith("/rooms/") and direct not in (f"/rooms/{quiet.slug}", f"/rooms/{busy.slug}")


async def test_alt_arrows_step_to_the_next_and_previous_room(open_tab, make_user):
    _, token = make_user()
    owner, _ = make_user()
    db.call(rooms.create_room, unique("Older "), "", owner.id)
    newer = db.call(rooms.create_room, unique("Newer "), "", owner.id)
    db.call(message_actions.send_message, owner.id, newer.id, "latest")
    # The newest message puts `newer` first in the user's list (other tests' rooms follow it).
    tab = await open_tab(f"/rooms/{newer.slug}", token=token)
    await tab.call(SwitcherState, "step", direction=-1)
    await tab.call(SwitcherState, "step", direction=1)
    await tab.wait_for(lambda: tab.redirects)
    assert len(tab.redirects) == 1 and tab.redirects[-1] != f"/rooms/{newer.slug}"  # nothing before the first
    nearby = tab.redirects[-1]
    tab2 = await open_tab(nearby, token=token)
    await tab2.call(SwitcherState, "step", direction=-1)
    await tab2.wait_for(lambda: tab2.redirects)
    assert tab2.redirects[-1] == f"/rooms/{newer.slug}"
