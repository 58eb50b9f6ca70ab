"""Administration: only active admins act, every change is audited, disabling ends sessions, deleting
a room takes everything in it, a removed message leaves a placeholder."""

import inspect
from types import SimpleNamespace

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import accounts, admin, messages, rooms, sessions
from djangochat_rx.models import AuditEntry, Mention, Message, Room, RoomMember, RoomRead, User, utcnow
from tests.unit.conftest import make_admin

# Terminal commands: trusted, no actor to check.
TERMINAL = {"create_superuser", "promote", "reset_second_factor_of", "disable_expired_guests"}
# The check every admin function (here, in signup.py and account_links.py) is built on.
BUILDING_BLOCKS = {"require_admin"}
ADMIN_FUNCTIONS = sorted(
    name
    for name, fn in inspect.getmembers(admin, inspect.isfunction)
    if fn.__module__ == admin.__name__ and not name.startswith("_") and name not in TERMINAL | BUILDING_BLOCKS
)


@pytest.fixture
def bobs_message(session, bob, general) -> messages.MessageView:
    return messages.post_message(session, general.id, bob.id, "hi @alice, see **this**")


def audit_rows(session) -> list[tuple[int | None, str, str]]:
    return [(row.actor_id, row.action, row.target) for row in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def call(name: str, session, actor_id: int | None, targets: SimpleNamespace):
    """Call admin function `name` as `actor_id`, its user, room or message arguments from `targets`."""
    fn = getattr(admin, name)
    params = list(inspect.signature(fn).parameters.values())
    assert [p.name for p in params[:2]] == ["db", "actor_id"], f"admin.{name} must take (db, actor_id, …)"
    args = {p.name: getattr(targets, p.name) for p in params[2:] if p.default is inspect.Parameter.empty}
    return fn(session, actor_id, **args)


def test_the_enumeration_sees_every_admin_function():
    assert set(ADMIN_FUNCTIONS) >= {
        "list_users",
        "disable_user",
        "enable_user",
        "list_rooms",
        "archive_room",
        "delete_room",
        "remove_message",
        "audit_log",
    }


@pytest.mark.parametrize("name", ADMIN_FUNCTIONS)
def test_non_admins_get_nothing_from_any_admin_function(session, alice, bob, general, bobs_message, root, name):
    disabled_admin = make_admin(session, accounts.register(session, "former", "former admin", "former admin"))
    session.execute(update(User).where(User.id == disabled_admin.id).values(is_active=False))
    session.commit()
    targets = SimpleNamespace(
        user_id=bob.id,
        room_id=general.id,
        message_id=bobs_message.id,
        chosen="off",
        adders="admins",
        managers="admins",
    )
    for actor_id in (alice.id, disabled_admin.id, None, 10_000):
        with pytest.raises(admin.NotAdmin, match=r"^Only administrators can do that\.$"):
            call(name, session, actor_id, targets)
    assert audit_rows(session) == []
    assert messages.newest_messages(session, general.id) == [bobs_message]
    assert session.exec(select(User.is_active).where(User.id == bob.id)).one()
    assert session.exec(select(Room.archived_at).where(Room.id == general.id)).one() is None
    call(name, session, root.id, targets)


def test_a_demotion_counts_at_once_even_in_a_session_that_saw_the_admin(session, root, general):
    assert admin.list_rooms(session, root.id)
    session.execute(update(User).where(User.id == root.id).values(is_admin=False))
    session.commit()
    with pytest.raises(admin.NotAdmin):
        admin.list_rooms(session, root.id)


def test_disabling_a_user_ends_their_sessions_and_login(session, root, alice, bob):
    bob_tokens = [sessions.issue(session, bob.id), sessions.issue(session, bob.id)]
    alice_token = sessions.issue(session, alice.id)
    bob_session_ids = {sessions.resolve(session, token).session_id for token in bob_tokens}

    assert sorted(admin.disable_user(session, root.id, bob.id)) == sorted(bob_session_ids)

    assert all(sessions.resolve(session, token) is None for token in bob_tokens)
    assert sessions.active_sessions(session, bob.id) == []
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "bob", "battery staple")
    assert sessions.resolve(session, alice_token).user_id == alice.id
    assert admin.disable_user(session, root.id, bob.id) == []


def test_a_re_enabled_user_can_log_in_again(session, root, bob):
    admin.disable_user(session, root.id, bob.id)
    admin.enable_user(session, root.id, bob.id)
    assert accounts.authenticate(session, "bob", "battery staple").id == bob.id


