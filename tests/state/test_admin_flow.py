"""The admin area over real websockets: lists, disable (which cuts the user's open tabs at once),
re-enable, archive, delete, remove a message (live for everyone), the audit log, and nothing at all
for anyone who is not an active admin, whichever handler they call."""

import asyncio

from sqlalchemy import func, update
from sqlmodel import select

from djangochat_rx import db
from djangochat_rx.domain import accounts, admin, custom_emoji, messages, read_receipts, rooms, sessions, signup
from djangochat_rx.models import AuditEntry, User
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique

ADMIN_DATA = ("users", "rooms", "recent", "audit", "invites")


def audit_count() -> int:
    return db.call(lambda s: s.exec(select(func.count()).select_from(AuditEntry)).one())


def is_active(user_id: int) -> bool:
    return db.call(lambda s: s.exec(select(User.is_active).where(User.id == user_id)).one())


async def admin_tab(open_tab, make_user, name: str | None = None):
    """A new administrator (promoted from the terminal) with the admin page open."""
    user, token = make_user(name or unique("root"))
    db.call(admin.promote, user.username)
    tab = await open_tab("/admin", token=token)
    await tab.wait_for(lambda: tab.var(AdminState, "status") == "ready")
    return user, tab


async def in_room(open_tab, token: str, slug: str):
    tab = await open_tab(f"/rooms/{slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return tab


def listed(tab, section: str, key: str) -> list:
    return [row[key] for row in tab.var(AdminState, section) or []]


def admin_frames(tab) -> list[dict]:
    """Every AdminState delta the tab was ever sent."""
    name = AdminState.get_full_name()
    return [frame["delta"][name] for frame in tab.frames if name in (frame.get("delta") or {})]


def sent_admin_data(tab) -> bool:
    return any(
        delta.get(var + "_rx_state_") for delta in admin_frames(tab) for var in (*ADMIN_DATA, "new_link", "signup_mode")
    )


async def test_an_admin_sees_users_rooms_messages_and_the_audit_log(open_tab, make_user, room):
    member, _ = make_user(unique("member"))
    db.call(messages.post_message, room.id, member.id, "hello **there**")
    root, tab = await admin_tab(open_tab, make_user)
    assert tab.var(AuthState, "is_admin") is True

    await tab.call(AdminState, "search_users", form={"query": member.username.upper()})
    await tab.wait_for(lambda: listed(tab, "users", "username") == [member.username])
    (row,) = tab.var(AdminState, "users")
    assert (row["message_count"], row["is_active"], row["is_admin"]) == (1, True, False)
    assert room.slug in listed(tab, "rooms", "slug")
    await tab.call(AdminState, "filter_messages", form={"room": room.slug, "author": ""})
    await tab.wait_for(lambda: listed(tab, "recent", "text") == ["hello there"])
    assert tab.var(AdminState, "recent")[0]["author"] == member.username
    entry = tab.var(AdminState, "audit")[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("cli", "user.promote", f"user:{root.username}")


async def test_users_and_messages_are_paged(open_tab, make_user, room, monkeypatch):
    from djangochat_rx import settings

    monkeypatch.setattr(settings, "ADMIN_PAGE_SIZE", 2)
    prefix = unique("pg")
    people = [make_user(f"{prefix}{n}")[0] for n in range(3)]
    for n, person in enumerate(people):
        db.call(messages.post_message, room.id, person.id, f"page {n}")
    _, tab = await admin_tab(open_tab, make_user)

    await tab.call(AdminState, "search_users", form={"query": prefix})
    await tab.wait_for(lambda: listed(tab, "users", "username") == [f"{prefix}0", f"{prefix}1"])
    assert tab.var(AdminState, "more_users") is True
    await tab.call(AdminState, "users_page", offset=2)
    await tab.wait_for(lambda: listed(tab, "users", "username") == [f"{prefix}2"])
    assert tab.var(AdminState, "more_users") is False

    await tab.call(AdminState, "filter_messages", form={"room": room.slug, "author": ""})
    await tab.wait_for(lambda: listed(tab, "recent", "text") == ["page 2", "page 1"])
    await tab.call(AdminState, "messages_page", before_id=tab.var(AdminState, "recent")[-1]["id"])
    await tab.wait_for(lambda: listed(tab, "recent", "text") == ["page 0"])
    await tab.call(AdminState, "filter_messages", form={"room": room.slug, "author": f"{prefix}1"})
    await tab.wait_for(lambda: listed(tab, "recent", "text") == ["page 1"])


async def test_disabling_a_user_cuts_their_open_room_tab_and_their_next_action_lands_on_login(
    open_tab, make_user, room
):
    member, member_token = make_user(unique("member"))
    other_session = db.call(sessions.issue, member.id, "phone")
    _, watcher_token = make_user()
    member_tab = await in_room(open_tab, member_token, room.slug)
    watcher = await in_room(open_tab, watcher_token, room.slug)
    _, tab = await admin_tab(open_tab, make_user)

    await tab.call(AdminState, "search_users", form={"query": member.username})
    await tab.wait_for(lambda: listed(tab, "users", "username") == [member.username])
    await tab.call(AdminState, "disable_user", user_id=member.id)
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "User disabled and logged out everywhere.")
    assert tab.var(AdminState, "users")[0]["is_active"] is False
    entry = tab.var(AdminState, "audit")[0]
    assert (entry["action"], entry["target"], entry["detail"]) == (
        "user.disable",
        f"user:{member.username}",
        "2 sessions ended",
    )
    assert db.call(sessions.resolve, member_token) is None and db.call(sessions.resolve, other_session) is None

    # The room goes on without the disabled user's tab: the watcher gets the next message, it does not.
    await watcher.call(RoomState, "send", form={"message": "after the ban"})
    await watcher.wait_for(lambda: watcher.texts() == ["after the ban"])
    await asyncio.sleep(0.3)
    assert member_tab.texts() == []
    await member_tab.call(RoomState, "send", form={"message": "still here?"})
    await member_tab.wait_for(lambda: "/login" in member_tab.redirects)
    assert db.call(messages.newest_messages, room.id)[-1].body == "after the ban"

    await tab.call(AdminState, "enable_user", user_id=member.id)
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "User re-enabled.")
    assert tab.var(AdminState, "users")[0]["is_active"] is True
    assert tab.var(AdminState, "audit")[0]["action"] == "user.enable"
    assert db.call(accounts.authenticate, member.username, "password123").id == member.id


