"""Profile pictures: an uploaded one (centre-cropped square, re-encoded by Pillow at two sizes, no EXIF), or
the generated one every account has (initials on a colour that stays the same for a name), drawn by the
page itself (components/avatar.py, letters and colour from assets/avatars.js) without any image."""

import tempfile
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import attachments, images
from djangochat_rx.infra import storage
from djangochat_rx.models import User

# The sizes served, by the path segment naming them.
SIZES = {"large": settings.AVATAR_PIXELS, "small": settings.AVATAR_SMALL_PIXELS}
# The most users whose pictures a page learns at once (the rest show their initials).
PICTURES_LISTED = 5000


class AvatarRefused(Exception):
    """A picture that cannot be used; the text is safe to show."""


def url(user_id: int, key: str, size: str = "small") -> str:
    """Where a picture is fetched (through files.serve_avatar, which checks the viewer's ticket)."""
    return f"/_files/avatars/{user_id}/{key}/{size}"


def current_key(db: Session, user_id: int) -> str | None:
    key = db.exec(select(User.avatar_key).where(User.id == user_id)).first()
    db.rollback()
    return key


def pictures(db: Session, limit: int = PICTURES_LISTED) -> dict[str, str]:
    """Username -> small picture URL, of the users who uploaded one (one query)."""
    rows = db.exec(
        select(User.id, User.username, User.avatar_key)
        .where(col(User.avatar_key).is_not(None), col(User.is_active))
        .order_by(col(User.id))
        .limit(limit)
    ).all()
    db.rollback()
    return {username: url(user_id, key) for user_id, username, key in rows}


def _upright(source: Path) -> Image.Image:
    """The picture's first frame turned upright, in RGBA; AvatarRefused when it is too big a file, not a safe
    image type, more than AVATAR_MAX_PIXELS (checked before decoding) or does not decode."""
    if source.stat().st_size > settings.FILE_MAX_BYTES:
        raise AvatarRefused(str(attachments.too_big("picture", source.stat().st_size)))
    return images.first_frame_upright(
        source, settings.AVATAR_MAX_PIXELS, AvatarRefused, "use one of at most {} megapixels"
    )


def square(source: Path, scratch: Path) -> dict[str, Path]:
    """The picture centre-cropped to a square at each of SIZES, as PNG files with no metadata (temporary files
    in `scratch`); AvatarRefused when it cannot be one (`_upright`)."""
    upright = _upright(source)
    made: dict[str, Path] = {}
    try:
        for name, pixels in SIZES.items():
            square = ImageOps.fit(upright, (pixels, pixels), Image.Resampling.LANCZOS)
            square.info = {}
            made[name] = Path(tempfile.mkstemp(dir=scratch, suffix=f".{name}")[1])
            square.save(made[name], format="PNG", optimize=True)
        return made
    except BaseException:
        for path in made.values():
            path.unlink(missing_ok=True)
        raise


async def squared(source: Path, scratch: Path) -> dict[str, Path]:
    """`square` on the image threads, awaited from the event loop (images.ImagesBusy when they are full)."""
    return await images.in_image_threads(square, source, scratch)


def set_picture(db: Session, user_id: int, squares: dict[str, Path], into: storage.Storage | None = None) -> str:
    """Make the squares `square` made (temporary files, moved away or removed by this) the user's picture, in
    one short write transaction; its new small URL."""
    into = into or storage.default()
    key = storage.new_key()
    try:
        for name, path in squares.items():
            into.put(key, name, path)
        database.begin_write(db)
        old = db.exec(select(User.avatar_key).where(User.id == user_id)).first()
        db.execute(update(User).where(col(User.id) == user_id).values(avatar_key=key))
        db.commit()
    except BaseException:
        db.rollback()
        into.delete(key)
        raise
    finally:
        for path in squares.values():
            path.unlink(missing_ok=True)
    if old:
        into.delete(old)
    return url(user_id, key)


def remove_picture(db: Session, user_id: int, into: storage.Storage | None = None) -> bool:
    """Back to the generated picture; the uploaded one's bytes go. False, with nothing written, when the user
    has no uploaded picture."""
    if current_key(db, user_id) is None:
        return False
    database.begin_write(db)
    old = db.exec(select(User.avatar_key).where(User.id == user_id)).first()
    db.execute(update(User).where(col(User.id) == user_id).values(avatar_key=None))
    db.commit()
    if old:
        (into or storage.default()).delete(old)
    return old is not None
