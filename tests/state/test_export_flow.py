"""Downloads over real HTTP against the running backend: a websocket event earns a one-time ticket,
the route streams the export once, within its time, while the session and the right to it last.
An outsider asking over a raw websocket for a private room or a direct conversation gets no ticket,
and guessed or reused download links get nothing."""

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from djangochat_rx import db, settings
from djangochat_rx.domain import admin, members, messages, rooms, sessions
from djangochat_rx.models import AuditEntry, User
from djangochat_rx.state.export import ExportState
from tests.support.client import ReflexTab


def downloads_of(tab: ReflexTab) -> list[dict]:
    """The `_download` events this tab was sent (what makes a browser fetch a file)."""
    return [
        event["payload"] for frame in tab.frames for event in frame.get("events") or [] if event["name"] == "_download"
    ]


async def ask(tab: ReflexTab, handler: str, **payload) -> dict | None:
    """Call an ExportState handler; the download it answers with, or None once the tab heard back without one."""
    before = len(tab.frames)
    await tab.call(ExportState, handler, **payload)
    await tab.wait_for(lambda: len(tab.frames) > before)
    await asyncio.sleep(0.2)  # anything the handler sent after its first frame
    found = downloads_of(tab)
    return found[-1] if found else None


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


def make_admin(user_id: int, is_admin: bool = True) -> None:
    with db.session() as s:
        s.execute(update(User).where(User.id == user_id).values(is_admin=is_admin))
        s.commit()


def audit_targets(actor_id: int) -> list[str]:
    with db.session() as s:
        return list(s.exec(select(AuditEntry.target).where(AuditEntry.actor_id == actor_id)))


async def test_a_user_downloads_their_own_messages_once(open_tab, make_user, room, backend_url):
    user, token = make_user()
    other, _ = make_user()
    for body in ("first", "second"):
        db.call(messages.post_message, room.id, user.id, body)
    db.call(messages.post_message, room.id, other.id, "someone else's")
    tab = await open_tab("/account", token=token)

    download = await ask(tab, "download_mine")

    assert download is not None and download["filename"].startswith("djangochat-my-messages-")
    url = urlsplit(download["url"])
    assert f"{url.scheme}://{url.netloc}" == backend_url and url.path.startswith("/_download/")
    response = await fetch(download["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="{download["filename"]}"'
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    exported = response.json()
    assert exported["user"]["username"] == user.username
    assert [(m["room"], m["body"]) for m in exported["messages"]] == [(room.slug, "first"), (room.slug, "second")]

    again = await fetch(download["url"])
    assert again.status_code == 404 and "expired or was already used" in again.text


async def test_a_ticket_expires(open_tab, make_user, monkeypatch):
    monkeypatch.setattr(settings, "DOWNLOAD_TICKET_SECONDS", 0.3)
    _, token = make_user()
    tab = await open_tab("/account", token=token)
    download = await ask(tab, "download_mine")
    await asyncio.sleep(0.5)
    assert (await fetch(download["url"])).status_code == 404


async def test_guessed_download_links_get_nothing(backend_url, open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/account", token=token)
    real = urlsplit((await ask(tab, "download_mine"))["url"]).path
    for path in ("/_download/" + "A" * 43, real[:-1] + ("A" if real[-1] != "A" else "B"), "/_download/"):
        assert (await fetch(backend_url + path)).status_code == 404, path
    assert (await fetch(backend_url + real)).status_code == 200


async def test_a_logged_out_tab_gets_no_ticket(open_tab):
    tab = await open_tab("/account")
    await tab.call(ExportState, "download_mine")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    await tab.call(ExportState, "download_room", room_id=1)
    await asyncio.sleep(0.3)
    assert downloads_of(tab) == []


async def test_a_ticket_is_refused_once_its_session_ended(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/account", token=token)
    download = await ask(tab, "download_mine")
    db.call(sessions.revoke, token)
    response = await fetch(download["url"])
    assert response.status_code == 403 and response.text.startswith("Your session has ended")


@pytest.fixture
def private_places(make_user) -> dict[str, rooms.RoomView]:
    """A private room and a direct conversation, each with a message, and their members' tokens."""
    owner, _ = make_user()
    friend, friend_token = make_user()
    secret = db.call(rooms.create_room, "Secret " + owner.username, "", owner.id, True)
    db.call(members.invite, owner.id, secret.id, friend.username)
    direct = db.call(members.open_direct, owner.id, [friend.username])
    for place in (secret, direct):
        db.call(messages.post_message, place.id, owner.id, "for members only")
    return {"private room": secret, "direct conversation": direct, "member token": friend_token}


@pytest.mark.parametrize("place", ["private room", "direct conversation"])
async def test_an_outsider_over_a_raw_websocket_gets_no_ticket_for_a_room(open_tab, make_user, private_places, place):
    target = private_places[place]
    outsider, token = make_user()
    for who, tab in (
        ("outsider", await open_tab("/account", token=token)),
        ("member", await open_tab("/account", token=private_places["member token"])),
    ):
        assert await ask(tab, "download_room", room_id=target.id) is None, who
        assert tab.var(ExportState, "export_error") == "Only administrators can do that.", who
    assert audit_targets(outsider.id) == []


async def test_an_admin_downloads_any_room_and_the_download_is_audited(open_tab, make_user, private_places):
    secret = private_places["private room"]
    root, token = make_user()
    make_admin(root.id)
    tab = await open_tab("/account", token=token)

    download = await ask(tab, "download_room", room_id=secret.id)

    assert download["filename"].startswith(f"djangochat-room-{rooms.base_slug(secret.name)}-")
    assert audit_targets(root.id) == []  # the ticket alone exports nothing
    exported = (await fetch(download["url"])).json()
    assert exported["room"] == {"id": secret.id, "slug": secret.slug, "name": secret.name, "kind": "private"}
    assert [m["body"] for m in exported["messages"]] == ["for members only"]
    assert audit_targets(root.id) == [f"room:{secret.slug}"]
    assert (await fetch(download["url"])).status_code == 404


async def test_an_admin_demoted_before_the_download_gets_nothing(open_tab, make_user, private_places):
    secret = private_places["private room"]
    root, token = make_user()
    make_admin(root.id)
    tab = await open_tab("/account", token=token)
    download = await ask(tab, "download_room", room_id=secret.id)
    make_admin(root.id, False)
    assert (await fetch(download["url"])).status_code == 403
    assert audit_targets(root.id) == []


async def test_a_room_deleted_before_the_download_is_not_found(open_tab, make_user, room):
    root, token = make_user()
    make_admin(root.id)
    tab = await open_tab("/account", token=token)
    download = await ask(tab, "download_room", room_id=room.id)
    db.call(admin.delete_room, root.id, room.id)
    response = await fetch(download["url"])
    assert response.status_code == 404 and response.text == "Room not found."


@pytest.mark.parametrize("room_id", [10_000_000, "abc", None, [1], 1.5])
async def test_unknown_or_malformed_room_ids_get_no_ticket(open_tab, make_user, room_id):
    root, token = make_user()
    make_admin(root.id)
    tab = await open_tab("/account", token=token)
    assert await ask(tab, "download_room", room_id=room_id) is None
    assert tab.var(ExportState, "export_error") == "Room not found."
