"""Files in messages: the type comes from the bytes, images lose their metadata, the limits hold, uploads are
bound only by their owner when the message is posted, and what nobody can reach any more is swept."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from djangochat_rx import settings
from djangochat_rx.domain import attachments, images, messages, rooms, sessions, tickets
from djangochat_rx.infra import storage
from djangochat_rx.models import utcnow

# Pillow's EXIF tag numbers: the GPS block, and the orientation.
GPS_IFD, ORIENTATION = 0x8825, 0x0112


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch) -> storage.LocalStorage:
    """The app's storage in this test's folder (deletes after a commit use the default one)."""
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    yield storage.default()
    storage.default.cache_clear()


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_location(size=(120, 80)) -> bytes:
    """A JPEG whose EXIF says where it was taken (and that it must be turned upright)."""
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to view
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"incoming-{len(list(tmp_path.iterdir()))}"
    path.write_bytes(data)
    return path


def keep(session, user, room, name, data, tmp_path, now=None):
    return attachments.store(session, user.id, room.id, name, upload(tmp_path, data), now)


def stored_bytes(store: storage.LocalStorage, session, file_id: int, variant: str = "full") -> bytes:
    row = attachments.readable(session, attachments_owner(session, file_id), file_id)
    return b"".join(store.read(row.storage_key, variant))


def attachments_owner(session, file_id: int) -> int:
    from djangochat_rx.models import Attachment

    owner = session.get(Attachment, file_id).owner_id
    session.rollback()
    return owner


def test_a_png_named_txt_is_an_image_with_a_thumbnail(session, alice, general, tmp_path, store):
    kept = keep(session, alice, general, "notes.txt", png_bytes((1600, 1200)), tmp_path)
    assert (kept.kind, kept.content_type, kept.name) == ("image", "image/png", "notes.txt")
    assert (kept.width, kept.height) == (1600, 1200)
    assert (kept.thumb_width, kept.thumb_height) == (640, 480)
    thumb = Image.open(io.BytesIO(stored_bytes(store, session, kept.id, "thumb")))
    assert thumb.size == (640, 480) and thumb.format == "PNG"


def test_html_and_svg_named_png_are_plain_files_never_images(session, alice, general, tmp_path):
    page = keep(session, alice, general, "cat.png", b"<html><script>alert(document.cookie)</script></html>", tmp_path)
    svg = keep(
        session, alice, general, "logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', tmp_path
    )
    assert (page.kind, page.content_type, page.thumb_url) == ("file", "text/plain", "")
    assert (svg.kind, svg.content_type) == ("file", "text/plain")
    binary = keep(session, alice, general, "x.png", bytes(range(256)) * 4, tmp_path)
    assert binary.content_type == "application/octet-stream"


def test_a_pdf_is_sniffed_from_its_bytes_whatever_its_name(session, alice, general, tmp_path):
    kept = keep(session, alice, general, "report.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", tmp_path)
    assert (kept.kind, kept.content_type) == ("file", "application/pdf")


def test_a_photo_loses_its_location_and_is_turned_upright(session, alice, general, tmp_path, store):
    original = Image.open(io.BytesIO(jpeg_with_location()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does say where it was taken
    kept = keep(session, alice, general, "holiday.jpg", jpeg_with_location(), tmp_path)
    for variant in ("full", "thumb"):
        data = stored_bytes(store, session, kept.id, variant)
        served = Image.open(io.BytesIO(data))
        assert not served.getexif(), variant
        assert b"Exif" not in data and "exif" not in served.info, variant
    assert (kept.width, kept.height) == (80, 120)  # upright: the orientation was applied, then dropped


def test_an_image_that_does_not_decode_is_kept_as_a_plain_file(session, alice, general, tmp_path):
    broken = png_bytes()[:60]
    kept = keep(session, alice, general, "broken.png", broken, tmp_path)
    assert (kept.kind, kept.content_type, kept.size) == ("file", "image/png", 60)


def test_names_never_reach_the_disk_and_keys_are_random(session, alice, general, tmp_path, store):
    kept = keep(session, alice, general, "../../etc/passwd", b"root:x:0:0", tmp_path)
    assert kept.name == "passwd"
    assert attachments.clean_name("C:\\Users\\me\\..\\secret.txt") == "secret.txt"
    assert attachments.clean_name("\u202egnp.exe") == "gnp.exe"
    assert attachments.clean_name("") == "file"
    files = [path for path in store.root.rglob("*") if path.is_file()]
    assert [path.name for path in files] == ["full"] and "passwd" not in str(files[0])
    for bad in ("../../etc", "a/b", "0" * 31, "../" + "0" * 29):
        with pytest.raises(storage.BadKey):
            store.size(bad, "full")
    with pytest.raises(storage.BadKey):
        store.size("0" * 32, "../full")


def test_limits_per_file_per_day_and_per_message(session, alice, general, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "FILE_MAX_BYTES", 1000)
    with pytest.raises(
        attachments.FileRefused, match=re.escape("“big.bin” is 1000 KB; the limit is 1000 bytes per file")
    ):
        attachments.check_upload(session, alice.id, general.id, "big.bin", 1024 * 1000)
    with pytest.raises(attachments.FileRefused, match="limit is 1000 bytes per file"):
        keep(session, alice, general, "big.bin", b"x" * 1001, tmp_path)
    monkeypatch.setattr(settings, "FILE_DAILY_BYTES", 1500)
    keep(session, alice, general, "a.bin", b"x" * 900, tmp_path)
    with pytest.raises(
        attachments.FileRefused, match=re.escape("You have uploaded 900 bytes today; the limit is 1.5 KB a day")
    ):
        keep(session, alice, general, "b.bin", b"x" * 900, tmp_path)
    keep(session, alice, general, "c.bin", b"x" * 100, tmp_path, now=utcnow() + timedelta(days=2))
    monkeypatch.setattr(settings, "FILES_PER_MESSAGE", 2)
    with pytest.raises(messages.InvalidMessage, match="at most 2 files"):
        messages.post(session, general.id, alice.id, "three", file_ids=[1, 2, 3])


def test_two_uploads_at_once_cannot_both_pass_the_daily_limit(session, alice, general, tmp_path, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session

    monkeypatch.setattr(settings, "FILE_DAILY_BYTES", 1500)
    # Both uploads have passed the check made before their bodies were read when either is kept.
    both_checked = threading.Barrier(2, timeout=10)
    reencode = images.reencode

    def after_both_checked(*args):
        both_checked.wait()
        return reencode(*args)

    monkeypatch.setattr(images, "reencode", after_both_checked)
    sources = [upload(tmp_path, b"x" * 900), upload(tmp_path, b"y" * 900)]

    def store(source: Path):
        with Session(session.get_bind(), expire_on_commit=False) as own:
            try:
                return attachments.store(own, alice.id, general.id, source.name, source)
            except attachments.FileRefused as refused:
                return refused

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(store, sources))
    refused = [str(result) for result in results if isinstance(result, attachments.FileRefused)]
    assert refused == ["You have uploaded 900 bytes today; the limit is 1.5 KB a day."]
    assert attachments.uploaded_today(session, alice.id, utcnow()) == 900


def test_uploads_go_only_where_one_may_post(session, alice, carol, general, tmp_path):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    with pytest.raises(rooms.RoomNotFound):
        keep(session, carol, secret, "x.txt", b"hello", tmp_path)
    rooms.archive_room(session, alice.id, general.id)
    with pytest.raises(attachments.FileRefused, match="archived"):
        attachments.check_upload(session, alice.id, general.id, "x.txt", 5)


def test_a_file_is_posted_with_its_message_and_shows_in_listings(session, alice, bob, general, tmp_path):
    picture = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    notes = keep(session, alice, general, "notes.txt", b"remember the milk", tmp_path)
    assert attachments.pending(session, alice.id, general.id, [picture.id, notes.id]) == [picture, notes]
    sent = messages.post(session, general.id, alice.id, "", file_ids=[picture.id, notes.id]).message
    assert sent.body == "" and [file.name for file in sent.files] == ["cat.png", "notes.txt"]
    assert messages.newest_messages(session, general.id)[-1].files == sent.files
    assert attachments.pending(session, alice.id, general.id, [picture.id]) == []
    with pytest.raises(messages.InvalidMessage, match="no longer there"):
        messages.post(session, general.id, alice.id, "again", file_ids=[picture.id])
    with pytest.raises(messages.InvalidMessage, match="Type a message first"):
        messages.post(session, general.id, alice.id, "  ")


def test_pending_uploads_are_ones_own_unsent_unexpired_uploads_to_the_room(
    session, alice, bob, general, tmp_path, monkeypatch
):
    start = utcnow()
    other = rooms.create_room(session, "Other", "", alice.id)
    old = keep(session, alice, general, "old.txt", b"old", tmp_path, now=start)
    later = start + timedelta(hours=settings.FILE_UNBOUND_HOURS, minutes=1)
    waiting = [keep(session, alice, general, f"{i}.txt", b"x", tmp_path, now=later) for i in range(3)]
    sent = keep(session, alice, general, "sent.txt", b"sent", tmp_path, now=later)
    messages.post(session, general.id, alice.id, "sent", file_ids=[sent.id])
    keep(session, alice, other, "there.txt", b"there", tmp_path, now=later)
    keep(session, bob, general, "bobs.txt", b"bob's", tmp_path, now=later)
    assert attachments.pending(session, alice.id, general.id, now=later) == waiting
    assert attachments.pending(session, alice.id, general.id, [old.id, waiting[0].id], now=later) == waiting[:1]
    monkeypatch.setattr(settings, "FILES_PER_MESSAGE", 2)
    assert attachments.pending(session, alice.id, general.id, now=later) == waiting[:2]


def test_nobody_posts_someone_elses_upload_or_one_from_another_room(session, alice, bob, general, tmp_path):
    other = rooms.create_room(session, "Other", "", alice.id)
    mine = keep(session, alice, general, "mine.txt", b"mine", tmp_path)
    elsewhere = keep(session, alice, other, "there.txt", b"there", tmp_path)
    with pytest.raises(messages.InvalidMessage, match="no longer there"):
        messages.post(session, general.id, bob.id, "look", file_ids=[mine.id])
    with pytest.raises(messages.InvalidMessage, match="no longer there"):
        messages.post(session, general.id, alice.id, "look", file_ids=[elsewhere.id])
    assert [m.body for m in messages.newest_messages(session, general.id)] == []
    assert attachments.readable(session, bob.id, mine.id) is None  # not posted yet: only its owner's
    assert attachments.readable(session, alice.id, mine.id) is not None


def test_deleting_a_message_deletes_its_files(session, alice, bob, general, tmp_path, store):
    kept = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    sent = messages.post(session, general.id, alice.id, "a cat", file_ids=[kept.id]).message
    assert attachments.readable(session, bob.id, kept.id) is not None
    placeholder = messages.delete_message(session, sent.id, alice.id)
    assert placeholder.files == ()
    assert attachments.readable(session, alice.id, kept.id) is None
    assert not [path for path in store.root.rglob("*") if path.is_file()]


def test_an_upload_left_past_its_hours_is_never_posted_even_while_the_sweep_removes_it(
    session, alice, general, tmp_path, store, monkeypatch
):
    start = utcnow() - timedelta(hours=settings.FILE_UNBOUND_HOURS, minutes=1)
    stale = keep(session, alice, general, "old.txt", b"left in the box", tmp_path, now=start)
    kept = keep(session, alice, general, "also-old.txt", b"left too", tmp_path, now=start)
    # Before any sweep: too old to go with a message.
    with pytest.raises(messages.InvalidMessage, match="uploaded too long ago"):
        messages.post(session, general.id, alice.id, "here it is", file_ids=[stale.id])
    # A post racing the sweep, between its marking and its deleting, finds the file discarded (with the
    # age check lifted, as for a post whose clock read a moment earlier).
    forget, tried = attachments.forget, []

    def post_in_between(db, keys, into=None):
        monkeypatch.setattr(settings, "FILE_UNBOUND_HOURS", 10**6)
        with pytest.raises(messages.InvalidMessage, match="no longer there"):
            messages.post(db, general.id, alice.id, "here it is", file_ids=[kept.id])
        tried.append(len(keys))
        return forget(db, keys, into)

    monkeypatch.setattr(attachments, "forget", post_in_between)
    assert attachments.sweep(session) == 2 and tried == [2]
    assert attachments.readable(session, alice.id, kept.id) is None
    assert messages.newest_messages(session, general.id, 10) == []


def test_the_sweep_removes_abandoned_uploads_and_files_of_deleted_rooms(session, alice, general, tmp_path, store):
    start = utcnow()
    abandoned = keep(session, alice, general, "old.txt", b"never posted", tmp_path, now=start)
    fresh = keep(session, alice, general, "new.txt", b"just now", tmp_path, now=start + timedelta(hours=5))
    doomed_room = rooms.create_room(session, "Doomed", "", alice.id)
    posted = keep(session, alice, doomed_room, "gone.txt", b"bye", tmp_path, now=start)
    messages.post(session, doomed_room.id, alice.id, "bye", file_ids=[posted.id])
    later = start + timedelta(hours=settings.FILE_UNBOUND_HOURS, minutes=1)
    assert attachments.sweep(session, now=later) == 1
    assert attachments.readable(session, alice.id, abandoned.id) is None
    assert attachments.readable(session, alice.id, fresh.id) is not None
    rooms.delete_room(session, alice.id, doomed_room.id)
    assert attachments.sweep(session, now=later) == 1
    left = [path for path in store.root.rglob("*") if path.is_file() and "incoming" not in path.parts]
    assert len(left) == 1  # the fresh upload's bytes only


def test_a_listing_reads_files_only_when_a_message_has_some(session, alice, general, tmp_path, count_queries):
    for i in range(5):
        messages.post_message(session, general.id, alice.id, f"plain {i}")
    with count_queries() as queries:
        messages.newest_messages(session, general.id)
    assert len(queries) == 2  # messages, reactions
    for i in range(3):
        kept = keep(session, alice, general, f"{i}.txt", b"x", tmp_path)
        messages.post(session, general.id, alice.id, f"with a file {i}", file_ids=[kept.id])
    with count_queries() as queries:
        listed = messages.newest_messages(session, general.id)
    assert len(queries) == 3 and sum(len(m.files) for m in listed) == 3


def test_the_files_panel_lists_a_rooms_posted_files_newest_first_by_kind(session, alice, bob, general, tmp_path):
    picture = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    messages.post(session, general.id, alice.id, "cat", file_ids=[picture.id])
    notes = keep(session, bob, general, "notes.txt", b"notes", tmp_path)
    messages.post(session, general.id, bob.id, "notes", file_ids=[notes.id])
    keep(session, bob, general, "draft.txt", b"unposted", tmp_path)
    listed = attachments.room_files(session, alice.id, general.id)
    assert [(line.file.name, line.author) for line in listed] == [("notes.txt", "bob"), ("cat.png", "alice")]
    assert [line.file.name for line in attachments.room_files(session, alice.id, general.id, "image")] == ["cat.png"]


def test_media_tickets_belong_to_a_live_session_and_one_purpose(session, alice):
    token = sessions.issue(session, alice.id)
    identity = sessions.resolve(session, token)
    view = tickets.ticket(session, identity.session_id, tickets.VIEW)
    assert tickets.ticket(session, identity.session_id, tickets.VIEW, view) == view  # reused
    assert tickets.ticket_user(session, view, tickets.VIEW) == alice.id
    assert tickets.ticket_user(session, view, tickets.UPLOAD) is None
    assert tickets.ticket_user(session, "made-up", tickets.VIEW) is None
    later = utcnow() + timedelta(hours=settings.MEDIA_TICKET_HOURS, seconds=1)
    assert tickets.ticket_user(session, view, tickets.VIEW, now=later) is None
    sessions.revoke(session, token)
    assert tickets.ticket_user(session, view, tickets.VIEW) is None


def test_a_room_export_lists_each_messages_files_but_never_their_bytes(session, root, alice, general, tmp_path):
    import json

    from djangochat_rx.domain import export

    picture = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    notes = keep(session, alice, general, "notes.txt", b"secret notes", tmp_path)
    messages.post(session, general.id, alice.id, "look", file_ids=[picture.id, notes.id])
    messages.post_message(session, general.id, alice.id, "no files")
    document = json.loads("".join(export.room_messages(session, root.id, general.id)))
    first, second = document["messages"]
    assert first["files"] == [
        {
            "name": "cat.png",
            "size": picture.size,
            "content_type": "image/png",
            "kind": "image",
            "width": 40,
            "height": 30,
        },
        {"name": "notes.txt", "size": 12, "content_type": "text/plain", "kind": "file"},
    ]
    assert "files" not in second and "secret notes" not in json.dumps(document)
    own = json.loads("".join(export.own_messages(session, alice.id)))
    assert [m.get("files", []) for m in own["messages"]] == [first["files"], []]


def test_search_finds_files_by_name_only_where_one_may_read(session, alice, bob, carol, general, tmp_path):
    from djangochat_rx.domain import members, search

    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    for room, name in ((general, "Q3_budget.xlsx"), (secret, "budget-secret.pdf"), (general, "holiday.png")):
        kept = keep(session, alice, room, name, b"x", tmp_path)
        messages.post(session, room.id, alice.id, "here", file_ids=[kept.id])
    keep(session, alice, general, "budget-draft.txt", b"never posted", tmp_path)
    assert [hit.file.name for hit in search.files(session, bob.id, "budget")] == ["budget-secret.pdf", "Q3_budget.xlsx"]
    assert [hit.file.name for hit in search.files(session, carol.id, "BUDGET")] == ["Q3_budget.xlsx"]
    assert [hit.room_slug for hit in search.files(session, bob.id, f"budget in:{general.slug}")] == [general.slug]
    assert search.files(session, bob.id, "budget from:bob") == []
    assert [hit.file.name for hit in search.files(session, bob.id, "q3_b")] == ["Q3_budget.xlsx"]


@pytest.mark.parametrize("count", [1, 10])
def test_posting_with_files_takes_two_queries_more_whatever_their_number(
    session, alice, general, tmp_path, count_queries, count
):
    messages.post_message(session, general.id, alice.id, "first: creates alice's read marker")
    kept = [keep(session, alice, general, f"{i}.txt", b"x", tmp_path).id for i in range(count)]
    with count_queries() as queries:
        sent = messages.post(session, general.id, alice.id, "files", file_ids=kept).message
    assert len(sent.files) == count
    # room counter, author, message, the files bound, their views, read marker
    assert len(queries) <= 6, queries


def test_a_message_with_files_crosses_between_workers_whole(session, alice, general, tmp_path):
    import json

    from djangochat_rx.actions import messages as message_actions
    from djangochat_rx.domain import events

    kept = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    outcome = message_actions.send_message(session, alice.id, general.id, "a cat", "c-1", (), (kept.id,))
    [sent] = outcome.events
    assert [file.name for file in sent.message.files] == ["cat.png"]
    for event in (sent, events.AvatarChanged("alice", "/_files/avatars/1/" + "0" * 32 + "/small")):
        assert events.from_wire(json.loads(json.dumps(events.to_wire(event)))) == event


async def test_images_are_re_encoded_on_a_thread_that_runs_only_when_the_cpu_would_idle(
    session, alice, general, tmp_path
):
    import os
    import threading

    kept = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    assert kept.kind == "image"

    def priority() -> tuple[str, int]:
        return threading.current_thread().name, os.sched_getscheduler(threading.get_native_id())

    name, policy = await images.in_image_threads(priority)
    assert name.startswith("images") and name != threading.current_thread().name
    ours = os.sched_getscheduler(threading.get_native_id())
    assert policy == os.SCHED_IDLE != ours
    assert priority()[1] == ours  # only the image thread yields: the rest of the server keeps its policy


def tiny_frames_gif(frames: int, canvas=(2000, 2000)) -> bytes:
    """An animated GIF whose first frame fills the canvas and whose others change one pixel each: Pillow writes
    those as 1x1 frames, so the file is a few KB while every frame decodes at the canvas's size."""
    drawn = [Image.new("P", canvas, 0)]
    drawn[0].putpalette([0, 0, 0, 220, 30, 30, 30, 30, 220])
    for index in range(1, frames):
        image = drawn[-1].copy()
        image.putpixel((index, 0), index % 2 + 1)
        drawn.append(image)
    out = io.BytesIO()
    drawn[0].save(out, format="GIF", save_all=True, append_images=drawn[1:], duration=50, loop=0)
    return out.getvalue()