async def test_removing_a_message_shows_removed_by_a_moderator_in_every_open_tab(open_tab, make_user, room):
    member, member_token = make_user()
    _, reader_token = make_user()
    db.call(messages.post_message, room.id, member.id, "something rude")
    member_tab = await in_room(open_tab, member_token, room.slug)
    reader = await in_room(open_tab, reader_token, room.slug)
    _, tab = await admin_tab(open_tab, make_user)
    await tab.call(AdminState, "filter_messages", form={"room": room.slug, "author": member.username})
    await tab.wait_for(lambda: listed(tab, "recent", "author") == [member.username])
    (message_id,) = listed(tab, "recent", "id")

    await tab.call(AdminState, "remove_message", message_id=message_id)
    for viewer in (member_tab, reader):
        await viewer.wait_for(lambda v=viewer: v.feed()[0]["removed"])
        assert viewer.feed()[0]["deleted"] and viewer.texts() == [""]
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "Message removed.")
    row = tab.var(AdminState, "recent")[0]
    assert (row["removed"], row["deleted"], row["text"]) == (True, True, "")
    entry = tab.var(AdminState, "audit")[0]
    assert (entry["action"], entry["target"]) == ("message.remove", f"message:{message_id}")
    assert db.call(messages.newest_messages, room.id)[0].removed

    # Once is enough: the second try says why, and writes nothing.
    count = audit_count()
    await tab.call(AdminState, "remove_message", message_id=message_id)
    await tab.wait_for(lambda: tab.var(AdminState, "error") == "This message was deleted.")
    assert audit_count() == count


