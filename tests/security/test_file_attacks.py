"""Issue 26, attacks 2, 3, 4 and 8, over real HTTP and real sockets: an upload's budget in frames and pixels,
bytes, time on the database's threads, uploads at once, and picture changes."""

import asyncio
import io
import os
import threading
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from PIL import GifImagePlugin, Image

from djangochat_rx import db, settings
from djangochat_rx.domain import attachments, images
from djangochat_rx.http import files
from djangochat_rx.infra import storage
from djangochat_rx.models import utcnow
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState
from tests.state.test_files_flow import png, room_tab, upload
from tests.support.client import FIELD
from tests.unit.test_attachments import tiny_frames_gif

MB = 1024 * 1024


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until `predicate()` holds for something the server does on its own thread (polled)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def leftovers() -> list[str]:
    """The temporary files of uploads in progress (the sweep's `incoming/`)."""
    return sorted(path.name for path in storage.default().scratch().iterdir())


async def post(backend_url: str, tab, path: str, content, name: str = "") -> httpx.Response:
    headers = {files.UPLOAD_HEADER: tab.var(AuthState, "upload_ticket"), files.NAME_HEADER: name}
    async with httpx.AsyncClient(base_url=backend_url, timeout=30) as http:
        return await http.post(path, content=content, headers=headers)


@pytest.fixture
def slow_images(monkeypatch):
    """Re-encoding that waits, on the image thread, until the test lets it go: `entered` counts the images
    that reached an image thread; `release` lets them all finish."""
    entered, release = threading.Semaphore(0), threading.Event()
    reencode = images.reencode

    def slow(*args):
        entered.release()
        release.wait(30)
        return reencode(*args)

    monkeypatch.setattr(images, "reencode", slow)
    yield entered, release
    release.set()


async def reached_an_image_thread(entered: threading.Semaphore) -> bool:
    return await asyncio.to_thread(entered.acquire, timeout=10)


# --- attack 2: a few KB of GIF that decodes to hundreds of megabytes -------------------------------------


async def test_a_gif_of_tiny_frames_on_a_huge_canvas_is_kept_as_a_download_without_a_frame_decoded(
    backend_url, open_tab, make_user, room, monkeypatch
):
    def decoded(image):
        raise AssertionError("a frame was decoded")

    bomb = tiny_frames_gif(60)  # 60 frames x 2000 x 2000 = 240 M pixels (+507 MB before) in a few KB
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "load", decoded)
    tab = await room_tab(open_tab, make_user()[1], room.slug)
    answer = await upload(backend_url, tab, "party.gif", bomb, room.id)
    assert answer.status_code == 201
    assert (answer.json()["kind"], answer.json()["content_type"], answer.json()["size"]) == (
        "file",
        "image/gif",
        len(bomb),
    )
    assert leftovers() == []


# --- attack 4: big images hold the database's threads ---------------------------------------------------


async def test_images_waiting_for_the_image_threads_hold_no_database_thread(
    backend_url, open_tab, make_user, room, monkeypatch, slow_images
):
    """More images in re-encoding at once than the database has threads (asyncio's default pool): before, each
    held a database thread while it waited, and no page loaded until they were done."""
    entered, release = slow_images
    held = min(32, (os.cpu_count() or 1) + 4) + 2
    monkeypatch.setattr(settings, "IMAGE_THREADS", held)
    monkeypatch.setattr(settings, "IMAGE_QUEUE_MAX", 0)
    images._images.cache_clear()
    try:
        uploaders = [await room_tab(open_tab, make_user()[1], room.slug) for _ in range(held)]
        sending = [asyncio.create_task(upload(backend_url, tab, "wall.png", png(), room.id)) for tab in uploaders]
        for _ in range(held):
            assert await reached_an_image_thread(entered)
        bystander = await room_tab(open_tab, make_user()[1], room.slug)  # a page load: session, room, messages
        assert bystander.var(RoomState, "status") == "ready"
        release.set()
        answers = await asyncio.gather(*sending)
        assert [(answer.status_code, answer.json()["kind"]) for answer in answers] == [(201, "image")] * held
    finally:
        release.set()
        images._images().shutdown(wait=True)
        images._images.cache_clear()


async def test_past_the_image_queue_an_image_is_told_to_come_back_at_once_and_plain_files_still_go(
    backend_url, open_tab, make_user, room, monkeypatch, slow_images
):
    entered, release = slow_images
    monkeypatch.setattr(settings, "IMAGE_QUEUE_MAX", 0)  # the one image thread busy: the queue is full
    first = await room_tab(open_tab, make_user()[1], room.slug)
    second = await room_tab(open_tab, make_user()[1], room.slug)
    sending = asyncio.create_task(upload(backend_url, first, "one.png", png(), room.id))
    assert await reached_an_image_thread(entered)

    busy = await upload(backend_url, second, "two.png", png(), room.id)
    picture = await post(backend_url, second, files.AVATAR_UPLOAD_PATH, png())
    for refused in (busy, picture):
        assert (refused.status_code, refused.headers["retry-after"]) == (503, str(settings.IMAGE_BUSY_RETRY_SECONDS))
        assert refused.json() == {"error": "The server is busy with other pictures. Try again in a few seconds."}
    notes = await upload(backend_url, second, "notes.txt", b"plain text needs no image thread", room.id)
    assert (notes.status_code, notes.json()["kind"]) == (201, "file")
    release.set()
    assert (await sending).status_code == 201
    assert leftovers() == []