def test_a_gif_of_tiny_frames_on_a_huge_canvas_is_kept_as_a_plain_file_without_decoding_a_frame(
    session, alice, general, tmp_path, monkeypatch
):
    from PIL import GifImagePlugin

    bomb = tiny_frames_gif(60)  # 60 frames x 4 M pixels: 240 M pixels to decode for a few KB
    assert len(bomb) < 8 * 1024

    def decoded(image):
        raise AssertionError("a frame was decoded")

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "load", decoded)
    kept = keep(session, alice, general, "party.gif", bomb, tmp_path)
    assert (kept.kind, kept.content_type, kept.size, kept.thumb_url) == ("file", "image/gif", len(bomb), "")


def test_an_animation_within_the_budget_keeps_its_frames_and_one_over_the_frame_cap_is_a_plain_file(
    session, alice, general, tmp_path, store, monkeypatch
):
    monkeypatch.setattr(settings, "IMAGE_MAX_FRAMES", 5)
    within = keep(session, alice, general, "five.gif", tiny_frames_gif(5, (40, 30)), tmp_path)
    assert (within.kind, within.width, within.height) == ("image", 40, 30)
    assert Image.open(io.BytesIO(stored_bytes(store, session, within.id))).n_frames == 5
    over = keep(session, alice, general, "six.gif", tiny_frames_gif(6, (40, 30)), tmp_path)
    assert (over.kind, over.content_type) == ("file", "image/gif")