def test_an_admin_cannot_disable_themselves(session, root):
    token = sessions.issue(session, root.id)
    with pytest.raises(admin.CannotDisableSelf, match="your own account"):
        admin.disable_user(session, root.id, root.id)
    assert sessions.resolve(session, token) is not None


def test_unknown_users_rooms_and_messages_are_not_found(session, root):
    with pytest.raises(admin.UserNotFound):
        admin.disable_user(session, root.id, 10_000)
    with pytest.raises(admin.UserNotFound):
        admin.enable_user(session, root.id, 10_000)
    with pytest.raises(rooms.RoomNotFound):
        admin.archive_room(session, root.id, 10_000)
    with pytest.raises(rooms.RoomNotFound):
        admin.delete_room(session, root.id, 10_000)
    with pytest.raises(messages.MessageNotFound):
        admin.remove_message(session, root.id, 10_000)
    assert audit_rows(session) == []


AUDITED = [
    (lambda s, t: admin.disable_user(s, t.root.id, t.bob.id), "user.disable", "user:bob"),
    (lambda s, t: admin.enable_user(s, t.root.id, t.carol.id), "user.enable", "user:carol"),
    (lambda s, t: admin.archive_room(s, t.root.id, t.general.id), "room.archive", "room:general"),
    (lambda s, t: admin.archive_room(s, t.root.id, t.archived.id, archived=False), "room.unarchive", "room:old"),
    (lambda s, t: admin.delete_room(s, t.root.id, t.general.id), "room.delete", "room:general"),
    (lambda s, t: admin.remove_message(s, t.root.id, t.message.id), "message.remove", "message:{message}"),
    (lambda s, t: admin.choose_emoji_adders(s, t.root.id, "admins"), "emoji.adders", "site"),
]


@pytest.mark.parametrize(("change", "action", "target"), AUDITED, ids=[action for _, action, _ in AUDITED])
def test_each_change_writes_one_audit_row_naming_actor_action_and_target(
    session, root, alice, bob, carol, general, bobs_message, change, action, target
):
    archived = rooms.create_room(session, "Old", "", alice.id)
    session.execute(update(Room).where(Room.id == archived.id).values(archived_at=utcnow()))
    session.execute(update(User).where(User.id == carol.id).values(is_active=False))
    session.commit()
    targets = SimpleNamespace(root=root, bob=bob, carol=carol, general=general, archived=archived, message=bobs_message)
    change(session, targets)
    assert audit_rows(session) == [(root.id, action, target.format(message=bobs_message.id))]
    (entry,) = admin.audit_log(session, root.id)
    assert (entry.actor, entry.action, entry.target) == ("root", action, target.format(message=bobs_message.id))


def test_reading_and_repeating_a_change_write_no_audit_rows(session, root, bob, general):
    admin.list_users(session, root.id)
    admin.list_rooms(session, root.id)
    admin.audit_log(session, root.id)
    admin.enable_user(session, root.id, bob.id)
    admin.archive_room(session, root.id, general.id, archived=False)
    assert audit_rows(session) == []
    admin.archive_room(session, root.id, general.id)
    admin.archive_room(session, root.id, general.id)
    assert [action for _, action, _ in audit_rows(session)] == ["room.archive"]


def test_the_audit_log_is_newest_first_and_names_the_terminal_cli(session, root, bob, general):
    admin.promote(session, "bob")
    admin.archive_room(session, root.id, general.id)
    admin.archive_room(session, bob.id, general.id, archived=False)
    log = admin.audit_log(session, root.id)
    assert [(e.actor, e.action, e.target) for e in log] == [
        ("bob", "room.unarchive", "room:general"),
        ("root", "room.archive", "room:general"),
        ("cli", "user.promote", "user:bob"),
    ]
    assert [e.action for e in admin.audit_log(session, root.id, limit=1)] == ["room.unarchive"]
    assert log[0].created_at.endswith("+00:00")


def test_archiving_a_room_shows_in_the_room_list(session, root, general):
    admin.archive_room(session, root.id, general.id)
    assert [(r.slug, r.archived) for r in admin.list_rooms(session, root.id)] == [("general", True)]
    admin.archive_room(session, root.id, general.id, archived=False)
    assert [(r.slug, r.archived) for r in admin.list_rooms(session, root.id)] == [("general", False)]


def test_the_room_list_shows_every_room_private_and_direct_ones_too(session, root, alice, bob, general):
    messages.post_message(session, general.id, alice.id, "hello")
    session.add(Room(slug="secret", name="Secret", name_key="secret", kind="private"))
    session.add(Room(slug="dm-1-2", name="alice, bob", name_key="dm-1-2", kind="dm", dm_key="1:2"))
    session.commit()
    listed = {room.slug: room for room in admin.list_rooms(session, root.id)}
    assert {slug: room.kind for slug, room in listed.items()} == {
        "general": "public",
        "secret": "private",
        "dm-1-2": "dm",
    }
    assert (listed["general"].name, listed["general"].message_count, listed["general"].archived) == (
        "General",
        1,
        False,
    )


