"""Guests: accounts made by a guest invite, who read only the rooms they were added to and see only the people
in them; the one read rule (access.py) says so on every path, and they are disabled when their time is over."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.actions import joining
from djangochat_rx.domain import (
    access,
    accounts,
    admin,
    attachments,
    members,
    messages,
    profiles,
    reads,
    rooms,
    search,
    sessions,
    signup,
    switcher,
    threads,
)
from djangochat_rx.domain.events import RoomChanged
from djangochat_rx.infra import storage
from djangochat_rx.models import Invite, Room, RoomMember, User, utcnow
from tests.unit.conftest import make_admin
from tests.unit.test_access import OUTSIDER_PATHS, OUTSIDER_VIEWS

PASSWORD = "guest password 1"


@pytest.fixture
def hall(session, alice, bob):
    """Alice's public room, where Bob wrote too: every member sees it, a guest does not."""
    room = rooms.create_room(session, "Hall", "everyone but guests", alice.id)
    messages.post_message(session, room.id, alice.id, "the plan")
    messages.post_message(session, room.id, bob.id, "agreed")
    reads.mark_read(session, bob.id, room.id, 2)
    return room


@pytest.fixture
def launch(session, alice):
    """Alice's public room that her guest is invited to."""
    return rooms.create_room(session, "Launch", "with our partner", alice.id)


def join_as_guest(session, inviter_id: int, room_ids: tuple[int, ...], name: str, days: int = 0):
    signup.set_mode(session, None, "invite")
    _, token = signup.create_invite(session, inviter_id, 7, 5, "", room_ids, days)
    return signup.register(session, name, PASSWORD, PASSWORD, token)


@pytest.fixture
def gina(session, alice, launch):
    """A guest Alice invited to Launch, for 3 days."""
    return join_as_guest(session, alice.id, (launch.id,), "gina", days=3)


def test_a_guest_invite_makes_a_guest_of_its_rooms_until_its_days_are_over(session, alice, launch, gina):
    row = session.get(User, gina.id)
    assert row.is_guest and abs(row.guest_until - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)
    assert access.is_member(session, gina.id, launch.id) and access.is_guest(session, gina.id)
    assert not access.is_guest(session, alice.id)
    [invite] = signup.list_invites(session, make_admin(session, alice).id)
    assert (invite.guest_rooms, invite.guest_days, invite.uses) == ("Launch", 3, 1)


def test_a_guest_reads_its_rooms_and_no_other(session, alice, bob, hall, launch, gina):
    assert rooms.open_room(session, gina.id, launch.slug).name == "Launch"
    with pytest.raises(rooms.RoomNotFound):
        rooms.open_room(session, gina.id, hall.slug)
    assert [room.slug for room in reads.room_summaries(session, gina.id)] == [launch.slug]
    assert [room.slug for room in reads.public_page(session, gina.id, 0, 50)] == [launch.slug]
    assert hall.slug in [room.slug for room in reads.room_summaries(session, bob.id)]  # a member sees both
    assert [choice.slug for choice in switcher.rooms_of(session, gina.id)] == [launch.slug]
    assert not access.can_read(session, gina.id, session.get(Room, hall.id))
    assert access.can_read(session, gina.id, session.get(Room, launch.id))


@pytest.mark.parametrize("path", OUTSIDER_PATHS)
def test_a_guest_is_told_a_public_room_it_was_not_added_to_does_not_exist(session, hall, gina, path):
    first = messages.newest_messages(session, hall.id)[0]
    with pytest.raises((rooms.RoomNotFound, messages.MessageNotFound, admin.NotAdmin)):
        OUTSIDER_PATHS[path](session, gina, hall, first)
    assert [m.body for m in messages.newest_messages(session, hall.id)] == ["the plan", "agreed"]


@pytest.mark.parametrize("path", OUTSIDER_VIEWS)
def test_a_guest_finds_nothing_of_a_public_room_it_was_not_added_to(session, hall, gina, path):
    try:
        answer = repr(OUTSIDER_VIEWS[path](session, gina, hall))
    except profiles.UserNotFound:
        answer = ""
    for trace in ("the plan", "agreed", hall.slug, "Hall", "everyone but guests"):
        assert trace not in answer, (path, trace)


