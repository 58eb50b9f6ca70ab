"""Read receipts (read_receipts.py): "Seen by" under the newest of one's own messages someone has read, from the read
markers; only readers who share theirs, only while the instance allows it, only in rooms of at most
READ_RECEIPTS_MAX_MEMBERS people, only people who may read the room."""

import pytest

from djangochat_rx import settings
from djangochat_rx.actions import read_receipts as receipt_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.domain import accounts, admin, members, messages, read_receipts, reads, rooms
from djangochat_rx.domain.events import ReceiptsMoved
from djangochat_rx.domain.read_receipts import NO_LINE, SeenLine
from tests.unit.conftest import make_admin


@pytest.fixture
def team(session, alice, bob, carol):
    """A private room of alice (owner), bob and carol, where alice wrote twice and bob once."""
    room = rooms.create_room(session, "Team", "", alice.id, private=True)
    members.invite(session, alice.id, room.id, "bob")
    members.invite(session, alice.id, room.id, "carol")
    for author, text in ((alice, "one"), (alice, "two"), (bob, "three")):
        messages.post_message(session, room.id, author.id, text)
    return room


def share(session, *people):
    for person in people:
        read_receipts.set_sharing(session, person.id, True)


def test_nobody_shares_until_they_choose_so(session, alice, bob, team):
    reads.mark_read(session, bob.id, team.id, 3)
    assert read_receipts.sharing(session, bob.id) is False
    assert read_receipts.line_for(session, alice.id, team.id) == NO_LINE


def test_the_line_goes_under_the_authors_newest_message_a_sharing_reader_has_read(session, alice, bob, carol, team):
    share(session, bob, carol)
    # bob posted message 3, so he has read up to it; carol opened nothing yet.
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob",))
    reads.mark_read(session, carol.id, team.id, 1)
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob",))
    reads.mark_read(session, carol.id, team.id, 3)
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob", "carol"))
    # bob's own message: carol read it; alice does not share, so she is never on a line.
    assert read_receipts.line_for(session, bob.id, team.id) == SeenLine(3, ("carol",))
    # A message nobody has read yet gets no line; the older one keeps it.
    messages.post_message(session, team.id, alice.id, "four")
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob", "carol"))


def test_turning_sharing_off_hides_ones_reading_and_not_others(session, alice, bob, carol, team):
    share(session, alice, bob, carol)
    for reader in (alice, carol):
        reads.mark_read(session, reader.id, team.id, 3)
    read_receipts.set_sharing(session, bob.id, False)
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("carol",))
    assert read_receipts.line_for(session, bob.id, team.id) == SeenLine(3, ("alice", "carol"))


def test_the_instance_switch_off_shows_nobodys_receipts(session, alice, bob, team):
    root = make_admin(session, accounts.register(session, "root", "root password", "root password"))
    share(session, bob)
    assert read_receipts.instance_on(session) is True  # on until an administrator turns it off
    assert receipt_actions.set_instance(session, root.id, False).value is False
    assert read_receipts.line_for(session, alice.id, team.id) == NO_LINE
    assert read_receipts.shared_marker(session, bob.id, team.id) is None
    assert session_actions.mark_read(session, bob.id, "bob", team.id, 3).events[1:] == []
    read_receipts.set_instance(session, root.id, True)
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob",))
    assert [entry.action for entry in admin.audit_log(session, root.id)][:2] == ["read_receipts.set"] * 2


def test_only_an_administrator_turns_the_instance_switch(session, alice):
    with pytest.raises(admin.NotAdmin):
        read_receipts.set_instance(session, alice.id, False)
    assert read_receipts.instance_on(session) is True


def test_rooms_with_more_people_than_the_limit_show_nothing(session, alice, bob, general, monkeypatch):
    share(session, bob)
    messages.post_message(session, general.id, alice.id, "hello all")
    reads.mark_read(session, bob.id, general.id, 1)
    assert read_receipts.line_for(session, alice.id, general.id) == SeenLine(1, ("bob",))
    monkeypatch.setattr(settings, "READ_RECEIPTS_MAX_MEMBERS", 1)  # alice and bob are in it: two people
    assert read_receipts.line_for(session, alice.id, general.id) == NO_LINE


def test_public_room_counts_who_opened_it_not_everyone_who_could(session, alice, bob, carol, general, monkeypatch):
    share(session, bob)
    messages.post_message(session, general.id, alice.id, "hello")
    reads.mark_read(session, bob.id, general.id, 1)
    monkeypatch.setattr(settings, "READ_RECEIPTS_MAX_MEMBERS", 2)  # carol may read it but never opened it
    assert read_receipts.line_for(session, alice.id, general.id) == SeenLine(1, ("bob",))
    reads.mark_read(session, carol.id, general.id, 1)
    assert read_receipts.line_for(session, alice.id, general.id) == NO_LINE