def test_deleting_a_room_removes_its_messages_members_reads_and_mentions(session, root, alice, bob, general):
    other = rooms.create_room(session, "Other", "", alice.id)
    for room in (general, other):
        messages.post_message(session, room.id, bob.id, "hi @alice")
        messages.post_message(session, room.id, alice.id, "hi @bob")
    session.add_all(RoomMember(room_id=room.id, user_id=bob.id) for room in (general, other))
    session.commit()
    admin.remove_message(session, root.id, messages.newest_messages(session, general.id)[0].id)

    admin.delete_room(session, root.id, general.id)

    for model in (Message, Mention, RoomRead, RoomMember):
        assert count(session, model, model.room_id == general.id) == 0, model.__tablename__
        assert count(session, model, model.room_id == other.id) > 0, model.__tablename__
    assert count(session, Room, Room.id == general.id) == 0
    with pytest.raises(rooms.RoomNotFound):
        rooms.room_by_slug(session, "general")
    (entry,) = [e for e in admin.audit_log(session, root.id) if e.action == "room.delete"]
    assert entry.detail == "“General”, public, 2 messages"


def test_a_removed_message_leaves_a_placeholder_marked_with_the_moderator(session, root, alice, general, bobs_message):
    assert count(session, Mention, Mention.message_id == bobs_message.id) == 1

    placeholder = admin.remove_message(session, root.id, bobs_message.id)

    assert (placeholder.id, placeholder.seq, placeholder.author) == (bobs_message.id, bobs_message.seq, "bob")
    assert (placeholder.deleted, placeholder.body, placeholder.html, placeholder.mentions) == (True, "", "", ())
    assert messages.newest_messages(session, general.id) == [placeholder]
    row = session.exec(select(Message).where(Message.id == bobs_message.id)).one()
    assert (row.body, row.removed_by_id, row.deleted_at is not None) == ("", root.id, True)
    assert count(session, Mention, Mention.message_id == bobs_message.id) == 0
    with pytest.raises(messages.NotAllowed, match="was deleted"):
        admin.remove_message(session, root.id, bobs_message.id)


def test_the_user_list_searches_names_in_any_case_with_message_counts(session, root, alice, bob, general):
    accounts.register(session, "Alicia_B", "password 1", "password 1")
    accounts.register(session, "alixb", "password 2", "password 2")
    session.execute(update(User).where(User.id == alice.id).values(display_name="Alice A."))
    session.commit()
    for _ in range(3):
        messages.post_message(session, general.id, alice.id, "hello")

    found = admin.list_users(session, root.id, "ALI")
    assert [(u.username, u.display_name, u.message_count) for u in found] == [
        ("alice", "Alice A.", 3),
        ("Alicia_B", "", 0),
        ("alixb", "", 0),
    ]
    assert [u.username for u in admin.list_users(session, root.id, "a_b")] == ["Alicia_B"]
    assert [u.username for u in admin.list_users(session, root.id, "ali", limit=1, offset=1)] == ["Alicia_B"]
    everyone = admin.list_users(session, root.id)
    assert [(u.username, u.is_admin, u.is_active) for u in everyone][-2:] == [
        ("bob", False, True),
        ("root", True, True),
    ]
    assert everyone[0].created_at.endswith("+00:00")


def test_the_user_list_takes_the_same_number_of_queries_however_many_users(session, root, general, count_queries):
    def listed() -> tuple[int, int]:
        with count_queries() as queries:
            users = admin.list_users(session, root.id)
        return len(users), len(queries)

    users, queries = listed()
    for n in range(5):
        user = accounts.register(session, f"user{n}", "a password", "a password")
        messages.post_message(session, general.id, user.id, "hi")
    assert listed() == (users + 5, queries) and queries == 2


def test_create_superuser_follows_the_registration_rules(session):
    with pytest.raises(accounts.InvalidPassword, match="at least 8"):
        admin.create_superuser(session, "boss", "short", "short")
    with pytest.raises(accounts.InvalidPassword, match="do not match"):
        admin.create_superuser(session, "boss", "long enough", "long enougH")
    with pytest.raises(accounts.InvalidUsername):
        admin.create_superuser(session, "b", "long enough", "long enough")
    assert count(session, User) == 0 and audit_rows(session) == []


