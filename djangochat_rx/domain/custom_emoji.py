"""Custom emoji: a picture a member uploads under a name, used as `:name:` in messages and as a reaction.

A name is 2-32 of a-z, 0-9, "_", "+" and "-" (what Slack's names hold, lower-cased). Who may add one is the
administrators' choice on the admin page (SiteSetting ADDERS_KEY: members, that is everyone but guests and bots, or
administrators only), the operator's CUSTOM_EMOJI_ADDERS until they choose; an instance holds at most
CUSTOM_EMOJI_MAX. The upload (at most CUSTOM_EMOJI_MAX_BYTES) is decoded by Pillow within
CUSTOM_EMOJI_MAX_SOURCE_PIXELS, its first frame only (an animated GIF is flattened), and saved again as a PNG
within CUSTOM_EMOJI_PIXELS square, with none of the uploader's metadata. Its maker or an administrator
removes it (an administrator's removal of someone else's is audited); the row and the picture go, and every
`:name:` shows as text again (markup.py renders every name-shaped `:name:` the same whether or not it exists;
the page draws the pictures it knows, components/custom_emoji.py).
"""

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import audit, images
from djangochat_rx.infra import storage
from djangochat_rx.models import CustomEmoji, SiteSetting, User

# A name as stored and as typed between colons (markup.py and reactions.py find `:name:` with it).
NAME = r"[a-z0-9_+-]{2,32}"
_NAME = re.compile(NAME)
SHORTCODE = re.compile(rf":({NAME}):")
# The stored picture's variant in storage.py.
VARIANT = "png"
# Who may add custom emoji (the admin page's choice, a SiteSetting; CUSTOM_EMOJI_ADDERS while it has none).
ADDERS_KEY = "custom_emoji_adders"
ADDERS_LABELS: dict[str, str] = {"members": "Members", "admins": "Administrators only"}
# What one who may not add is told, by who may (the account page's sentence, and the refusal).
WHO_ADDS: dict[str, str] = {
    "members": "Members add custom emoji here; guests and bots do not.",
    "admins": "Only administrators add custom emoji here.",
}


class EmojiRefused(Exception):
    """An emoji that cannot be added or removed; the text is safe to show."""


class EmojiNotFound(EmojiRefused):
    def __init__(self) -> None:
        super().__init__("There is no custom emoji by that name.")


@dataclass(frozen=True)
class EmojiView:
    """A custom emoji as the account page lists it: its name, picture URL and who added it."""

    name: str
    url: str
    added_by: str


def url(name: str, key: str) -> str:
    """Where a picture is fetched (files.serve_emoji; a new picture gets a new key, so the bytes never change)."""
    return f"/_files/emoji/{name}/{key}"


def check_name(typed: str) -> str:
    """The name `typed` asks for (colons around it dropped, lower-cased), or EmojiRefused."""
    name = typed.strip().strip(":").lower() if isinstance(typed, str) else ""
    if not _NAME.fullmatch(name):
        raise EmojiRefused("A name is 2 to 32 letters a-z, digits, “_”, “+” or “-”.")
    return name


def name_from_file(file_name: str) -> str:
    """A name made from an uploaded file's name ("Party Parrot.gif" -> "party_parrot"), "" when none fits."""
    stem = file_name.rsplit(".", 1)[0].lower() if isinstance(file_name, str) else ""
    name = re.sub(r"[^a-z0-9_+-]+", "_", stem).strip("_")[:32]
    return name if _NAME.fullmatch(name) else ""


def shortcode_name(text: str) -> str | None:
    """The name in a reaction's `:name:`, or None when `text` is not one."""
    found = SHORTCODE.fullmatch(text) if isinstance(text, str) else None
    return found.group(1) if found else None


def emoji_map(db: Session) -> dict[str, str]:
    """Name -> picture URL of every custom emoji, as every signed-in page learns them (one query)."""
    rows = db.exec(select(CustomEmoji.name, CustomEmoji.storage_key).order_by(col(CustomEmoji.name))).all()
    db.rollback()
    return {name: url(name, key) for name, key in rows}


def listed(db: Session) -> list[EmojiView]:
    """Every custom emoji with who added it, by name (the account page's list)."""
    rows = db.exec(
        select(CustomEmoji.name, CustomEmoji.storage_key, User.username)
        .join(User, col(User.id) == CustomEmoji.created_by_id, isouter=True)
        .order_by(col(CustomEmoji.name))
    ).all()
    db.rollback()
    return [EmojiView(name, url(name, key), added_by or "") for name, key, added_by in rows]


def existing(db: Session, names: set[str]) -> set[str]:
    """Which of `names` are custom emoji now."""
    if not names:
        return set()
    return set(db.exec(select(CustomEmoji.name).where(col(CustomEmoji.name).in_(names))).all())


def current_key(db: Session, name: str) -> str | None:
    key = db.exec(select(CustomEmoji.storage_key).where(CustomEmoji.name == name)).first()
    db.rollback()
    return key


def adders(db: Session) -> str:
    """Who may add custom emoji ("members" or "admins"): the administrators' choice (admin.choose_emoji_adders),
    else the operator's CUSTOM_EMOJI_ADDERS."""
    stored = db.exec(select(SiteSetting.value).where(SiteSetting.key == ADDERS_KEY)).first()
    if stored in ADDERS_LABELS:
        return stored
    return "admins" if settings.CUSTOM_EMOJI_ADDERS == "admins" else "members"


