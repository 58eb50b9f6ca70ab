"""Files and images in messages: limits, what a file is (from its bytes), images re-encoded without their
metadata, binding to a message when it is posted, who may fetch them, the room's files, and the sweep.

An upload goes to a room before its message exists: the upload route (files.py) streams it to a
temporary file and hands it to `store`, which checks the room and the limits, sniffs the type, re-encodes
a safe raster image (PNG, JPEG, GIF, WebP) with Pillow into a full-size copy and a thumbnail with no EXIF
(no location), and saves an unbound Attachment. `bind` attaches the uploader's own unbound uploads of
that room to the message being posted, in its transaction; what is never posted is swept after
FILE_UNBOUND_HOURS. Every byte served is asked for through `readable` (access.py's rules).
"""

import contextlib
import functools
import hashlib
import math
import os
import secrets
import tempfile
import threading
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import filetype
from PIL import Image, ImageOps
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from djangochat_rx import access, periodic, settings, storage
from djangochat_rx import db as database
from djangochat_rx.models import Attachment, MediaTicket, Message, Room, User, UserSession, as_utc, utcnow
from djangochat_rx.text import without_hidden

# The types a browser may show inline (re-encoded by us, so their bytes are Pillow's, not the uploader's),
# with Pillow's format name. Everything else is served as a download.
SAFE_IMAGES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
IMAGE, FILE = "image", "file"
FULL, THUMB = "full", "thumb"
NAME_MAX_CHARS = 255
# How many bytes sniffing looks at (filetype reads at most 261).
SNIFF_BYTES = 8192
VIEW, UPLOAD = "view", "upload"
# The most files a room's Files panel lists (newest first).
FILES_PANEL_LIMIT = 50
T = TypeVar("T")


class FileRefused(Exception):
    """An upload or attachment the rules refuse; the text is safe to show to the user."""


@dataclass(frozen=True)
class FileView:
    """A file as a message shows it: name, size, sniffed type, kind ("image" or "file"), an image's and its
    thumbnail's dimensions, and the paths it is fetched at (through the file route, which checks access)."""

    id: int
    name: str
    size: int
    content_type: str
    kind: str
    width: int = 0
    height: int = 0
    thumb_width: int = 0
    thumb_height: int = 0
    size_label: str = ""
    url: str = ""
    thumb_url: str = ""
    download_url: str = ""


def path(attachment_id: int, variant: str, name: str, download: bool = False) -> str:
    """The route's path for one variant of an attachment (the name is only for the browser's sake)."""
    return f"/_files/{attachment_id}/{variant}/{quote(name, safe='')}" + ("?download=1" if download else "")


def view(row: Attachment) -> FileView:
    image = row.kind == IMAGE
    return FileView(
        id=row.id,
        name=row.name,
        size=row.size,
        content_type=row.content_type,
        kind=row.kind,
        width=row.width or 0,
        height=row.height or 0,
        thumb_width=row.thumb_width or 0,
        thumb_height=row.thumb_height or 0,
        size_label=human_size(row.size),
        url=path(row.id, FULL, row.name),
        thumb_url=path(row.id, THUMB, row.name) if image else "",
        download_url=path(row.id, FULL, row.name, download=True),
    )


def clean_name(typed: str) -> str:
    """The name to show: the last part of what the browser sent (no folders), without hidden characters,
    normalised, at most NAME_MAX_CHARS; "file" when nothing is left. Never used as a path."""
    name = typed if isinstance(typed, str) else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", without_hidden(name, allowed="")).strip().strip(".")
    if len(name) > NAME_MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:NAME_MAX_CHARS]
    return name or "file"