async def test_a_39_megapixel_picture_is_refused_at_once(backend_url, open_tab, make_user, room):
    wall = io.BytesIO()
    Image.new("L", (6500, 6000), 200).save(wall, format="PNG")  # one colour: ~40 KB of PNG
    tab = await room_tab(open_tab, make_user()[1], room.slug)
    refused = await post(backend_url, tab, files.AVATAR_UPLOAD_PATH, wall.getvalue())
    assert refused.status_code == 415
    assert refused.json() == {"error": "This picture is 6500×6000 pixels; use one of at most 12 megapixels."}
    assert leftovers() == []


# --- attack 8: picture changes flood every tab ----------------------------------------------------------


def picture_changes(tab, since: int) -> list[dict]:
    """The picture changes a tab was sent after its frame `since`."""
    return [
        value
        for frame in tab.frames[since:]
        for delta in (frame.get("delta") or {}).values()
        for key, value in delta.items()
        if key == f"avatar_changed{FIELD}"
    ]


async def test_picture_changes_are_rate_limited_and_removing_no_picture_tells_nobody(
    backend_url, open_tab, make_user, room
):
    _, remover_token = make_user()
    painter, painter_token = make_user()
    remover = await room_tab(open_tab, remover_token, room.slug)
    painter_tab = await room_tab(open_tab, painter_token, room.slug)
    viewer = await room_tab(open_tab, make_user()[1], room.slug)
    since = len(viewer.frames)

    for _ in range(40):  # "Use generated picture" with none set, as fast as the socket takes it
        await remover.call(ProfileState, "remove_picture")
    await remover.call(ProfileState, "picture_refused", reason="all 40 handled")  # a tab's events run in order
    await remover.wait_for(lambda: remover.var(ProfileState, "error") == "all 40 handled")

    answers = [await post(backend_url, painter_tab, files.AVATAR_UPLOAD_PATH, png()) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [201] * 5 + [429]
    assert answers[-1].json() == {"error": "You are changing your picture too often. Try again later."}
    last = answers[4].json()["url"]
    await viewer.wait_for(lambda: viewer.var(AuthState, "avatar_changed") == {painter.username: last})
    # Frames reach a socket in order: the painter's five changes came, and nothing of the remover's 40.
    assert [list(change) for change in picture_changes(viewer, since)] == [[painter.username]] * 5

    await painter_tab.call(ProfileState, "remove_picture")
    await painter_tab.wait_for(lambda: "too often" in painter_tab.var(ProfileState, "error"))
    assert viewer.var(AuthState, "avatar_changed") == {painter.username: last}


# --- attack 3: uploads held open, then aborted ----------------------------------------------------------


class Aborted(Exception):
    """The test's client gives up in the middle of a body."""


async def chunked(size: int, hold: asyncio.Event | None = None, then_abort: bool = False) -> AsyncIterator[bytes]:
    """A chunked body (no length said): `size` bytes, then (with `hold`) nothing until it is set; then it
    ends, or the connection is cut."""
    for _ in range(size // (64 * 1024)):
        yield b"x" * (64 * 1024)
    yield b"x" * (size % (64 * 1024))
    if hold is not None:
        await hold.wait()
    if then_abort:
        raise Aborted()


async def test_uploads_held_open_count_against_the_day_and_leave_nothing_when_cut_off(
    backend_url, open_tab, make_user, room, monkeypatch
):
    monkeypatch.setattr(settings, "FILE_DAILY_BYTES", 16 * MB)
    monkeypatch.setattr(settings, "UPLOADS_PER_USER_AT_ONCE", 6)
    me, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    hold = asyncio.Event()
    path = f"{files.UPLOAD_PATH}?room={room.id}"
    sending = [
        asyncio.create_task(post(backend_url, tab, path, chunked(3 * MB, hold, then_abort=True))) for _ in range(5)
    ]
    await until(lambda: attachments.in_flight(me.id) == 15 * MB)

    sixth = await post(backend_url, tab, path, chunked(MB + 1), "six.bin")
    assert sixth.status_code == 413
    assert sixth.json() == {"error": "You have uploaded 15 MB today; the limit is 16 MB a day."}

    hold.set()
    for cut_off in await asyncio.gather(*sending, return_exceptions=True):
        assert isinstance(cut_off, Aborted)
    await until(lambda: attachments.in_flight(me.id) == 0 and leftovers() == [])
    assert db.call(attachments.uploaded_today, me.id, utcnow()) == 0
    assert (await post(backend_url, tab, path, b"x" * 3 * MB, "after.bin")).status_code == 201


async def test_a_fourth_upload_at_once_is_refused_at_once(backend_url, open_tab, make_user, room):
    me, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    hold = asyncio.Event()
    path = f"{files.UPLOAD_PATH}?room={room.id}"
    sending = [
        asyncio.create_task(post(backend_url, tab, path, chunked(10, hold), f"{n}.txt"))
        for n in range(settings.UPLOADS_PER_USER_AT_ONCE)
    ]
    await until(lambda: attachments.in_flight(me.id) == 10 * settings.UPLOADS_PER_USER_AT_ONCE)

    fourth = await post(backend_url, tab, path, b"one too many", "4.txt")
    picture = await post(backend_url, tab, files.AVATAR_UPLOAD_PATH, png())
    for refused in (fourth, picture):
        assert refused.status_code == 429
        assert refused.json() == {"error": "Your other uploads are still on their way. Wait for them, then try again."}
    hold.set()
    assert [answer.status_code for answer in await asyncio.gather(*sending)] == [201] * 3
    assert (await post(backend_url, tab, path, b"now there is room", "5.txt")).status_code == 201
