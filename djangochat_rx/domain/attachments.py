"""Files and images in messages: limits, what a file is (from its bytes), images re-encoded without their
metadata, binding to a message when it is posted, who may fetch them, the room's files, and the sweep.

An upload goes to a room before its message exists: the upload route (files.py) counts it as on its way
(`receiving`: a few at once per user, its bytes charged to the day's budget while they stream in), streams
it to a temporary file, and `prepare` sniffs the type and re-encodes a safe raster image (PNG, JPEG, GIF,
WebP) with Pillow into a full-size copy and a thumbnail with no EXIF (no location), on the image threads
awaited from the event loop (images.py: a bounded queue, `ImagesBusy` past it), never on a database thread. `keep`
then checks the room and the limits again and saves an unbound Attachment in one short transaction.
`bind` attaches the uploader's own unbound uploads of that room to the message being posted, in its
transaction; what is never posted is swept after FILE_UNBOUND_HOURS. Every byte served is asked for
through `readable` (access.py's rules); a tab's requests prove their session with media tickets (tickets.py).
"""

import asyncio
import contextlib
import math
import os
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import filetype
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, images, link_previews, tickets
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.infra import periodic, storage
from djangochat_rx.models import Attachment, MediaTicket, Message, Room, User, as_utc, utcnow

IMAGE, FILE = "image", "file"
FULL, THUMB = "full", "thumb"
NAME_MAX_CHARS = 255
# How many bytes sniffing looks at (filetype reads at most 261).
SNIFF_BYTES = 8192
# The most files a room's Files panel lists (newest first).
FILES_PANEL_LIMIT = 50


class FileRefused(Exception):
    """An upload or attachment the rules refuse; the text is safe to show to the user."""


class UploadsBusy(Exception):
    """The user already has UPLOADS_PER_USER_AT_ONCE uploads on their way; the text is safe to show."""

    def __init__(self) -> None:
        super().__init__("Your other uploads are still on their way. Wait for them, then try again.")


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


def warm_up(db: Session) -> None:
    """At start: the image threads warmed up (images.warm_up) and the upload path's reads compiled, so the
    first upload after a start costs what every other does (cold, the first ones put ~150 ms on the messages
    sent beside them). Nothing is written."""
    images.warm_up(storage.default().scratch())
    now = utcnow()
    db.get(Room, 0)
    uploaded_today(db, 0, now)
    files_of(db, [0])
    tickets.ticket_user(db, "0" * 43, tickets.UPLOAD, now)
    db.rollback()


def _check_room(db: Session, user_id: int, room_id: int) -> None:
    """Uploads go where the user may post; to anyone else the room does not exist."""
    from djangochat_rx.domain.rooms import RoomNotFound

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


def check_day(used: int, size: int) -> None:
    """FileRefused if `size` more bytes would take a user who has `used` (kept today and on their way) past
    FILE_DAILY_BYTES."""
    if used + size > settings.FILE_DAILY_BYTES:
        raise FileRefused(
            f"You have uploaded {human_size(used)} today; the limit is {human_size(settings.FILE_DAILY_BYTES)} a day."
        )


def _check_daily(db: Session, user_id: int, size: int, now: datetime, in_flight: int = 0) -> int:
    """The bytes the user kept today; FileRefused (and the transaction ended) if `size` more, besides
    `in_flight` bytes of their other uploads on their way, would take them past FILE_DAILY_BYTES."""
    kept = uploaded_today(db, user_id, now)
    try:
        check_day(kept + in_flight, size)
    except FileRefused:
        db.rollback()
        raise
    return kept


def check_upload(
    db: Session, user_id: int, room_id: int, name: str, size: int, in_flight: int = 0, now: datetime | None = None
) -> int:
    """Refuse before reading the body: no such room for this user, too big, or over the day's total with the
    user's other uploads on their way (`in_flight` bytes). The bytes the user kept today."""
    now = now or utcnow()
    _check_room(db, user_id, room_id)
    if size > settings.FILE_MAX_BYTES:
        db.rollback()
        raise too_big(name, size)
    kept = _check_daily(db, user_id, size, now, in_flight)
    db.rollback()
    return kept


@dataclass(eq=False)
class Receiving:
    """An upload this process is receiving for `user_id`, and the bytes it may add to their day: what it
    declared, or what has arrived when that is more."""

    user_id: int
    bytes: int = 0


# The uploads on their way in this process, by user (one worker's count: each worker has its own).
_receiving: dict[int, list[Receiving]] = {}


@contextlib.contextmanager
def receiving(user_id: int) -> Iterator[Receiving]:
    """Count an upload as on its way for as long as the block runs (receiving, re-encoding, keeping): its
    bytes are charged to the day's budget of the user's other uploads; UploadsBusy, at once, when the user
    already has UPLOADS_PER_USER_AT_ONCE on their way."""
    mine = _receiving.setdefault(user_id, [])
    if len(mine) >= settings.UPLOADS_PER_USER_AT_ONCE:
        raise UploadsBusy()
    upload = Receiving(user_id)
    mine.append(upload)
    try:
        yield upload
    finally:
        mine.remove(upload)
        if not mine:
            _receiving.pop(user_id, None)