def human_size(size: int, up: bool = False) -> str:
    """`size` bytes for people: 512 bytes, 1.5 KB, 25 MB (`up`: tenths rounded up, so a file just over a
    limit never reads as the limit itself)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            tenths = math.ceil(size * 10 / factor) if up else round(size * 10 / factor)
            return f"{tenths / 10:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def too_big(name: str, size: int) -> FileRefused:
    limit = human_size(settings.FILE_MAX_BYTES)
    return FileRefused(f"“{clean_name(name)}” is {human_size(size, up=True)}; the limit is {limit} per file.")


def sniff(head: bytes) -> str:
    """The type of a file from its first bytes (`filetype`'s signatures); text that decodes as UTF-8 is
    text/plain, anything else unknown application/octet-stream. The name and the browser's word are ignored."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    with contextlib.suppress(UnicodeDecodeError):
        # A chunk may end inside a character: ignore a cut-off last one.
        head.decode("utf-8") if len(head) < SNIFF_BYTES else head[:-4].decode("utf-8")
        return "text/plain"
    return "application/octet-stream"


@dataclass(frozen=True)
class Processed:
    """A re-encoded image: the full-size copy and the thumbnail (temporary files) and their sizes."""

    full: Path
    thumb: Path
    width: int
    height: int
    thumb_width: int
    thumb_height: int


def _save(image: Image.Image, fmt: str, target: Path, animated: bool) -> None:
    # zlib's default level, not PNG's `optimize` (level 9 and more tries): a third less CPU per image for
    # files ~5 % larger, and the CPU is what every live delivery shares while an upload is re-encoded.
    options: dict = {} if fmt in ("PNG", "GIF") else {"quality": 88}
    if animated:
        options["save_all"] = True
    image.save(target, format=fmt, **options)


def _lower_priority() -> None:
    # Linux schedules each thread on its own: the image thread alone becomes SCHED_IDLE, run when a CPU would
    # otherwise idle and preempted at once by any other thread (the event loop, the database threads) waking
    # up; under full load it still gets a sliver, so an upload is slow, never stuck. Nice 10 instead left
    # p99 ~25 % worse in the images bench; SCHED_IDLE 1-30 % (bench.run images, README).
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))


@functools.cache
def _images() -> ThreadPoolExecutor:
    # Threads, not processes: Pillow decodes, resizes and encodes without holding the GIL, and a thread costs
    # neither a second interpreter's memory nor its start (a spawned process imported the app: ~1 s of CPU).
    return ThreadPoolExecutor(settings.IMAGE_THREADS, thread_name_prefix="images", initializer=_lower_priority)


