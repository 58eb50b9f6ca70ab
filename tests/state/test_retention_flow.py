"""Retention over real websockets: the room's owner shortens its policy from the room's settings and every open
page of the room shows it; a member cannot; after a purge the room's pages read it again and a new page shows
what is left; an administrator sets the instance's policy from the admin area."""

from datetime import timedelta

from sqlalchemy import update

from djangochat_rx import db
from djangochat_rx.actions import perform
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import admin, retention, rooms
from djangochat_rx.models import Message, utcnow
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import unique
from tests.support.server import on_backend


async def test_the_owner_shortens_the_rooms_history_and_a_purge_reaches_open_pages(open_tab, make_user):
    owner, owner_token = make_user()
    _, reader_token = make_user()
    room = db.call(rooms.create_room, unique("Ephemeral "), "", owner.id)
    tab = await open_tab(f"/rooms/{room.slug}", token=owner_token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    await tab.call(RoomState, "send", form={"message": "old news"})
    await tab.call(RoomState, "send", form={"message": "fresh news"})
    await tab.wait_for(lambda: tab.texts() == ["old news", "fresh news"])
    reader = await open_tab(f"/rooms/{room.slug}", token=reader_token)
    await reader.wait_for(lambda: reader.texts() == ["old news", "fresh news"])
    assert reader.var(RoomState, "retention_days") == 0

    await tab.call(RoomState, "save_retention", form={"days": "7"})
    await tab.wait_for(lambda: tab.var(RoomState, "panel_notice") == "Messages older than 7 days are deleted.")
    await reader.wait_for(lambda: reader.var(RoomState, "retention_days") == 7)
    await reader.call(RoomState, "save_retention", form={"days": "1"})
    await reader.wait_for(lambda: reader.var(RoomState, "panel_error") == "Only the room's owner can do that.")
    await tab.call(RoomState, "save_retention", form={"days": "30"})
    await tab.wait_for(lambda: tab.var(RoomState, "panel_error").startswith("A room's owner may only shorten"))
    assert db.call(retention.room_days, room.id) == 7

    with db.session() as session:
        session.execute(
            update(Message)
            .where(Message.room_id == room.id, Message.body == "old news")
            .values(created_at=utcnow() - timedelta(days=8))
        )
        session.commit()
    purged = await on_backend(perform(room_actions.purge_room, room.id, 7))
    assert purged.messages == 1
    # The room's pages read it again (its history now starts after what went); a page opened now shows the rest.
    await reader.wait_for(lambda: reader.var(RoomState, "purged_seq") == 1)
    later = await open_tab(f"/rooms/{room.slug}", token=reader_token)
    await later.wait_for(lambda: later.texts() == ["fresh news"])


async def test_an_administrator_sets_the_instances_policy(open_tab, make_user):
    user, token = make_user(unique("root"))
    db.call(admin.promote, user.username)
    tab = await open_tab("/admin", token=token)
    await tab.wait_for(lambda: tab.var(AdminState, "status") == "ready")
    try:
        await tab.call(AdminState, "save_retention", form={"days": "400", "keep_pinned": "on"})
        await tab.wait_for(lambda: tab.var(AdminState, "notice") == "Messages older than 400 days are deleted.")
        assert db.call(retention.policy) == retention.Policy(400, True)
        await tab.call(AdminState, "save_retention", form={"days": "-3"})
        await tab.wait_for(lambda: tab.var(AdminState, "error").startswith("Keep messages 1 to 3650 days"))
        assert tab.var(AdminState, "retention_days") == 400
    finally:
        db.call(retention.set_policy, user.id, 0, True)  # the shared test database keeps everything again
    assert db.call(retention.policy).days == 0