def test_the_pixel_budget_is_counted_again_as_frames_are_read(session, alice, general, tmp_path, monkeypatch):
    # As if the headers had understated the frames: the check before decoding passes, the one per frame stops it.
    monkeypatch.setattr(images, "_within_budget", lambda frames, width, height: True)
    monkeypatch.setattr(settings, "IMAGE_MAX_PIXELS", 40 * 30 * 4)
    kept = keep(session, alice, general, "five.gif", tiny_frames_gif(5, (40, 30)), tmp_path)
    assert kept.kind == "file"
    assert not list(Path(settings.UPLOAD_DIR, "incoming").glob("*"))  # the half-made copies went too


def test_the_sweep_removes_what_cut_off_uploads_left_in_incoming(session, tmp_path, store):
    import os

    left = store.scratch() / "cut-off.upload"
    left.write_bytes(b"x" * 3000)
    stale = (utcnow() - timedelta(minutes=settings.FILE_SCRATCH_MINUTES + 1)).timestamp()
    os.utime(left, (stale, stale))
    current = store.scratch() / "in-progress.upload"
    current.write_bytes(b"y")
    attachments.sweep(session)
    assert not left.exists() and current.exists()


def test_uploaded_files_and_their_folders_are_readable_by_the_server_only(session, alice, general, tmp_path, store):
    import stat

    store.root.mkdir(mode=0o755, parents=True)  # as an older version left it
    kept = keep(session, alice, general, "cat.png", png_bytes(), tmp_path)
    key = attachments.readable(session, alice.id, kept.id).storage_key
    folders = [store.root, store.root / key[:2], store.root / key[:2] / key, store.scratch()]
    assert [oct(stat.S_IMODE(folder.stat().st_mode)) for folder in folders] == ["0o700"] * 4
    files = [path for path in store.root.rglob("*") if path.is_file()]
    assert len(files) == 2 and {oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {"0o600"}