def in_image_thread(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on the image threads (settings.IMAGE_THREADS), waited for; here if there are none."""
    if settings.IMAGE_THREADS <= 0:
        return fn(*args)
    return _images().submit(fn, *args).result()


def reencoded(source: Path, content_type: str, scratch: Path) -> Processed | None:
    """`reencode` on the image threads, for the safe image types (None for the rest)."""
    if content_type not in SAFE_IMAGES:
        return None
    return in_image_thread(reencode, source, content_type, scratch)


def reencode(source: Path, content_type: str, scratch: Path) -> Processed | None:
    """A safe raster image re-encoded by Pillow: turned upright by its EXIF orientation, then saved with no
    EXIF, XMP, comments or text chunks (nothing of the uploader's metadata, location included), and a
    thumbnail fitting THUMBNAIL_BOX. None when it is not a decodable image of that type, or too large."""
    fmt = SAFE_IMAGES.get(content_type)
    if fmt is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.format != fmt or opened.width * opened.height > settings.IMAGE_MAX_PIXELS:
                    return None
                animated = bool(getattr(opened, "is_animated", False)) and fmt in ("GIF", "WEBP")
                full = Path(tempfile.mkstemp(dir=scratch, suffix=".full")[1])
                if animated:
                    first, *rest = [_plain(ImageOps.exif_transpose(frame.copy()), fmt) for frame in _frames(opened)]
                    first.save(full, format=fmt, save_all=True, append_images=rest, loop=0, duration=_duration(opened))
                    upright = first
                else:
                    ImageOps.exif_transpose(opened, in_place=True)  # decoded and turned, with no copy made
                    upright = _plain(opened, fmt)
                    _save(upright, fmt, full, False)
                width, height = upright.size
                # The full image is saved: the thumbnail is made from it in place (no copy of the full image).
                upright.thumbnail(settings.THUMBNAIL_BOX)
                thumb = Path(tempfile.mkstemp(dir=scratch, suffix=".thumb")[1])
                _save(upright, "PNG" if fmt in ("PNG", "GIF") else fmt, thumb, False)
                return Processed(full, thumb, width, height, upright.width, upright.height)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None


def warm_up(db: Session) -> None:
    """At start: the image thread started and Pillow's formats loaded (a tiny image of each safe type
    re-encoded), and the upload path's reads compiled, so the first upload after a start costs what every
    other does (cold, the first ones put ~150 ms on the messages sent beside them). Nothing is written."""
    scratch = storage.default().scratch()
    for content_type, fmt in SAFE_IMAGES.items():
        handle, sample = tempfile.mkstemp(dir=scratch, suffix=".warm")
        with open(handle, "wb") as file:
            Image.new("RGB", (8, 8)).save(file, format=fmt)
        processed = reencoded(Path(sample), content_type, scratch)
        for made in (Path(sample), *((processed.full, processed.thumb) if processed else ())):
            made.unlink(missing_ok=True)
    now = utcnow()
    db.get(Room, 0)
    uploaded_today(db, 0, now)
    files_of(db, [0])
    ticket_user(db, "0" * 43, UPLOAD, now)
    db.rollback()


def _frames(image: Image.Image) -> Iterable[Image.Image]:
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        yield image


def _duration(image: Image.Image) -> int:
    return int(image.info.get("duration", 100) or 100)


def _plain(image: Image.Image, fmt: str) -> Image.Image:
    """`image` with no metadata riding along (its own `info` cut down, or a converted copy's), in a mode `fmt`
    can save. Only what is in `info` and passed to save is written: Pillow writes EXIF, XMP and text only when
    asked, and `_save` never asks."""
    kept = {key: value for key, value in image.info.items() if key in ("transparency", "duration", "loop")}
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P")
    image.info = kept
    return image


def _check_room(db: Session, user_id: int, room_id: int) -> None:
    """Uploads go where the user may post; to anyone else the room does not exist."""
    from djangochat_rx.rooms import RoomNotFound

    room = db.get(Room, room_id) if isinstance(room_id, int) else None
    if room is None or not access.can_read(db, user_id, room):
        db.rollback()
        raise RoomNotFound()
    if not access.can_post(db, user_id, room):
        db.rollback()
        raise FileRefused("This room is archived; nobody can post in it.")


def uploaded_today(db: Session, user_id: int, now: datetime) -> int:
    """Bytes the user uploaded in the last 24 hours (an index range on (owner_id, created_at))."""
    since = now - timedelta(days=1)
    return db.exec(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.owner_id == user_id, Attachment.created_at > since
        )
    ).one()


def _check_daily(db: Session, user_id: int, size: int, now: datetime) -> None:
    """FileRefused (and the transaction ended) if `size` more bytes would take the user past FILE_DAILY_BYTES."""
    used = uploaded_today(db, user_id, now)
    if used + size > settings.FILE_DAILY_BYTES:
        db.rollback()
        raise FileRefused(
            f"You have uploaded {human_size(used)} today; the limit is {human_size(settings.FILE_DAILY_BYTES)} a day."
        )


def check_upload(db: Session, user_id: int, room_id: int, name: str, size: int, now: datetime | None = None) -> None:
    """Refuse before reading the body: no such room for this user, too big, or over the day's total."""
    now = now or utcnow()
    _check_room(db, user_id, room_id)
    if size > settings.FILE_MAX_BYTES:
        db.rollback()
        raise too_big(name, size)
    _check_daily(db, user_id, size, now)
    db.rollback()


def store(
    db: Session,
    user_id: int,
    room_id: int,
    name: str,
    upload: Path,
    now: datetime | None = None,
    into: storage.Storage | None = None,
) -> FileView:
    """Keep the finished upload at `upload` (a temporary file, moved away or deleted by this) as an unbound
    attachment of the user in `room_id`, after checking the room and the limits again."""
    into = into or storage.default()
    now = now or utcnow()
    made: list[Path] = [upload]
    key = storage.new_key()
    try:
        size = upload.stat().st_size
        check_upload(db, user_id, room_id, name, size, now)
        with open(upload, "rb") as file:
            content_type = sniff(file.read(SNIFF_BYTES))
        processed = reencoded(upload, content_type, into.scratch())
        row = Attachment(
            owner_id=user_id,
            room_id=room_id,
            name=clean_name(name),
            size=size,
            content_type=content_type,
            kind=FILE,
            storage_key=key,
            created_at=now,
        )
        if processed is None:
            into.put(key, FULL, upload)
        else:
            made += [processed.full, processed.thumb]
            into.put(key, FULL, processed.full)
            into.put(key, THUMB, processed.thumb)
            row.kind, row.size = IMAGE, into.size(key, FULL) or size
            row.width, row.height = processed.width, processed.height
            row.thumb_width, row.thumb_height = processed.thumb_width, processed.thumb_height
        # The day's total is counted again and the row added in one write transaction, serialised per user
        # (SQLite's write lock; the user's row lock elsewhere): two uploads at once cannot both pass it.
        database.begin_write(db)
        db.exec(select(User.id).where(User.id == user_id).with_for_update()).one()
        _check_daily(db, user_id, row.size, now)
        db.add(row)
        db.commit()
        return view(row)
    except BaseException:
        db.rollback()
        into.delete(key)
        raise
    finally:
        for leftover in made:
            leftover.unlink(missing_ok=True)


def bind(
    db: Session, user_id: int, room_id: int, message_id: int, file_ids: Iterable[int], now: datetime | None = None
) -> int:
    """In the posting transaction: attach the user's own unbound uploads `file_ids` of this room to the
    message; FileRefused (and nothing written by the caller's commit) if one of them is not such an upload,
    or was uploaded more than FILE_UNBOUND_HOURS ago (the sweep's to remove)."""
    cutoff = (now or utcnow()) - timedelta(hours=settings.FILE_UNBOUND_HOURS)
    ids = sorted({file_id for file_id in file_ids if isinstance(file_id, int)})
    if not ids:
        return 0
    if len(ids) > settings.FILES_PER_MESSAGE:
        raise FileRefused(f"A message takes at most {settings.FILES_PER_MESSAGE} files.")
    bound = db.execute(
        update(Attachment)
        .where(
            col(Attachment.id).in_(ids),
            Attachment.owner_id == user_id,
            Attachment.room_id == room_id,
            col(Attachment.message_id).is_(None),
            col(Attachment.discarded_at).is_(None),
            col(Attachment.created_at) > cutoff,
        )
        .values(message_id=message_id)
    ).rowcount
    if bound != len(ids):
        raise FileRefused("A file is no longer there (removed, or uploaded too long ago); attach it again.")
    return bound


def check_count(file_ids: Iterable[int]) -> list[int]:
    """The file ids of a send, at most FILES_PER_MESSAGE of them."""
    ids = list(dict.fromkeys(file_id for file_id in file_ids if isinstance(file_id, int)))
    if len(ids) > settings.FILES_PER_MESSAGE:
        raise FileRefused(f"A message takes at most {settings.FILES_PER_MESSAGE} files.")
    return ids


def files_of(db: Session, message_ids: Iterable[int]) -> dict[int, tuple[FileView, ...]]:
    """The files of these messages, by message id, in upload order (one query)."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = db.exec(
        select(Attachment)
        .where(col(Attachment.message_id).in_(ids), col(Attachment.discarded_at).is_(None))
        .order_by(col(Attachment.id))
    ).all()
    grouped: dict[int, list[FileView]] = defaultdict(list)
    for row in rows:
        grouped[row.message_id].append(view(row))
    return {message_id: tuple(files) for message_id, files in grouped.items()}


def pending(
    db: Session, user_id: int, room_id: int, file_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[FileView]:
    """The user's own uploads to this room not yet posted nor abandoned (what a tab may still attach), in
    upload order: those of `file_ids`, or without them the first FILES_PER_MESSAGE (a page load shows
    them in the message box again)."""
    cutoff = (now or utcnow()) - timedelta(hours=settings.FILE_UNBOUND_HOURS)
    query = (
        select(Attachment)
        .where(
            Attachment.owner_id == user_id,
            Attachment.room_id == room_id,
            col(Attachment.message_id).is_(None),
            col(Attachment.discarded_at).is_(None),
            col(Attachment.created_at) > cutoff,
        )
        .order_by(col(Attachment.id))
    )
    if file_ids is None:
        query = query.limit(settings.FILES_PER_MESSAGE)
    else:
        ids = [file_id for file_id in file_ids if isinstance(file_id, int)]
        if not ids:
            return []
        query = query.where(col(Attachment.id).in_(ids))
    rows = db.exec(query).all()
    db.rollback()
    return [view(row) for row in rows]


def discard_unposted(db: Session, user_id: int, file_id: int, into: storage.Storage | None = None) -> None:
    """The uploader takes back an upload not yet posted: its bytes go at once."""
    database.begin_write(db)
    row = db.exec(
        select(Attachment).where(
            Attachment.id == file_id, Attachment.owner_id == user_id, col(Attachment.message_id).is_(None)
        )
    ).first()
    if row is None:
        db.rollback()
        return
    key = row.storage_key
    db.delete(row)
    db.commit()
    (into or storage.default()).delete(key)


def discard(db: Session, message_id: int, now: datetime) -> list[str]:
    """In the caller's transaction (a message is deleted): its files are no longer served; their storage
    keys, for `forget` after the commit (the sweep removes any left behind)."""
    keys = list(
        db.exec(
            select(Attachment.storage_key).where(
                Attachment.message_id == message_id, col(Attachment.discarded_at).is_(None)
            )
        ).all()
    )
    if keys:
        db.execute(update(Attachment).where(col(Attachment.message_id) == message_id).values(discarded_at=now))
    return keys


def forget(db: Session, keys: Iterable[str], into: storage.Storage | None = None) -> None:
    """After the commit that discarded them: delete these files' bytes and rows."""
    keys = list(keys)
    if not keys:
        return
    into = into or storage.default()
    for key in keys:
        into.delete(key)
    database.begin_write(db)
    db.execute(delete(Attachment).where(col(Attachment.storage_key).in_(keys)))
    db.commit()


def sweep(db: Session, now: datetime | None = None, into: storage.Storage | None = None, batch: int = 500) -> int:
    """Remove what nobody can reach any more: uploads never posted within FILE_UNBOUND_HOURS, files of
    deleted messages and of deleted rooms, and expired media tickets. How many files went."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=settings.FILE_UNBOUND_HOURS)
    # The abandoned uploads are marked discarded first, in a write transaction of their own: a message
    # posted meanwhile either bound one before (then it is not abandoned) or finds it discarded (bind), so
    # no message ever shows a file whose bytes this removes.
    database.begin_write(db)
    db.execute(
        update(Attachment)
        .where(
            col(Attachment.message_id).is_(None),
            col(Attachment.discarded_at).is_(None),
            col(Attachment.created_at) < cutoff,
        )
        .values(discarded_at=now)
    )
    db.commit()
    gone = or_(col(Attachment.discarded_at).is_not(None), col(Attachment.room_id).is_(None))
    keys = list(db.exec(select(Attachment.storage_key).where(gone).limit(batch)).all())
    db.rollback()
    forget(db, keys, into)
    database.begin_write(db)
    db.execute(delete(MediaTicket).where(col(MediaTicket.expires_at) < now))
    db.commit()
    return len(keys)


def sweeping() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, `sweep` every FILE_SWEEP_SECONDS on the database's threads (a lifespan task)."""

    async def job() -> None:
        await database.run(sweep)

    return periodic.every(settings.FILE_SWEEP_SECONDS, job, "file-sweep")


@dataclass(frozen=True)
class Stored:
    """What the file route needs to serve an attachment's bytes."""

    id: int
    name: str
    kind: str
    content_type: str
    storage_key: str


def readable(db: Session, user_id: int, attachment_id: int) -> Stored | None:
    """The attachment if `user_id` may fetch it: a posted file of a room they may read (access.py), or their
    own upload not yet posted; None otherwise (a private room's file and a made-up id look the same)."""
    row = db.get(Attachment, attachment_id) if isinstance(attachment_id, int) else None
    found = None
    if row is not None and access.can_read_file(db, user_id, row):
        found = Stored(row.id, row.name, row.kind, row.content_type, row.storage_key)
    db.rollback()
    return found


@dataclass(frozen=True)
class RoomFile:
    """A line of a room's Files panel: the file, who posted it and when, and its message (to jump to)."""

    file: FileView
    author: str
    created_at: str
    message_id: int
    room_id: int


def posted(message) -> list[RoomFile]:
    """The Files panel's lines for a message just posted (`message`: a messages.MessageView), newest first."""
    return [
        RoomFile(file, message.author, message.created_at, message.id, message.room_id)
        for file in reversed(message.files)
    ]


def room_files(
    db: Session, user_id: int, room_id: int, kind: str = "", limit: int = FILES_PANEL_LIMIT
) -> list[RoomFile]:
    """The room's posted files, newest first (`kind`: "image" or "file" only), if the user may read it."""
    from djangochat_rx.rooms import RoomNotFound

    if not access.can_read_id(db, user_id, room_id):
        db.rollback()
        raise RoomNotFound()
    query = (
        select(Attachment, User.username, Message.created_at)
        .join(Message, col(Message.id) == Attachment.message_id)
        .join(User, col(User.id) == Attachment.owner_id)
        .where(Attachment.room_id == room_id, col(Attachment.discarded_at).is_(None))
        .order_by(col(Attachment.id).desc())
        .limit(limit)
    )
    if kind in (IMAGE, FILE):
        query = query.where(Attachment.kind == kind)
    rows = db.exec(query).all()
    db.rollback()
    return [RoomFile(view(row), author, as_utc(at).isoformat(), row.message_id, room_id) for row, author, at in rows]


# --- media tickets: how a tab's plain HTTP requests for files prove its session --------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ticket(db: Session, session_id: int, purpose: str, current: str = "", now: datetime | None = None) -> str:
    """The tab's ticket for `purpose` ("view" or "upload"): `current` if it is still this session's and
    has more than half its life left, else a new one (32 random bytes; we store only its SHA-256)."""
    now = now or utcnow()
    life = timedelta(hours=settings.MEDIA_TICKET_HOURS)
    if current:
        expires = db.exec(
            select(MediaTicket.expires_at).where(
                MediaTicket.token_hash == _hash(current),
                MediaTicket.session_id == session_id,
                MediaTicket.purpose == purpose,
            )
        ).first()
        db.rollback()
        if expires is not None and as_utc(expires) - now > life / 2:
            return current
    token = secrets.token_urlsafe(32)
    database.begin_write(db)
    db.add(MediaTicket(session_id=session_id, purpose=purpose, token_hash=_hash(token), expires_at=now + life))
    db.commit()
    return token


def tickets(db: Session, session_id: int, view: str = "", upload: str = "") -> tuple[str, str]:
    """A tab's view and upload tickets (the ones it holds, while good; else new ones)."""
    return ticket(db, session_id, VIEW, view), ticket(db, session_id, UPLOAD, upload)


def ticket_user(db: Session, token: str, purpose: str, now: datetime | None = None) -> int | None:
    """The user behind a live ticket for `purpose` (its session still live, its user active); else None."""
    from djangochat_rx import sessions

    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = db.exec(
        select(MediaTicket.expires_at, UserSession.id, UserSession.user_id)
        .join(UserSession, col(UserSession.id) == MediaTicket.session_id)
        .where(MediaTicket.token_hash == _hash(token), MediaTicket.purpose == purpose)
    ).first()
    db.rollback()
    if row is None or as_utc(row[0]) <= now:
        return None
    _, session_id, user_id = row
    return user_id if session_id in sessions.live(db, [session_id]) else None
