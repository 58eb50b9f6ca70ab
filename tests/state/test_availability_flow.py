"""Time and attention over real websockets: the account page's time zone, status, do not disturb and working hours;
the browser's zone kept only when none is set; a mention of a quiet person marks but brings no notice, and the
room page tells a sender who is off; when the quiet time ends, one summary notice reaches the person's pages."""

import asyncio

from djangochat_rx import db
from djangochat_rx.actions import availability as availability_actions
from djangochat_rx.domain import availability, members, profiles, rooms
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.availability import AvailabilityState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import room_tab, unique


async def test_the_account_page_sets_zone_status_dnd_and_hours_and_detection_never_overrides(open_tab, make_user):
    bob, token = make_user()
    tab = await open_tab("/account", token=token)
    await tab.wait_for(lambda: tab.var(AuthState, "zone_unknown") is True)
    await tab.call(AuthState, "note_time_zone", name="Asia/Tokyo")  # what TimeZoneProbe hands over
    await tab.wait_for(lambda: tab.var(AuthState, "zone_unknown") is False)
    assert db.call(availability.time_zone_of, bob.id) == "Asia/Tokyo"
    await tab.call(AvailabilityState, "choose_time_zone", name="Europe/Paris")
    await tab.wait_for(lambda: tab.var(AvailabilityState, "time_zone") == "Europe/Paris")
    await tab.call(AuthState, "note_time_zone", name="America/Chicago")  # another browser: the choice stays
    await asyncio.sleep(0.3)
    assert db.call(availability.time_zone_of, bob.id) == "Europe/Paris"
    await tab.call(AvailabilityState, "choose_time_zone", name="Nowhere/Land")
    await tab.wait_for(lambda: "Choose a time zone" in tab.var(AvailabilityState, "availability_error", ""))

    await tab.call(
        AvailabilityState, "save_status", form={"status_emoji": "🌴", "status_text": "Away", "status_clears": "1h"}
    )
    await tab.wait_for(lambda: tab.var(AvailabilityState, "availability_notice") == "Status set: 🌴 Away.")
    assert tab.var(AvailabilityState, "status_until")

    await tab.call(AvailabilityState, "start_dnd", form={"dnd_minutes": "30"})
    await tab.wait_for(lambda: tab.var(AvailabilityState, "dnd_until") != "")
    await tab.call(AvailabilityState, "start_dnd", form={"dnd_minutes": "7"})
    await tab.wait_for(lambda: "Choose how long" in tab.var(AvailabilityState, "availability_error", ""))
    await tab.call(AvailabilityState, "stop_dnd")
    await tab.wait_for(lambda: tab.var(AvailabilityState, "dnd_until") == "")

    form = {"work_day_0": "on", "work_day_4": "on", "work_start": "10:00", "work_end": "09:00"}
    await tab.call(AvailabilityState, "save_work_hours", form=form)
    await tab.wait_for(lambda: "start before their end" in tab.var(AvailabilityState, "availability_error", ""))
    await tab.call(AvailabilityState, "save_work_hours", form={**form, "work_end": "16:30"})
    await tab.wait_for(lambda: tab.var(AvailabilityState, "availability_notice") == "Working hours saved.")
    assert tab.var(AvailabilityState, "work_days") == [True, False, False, False, True, False, False]
    shown = db.call(availability.view, bob.id)
    assert (shown.work_days, shown.work_start, shown.work_end) == (0b10001, "10:00", "16:30")


async def test_a_quiet_persons_mention_is_marked_not_noticed_the_sender_is_told_and_the_end_sums_it_up(
    open_tab, make_user
):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    crew = db.call(rooms.create_room, unique("Crew "), "", alice.id, True)
    db.call(members.invite, alice.id, crew.id, bob.username)
    db.call(availability.set_time_zone, bob.id, "Asia/Tokyo")
    db.call(availability_actions.set_dnd, bob.id, 60)
    bobs_lobby = await open_tab("/rooms", token=bob_token)
    alices_room = await room_tab(open_tab, alice_token, crew.slug)

    await alices_room.call(RoomState, "load_quiet_people")  # QuietNotice asks at the first keystroke
    people = await alices_room.wait_for(lambda: alices_room.var(RoomState, "quiet_people"))
    assert [(person["name"], person["zone"]) for person in people] == [(bob.username, "Asia/Tokyo")]
    assert {member["username"]: member["quiet"] for member in alices_room.var(RoomState, "members")}[bob.username]

    await alices_room.call(RoomState, "send", form={"message": f"@{bob.username} ship it?", "client_id": "q1"})
    await bobs_lobby.wait_for(lambda: crew.slug in (bobs_lobby.var(RoomsState, "mentioned") or []))
    await asyncio.sleep(0.5)  # proving a negative: a notice would have come with the mark
    assert not bobs_lobby.var(AuthState, "notice")  # marked, but no browser notice while he is not to be disturbed
    assert db.call(profiles.profile, alice.id, bob.username).quiet_until

    db.call(availability.set_dnd, bob.id, None)  # the app's scan (QUIET_SCAN_SECONDS) finds his quiet time over
    notice = await bobs_lobby.wait_for(lambda: bobs_lobby.var(AuthState, "notice"))
    assert notice["title"] == "While you were away" and notice["text"].startswith("1 mention waited")
