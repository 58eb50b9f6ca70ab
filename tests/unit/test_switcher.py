"""The quick switcher (switcher.py): what a query finds, in which order, and where Alt+Up/Down lead."""

from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import members, room_prefs, rooms, switcher
from djangochat_rx.domain.switcher import Choice


def room(name: str, unread: int = 0) -> Choice:
    return Choice(name, "public room", name.lower().replace(" ", "-"), "", unread)


def person(name: str) -> Choice:
    return Choice(name, "person", username=name)


def test_a_query_finds_name_starts_first_then_anywhere_rooms_before_people():
    mine = [room("Random"), room("Design review"), room("Ops")]
    people = [person("desmond"), person("ada")]
    found = switcher.matching(mine, people, "DES")
    assert [choice.label for choice in found] == ["Design review", "desmond"]
    assert [choice.label for choice in switcher.matching(mine, people, "#op")] == ["Ops"]
    assert [choice.label for choice in switcher.matching(mine, people, "an")] == ["Random"]
    assert [choice.label for choice in switcher.matching(mine, people, "@ada")] == ["ada"]
    assert switcher.matching(mine, people, "zzz") == []
    assert len(switcher.matching([room(f"Room {n}") for n in range(20)], [], "room")) == switcher.RESULTS


def test_no_query_shows_rooms_with_unread_messages_first():
    mine = [room("A"), room("B", unread=3), room("C"), room("D", unread=1)]
    assert [choice.label for choice in switcher.matching(mine, [person("x")], "  ")] == ["B", "D", "A", "C"]


def test_alt_up_and_down_step_through_the_list_and_stop_at_its_ends():
    mine = [room("A"), room("B"), room("C")]
    assert switcher.step(mine, "/rooms/b", 1) == "/rooms/c"
    assert switcher.step(mine, "/rooms/b/", -1) == "/rooms/a"
    assert switcher.step(mine, "/rooms/c", 1) is None
    assert switcher.step(mine, "/account", 1) == "/rooms/a"
    assert switcher.step([], "/rooms/a", 1) is None


def test_choices_are_the_rooms_the_user_may_read_newest_first_and_the_other_people(session, alice, bob, carol):
    general = rooms.create_room(session, "General", "", alice.id)
    secret = rooms.create_room(session, "Secret", "", bob.id, True)
    members.invite(session, bob.id, secret.id, "carol")
    message_actions.send_message(session, bob.id, general.id, "hello")
    mine, people = switcher.choices(session, alice.id, "alice")
    assert [choice.label for choice in mine] == ["General"]  # not the private room she is not in
    assert mine[0].unread == 1 and mine[0].detail == "public room"
    assert [choice.username for choice in people] == ["bob", "carol"]
    theirs, _ = switcher.choices(session, carol.id, "carol")
    assert [(choice.label, choice.detail) for choice in theirs] == [
        ("General", "public room"),
        ("Secret", "private room"),
    ]


def test_alt_arrows_follow_the_sidebar_public_then_private_then_conversations_muted_last(session, alice, bob):
    old = rooms.create_room(session, "Old news", "", alice.id)
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    loud = rooms.create_room(session, "Loud", "", bob.id)
    quiet = rooms.create_room(session, "Quiet", "", bob.id)
    for where in (old, secret, quiet, loud):  # Loud is the most recently active, Old news the least
        message_actions.send_message(session, bob.id if where is not secret else alice.id, where.id, "hi")
    room_prefs.set_prefs(session, alice.id, quiet.id, "all", True)
    mine = [choice.label for choice in switcher.rooms_of(session, alice.id)]
    assert mine == ["Loud", "Old news", "Quiet", "Secret"]