def may_add(db: Session, user_id: int) -> bool:
    """Whether the user may add custom emoji: an administrator always; when members may (adders), any active
    account but a guest or a bot."""
    user = db.get(User, user_id)
    allowed = (
        user is not None
        and user.is_active
        and (user.is_admin or (adders(db) == "members" and not user.is_guest and not user.is_bot))
    )
    return allowed


def _check_add(db: Session, user_id: int, name: str) -> None:
    if not may_add(db, user_id):
        raise EmojiRefused(WHO_ADDS[adders(db)])
    if db.exec(select(CustomEmoji.id).where(CustomEmoji.name == name)).first() is not None:
        raise EmojiRefused(f"There is already a custom emoji called :{name}:.")
    if db.exec(select(func.count()).select_from(CustomEmoji)).one() >= settings.CUSTOM_EMOJI_MAX:
        raise EmojiRefused(f"This server holds at most {settings.CUSTOM_EMOJI_MAX} custom emoji; remove one first.")


def check_add(db: Session, user_id: int, typed: str) -> str:
    """Before an upload is read: the name it would take, or EmojiRefused (not allowed, the name taken or not a
    name, the instance full). Checked again when it is kept."""
    name = check_name(typed)
    try:
        _check_add(db, user_id, name)
    finally:
        db.rollback()
    return name


def shrink(source: Path, scratch: Path) -> tuple[Path, int, int]:
    """The picture's first frame within CUSTOM_EMOJI_PIXELS square, as a PNG with no metadata (a temporary file
    in `scratch`) and its size; EmojiRefused for a file too big, not a PNG, JPEG, GIF or WebP, of more than
    CUSTOM_EMOJI_MAX_SOURCE_PIXELS (checked before decoding) or that does not decode."""
    if source.stat().st_size > settings.CUSTOM_EMOJI_MAX_BYTES:
        raise EmojiRefused(f"An emoji's picture is at most {settings.CUSTOM_EMOJI_MAX_BYTES // 1024} KB.")
    picture = images.first_frame_upright(
        source, settings.CUSTOM_EMOJI_MAX_SOURCE_PIXELS, EmojiRefused, "an emoji's is at most {} megapixels"
    )
    box = settings.CUSTOM_EMOJI_PIXELS
    picture.thumbnail((box, box), Image.Resampling.LANCZOS)
    picture.info = {}
    made = Path(tempfile.mkstemp(dir=scratch, suffix=".emoji")[1])
    try:
        picture.save(made, format="PNG", optimize=True)
    except BaseException:
        made.unlink(missing_ok=True)
        raise
    return made, picture.width, picture.height


async def shrunk(source: Path, scratch: Path) -> tuple[Path, int, int]:
    """`shrink` on the image threads, awaited from the event loop (images.ImagesBusy when they are full)."""
    return await images.in_image_threads(shrink, source, scratch)


def add(
    db: Session, user_id: int, name: str, png: Path, width: int, height: int, into: storage.Storage | None = None
) -> str:
    """Keep the picture `shrink` made (a temporary file, moved away or removed by this) as the custom emoji
    `name`, in one short write transaction that checks again who may add, the name and the cap; its URL."""
    into = into or storage.default()
    name = check_name(name)
    key = storage.new_key()
    try:
        into.put(key, VARIANT, png)
        database.begin_write(db)
        _check_add(db, user_id, name)
        db.add(CustomEmoji(name=name, storage_key=key, width=width, height=height, created_by_id=user_id))
        db.commit()
    except IntegrityError:  # the same name added at once: the first one stands
        db.rollback()
        into.delete(key)
        raise EmojiRefused(f"There is already a custom emoji called :{name}:.") from None
    except BaseException:
        db.rollback()
        into.delete(key)
        raise
    finally:
        png.unlink(missing_ok=True)
    return url(name, key)


def remove(db: Session, actor_id: int, typed: str, into: storage.Storage | None = None) -> str:
    """Remove the custom emoji `typed` names: its maker, or an administrator (audited when it was someone
    else's); its picture goes. Its name; EmojiNotFound or EmojiRefused otherwise."""
    name = shortcode_name(typed) or typed
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise EmojiNotFound()
    database.begin_write(db)
    row = db.exec(select(CustomEmoji).where(CustomEmoji.name == name)).first()
    actor = db.get(User, actor_id)
    if row is None or actor is None or not actor.is_active:
        db.rollback()
        raise EmojiNotFound()
    if row.created_by_id != actor_id:
        if not actor.is_admin:
            db.rollback()
            raise EmojiRefused("Only the person who added it or an administrator may remove it.")
        maker = db.get(User, row.created_by_id) if row.created_by_id else None
        audit.audit(db, actor_id, "remove_custom_emoji", f":{name}:", f"added by {maker.username if maker else '—'}")
    key = row.storage_key
    db.execute(delete(CustomEmoji).where(col(CustomEmoji.id) == row.id))
    db.commit()
    (into or storage.default()).delete(key)
    return name
