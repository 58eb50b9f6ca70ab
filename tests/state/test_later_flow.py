"""Send later and Remind me over real websockets, with the backend's own runner (JOBS_SCAN_SECONDS is low in
tests): a scheduled message reaches the room's other tabs by itself when due and leaves its author's Scheduled page;
a reminder's notice reaches its person's tab linking to the message; `/remind me` sets one; an outsider gets the
stranger's answer for a private room's message and for another person's scheduled message."""

from datetime import timedelta

from sqlalchemy import update

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.models import Reminder, ScheduledMessage, utcnow
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.later import LaterState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique


def _due_now(model, row_id: int) -> None:
    def change(session) -> None:
        session.execute(update(model).where(model.id == row_id).values(due_at=utcnow() - timedelta(seconds=1)))
        session.commit()

    db.call(change)


def bodies(tab) -> list[str]:
    return [message["body"] for message in (tab.var(RoomState, "incoming") or [])]


async def test_a_scheduled_message_arrives_by_itself_and_leaves_the_scheduled_page(open_tab, make_user, room):
    _, author_token = make_user()
    _, reader_token = make_user()
    author = await room_tab(open_tab, author_token, room.slug)
    reader = await room_tab(open_tab, reader_token, room.slug)
    text = unique("later ")
    await author.call(RoomState, "send_later", text=text, choice="1h", picked="")
    await author.wait_for(lambda: (author.var(RoomState, "later_said") or "").startswith("Scheduled for"))
    page = await open_tab("/scheduled", token=author_token)
    await page.wait_for(lambda: [item["body"] for item in page.var(LaterState, "pending") or []] == [text])
    [pending] = page.var(LaterState, "pending")
    assert text not in bodies(reader)

    _due_now(ScheduledMessage, pending["id"])
    await reader.wait_for(lambda: text in bodies(reader))
    await page.call(LaterState, "load_scheduled")
    await page.wait_for(lambda: page.var(LaterState, "pending") == [])

    await author.call(RoomState, "send_later", text="/topic mine", choice="1h", picked="")
    await author.wait_for(lambda: "only a plain message" in (author.var(RoomState, "error") or ""))
    await author.call(RoomState, "send_later", text="too soon", choice="pick", picked="2001-01-01T09:00")
    await author.wait_for(lambda: author.var(RoomState, "error") == "Choose a time in the future.")


async def test_a_reminder_notice_reaches_its_persons_tab_and_remind_me_sets_one(open_tab, make_user, room):
    owner, owner_token = make_user()
    message = db.call(messages.post_message, room.id, owner.id, "ship it on Friday")
    tab = await room_tab(open_tab, owner_token, room.slug)
    await tab.call(RoomState, "start_remind", message_id=message.id)
    await tab.wait_for(lambda: tab.var(RoomState, "reminding_id") == message.id)
    await tab.call(RoomState, "remind_preset", choice="20m")
    await tab.wait_for(lambda: tab.var(RoomState, "reminding_id") == 0)
    page = await open_tab("/reminders", token=owner_token)
    await page.wait_for(lambda: len(page.var(LaterState, "reminders") or []) == 1)
    [reminder] = page.var(LaterState, "reminders")
    assert (reminder["excerpt"], reminder["message_id"]) == ("ship it on Friday", message.id)

    _due_now(Reminder, reminder["id"])
    notice = await tab.wait_for(lambda: tab.var(AuthState, "later_notice"))
    assert notice["href"] == f"/messages/{message.id}" and "ship it on Friday" in notice["text"]

    await tab.call(RoomState, "send", form={"message": "/remind me in 10m stretch", "client_id": unique("c")})
    await tab.wait_for(lambda: (tab.var(RoomState, "later_said") or "").startswith("I will remind you"))
    await page.call(LaterState, "load_reminders")
    await page.wait_for(lambda: [item["note"] for item in page.var(LaterState, "reminders") or []] == ["stretch"])
    await page.call(LaterState, "cancel_reminder", reminder_id=page.var(LaterState, "reminders")[0]["id"])
    await page.wait_for(lambda: page.var(LaterState, "reminders") == [])