def test_create_superuser_makes_an_admin_who_can_log_in(session):
    boss = admin.create_superuser(session, "Boss", "long enough", "long enough")
    assert accounts.authenticate(session, "boss", "long enough").id == boss.id
    assert admin.list_users(session, boss.id)[0].is_admin
    assert audit_rows(session) == [(None, "user.create_admin", "user:Boss")]


def test_create_superuser_refuses_existing_names(session, alice, root):
    with pytest.raises(admin.NotAnAdmin, match="promote alice"):
        admin.create_superuser(session, "ALICE", "long enough", "long enough")
    with pytest.raises(admin.AlreadyAdmin):
        admin.create_superuser(session, "root", "long enough", "long enough")
    assert audit_rows(session) == []


def test_promote_makes_an_existing_user_admin_once(session, alice):
    assert admin.promote(session, "ALICE").username == "alice"
    assert admin.list_users(session, alice.id)[0].is_admin
    with pytest.raises(admin.AlreadyAdmin):
        admin.promote(session, "alice")
    with pytest.raises(admin.UserNotFound):
        admin.promote(session, "nobody")
    assert audit_rows(session) == [(None, "user.promote", "user:alice")]


def test_recent_messages_lists_every_room_newest_first_filtered_and_paged(session, root, alice, bob, general):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    posted = [
        messages.post_message(session, general.id, alice.id, "one **bold**"),
        messages.post_message(session, secret.id, alice.id, "two"),
        messages.post_message(session, general.id, bob.id, "three"),
        messages.post_message(session, general.id, alice.id, "four"),
    ]
    admin.remove_message(session, root.id, posted[2].id)
    messages.delete_message(session, posted[3].id, alice.id)

    listed = admin.recent_messages(session, root.id)
    assert [(m.text, m.room_slug, m.author, m.deleted, m.removed) for m in listed] == [
        ("", "general", "alice", True, False),
        ("", "general", "bob", True, True),
        ("two", secret.slug, "alice", False, False),
        ("one bold", "general", "alice", False, False),
    ]
    assert (listed[2].room_name, listed[2].created_at.endswith("+00:00")) == ("Secret", True)
    assert [m.text for m in admin.recent_messages(session, root.id, room=secret.slug)] == ["two"]
    assert [m.id for m in admin.recent_messages(session, root.id, author="BOB")] == [posted[2].id]
    assert [m.id for m in admin.recent_messages(session, root.id, "general", "alice")] == [posted[3].id, posted[0].id]
    assert [m.id for m in admin.recent_messages(session, root.id, limit=2)] == [posted[3].id, posted[2].id]
    assert [m.id for m in admin.recent_messages(session, root.id, before_id=posted[2].id)] == [
        posted[1].id,
        posted[0].id,
    ]
    assert admin.recent_messages(session, root.id, room="nowhere") == []


def test_recent_messages_take_the_same_number_of_queries_however_many_messages(
    session, root, alice, general, count_queries
):
    def listed() -> tuple[int, int]:
        with count_queries() as queries:
            found = admin.recent_messages(session, root.id)
        return len(found), len(queries)

    messages.post_message(session, general.id, alice.id, "first")
    _, queries = listed()
    for n in range(5):
        messages.post_message(session, general.id, alice.id, f"hi @root {n}")
    assert listed() == (6, queries) and queries == 2


def test_only_a_moderators_removal_is_marked_removed(session, root, alice, general):
    own = messages.post_message(session, general.id, alice.id, "mine")
    other = messages.post_message(session, general.id, alice.id, "theirs")
    assert messages.delete_message(session, own.id, alice.id).removed is False
    assert admin.remove_message(session, root.id, other.id).removed is True
    assert [(m.deleted, m.removed) for m in messages.newest_messages(session, general.id)] == [
        (True, False),
        (True, True),
    ]


def test_archiving_or_deleting_a_room_names_its_members_for_their_rooms_lists(session, root, alice, bob, general):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    session.add(RoomMember(room_id=secret.id, user_id=bob.id))
    session.commit()
    # An administrator's change goes through the rooms actions, whose one event names the members.
    (archived,) = room_actions.archive_room(session, root.id, secret.id).events
    assert archived.people == ("alice", "bob")
    (reopened,) = room_actions.archive_room(session, root.id, secret.id, archived=False).events
    assert reopened.people == ("alice", "bob")
    (deleted,) = room_actions.delete_room(session, root.id, secret.id).events
    assert deleted.expelled == ("alice", "bob")
    (public,) = room_actions.delete_room(session, root.id, general.id).events
    assert public.expelled == ("alice",)  # a public room's owner is a member too