def test_a_mention_in_a_room_the_guest_is_not_in_does_not_reach_it(session, alice, hall, launch, gina):
    assert messages.post_message(session, hall.id, alice.id, "@gina are you there").mentions == ()
    assert messages.post_message(session, launch.id, alice.id, "@gina welcome").mentions == ("gina",)
    assert "gina" not in messages.post_message(session, hall.id, alice.id, "@room hello").mentions
    assert reads.unread_mention_rooms(session, gina.id) == [launch.slug]
    assert search.search(session, gina.id, "plan") == []


def test_a_guest_sees_only_the_people_in_its_rooms_and_they_only_it(session, alice, bob, carol, hall, launch, gina):
    assert accounts.active_usernames(session, gina.id) == ["alice", "gina"]
    reads.mark_read(session, bob.id, launch.id, 0)  # Bob opens Launch: he is in it now
    assert accounts.active_usernames(session, gina.id) == ["alice", "bob", "gina"]
    assert "gina" in accounts.active_usernames(session, bob.id)
    assert "gina" not in accounts.active_usernames(session, carol.id)
    assert accounts.active_usernames(session, carol.id) == ["alice", "bob", "carol"]
    assert profiles.profile(session, alice.id, "gina").is_guest
    for viewer, name in ((gina.id, "carol"), (carol.id, "gina")):
        with pytest.raises(profiles.UserNotFound):
            profiles.profile(session, viewer, name)
    assert profiles.profile(session, gina.id, "alice").rooms_in_common == (
        profiles.CommonRoom(launch.slug, "Launch", "public"),
    )


def test_a_guest_cannot_create_rooms_add_people_or_meet_strangers(session, alice, bob, carol, launch, gina):
    with pytest.raises(rooms.GuestsCannot):
        rooms.create_room(session, "Mine", "", gina.id)
    with pytest.raises(members.MemberError, match="no user named “carol”"):
        members.open_direct(session, gina.id, ["carol"])
    with pytest.raises(members.MemberError, match="no user named “gina”"):
        members.open_direct(session, carol.id, ["gina"])
    with pytest.raises(members.MemberError, match="cannot be in a conversation together"):
        members.open_direct(session, alice.id, ["gina", "carol"])
    direct = members.open_direct(session, gina.id, ["alice"])
    assert rooms.open_room(session, alice.id, direct.slug).kind == access.DM
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "gina")  # a member may add a guest they can see
    with pytest.raises(members.MemberError, match="Guests cannot add people"):
        members.invite(session, gina.id, secret.id, "bob")
    with pytest.raises(rooms.GuestsCannot):
        signup.create_invite(session, gina.id, 7, 5, "", (secret.id,), 0)


def test_only_admins_and_the_rooms_owners_make_guest_invites(session, alice, bob, carol, hall, launch):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    direct = members.open_direct(session, alice.id, ["bob"])
    with pytest.raises(rooms.NotOwner):
        signup.create_invite(session, bob.id, 7, 5, "", (launch.id,), 0)
    with pytest.raises(rooms.NotOwner):
        signup.create_invite(session, bob.id, 7, 5, "", (secret.id,), 0)
    for room_id in (secret.id, direct.id, 10**6):  # unreadable, a conversation, none: all the same
        with pytest.raises(rooms.RoomNotFound):
            signup.create_invite(session, carol.id, 7, 5, "", (room_id,), 0)
    with pytest.raises(admin.NotAdmin):
        signup.create_invite(session, alice.id, 7, 5, "")  # a member invite is an administrator's
    with pytest.raises(signup.InvalidChoice):
        signup.create_invite(session, alice.id, 7, 5, "", (launch.id,), 10_000)
    root = make_admin(session, carol)
    signup.create_invite(session, root.id, 7, 5, "", (secret.id, hall.id), 0)  # any rooms, but conversations
    with pytest.raises(rooms.RoomNotFound):
        signup.create_invite(session, root.id, 7, 5, "", (direct.id,), 0)
    assert session.exec(select(Invite.guest_rooms)).all() == [f"{min(secret.id, hall.id)}:{max(secret.id, hall.id)}"]
    assert signup.rooms_named(session, f"hall, {secret.slug}") == (hall.id, secret.id)
    with pytest.raises(signup.InvalidChoice, match="no room called “nowhere”"):
        signup.rooms_named(session, "hall, nowhere")


