"""Private rooms and direct conversations: members only, on every path, and they never leak."""

from datetime import timedelta

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import (
    access,
    admin,
    attachments,
    availability,
    edit_history,
    export,
    forwarding,
    link_previews,
    members,
    messages,
    pins,
    profiles,
    reactions,
    reads,
    reminders,
    rooms,
    saved,
    scheduled,
    search,
    threads,
    user_groups,
)
from djangochat_rx.infra import storage
from djangochat_rx.models import User, utcnow


@pytest.fixture
def secret(session, alice, bob):
    """Alice's private room, with Bob invited and a message from each."""
    room = rooms.create_room(session, "Secret", "members only", alice.id, private=True)
    members.invite(session, alice.id, room.id, "bob")
    messages.post_message(session, room.id, alice.id, "the plan")
    messages.post_message(session, room.id, bob.id, "agreed")
    return room


def slugs(summaries):
    return [summary.slug for summary in summaries]


def test_members_read_and_post_and_the_owner_is_the_creator(session, alice, bob, secret):
    assert rooms.open_room(session, bob.id, secret.slug).kind == "private"
    assert [(m.username, m.role) for m in members.members(session, bob.id, secret.id)] == [
        ("alice", "owner"),
        ("bob", "member"),
    ]
    assert secret.slug in slugs(reads.room_summaries(session, bob.id))


# Every path that reads or writes a room's content, as an outsider takes it. A new path belongs here.
OUTSIDER_PATHS = {
    "open the page": lambda db, user, room, message: rooms.open_room(db, user.id, room.slug),
    "post": lambda db, user, room, message: messages.post_message(db, room.id, user.id, "let me in"),
    "members": lambda db, user, room, message: members.members(db, user.id, room.id),
    "invite": lambda db, user, room, message: members.invite(db, user.id, room.id, user.username),
    "edit source": lambda db, user, room, message: messages.message_source(db, message.id, user.id),
    "rename": lambda db, user, room, message: rooms.update_room(db, user.id, room.id, "Mine", ""),
    "archive": lambda db, user, room, message: rooms.archive_room(db, user.id, room.id),
    "delete": lambda db, user, room, message: rooms.delete_room(db, user.id, room.id),
    "remove a member": lambda db, user, room, message: members.remove(db, user.id, room.id, "bob"),
    "leave": lambda db, user, room, message: members.leave(db, user.id, room.id),
    "mark read": lambda db, user, room, message: reads.mark_read(db, user.id, room.id, 2),
    "export the room": lambda db, user, room, message: list(export.room_messages(db, user.id, room.id)),
    "pin": lambda db, user, room, message: pins.pin(db, user.id, message.id),
    "unpin": lambda db, user, room, message: pins.unpin(db, user.id, message.id),
    "react": lambda db, user, room, message: reactions.toggle(db, user.id, message.id, "👍"),
    "upload a file into it": lambda db, user, room, message: attachments.check_upload(db, user.id, room.id, "a.txt", 5),
    "its files panel": lambda db, user, room, message: attachments.room_files(db, user.id, room.id),
    "save a message": lambda db, user, room, message: saved.save(db, user.id, message.id),
    "a message's edit history": lambda db, user, room, message: edit_history.versions(db, user.id, message.id),
    "forward a message": lambda db, user, room, message: forwarding.originals(db, user.id, (message.id,)),
    "list it in the forward form": lambda db, user, room, message: forwarding.chosen(db, user.id, (message.id,)),
    "a link to a message": lambda db, user, room, message: forwarding.located(db, user.id, message.id),
    "remind me of a message": lambda db, user, room, message: reminders.remind(
        db, user.id, message.id, utcnow() + timedelta(hours=1)
    ),
    "send later into it": lambda db, user, room, message: scheduled.schedule(
        db, user.id, room.id, "let me in", utcnow() + timedelta(hours=1)
    ),
}


def _their_group_mentioned(db, user, room):
    """The room's owner mentions a group that holds the outsider and a member: what the outsider is told of it."""
    owner = db.exec(select(User.id).where(User.username == "alice")).one()
    user_groups.create(db, owner, "team", "", f"bob, {user.username}")
    messages.post_message(db, room.id, owner, "@team look")
    try:
        page = user_groups.page(db, user.id, "team")
    except user_groups.GroupNotFound:  # a guest sees no group
        page = None
    return reads.unread_mention_rooms(db, user.id), reads.mention_marks(db, [user.username]), page