def in_flight(user_id: int, besides: Receiving | None = None) -> int:
    """The bytes of the user's uploads on their way in this process (all but `besides`)."""
    return sum(upload.bytes for upload in _receiving.get(user_id, ()) if upload is not besides)


@dataclass(frozen=True)
class Prepared:
    """A received upload ready to keep: its temporary file, size and sniffed type, and the re-encoded image
    (None: a plain file, kept as it came)."""

    source: Path
    size: int
    content_type: str
    image: images.Processed | None = None

    def files(self) -> list[Path]:
        """The temporary files it holds (each moved into storage by `keep`, or removed)."""
        return [self.source, *((self.image.full, self.image.thumb) if self.image else ())]


def _sniffed(source: Path) -> tuple[int, str]:
    with open(source, "rb") as file:
        return os.fstat(file.fileno()).st_size, sniff(file.read(SNIFF_BYTES))


async def prepare(source: Path, scratch: Path) -> Prepared:
    """The finished upload at `source` sniffed and, if it is a safe image, re-encoded on the image threads
    (in_image_threads: images.ImagesBusy when their queue is full); no database thread is held meanwhile."""
    size, content_type = await asyncio.to_thread(_sniffed, source)
    image = (
        await images.in_image_threads(images.reencode, source, content_type, scratch)
        if content_type in images.SAFE_IMAGES
        else None
    )
    return Prepared(source, size, content_type, image)


def put(prepared: Prepared, key: str, into: storage.Storage) -> dict:
    """Put a prepared upload's files into storage under `key`: the Attachment fields they decide (its kind and
    size, an image's and its thumbnail's dimensions)."""
    image = prepared.image
    if image is None:
        into.put(key, FULL, prepared.source)
        return {"kind": FILE, "size": prepared.size}
    into.put(key, FULL, image.full)
    into.put(key, THUMB, image.thumb)
    return {
        "kind": IMAGE,
        "size": into.size(key, FULL) or prepared.size,
        "width": image.width,
        "height": image.height,
        "thumb_width": image.thumb_width,
        "thumb_height": image.thumb_height,
    }


def keep(
    db: Session,
    user_id: int,
    room_id: int,
    name: str,
    prepared: Prepared,
    in_flight: int = 0,
    now: datetime | None = None,
    into: storage.Storage | None = None,
) -> FileView:
    """Keep a prepared upload (its temporary files moved away or deleted by this) as an unbound attachment of
    the user in `room_id`, after checking the room and the limits again (with `in_flight` bytes of the user's
    other uploads on their way): one short write transaction."""
    into = into or storage.default()
    now = now or utcnow()
    key = storage.new_key()
    try:
        check_upload(db, user_id, room_id, name, prepared.size, in_flight, now)
        row = Attachment(
            owner_id=user_id,
            room_id=room_id,
            name=clean_name(name),
            content_type=prepared.content_type,
            storage_key=key,
            created_at=now,
            **put(prepared, key, into),
        )
        # The day's total is counted again and the row added in one write transaction, serialised per user
        # (SQLite's write lock; the user's row lock elsewhere): two uploads at once cannot both pass it.
        database.begin_write(db)
        db.exec(select(User.id).where(User.id == user_id).with_for_update()).one()
        _check_daily(db, user_id, row.size, now, in_flight)
        db.add(row)
        db.commit()
        return view(row)
    except BaseException:
        db.rollback()
        into.delete(key)
        raise
    finally:
        for leftover in prepared.files():
            leftover.unlink(missing_ok=True)


def store(
    db: Session,
    user_id: int,
    room_id: int,
    name: str,
    upload: Path,
    now: datetime | None = None,
    into: storage.Storage | None = None,
) -> FileView:
    """`prepare` and `keep` in one go on the calling thread, for callers that are not the upload route (tests,
    scripts): the route re-encodes on the image threads so that no database thread waits for an image."""
    into = into or storage.default()
    size, content_type = _sniffed(upload)
    try:
        check_upload(db, user_id, room_id, name, size, 0, now)  # refused before the image is decoded
        prepared = Prepared(upload, size, content_type, images.reencode(upload, content_type, into.scratch()))
    except BaseException:
        upload.unlink(missing_ok=True)
        raise
    return keep(db, user_id, room_id, name, prepared, now=now, into=into)


def prepare_here(source: Path, scratch: Path) -> Prepared:
    """`prepare` on the calling thread, for an import's own process (slack_import.py): the same sniffing and
    re-encoding as an upload's; FileRefused past FILE_MAX_BYTES (the temporary file is then removed)."""
    size, content_type = _sniffed(source)
    if size > settings.FILE_MAX_BYTES:
        source.unlink(missing_ok=True)
        raise too_big(source.name, size)
    return Prepared(source, size, content_type, images.reencode(source, content_type, scratch))


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
    deleted messages and of deleted rooms, expired media tickets, link previews' cards no message shows
    (link_previews.sweep), and the temporary files of uploads cut off more than FILE_SCRATCH_MINUTES ago. How
    many attachments' files went."""
    now = now or utcnow()
    into = into or storage.default()
    into.sweep_scratch((now - timedelta(minutes=settings.FILE_SCRATCH_MINUTES)).timestamp())
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
    link_previews.sweep(db, now, into)
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
    from djangochat_rx.domain.rooms import RoomNotFound

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
