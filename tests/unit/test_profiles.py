"""Profiles on SQLite and PostgreSQL: counts and rooms in common only through rooms the viewer may read."""

import pytest

from djangochat_rx.domain import members, messages, profiles, rooms
from djangochat_rx.models import User


def test_a_profile_counts_visible_messages_and_lists_rooms_in_common(session, alice, bob, carol, general):
    messages.post_message(session, general.id, alice.id, "one")
    messages.post_message(session, general.id, alice.id, "two")
    deleted = messages.post_message(session, general.id, alice.id, "gone")
    messages.delete_message(session, deleted.id, alice.id)
    messages.post_message(session, general.id, bob.id, "hi")
    quiet = rooms.create_room(session, "Quiet", "", carol.id)  # nobody else took part
    messages.post_message(session, quiet.id, alice.id, "anyone?")

    seen_by_bob = profiles.profile(session, bob.id, "ALICE")
    assert (seen_by_bob.username, seen_by_bob.message_count) == ("alice", 3)
    assert seen_by_bob.joined == alice.created_at
    assert [room.slug for room in seen_by_bob.rooms_in_common] == [general.slug]
    assert profiles.profile(session, alice.id, "alice").rooms_in_common == ()


def test_a_private_room_never_shows_through_a_profile(session, alice, bob, carol):
    den = rooms.create_room(session, "Den", "", alice.id, private=True)
    members.invite(session, alice.id, den.id, "bob")
    messages.post_message(session, den.id, alice.id, "secret")

    assert profiles.profile(session, bob.id, "alice").message_count == 1
    assert [room.name for room in profiles.profile(session, bob.id, "alice").rooms_in_common] == ["Den"]
    seen_by_carol = profiles.profile(session, carol.id, "alice")
    assert (seen_by_carol.message_count, seen_by_carol.rooms_in_common) == (0, ())

    members.remove(session, alice.id, den.id, "bob")
    assert profiles.profile(session, bob.id, "alice").message_count == 0


def test_unknown_and_disabled_users_are_not_found(session, alice, bob):
    with pytest.raises(profiles.UserNotFound):
        profiles.profile(session, alice.id, "nobody")
    session.get(User, bob.id).is_active = False
    session.commit()
    with pytest.raises(profiles.UserNotFound):
        profiles.profile(session, alice.id, "bob")


@pytest.mark.parametrize(
    ("display_name", "about", "error"),
    [
        ("x" * 65, "", "Display name must be at most 64 characters."),
        ("", "y" * 201, "About must be at most 200 characters."),
        ("evil\u202eeman", "", "Display name cannot contain control, invisible or text-direction characters."),
        ("tab\there", "", "Display name cannot contain control, invisible or text-direction characters."),
    ],
)
def test_bad_profile_text_is_refused_with_a_reason(session, alice, display_name, about, error):
    with pytest.raises(profiles.ProfileError, match=error):
        profiles.update_profile(session, alice.id, display_name, about)
    assert profiles.profile(session, alice.id, "alice").display_name == ""


def test_a_user_sets_their_display_name_and_about(session, alice, bob):
    saved = profiles.update_profile(session, alice.id, "  Alice 👩‍💻 Liddell ", "Down the rabbit hole")
    assert (saved.display_name, saved.about) == ("Alice 👩‍💻 Liddell", "Down the rabbit hole")
    seen = profiles.profile(session, bob.id, "alice")
    assert (seen.display_name, seen.about) == ("Alice 👩‍💻 Liddell", "Down the rabbit hole")