async def test_archiving_and_deleting_a_room_reach_its_members_and_the_rooms_list(open_tab, make_user, room):
    _, member_token = make_user()
    member_tab = await in_room(open_tab, member_token, room.slug)
    lobby = await open_tab("/rooms", token=make_user()[1])
    await lobby.wait_for(lambda: room.slug in [item["slug"] for item in lobby.var(RoomsState, "lobby") or []])
    _, tab = await admin_tab(open_tab, make_user)

    await tab.call(AdminState, "archive_room", room_id=room.id, archived=True)
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "Room archived.")
    await member_tab.wait_for(lambda: member_tab.var(RoomState, "archived") is True)
    assert next(r for r in tab.var(AdminState, "rooms") if r["id"] == room.id)["archived"] is True
    await member_tab.call(RoomState, "send", form={"message": "anyone?"})
    await member_tab.wait_for(lambda: "archived" in member_tab.var(RoomState, "error"))
    await tab.call(AdminState, "archive_room", room_id=room.id, archived=False)
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "Room reopened.")
    assert [e["action"] for e in tab.var(AdminState, "audit")[:2]] == ["room.unarchive", "room.archive"]

    await tab.call(AdminState, "delete_room", room_id=room.id)
    await tab.wait_for(lambda: tab.var(AdminState, "notice") == "Room deleted.")
    assert room.id not in listed(tab, "rooms", "id")
    assert tab.var(AdminState, "audit")[0]["target"] == f"room:{room.slug}"
    await lobby.wait_for(lambda: room.slug not in [item["slug"] for item in lobby.var(RoomsState, "lobby")])
    await member_tab.wait_for(lambda: member_tab.var(RoomState, "status") == "missing")
    try:
        db.call(rooms.room_by_slug, room.slug)
        raise AssertionError("the room is still there")
    except rooms.RoomNotFound:
        pass

    await tab.call(AdminState, "delete_room", room_id=room.id)
    await tab.wait_for(lambda: tab.var(AdminState, "error") == "Room not found.")


async def test_an_admin_cannot_disable_themselves_and_is_told_so(open_tab, make_user):
    root, tab = await admin_tab(open_tab, make_user)
    await tab.call(AdminState, "disable_user", user_id=root.id)
    await tab.wait_for(lambda: tab.var(AdminState, "error") == "You cannot disable your own account.")
    await tab.call(AdminState, "enable_user", user_id=10**9)
    await tab.wait_for(lambda: tab.var(AdminState, "error") == "User not found.")
    assert is_active(root.id) and tab.var(AdminState, "status") == "ready"


def every_handler(target_user: int, target_room: int, target_message: int) -> dict[str, dict]:
    """A call of each of AdminState's event handlers, aimed at real targets."""
    return {
        "load": {},
        "search_users": {"form": {"query": ""}},
        "users_page": {"offset": 0},
        "filter_messages": {"form": {"room": "", "author": ""}},
        "messages_page": {"before_id": 0},
        "disable_user": {"user_id": target_user},
        "enable_user": {"user_id": target_user},
        "make_member": {"user_id": target_user},
        "save_retention": {"form": {"days": "1", "keep_pinned": "off"}},
        "archive_room": {"room_id": target_room, "archived": True},
        "delete_room": {"room_id": target_room},
        "remove_message": {"message_id": target_message},
        "choose_signup_mode": {"mode": "closed"},
        "choose_signup_domain": {"form": {"domain": "attacker.example"}},
        "create_invite": {"form": {"days": "7", "uses": "10", "note": "from a stranger"}},
        "revoke_invite": {"invite_id": 1},
        "create_account": {"form": {"username": "planted"}},
        "reset_link": {"user_id": target_user},
        "reset_second_factor": {"user_id": target_user},
        "choose_second_factor": {"rule": "off"},
        "choose_password_sign_in": {"allowed": True},
        "choose_emoji_adders": {"adders": "admins"},
        "choose_group_managers": {"managers": "admins"},
        "choose_read_receipts": {"on": False},
        "import_started": {"run_id": 1},
        "import_refused": {"reason": "planted"},
        "follow_import": {},
    }


