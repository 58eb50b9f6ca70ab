"""User groups (user_groups.py): names and their collisions with usernames, limits, who may manage, and whom
`@group` tells: its members who may read the room, never anyone else, nor the author."""

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import account_links, accounts, admin, members, messages, reads, rooms, user_groups
from djangochat_rx.domain.events import MessageSent
from djangochat_rx.models import AuditEntry, Mention
from tests.unit.conftest import make_admin
from tests.unit.test_guests import join_as_guest


def mentioned(session, message) -> set[int]:
    return set(session.exec(select(Mention.user_id).where(Mention.message_id == message.id)))


@pytest.fixture
def backend(session, alice, bob, carol):
    """Alice's group @backend with bob and carol."""
    return user_groups.create(session, alice.id, "backend", "the API people", "bob, carol")


def test_a_group_has_a_slug_name_and_its_maker_in_it_when_members_manage(session, alice, bob, backend):
    assert backend == "backend"
    shown = user_groups.page(session, bob.id, "@Backend")
    assert (shown.name, shown.description, shown.members) == ("backend", "the API people", ("alice", "bob", "carol"))
    assert shown.member_count == 3 and shown.created_by == "alice" and shown.may_manage and not shown.may_join
    assert [(g.name, g.member_count) for g in user_groups.listed(session, bob.id)] == [("backend", 3)]


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("b", "2 to 32"),
        ("x" * 33, "2 to 32"),
        ("back end", "2 to 32"),
        ("bäck", "2 to 32"),
        ("room", "reserved"),
        ("Here", "reserved"),
        ("everyone", "reserved"),
        ("all", "reserved"),
        ("bob", "Someone is called @bob"),
        ("BOB", "Someone is called @bob"),
    ],
)
def test_names_are_checked(session, alice, bob, typed, refusal):
    with pytest.raises(user_groups.GroupRefused, match=refusal):
        user_groups.create(session, alice.id, typed)
    assert user_groups.listed(session, alice.id) == []


def test_no_two_groups_share_a_name_and_no_account_takes_a_groups_name(session, alice, backend):
    with pytest.raises(user_groups.GroupRefused, match="already a group"):
        user_groups.create(session, alice.id, "BACKEND")
    with pytest.raises(accounts.UsernameTaken):
        accounts.register(session, "Backend", "password123", "password123")
    with pytest.raises(accounts.UsernameTaken):
        account_links.create_account(session, make_admin(session, alice).id, "backend")
    assert not accounts.user_exists(session, "frontend") and accounts.user_exists(session, "backend")


def test_a_rename_keeps_the_same_rules_and_is_charged_like_any_change(session, alice, bob, backend):
    assert user_groups.edit(session, bob.id, "backend", "api", "the API") == ("backend", "api")
    with pytest.raises(user_groups.GroupNotFound):
        user_groups.page(session, bob.id, "backend")
    with pytest.raises(user_groups.GroupRefused, match="Someone is called"):
        user_groups.edit(session, bob.id, "api", "carol", "")
    assert user_groups.page(session, alice.id, "api").description == "the API"


def test_limits_on_groups_and_people(session, alice, bob, carol, monkeypatch):
    monkeypatch.setattr(settings, "USER_GROUPS_MAX", 1)
    monkeypatch.setattr(settings, "USER_GROUP_MEMBERS_MAX", 2)
    user_groups.create(session, alice.id, "one", "", "bob")
    with pytest.raises(user_groups.GroupRefused, match="at most 1 groups"):
        user_groups.create(session, alice.id, "two")
    with pytest.raises(user_groups.GroupRefused, match="at most 2 people"):
        user_groups.add_members(session, alice.id, "one", "carol")
    assert user_groups.page(session, alice.id, "one").members == ("alice", "bob")


def test_with_members_managing_only_members_and_admins_change_a_group(session, alice, bob, carol):
    user_groups.create(session, alice.id, "backend", "", "bob")
    with pytest.raises(user_groups.GroupRefused, match="Only the group's members"):
        user_groups.add_members(session, carol.id, "backend", "carol")
    assert user_groups.join(session, carol.id, "backend") == "backend"  # anyone may join, then manage
    user_groups.remove_member(session, carol.id, "backend", "bob")
    user_groups.leave(session, carol.id, "backend")
    assert user_groups.page(session, alice.id, "backend").members == ("alice",)
    root = make_admin(session, accounts.register(session, "root", "root password", "root password"))
    user_groups.add_members(session, root.id, "backend", "bob")  # an administrator always may, audited
    user_groups.delete_group(session, root.id, "backend")
    audited = session.exec(select(AuditEntry.action, AuditEntry.target).where(AuditEntry.actor_id == root.id)).all()
    assert audited == [("group.add", "@backend"), ("group.delete", "@backend")]
    assert user_groups.listed(session, alice.id) == []