def test_a_guest_whose_time_is_over_cannot_sign_in_and_is_disabled(session, alice, gina):
    token = sessions.issue(session, gina.id)
    assert sessions.resolve(session, token).is_guest
    session.execute(update(User).where(User.id == gina.id).values(guest_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert sessions.resolve(session, token) is None
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "gina", PASSWORD)
    assert len(admin.disable_expired_guests(session)) == 1
    assert not session.get(User, gina.id).is_active
    assert "gina" not in accounts.active_usernames(session, alice.id)
    root = make_admin(session, alice)
    admin.enable_user(session, root.id, gina.id)  # back, with no end
    assert accounts.authenticate(session, "gina", PASSWORD).username == "gina"
    assert session.get(User, gina.id).guest_until is None


def test_an_owner_leaving_hands_the_room_to_a_member_before_a_guest(session, alice, bob):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    guest = join_as_guest(session, alice.id, (secret.id,), "gina")
    members.invite(session, alice.id, secret.id, "bob")
    members.leave(session, alice.id, secret.id)
    roles = dict(session.exec(select(RoomMember.user_id, RoomMember.role).where(RoomMember.room_id == secret.id)).all())
    assert roles == {guest.id: "member", bob.id: "owner"}


def test_a_guest_joining_tells_its_rooms_open_pages(session, alice, launch):
    signup.set_mode(session, None, "invite")
    _, token = signup.create_invite(session, alice.id, 7, 5, "", (launch.id,), 0)
    joined = joining.register(session, "gina", PASSWORD, PASSWORD, token)
    [changed] = joined.events
    assert isinstance(changed, RoomChanged) and changed.room_id == launch.id and "gina" in changed.people
    signup.set_mode(session, None, "open")
    assert joining.register(session, "greta", PASSWORD, PASSWORD).events == []  # a member: nothing to tell


def test_a_guest_gets_no_thread_or_file_of_a_room_it_is_not_in(session, alice, bob, hall, gina, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    upload = tmp_path / "plan.txt"
    upload.write_bytes(b"the plan, in full")
    kept = attachments.store(session, alice.id, hall.id, "plan.txt", upload)
    messages.post(session, hall.id, alice.id, "attached", file_ids=[kept.id])
    [plan, *_] = messages.newest_messages(session, hall.id)
    threads.post_reply(session, plan.id, bob.id, "@gina the details")
    try:
        assert attachments.readable(session, bob.id, kept.id) is not None
        assert attachments.readable(session, gina.id, kept.id) is None
        for attempt in (
            lambda: threads.thread(session, gina.id, plan.id),
            lambda: threads.post_reply(session, plan.id, gina.id, "let me in"),
            lambda: threads.set_following(session, gina.id, plan.id, True),
        ):
            with pytest.raises(messages.MessageNotFound):
                attempt()
        assert threads.unread_total(session, gina.id) == 0 and threads.followed_threads(session, gina.id) == []
    finally:
        storage.default.cache_clear()


def test_an_administrator_makes_a_guest_a_full_member(session, alice, hall, gina):
    root = make_admin(session, alice)
    [listed] = [user for user in admin.list_users(session, root.id) if user.username == "gina"]
    assert listed.is_guest and listed.guest_until
    admin.make_member(session, root.id, gina.id)
    assert rooms.open_room(session, gina.id, hall.slug).name == "Hall"
    assert session.get(User, gina.id).guest_until is None
    assert admin.audit_log(session, root.id)[0].action == "user.make_member"
