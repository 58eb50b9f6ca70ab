"""Files over the real backend: a tab gets its tickets over the websocket, uploads over HTTP, posts the
files with a message that reaches every tab as that one message with its files' metadata; the bytes come
back only through the file route, which answers an outsider, a made-up id and a copied link without the
viewer's ticket alike (404), and serves nothing as a page."""

import io

import httpx
from PIL import Image

from djangochat_rx import db, settings
from djangochat_rx.domain import admin, members, rooms
from djangochat_rx.http import files
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import unique


async def room_tab(open_tab, token: str, slug: str):
    tab = await open_tab(f"/rooms/{slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready" and tab.var(AuthState, "upload_ticket"))
    return tab


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 300), (20, 160, 90)).save(out, format="PNG")
    return out.getvalue()


async def upload(backend_url: str, tab, name: str, data: bytes, room_id: int) -> httpx.Response:
    async with httpx.AsyncClient(base_url=backend_url) as http:
        return await http.post(
            f"{files.UPLOAD_PATH}?room={room_id}",
            content=data,
            headers={files.UPLOAD_HEADER: tab.var(AuthState, "upload_ticket"), files.NAME_HEADER: name},
        )


async def fetch(backend_url: str, path: str, tab=None) -> httpx.Response:
    cookies = {files.VIEW_COOKIE: tab.var(AuthState, "media_ticket")} if tab is not None else {}
    async with httpx.AsyncClient(base_url=backend_url, cookies=cookies) as http:
        return await http.get(path)


def files_of(tab, text: str) -> list[dict]:
    return next(m["files"] for m in tab.feed() if m["body"] == text)