# Paths that answer with content: the outsider's answer holds nothing of the room.
OUTSIDER_VIEWS = {
    "its quiet people": lambda db, user, room: availability.quiet_in_room(db, room.id, user.id),
    "search": lambda db, user, room: [hit.snippet for hit in search.search(db, user.id, "plan")],
    "search in the room": lambda db, user, room: search.search(db, user.id, f"in:{room.slug} plan"),
    "search its author": lambda db, user, room: search.search(db, user.id, "from:alice agreed"),
    "export own messages": lambda db, user, room: "".join(export.own_messages(db, user.id)),
    "profile of its owner": lambda db, user, room: profiles.profile(db, user.id, "alice"),
    "rooms list": lambda db, user, room: reads.room_summaries(db, user.id),
    "unread mentions": lambda db, user, room: reads.unread_mention_rooms(db, user.id),
    "saved messages": lambda db, user, room: saved.saved_list(db, user.id),
    "a mention of their group": _their_group_mentioned,
    "reminders": lambda db, user, room: reminders.pending(db, user.id, ""),
    "scheduled messages": lambda db, user, room: scheduled.listing(db, user.id, ""),
}


@pytest.fixture(params=["outsider", "removed member"])
def stranger(request, session, alice, carol, secret):
    """Carol, who was never in the room, or who was and has been removed (after saving its first message): the
    room is as closed to both."""
    if request.param == "removed member":
        members.invite(session, alice.id, secret.id, "carol")
        first = messages.newest_messages(session, secret.id)[0].id
        saved.save(session, carol.id, first)
        reminders.remind(session, carol.id, first, utcnow() + timedelta(hours=1))
        scheduled.schedule(session, carol.id, secret.id, "carol was here", utcnow() + timedelta(hours=1))
        members.remove(session, alice.id, secret.id, "carol")
    return carol


@pytest.mark.parametrize("path", OUTSIDER_PATHS)
def test_an_outsider_is_told_the_room_does_not_exist_on_every_path(session, stranger, secret, path):
    first = messages.newest_messages(session, secret.id)[0]
    with pytest.raises((rooms.RoomNotFound, messages.MessageNotFound, admin.NotAdmin)):
        OUTSIDER_PATHS[path](session, stranger, secret, first)
    assert [m.body for m in messages.newest_messages(session, secret.id)] == ["the plan", "agreed"]


@pytest.mark.parametrize("path", OUTSIDER_VIEWS)
def test_an_outsider_finds_nothing_of_the_room_on_every_path_that_answers(session, stranger, secret, path):
    answer = repr(OUTSIDER_VIEWS[path](session, stranger, secret))
    for trace in ("the plan", "agreed", secret.slug, "Secret", "members only"):
        assert trace not in answer, (path, trace)


@pytest.mark.parametrize("path", ["search", "search in the room", "rooms list", "a mention of their group"])
def test_a_member_finds_the_room_on_the_paths_an_outsider_finds_nothing_on(session, bob, secret, path):
    """The walk above is not empty because every path is: a member's answer holds the room."""
    answer = repr(OUTSIDER_VIEWS[path](session, bob, secret))
    assert "<mark>plan</mark>" in answer or secret.slug in answer, path


def test_an_outsider_sees_it_in_no_list_and_a_mention_does_not_tell_them(session, alice, carol, secret):
    assert secret.slug not in slugs(reads.room_summaries(session, carol.id))
    assert secret.slug not in slugs(reads.room_summaries(session, None))  # the list everyone shares
    assert not access.can_read_id(session, carol.id, secret.id)
    sent = messages.post_message(session, secret.id, alice.id, "@carol should not know")
    assert sent.mentions == () and 'class="mention"' not in sent.html
    assert reads.unread_mention_rooms(session, carol.id) == []


def test_a_removed_member_loses_the_room_and_their_mentions_of_it(session, alice, bob, secret):
    messages.post_message(session, secret.id, alice.id, "@bob look")
    assert reads.unread_mention_rooms(session, bob.id) == [secret.slug]
    own = messages.newest_messages(session, secret.id)[1]
    with pytest.raises(rooms.NotOwner):
        members.remove(session, bob.id, secret.id, "alice")
    members.remove(session, alice.id, secret.id, "bob")
    with pytest.raises(rooms.RoomNotFound):
        rooms.open_room(session, bob.id, secret.slug)
    with pytest.raises(messages.MessageNotFound):
        messages.edit_message(session, own.id, bob.id, "changed after removal")
    assert reads.unread_mention_rooms(session, bob.id) == []