def test_the_call_list_covers_every_admin_handler():
    own = {name for name in AdminState.event_handlers if not name.startswith("set_")}
    assert own - set(AuthState.event_handlers) == set(every_handler(0, 0, 0))


async def non_admin_calls_everything(tab, target, room, message) -> None:
    """Call every admin handler from `tab`, then wait until they have all been handled."""
    calls = every_handler(target.id, room.id, message.id)
    answered = len(tab.frames) + len(calls)
    for handler, payload in calls.items():
        await tab.call(AdminState, handler, **payload)
    # Each handled event is answered with one frame.
    await tab.wait_for(lambda: len(tab.frames) >= answered)


def assert_nothing_changed(target, room, message, audit_rows: int) -> None:
    assert is_active(target.id)
    assert db.call(rooms.room_by_slug, room.slug).archived is False
    assert db.call(messages.newest_messages, room.id)[-1] == message
    assert audit_count() == audit_rows
    assert db.call(signup.policy).mode == "open" and db.call(signup.policy).domain == ""
    assert not db.call(accounts.user_exists, "planted")
    assert db.call(custom_emoji.adders) == "members"
    assert db.call(read_receipts.instance_on)


async def test_a_non_admin_gets_nothing_from_the_page_or_any_handler(open_tab, make_user, room):
    target, target_token = make_user()
    message = db.call(messages.post_message, room.id, target.id, "mine")
    audit_rows = audit_count()
    _, member_token = make_user()
    tab = await open_tab("/admin", token=member_token)
    await tab.wait_for(lambda: tab.var(AdminState, "status") == "denied")
    assert tab.var(AuthState, "is_admin") is False

    await non_admin_calls_everything(tab, target, room, message)

    assert tab.var(AdminState, "status") == "denied"
    assert not sent_admin_data(tab)
    assert_nothing_changed(target, room, message, audit_rows)
    assert db.call(sessions.resolve, target_token) is not None


async def test_a_logged_out_visitor_gets_nothing_either(open_tab, make_user, room):
    target, _ = make_user()
    message = db.call(messages.post_message, room.id, target.id, "mine")
    audit_rows = audit_count()
    tab = await open_tab("/admin")
    await tab.wait_for(lambda: "/login" in tab.redirects)

    await non_admin_calls_everything(tab, target, room, message)

    assert not sent_admin_data(tab)
    assert_nothing_changed(target, room, message, audit_rows)


async def test_a_demoted_admin_loses_the_lists_at_their_next_click(open_tab, make_user, room):
    target, _ = make_user()
    message = db.call(messages.post_message, room.id, target.id, "mine")
    root, tab = await admin_tab(open_tab, make_user)
    assert tab.var(AdminState, "users")
    db.call(lambda s: (s.execute(update(User).where(User.id == root.id).values(is_admin=False)), s.commit()))
    audit_rows = audit_count()

    await tab.call(AdminState, "disable_user", user_id=target.id)
    await tab.wait_for(lambda: tab.var(AdminState, "status") == "denied")
    assert all(tab.var(AdminState, var) == [] for var in ADMIN_DATA)
    assert_nothing_changed(target, room, message, audit_rows)


async def test_a_deleted_private_room_leaves_its_members_rooms_lists_at_once(open_tab, make_user):
    owner, owner_token = make_user()
    private = db.call(rooms.create_room, unique("Hideout "), "", owner.id, True)
    lobby = await open_tab("/rooms", token=owner_token)
    await lobby.wait_for(lambda: [r["slug"] for r in lobby.var(RoomsState, "own_rooms") or []] == [private.slug])
    _, tab = await admin_tab(open_tab, make_user)
    assert private.slug in listed(tab, "rooms", "slug")

    await tab.call(AdminState, "delete_room", room_id=private.id)
    await lobby.wait_for(lambda: lobby.var(RoomsState, "own_rooms") == [])