def test_someone_who_left_the_room_no_longer_shows_up(session, alice, bob, carol, team):
    share(session, bob, carol)
    reads.mark_read(session, carol.id, team.id, 3)
    members.leave(session, carol.id, team.id)
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob",))
    # Nor is their reading told anyone: they cannot mark it read any more.
    assert session_actions.mark_read(session, carol.id, "carol", team.id, 3).events == []


def test_a_read_tells_each_author_whose_messages_were_read_their_new_line(session, alice, bob, carol, team):
    share(session, carol)
    outcome = session_actions.mark_read(session, carol.id, "carol", team.id, 3)
    moved = [event for event in outcome.events if isinstance(event, ReceiptsMoved)]
    assert moved == [
        ReceiptsMoved(team.id, "carol", 3, {"alice": SeenLine(2, ("carol",)), "bob": SeenLine(3, ("carol",))})
    ]
    # Nothing new read: nobody is told again.
    assert session_actions.mark_read(session, carol.id, "carol", team.id, 3).events[1:] == []


def test_a_reader_who_does_not_share_tells_nobody(session, alice, bob, carol, team):
    assert session_actions.mark_read(session, carol.id, "carol", team.id, 3).events[1:] == []


def test_an_author_who_left_is_not_told(session, alice, bob, carol, team):
    share(session, carol)
    members.leave(session, bob.id, team.id)
    moved = session_actions.mark_read(session, carol.id, "carol", team.id, 3).events[1]
    assert set(moved.lines) == {"alice"}


def test_an_outsider_learns_nothing(session, alice, bob, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    share(session, bob, carol)
    messages.post_message(session, secret.id, alice.id, "psst")
    reads.mark_read(session, bob.id, secret.id, 1)
    # carol is not in it: her line there is empty, and her reading it is refused and tells nobody.
    assert read_receipts.line_for(session, carol.id, secret.id) == NO_LINE
    assert session_actions.mark_read(session, carol.id, "carol", secret.id, 1).events == []
    assert read_receipts.line_for(session, alice.id, secret.id) == SeenLine(1, ("bob",))


def test_the_line_is_two_queries_however_many_messages_and_readers(session, alice, bob, carol, team, count_queries):
    share(session, bob, carol)
    for number in range(30):
        messages.post_message(session, team.id, alice.id, f"more {number}")
    reads.mark_read(session, carol.id, team.id, 33)
    with count_queries() as queries:
        line = read_receipts.line_for(session, alice.id, team.id)
    assert line == SeenLine(33, ("carol",)) and len(queries) == 2
    with count_queries() as queries:
        session_actions.mark_read(session, bob.id, "bob", team.id, 33)
    # The gate, the room's check and the marker's move, the slug, the mentions, then the two of the lines.
    assert len(queries) == 7, queries
    with count_queries() as queries:
        session_actions.mark_read(session, alice.id, "alice", team.id, 33)
    assert len(queries) == 6, queries  # one who does not share: the gate only (her marker is read back: it stood)


def test_lines_survive_the_trip_between_workers(session, alice, bob, carol, team):
    from djangochat_rx.domain import events

    share(session, carol)
    moved = session_actions.mark_read(session, carol.id, "carol", team.id, 3).events[1]
    assert events.from_wire(events.to_wire(moved)) == moved


def test_a_slower_readers_read_below_the_line_changes_nobodys_line(session, alice, bob, carol, team):
    share(session, bob, carol)
    reads.mark_read(session, carol.id, team.id, 1)
    # bob read up to 3 already (he wrote it): alice's line is under message 2, which carol has not reached.
    assert read_receipts.line_for(session, alice.id, team.id) == SeenLine(2, ("bob",))
    assert read_receipts.lines_after_read(session, carol.id, team.id, 0, 1) == {}
    reads.mark_read(session, carol.id, team.id, 2)
    assert read_receipts.lines_after_read(session, carol.id, team.id, 1, 2) == {"alice": SeenLine(2, ("bob", "carol"))}


def test_a_large_public_room_is_never_counted_whole(session, alice, bob, general, monkeypatch):
    share(session, bob)
    messages.post_message(session, general.id, alice.id, "hello all")
    for number in range(5):
        opener = accounts.register(session, f"opener{number}", "password123", "password123")
        reads.mark_read(session, opener.id, general.id, 1)
    reads.mark_read(session, bob.id, general.id, 1)
    monkeypatch.setattr(settings, "READ_RECEIPTS_MAX_MEMBERS", 6)  # alice, bob and five who opened it: seven
    assert read_receipts.line_for(session, alice.id, general.id) == NO_LINE
    assert read_receipts.lines_after_read(session, bob.id, general.id, 0, 1) == {}
    monkeypatch.setattr(settings, "READ_RECEIPTS_MAX_MEMBERS", 7)
    assert read_receipts.line_for(session, alice.id, general.id) == SeenLine(1, ("bob",))