def test_with_admins_managing_nobody_else_creates_or_changes_groups(session, alice, bob, backend):
    root = make_admin(session, accounts.register(session, "root", "root password", "root password"))
    with pytest.raises(admin.NotAdmin):
        admin.set_group_managers(session, alice.id, "admins")
    assert admin.set_group_managers(session, root.id, "admins") == "admins"
    assert user_groups.managers(session) == "admins"
    with pytest.raises(user_groups.GroupRefused, match="Only administrators"):
        user_groups.create(session, alice.id, "frontend")
    with pytest.raises(user_groups.GroupRefused, match="Only administrators"):
        user_groups.add_members(session, alice.id, "backend", "bob")
    with pytest.raises(user_groups.GroupRefused, match="Only administrators"):
        user_groups.join(session, alice.id, "backend")
    assert not user_groups.page(session, alice.id, "backend").may_manage
    user_groups.create(session, root.id, "frontend", "", "alice")
    assert user_groups.page(session, root.id, "frontend").members == ("alice",)  # an admin is not put in it


def test_a_guest_sees_no_group_and_manages_none(session, alice, bob, backend):
    room = rooms.create_room(session, "Launch", "", alice.id)
    gina = join_as_guest(session, alice.id, (room.id,), "gina")
    user_groups.add_members(session, alice.id, "backend", "gina")
    with pytest.raises(user_groups.GroupNotFound):
        user_groups.page(session, gina.id, "backend")
    assert user_groups.listed(session, gina.id) == [] and user_groups.picker_entries(session, gina.id) == []
    assert not user_groups.may_see(session, gina.id) and not user_groups.may_create(session, gina.id)
    with pytest.raises(user_groups.GroupRefused):
        user_groups.create(session, gina.id, "guests")
    with pytest.raises(user_groups.GroupNotFound):
        user_groups.leave(session, gina.id, "backend")


def test_the_picker_offers_groups_with_their_size(session, alice, backend):
    assert user_groups.picker_entries(session, alice.id) == ["backend\tgroup · 3 members"]


def test_a_group_mention_tells_its_members_who_may_read_the_room_and_no_one_else(session, alice, bob, carol, backend):
    dave = accounts.register(session, "dave", "password123", "password123")
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    outcome = message_actions.send_message(session, alice.id, secret.id, "@backend deploy?", "c1")
    sent = outcome.events[0]
    assert isinstance(sent, MessageSent)
    # bob is in the room; carol is in the group but not the room: no Mention row, no mark, no notice; nor dave.
    assert mentioned(session, outcome.value) == {bob.id}
    assert sent.mentioned == {"bob": (secret.slug,)}
    assert outcome.value.mentions == ("bob",)
    assert reads.unread_mention_rooms(session, carol.id) == [] and reads.unread_mention_rooms(session, dave.id) == []
    assert reads.unread_mention_rooms(session, bob.id) == [secret.slug]
    assert 'href="/groups/backend"' in outcome.value.html and 'class="mention group-mention"' in outcome.value.html
    # The same from history, and after an edit.
    assert messages.message_view(session, outcome.value.id).html == outcome.value.html
    edited = messages.edit_message(session, outcome.value.id, alice.id, "@backend deploy now?")
    assert 'class="mention group-mention"' in edited.html and mentioned(session, edited) == {bob.id}


def test_the_author_is_never_told_by_their_own_group(session, alice, bob, carol, general, backend):
    message = messages.post_message(session, general.id, alice.id, "@backend hello")
    assert mentioned(session, message) == {bob.id, carol.id}  # a public room: every member may read it
    assert session.exec(select(Mention).where(Mention.user_id == alice.id)).first() is None


def test_a_group_that_does_not_exist_is_plain_text(session, alice, general, backend):
    message = messages.post_message(session, general.id, alice.id, "@frontend and `@backend` in code")
    assert "group-mention" not in message.html and mentioned(session, message) == set()
    gone = messages.post_message(session, general.id, alice.id, "@backend soon gone")
    user_groups.delete_group(session, alice.id, "backend")
    assert "group-mention" not in messages.message_view(session, gone.id).html


def test_only_the_owner_may_mention_a_big_group(session, alice, bob, carol, general, backend, monkeypatch):
    monkeypatch.setattr(settings, "ROOM_MENTION_OWNER_ONLY_OVER", 1)
    with pytest.raises(messages.InvalidMessage, match="Only the room's owner"):
        messages.post_message(session, general.id, bob.id, "@backend everyone!")
    assert messages.newest_messages(session, general.id) == []
    assert len(mentioned(session, messages.post_message(session, general.id, alice.id, "@backend hi"))) == 2