def test_leaving_hands_the_room_to_the_longest_standing_member(session, alice, bob, carol, secret):
    members.invite(session, bob.id, secret.id, "carol")  # any member may invite
    members.leave(session, alice.id, secret.id)
    assert [(m.username, m.role) for m in members.members(session, bob.id, secret.id)] == [
        ("bob", "owner"),
        ("carol", "member"),
    ]
    with pytest.raises(members.MemberError, match="no user named"):
        members.invite(session, bob.id, secret.id, "nobody")


def test_the_owner_renames_archives_and_deletes(session, alice, bob, secret):
    renamed = rooms.update_room(session, alice.id, secret.id, "Plans", "still secret")
    assert (renamed.name, renamed.slug) == ("Plans", secret.slug)
    with pytest.raises(rooms.NotOwner):
        rooms.archive_room(session, bob.id, secret.id)
    assert rooms.archive_room(session, alice.id, secret.id).archived
    with pytest.raises(messages.InvalidMessage, match="archived"):
        messages.post_message(session, secret.id, bob.id, "too late")
    rooms.delete_room(session, alice.id, secret.id)
    with pytest.raises(rooms.RoomNotFound):
        rooms.open_room(session, alice.id, secret.slug)
    assert messages.newest_messages(session, secret.id) == []


def test_a_direct_conversation_is_made_once_per_set_of_people(session, alice, bob, carol):
    first = members.open_direct(session, alice.id, ["bob"])
    assert members.open_direct(session, bob.id, ["ALICE"]).id == first.id
    group = members.open_direct(session, alice.id, ["carol", "bob"])
    assert group.id != first.id and group.kind == "dm" and group.name == "alice, bob, carol"
    assert rooms.open_room(session, bob.id, first.slug).id == first.id
    with pytest.raises(rooms.RoomNotFound):
        rooms.open_room(session, carol.id, first.slug)
    with pytest.raises(members.MemberError, match="2 to 8"):
        members.open_direct(session, alice.id, ["alice"])
    assert first.slug not in slugs(reads.room_summaries(session, None))
    assert first.slug in slugs(reads.room_summaries(session, bob.id))


@pytest.fixture
def secret_file(session, alice, secret, tmp_path, monkeypatch):
    """A file Alice posted in the private room."""
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    upload = tmp_path / "plan.txt"
    upload.write_bytes(b"the plan, in full")
    kept = attachments.store(session, alice.id, secret.id, "plan.txt", upload)
    messages.post(session, secret.id, alice.id, "attached", file_ids=[kept.id])
    yield kept
    storage.default.cache_clear()


def test_an_outsider_gets_a_private_rooms_file_exactly_like_a_made_up_id(
    session, alice, bob, carol, secret, secret_file
):
    assert attachments.readable(session, bob.id, secret_file.id) is not None
    for file_id in (secret_file.id, secret_file.id + 1, 10**9, -1):
        assert attachments.readable(session, carol.id, file_id) is None
    members.remove(session, alice.id, secret.id, "bob")
    assert attachments.readable(session, bob.id, secret_file.id) is None


def test_an_outsider_gets_a_private_rooms_link_preview_exactly_like_a_made_up_one(session, alice, bob, carol, secret):
    url = "https://example.com/secret-doc"
    message = messages.post_message(session, secret.id, alice.id, f"our doc: {url}")
    card = link_previews.Card(url, True, url, "Docs", "Quarterly numbers", "Private figures", storage.new_key(), 4, 3)
    link_previews.attach(session, message.id, [url], [card])
    assert messages.message_view(session, message.id).previews[0].title == "Quarterly numbers"
    assert link_previews.image_readable(session, bob.id, message.id, card.image_key)
    for message_id, key in ((message.id, card.image_key), (message.id, storage.new_key()), (10**9, card.image_key)):
        assert not link_previews.image_readable(session, carol.id, message_id, key)
    for path, view in OUTSIDER_VIEWS.items():  # the card is in no answer an outsider gets
        answer = repr(view(session, carol, secret))
        assert "Quarterly" not in answer and "Private figures" not in answer and card.image_key not in answer, path
    with pytest.raises(link_previews.PreviewRefused, match="Message not found"):
        link_previews.remove(session, carol.id, message.id, url)
    members.remove(session, alice.id, secret.id, "bob")
    assert not link_previews.image_readable(session, bob.id, message.id, card.image_key)