async def test_files_posted_with_a_message_reach_every_tab_and_only_readers_get_the_bytes(
    backend_url, open_tab, make_user
):
    owner, owner_token = make_user()
    member, member_token = make_user()
    _, outsider_token = make_user()
    den = db.call(rooms.create_room, unique("Den "), "", owner.id, True)
    db.call(members.invite, owner.id, den.id, member.username)
    writer = await room_tab(open_tab, owner_token, den.slug)
    reader = await room_tab(open_tab, member_token, den.slug)
    assert writer.var(RoomState, "upload_url").endswith(f"/_files/upload?room={den.id}")

    picture = await upload(backend_url, writer, "diagram.png", png(), den.id)
    notes = await upload(backend_url, writer, "notes.txt", b"remember the milk\n", den.id)
    assert (picture.status_code, notes.status_code) == (201, 201)
    assert picture.json()["kind"] == "image" and notes.json()["content_type"] == "text/plain"
    await writer.call(RoomState, "file_uploaded", file_id=picture.json()["id"])
    await writer.call(RoomState, "file_uploaded", file_id=notes.json()["id"])
    await writer.wait_for(lambda: len(writer.var(RoomState, "pending_files")) == 2)
    # Not posted yet: only the uploader may fetch it, and nobody else may attach it.
    assert (await fetch(backend_url, picture.json()["url"], reader)).status_code == 404
    await reader.call(RoomState, "file_uploaded", file_id=notes.json()["id"])

    frames_before = len(reader.frames)
    await writer.call(RoomState, "send", form={"message": "", "client_id": unique("c")})
    await reader.wait_for(lambda: any(m["files"] for m in reader.feed()))
    await writer.wait_for(lambda: writer.var(RoomState, "pending_files") == [])
    assert reader.var(RoomState, "pending_files") == []
    [posted] = [m for m in reader.feed() if m["files"]]
    assert [(f["name"], f["kind"], f["thumb_width"], f["thumb_height"]) for f in posted["files"]] == [
        ("diagram.png", "image", 640, 213),
        ("notes.txt", "file", 0, 0),
    ]
    delivered = [
        delta["incoming_rx_state_"]
        for frame in reader.frames[frames_before:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" in delta
    ]
    assert [[m["id"] for m in batch] for batch in delivered] == [[posted["id"]]]
    # The Files panel's lines (newest first) ride in the message's own frame: the room's sockets get one frame.
    [frame] = [
        delta
        for frame in reader.frames[frames_before:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" in delta
    ]
    assert [line["file"]["name"] for line in frame["files_posted_rx_state_"]] == ["notes.txt", "diagram.png"]
    assert not any(
        "files_posted_rx_state_" in delta
        for frame in reader.frames[frames_before:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" not in delta
    )

    image, thumb, text = posted["files"][0]["url"], posted["files"][0]["thumb_url"], posted["files"][1]["url"]
    got = await fetch(backend_url, image, reader)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline;")
    assert Image.open(io.BytesIO(got.content)).size == (900, 300)
    assert Image.open(io.BytesIO((await fetch(backend_url, thumb, reader)).content)).size == (640, 213)
    card = await fetch(backend_url, text, reader)
    assert card.content == b"remember the milk\n" and card.headers["content-type"] == "application/octet-stream"
    assert card.headers["content-disposition"].startswith("attachment;")

    outsider = await room_tab(open_tab, outsider_token, db.call(rooms.create_room, unique("Hall "), "", owner.id).slug)
    made_up = f"/_files/{posted['files'][1]['id'] + 1000}/full/x"
    for path in (image, thumb, text):
        for who in (outsider, None):
            refused = await fetch(backend_url, path, who)
            nothing = await fetch(backend_url, made_up, who)
            assert (
                (refused.status_code, refused.content) == (nothing.status_code, nothing.content) == (404, b"Not found.")
            )
    assert (await upload(backend_url, outsider, "x.txt", b"let me in", den.id)).status_code == 404


async def test_a_reload_keeps_the_files_uploaded_and_not_sent_yet_in_the_message_box(
    backend_url, open_tab, make_user, room
):
    me, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    uploaded = [(await upload(backend_url, tab, name, b"draft", room.id)).json() for name in ("a.txt", "b.txt")]
    await tab.call(RoomState, "file_uploaded", file_id=uploaded[0]["id"])
    await tab.wait_for(lambda: tab.var(RoomState, "pending_files"))
    await tab.close()

    reloaded = await room_tab(open_tab, token, room.slug)
    assert [file["name"] for file in reloaded.var(RoomState, "pending_files")] == ["a.txt", "b.txt"]
    elsewhere = await room_tab(open_tab, token, db.call(rooms.create_room, unique("Nook "), "", me.id).slug)
    assert elsewhere.var(RoomState, "pending_files") == []
    await reloaded.call(RoomState, "send", form={"message": "both", "client_id": unique("c")})
    await reloaded.wait_for(lambda: any(m["body"] == "both" for m in reloaded.feed()))
    assert [f["id"] for f in next(m["files"] for m in reloaded.feed() if m["body"] == "both")] == [
        file["id"] for file in uploaded
    ]
    assert (await room_tab(open_tab, token, room.slug)).var(RoomState, "pending_files") == []


async def test_an_uploaded_page_is_served_as_an_inert_download(backend_url, open_tab, make_user, room):
    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    for name, data in (
        ("cat.png", b"<html><script>alert(document.cookie)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ):
        answer = (await upload(backend_url, tab, name, data, room.id)).json()
        assert answer["kind"] == "file"
        served = await fetch(backend_url, answer["url"], tab)
        assert served.content == data
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"


async def test_an_oversize_upload_is_refused_before_and_while_it_streams(
    backend_url, open_tab, make_user, room, monkeypatch
):
    monkeypatch.setattr(settings, "FILE_MAX_BYTES", 1000)
    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    declared = await upload(backend_url, tab, "big.bin", b"x" * 1001, room.id)
    assert declared.status_code == 413
    assert declared.json() == {"error": "“big.bin” is 1001 bytes; the limit is 1000 bytes per file."}

    async def stream():
        for _ in range(5):
            yield b"x" * 400

    async with httpx.AsyncClient(base_url=backend_url) as http:  # chunked: no length to check first
        streamed = await http.post(
            f"{files.UPLOAD_PATH}?room={room.id}",
            content=stream(),
            headers={files.UPLOAD_HEADER: tab.var(AuthState, "upload_ticket"), files.NAME_HEADER: "big.bin"},
        )
    assert streamed.status_code == 413 and "the limit is 1000 bytes per file" in streamed.json()["error"]
    assert not list(settings.UPLOAD_DIR.rglob("*.upload"))
    assert (await upload(backend_url, tab, "a.txt", b"a", room.id)).status_code == 201
    async with httpx.AsyncClient(base_url=backend_url) as http:
        forged = await http.post(
            f"{files.UPLOAD_PATH}?room={room.id}", content=b"a", headers={files.UPLOAD_HEADER: "x"}
        )
    assert forged.status_code == 401

    await tab.call(RoomState, "file_refused", reason="“big.bin” is 2 MB; the limit is 1000 bytes per file.")
    await tab.wait_for(lambda: "limit is 1000 bytes" in tab.var(RoomState, "error"))


async def test_a_new_picture_reaches_open_pages_live_as_that_one_change(backend_url, open_tab, make_user, room):
    painter, painter_token = make_user()
    _, viewer_token = make_user()
    mine = await room_tab(open_tab, painter_token, room.slug)
    theirs = await room_tab(open_tab, viewer_token, room.slug)
    async with httpx.AsyncClient(base_url=backend_url) as http:
        answer = await http.post(
            files.AVATAR_UPLOAD_PATH, content=png(), headers={files.UPLOAD_HEADER: mine.var(AuthState, "upload_ticket")}
        )
        refused = await http.post(
            files.AVATAR_UPLOAD_PATH,
            content=b"<svg/>",
            headers={files.UPLOAD_HEADER: mine.var(AuthState, "upload_ticket")},
        )
    assert answer.status_code == 201 and refused.status_code == 415
    url = answer.json()["url"]
    await theirs.wait_for(lambda: theirs.var(AuthState, "avatar_changed") == {painter.username: url})
    picture = await fetch(backend_url, url, theirs)
    assert picture.status_code == 200 and Image.open(io.BytesIO(picture.content)).size == (64, 64)
    assert (await fetch(backend_url, url)).status_code == 404  # no ticket, no picture
    later = await room_tab(open_tab, viewer_token, room.slug)
    assert later.var(AuthState, "avatars")[painter.username] == url
    # The pictures went straight to the browser: no tab's state on the server keeps a copy of them.
    from djangochat_rx.djangochat_rx import app

    path = AuthState.get_full_name().split(".")
    trees = [state for state in app.state_manager.states.values() if type(state).get_full_name() == path[0]]
    assert trees and all(tree.get_substate(path).avatars == {} for tree in trees)

    await mine.call(ProfileState, "remove_picture")
    await theirs.wait_for(lambda: theirs.var(AuthState, "avatar_changed") == {painter.username: ""})
    assert (await fetch(backend_url, url, theirs)).status_code == 404


async def test_the_files_panel_lists_the_rooms_files_and_adds_new_ones_live(backend_url, open_tab, make_user, room):
    _, writer_token = make_user()
    _, reader_token = make_user()
    writer = await room_tab(open_tab, writer_token, room.slug)
    reader = await room_tab(open_tab, reader_token, room.slug)

    async def post(name: str, data: bytes) -> int:
        kept = (await upload(backend_url, writer, name, data, room.id)).json()
        await writer.call(RoomState, "file_uploaded", file_id=kept["id"])
        await writer.wait_for(lambda: writer.var(RoomState, "pending_files"))
        await writer.call(RoomState, "send", form={"message": name, "client_id": unique("c")})
        await writer.wait_for(lambda: not writer.var(RoomState, "pending_files"))
        return kept["id"]

    first = await post("first.txt", b"one")
    await reader.call(RoomState, "toggle_panel", name="files")
    await reader.wait_for(lambda: reader.var(RoomState, "panel") == "files")
    assert [line["file"]["id"] for line in reader.var(RoomState, "room_files")] == [first]
    second = await post("second.png", png())
    await reader.wait_for(lambda: reader.var(RoomState, "files_posted")[0]["file"]["id"] == second)
    [line] = reader.var(RoomState, "files_posted")  # that message's files only, never the room's
    assert (line["file"]["id"], line["file"]["kind"], line["room_id"]) == (second, "image", room.id)


async def test_an_open_files_panel_drops_the_files_of_a_message_its_author_or_a_moderator_deletes(
    backend_url, open_tab, make_user, room
):
    _, writer_token = make_user()
    _, reader_token = make_user()
    moderator, moderator_token = make_user()
    db.call(admin.promote, moderator.username)
    writer = await room_tab(open_tab, writer_token, room.slug)
    reader = await room_tab(open_tab, reader_token, room.slug)
    moderation = await open_tab("/admin", token=moderator_token)
    await moderation.wait_for(lambda: moderation.var(AdminState, "status") == "ready")

    async def post(text: str) -> int:
        kept = (await upload(backend_url, writer, f"{text}.txt", text.encode(), room.id)).json()
        await writer.call(RoomState, "file_uploaded", file_id=kept["id"])
        await writer.wait_for(lambda: writer.var(RoomState, "pending_files"))
        await writer.call(RoomState, "send", form={"message": text, "client_id": unique("c")})
        await reader.wait_for(lambda: any(m["body"] == text for m in reader.feed()))
        return next(m["id"] for m in reader.feed() if m["body"] == text)

    by_author, by_moderator = await post("mine"), await post("rude")
    await reader.call(RoomState, "toggle_panel", name="files")
    await reader.wait_for(lambda: len(reader.var(RoomState, "room_files") or []) == 2)

    await writer.call(RoomState, "ask_delete", message_id=by_author)
    await writer.call(RoomState, "confirm_delete")
    await reader.wait_for(lambda: reader.var(RoomState, "files_removed") == [by_author])
    await moderation.call(AdminState, "remove_message", message_id=by_moderator)
    await reader.wait_for(lambda: reader.var(RoomState, "files_removed") == [by_moderator])
    # A message with no files goes without a word to the Files panels.
    await writer.call(RoomState, "send", form={"message": "no files here", "client_id": unique("c")})
    await reader.wait_for(lambda: any(m["body"] == "no files here" for m in reader.feed()))
    plain = next(m["id"] for m in reader.feed() if m["body"] == "no files here")
    frames_before = len(reader.frames)
    await writer.call(RoomState, "ask_delete", message_id=plain)
    await writer.call(RoomState, "confirm_delete")
    await reader.wait_for(lambda: next(m for m in reader.feed() if m["id"] == plain).get("deleted"))
    deltas = [delta for frame in reader.frames[frames_before:] for delta in (frame.get("delta") or {}).values()]
    assert deltas and not any("files_removed_rx_state_" in delta for delta in deltas)
    await reader.call(RoomState, "toggle_panel", name="files")
    await reader.wait_for(lambda: reader.var(RoomState, "panel") == "")
    await reader.call(RoomState, "toggle_panel", name="files")  # opened again: read again, nothing left
    await reader.wait_for(lambda: reader.var(RoomState, "room_files") == [])