def test_an_outsider_opens_answers_follows_and_lists_no_thread_of_a_private_room(session, alice, bob, carol, secret):
    [plan, _] = messages.newest_messages(session, secret.id)
    threads.post_reply(session, plan.id, bob.id, "@carol the details")  # Carol may not read it: no mention
    for attempt in (
        lambda: threads.thread(session, carol.id, plan.id),
        lambda: threads.post_reply(session, plan.id, carol.id, "let me in"),
        lambda: threads.set_following(session, carol.id, plan.id, True),
    ):
        with pytest.raises(messages.MessageNotFound):
            attempt()
    assert threads.mark_read(session, carol.id, plan.id, 1) is None
    assert threads.unread_total(session, carol.id) == 0 and threads.followed_threads(session, carol.id) == []
    assert [hit.message_id for hit in search.search(session, carol.id, "details")] == []
    assert threads.thread(session, bob.id, plan.id)[1][0].body == "@carol the details"


# The read rule written out in SQL: a room's kind compared with "public", or a membership test inside EXISTS.
_RULE_WRITTEN_OUT = (
    r"Room\.kind\)?\s*==\s*access\.PUBLIC",
    r"kind\s*[!=]=\s*PUBLIC\b",
    r"exists\(\)\s*\.where\(\s*RoomMember\.",
)


def test_the_read_rule_is_written_only_here():
    """Who may read a room is decided by access.readable (and can_read, its Python twin) alone: no other
    module writes the rule out again, so tightening it (guests, bans) reaches every query."""
    import re
    from pathlib import Path

    package = Path(access.__file__).parents[1]
    found = [
        f"{path.relative_to(package)}: {match.group(0)}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "access.py"
        for pattern in _RULE_WRITTEN_OUT
        for match in re.finditer(pattern, path.read_text())
    ]
    assert found == []


def test_the_rule_says_the_same_for_a_value_a_column_and_a_room_row(session, alice, bob, carol, secret):
    from sqlmodel import select

    from djangochat_rx.models import Room, User

    hall = rooms.create_room(session, "Hall", "", alice.id)
    for room in (hall, secret):
        for person in (alice, bob, carol):
            row = session.get(Room, room.id)
            expected = access.can_read(session, person.id, row)
            on_rows = session.exec(select(Room.id).where(Room.id == room.id, access.readable(person.id))).first()
            by_value = session.exec(select(User.id).where(User.id == person.id, access.readable(person.id, room.id)))
            by_column = session.exec(select(User.id).where(User.id == person.id, access.readable(User.id, room.id)))
            assert (on_rows is not None, by_value.first() is not None, by_column.first() is not None) == (
                expected,
                expected,
                expected,
            ), (room.name, person.username)
        stranger = session.exec(select(Room.id).where(Room.id == room.id, access.readable(None))).first()
        assert (stranger is not None) == (room.kind == access.PUBLIC) == access.can_read(session, None, row)


def test_a_removed_member_is_reached_by_no_mention_of_the_room(session, alice, bob, carol, secret):
    members.invite(session, alice.id, secret.id, "carol")
    members.remove(session, alice.id, secret.id, "carol")
    by_name = messages.post_message(session, secret.id, alice.id, "@carol are you there")
    everyone = messages.post_message(session, secret.id, alice.id, "@room meeting at noon")
    assert by_name.mentions == ()
    assert "carol" not in everyone.mentions and "bob" in everyone.mentions
    assert reads.unread_mention_rooms(session, carol.id) == []


def test_another_persons_scheduled_message_or_reminder_answers_like_a_made_up_one(session, alice, bob, secret):
    """Bob (a member) guesses the ids of Alice's scheduled message and reminder: the answer is the one for an id
    that does not exist."""
    later = utcnow() + timedelta(hours=1)
    job_id = scheduled.schedule(session, alice.id, secret.id, "the plan, later", later)
    reminder_id = reminders.remind(session, alice.id, None, later, "secret note")

    def answers(guessed_job: int, guessed_reminder: int) -> list[str]:
        said = []
        for attempt in (
            lambda: scheduled.edit(session, bob.id, guessed_job, "mine", later),
            lambda: scheduled.cancel(session, bob.id, guessed_job),
            lambda: scheduled.own_pending_job(session, bob.id, guessed_job),
            lambda: reminders.cancel(session, bob.id, guessed_reminder),
        ):
            with pytest.raises(messages.InvalidMessage) as refused:
                attempt()
            said.append(str(refused.value))
        return said

    assert answers(job_id, reminder_id) == answers(job_id + 1000, reminder_id + 1000)
    assert scheduled.listing(session, bob.id, "") == ([], []) and reminders.pending(session, bob.id, "") == []
