"""Accounts: username and password rules, bcrypt hashing, registration and authentication."""

import functools
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import bcrypt
from slugify import slugify
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, devices
from djangochat_rx.models import User, UserGroup, as_utc, utcnow


class AccountError(Exception):
    """A registration or login problem; its message is safe to show on the page."""


class InvalidUsername(AccountError):
    pass


class UsernameTaken(AccountError):
    pass


class InvalidPassword(AccountError):
    pass


class InvalidCredentials(AccountError):
    def __init__(self) -> None:
        super().__init__("Invalid username or password.")


@dataclass(frozen=True)
class UserView:
    """What the rest of the app may know about a user (never the hash)."""

    id: int
    username: str
    created_at: datetime


# Names a mention uses for several people (`@room`: everyone in the room, `@here`: those in it now), and
# their look-alikes elsewhere: nobody may be called that.
RESERVED_NAMES = frozenset({"room", "here", "all", "everyone", "channel"})


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def _username_chars_ok(name: str) -> bool:
    """Letters and digits of any script (with their accents and vowel signs), "_", "." and "-"."""
    return not _is_mark(name[0]) and all(ch.isalnum() or ch in "_.-" or _is_mark(ch) for ch in name)


def _stacked_marks(name: str) -> bool:
    run = 0
    for ch in name:
        run = run + 1 if _is_mark(ch) else 0
        if run >= 3:
            return True
    return False


def normalize_username(raw: str) -> str:
    """NFKC-normalised and trimmed, so look-alike compositions compare equal."""
    return unicodedata.normalize("NFKC", raw).strip()


def username_key(username: str) -> str:
    """The case-insensitive form usernames are unique on."""
    return normalize_username(username).casefold()


def validate_username(raw: str) -> str:
    """The normalised username, or InvalidUsername saying what is wrong."""
    name = normalize_username(raw)
    if any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Cn") for ch in name):
        # Zero-width joiners, bidi overrides and the like make two names look alike or read backwards.
        raise InvalidUsername("Usernames cannot contain invisible or text-direction characters.")
    if _stacked_marks(name):
        # Scripts like Devanagari need a mark or two per letter; piles of them ("Zalgo") overflow the page.
        raise InvalidUsername("Usernames cannot stack more than two accents or marks on one letter.")
    if name.casefold() in RESERVED_NAMES:
        raise InvalidUsername(f"“{name}” is reserved: @{name.casefold()} mentions several people at once.")
    lo, hi = settings.USERNAME_MIN_CHARS, settings.USERNAME_MAX_CHARS
    if not lo <= len(name) <= hi or not _username_chars_ok(name):
        raise InvalidUsername(
            f"Username must be {lo}–{hi} characters: letters, digits, underscore (_), dot (.) or hyphen (-)."
        )
    return name


def validate_password(password: str, confirm: str) -> None:
    """Raise InvalidPassword unless the password fits bcrypt and our minimum and matches `confirm`."""
    if password != confirm:
        raise InvalidPassword("Passwords do not match.")
    if len(password) < settings.PASSWORD_MIN_CHARS:
        raise InvalidPassword(f"Password must be at least {settings.PASSWORD_MIN_CHARS} characters.")
    if len(password.encode("utf-8")) > settings.PASSWORD_MAX_BYTES:
        raise InvalidPassword(
            f"Password must be at most {settings.PASSWORD_MAX_BYTES} bytes in UTF-8 "
            "(letters outside English take 2–4 bytes each)."
        )


def hash_password(password: str) -> str:
    """bcrypt hash of `password` at the configured cost."""
    salt = bcrypt.gensalt(rounds=settings.BCRYPT_ROUNDS)
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


# The password hash of an account without a password (a bot's, or one an administrator made before its owner
# chose one): no bcrypt hash, so no password matches it, and making or refusing it costs no bcrypt work.
NO_PASSWORD = "!"


def check_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; over-long passwords simply do not match, nor does any NO_PASSWORD."""
    if password_hash == NO_PASSWORD:
        return False
    encoded = password.encode("utf-8")
    if len(encoded) > settings.PASSWORD_MAX_BYTES:
        # Spend the same bcrypt work as a real check so the answer's timing tells nothing.
        bcrypt.checkpw(b"x", password_hash.encode("ascii"))
        return False
    return bcrypt.checkpw(encoded, password_hash.encode("ascii"))


def unusable_password_hash() -> str:
    """The password hash of an account an admin made before its owner sets a password, or of a bot's, which
    never logs in: NO_PASSWORD, made without bcrypt (a bot is made on the database's threads)."""
    return NO_PASSWORD


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against for unknown users, so they cost the same bcrypt work as known ones."""
    return hash_password("not-a-real-password")


def view(user: User) -> UserView:
    return UserView(id=user.id, username=user.username, created_at=user.created_at)


def _user_by_name(db: Session, username: str) -> User | None:
    return db.exec(select(User).where(User.username_key == username_key(username))).first()


TAKEN = "That username is taken."


def user_exists(db: Session, username: str) -> bool:
    """Whether the name is taken: an account (active or not) has it, in any case, or a user group does
    (`@name` mentions one or the other, user_groups.py)."""
    return _user_by_name(db, username) is not None or _group_named(db, username)


def _group_named(db: Session, username: str) -> bool:
    return db.exec(select(UserGroup.id).where(UserGroup.name == username_key(username))).first() is not None


def register(db: Session, username: str, password: str, confirm: str) -> UserView:
    """Create an account after checking every rule, whatever the sign-up mode (for the terminal and
    tests: the registration page goes through signup.register); the slow hash runs outside any write lock."""
    name = validate_username(username)
    validate_password(password, confirm)
    if user_exists(db, name):
        raise UsernameTaken(TAKEN)
    db.rollback()  # end the read transaction before the slow hash
    return commit_account(db, add_account(db, name, password))


def add_account(db: Session, name: str, password: str, is_admin: bool = False) -> User:
    """Hash the password (outside any lock), then add the account for `name` (already validated) in a
    write transaction that the caller ends with commit_account."""
    password_hash = hash_password(password)
    database.begin_write(db)
    return insert_user(db, name, password_hash, is_admin)


# The suffixes of bots' usernames: a hook's bot is "<module>-bot" (made by the server, hooks.py), a webhook's
# "<its name>-webhook" (made by a room's owner, webhooks.py), so that no webhook takes the name of a hook
# enabled later.
HOOK_BOT_SUFFIX = "bot"
WEBHOOK_BOT_SUFFIX = "webhook"


def bot_username(label: str, fallback: str, suffix: str = HOOK_BOT_SUFFIX) -> str:
    """The username of a bot named for `label` (a hooks module's or a webhook's name): "echo" -> "echo-bot";
    `fallback` when the label has nothing to slug."""
    return f"{slugify(label, max_length=24, word_boundary=True) or fallback}-{suffix}"


def insert_user(db: Session, name: str, password_hash: str, is_admin: bool = False, is_bot: bool = False) -> User:
    """Add the account for `name` (already validated) in the caller's write transaction, flushed so it
    has an id; UsernameTaken (the transaction ended) if the name is taken. A bot account (`is_bot`: a
    webhook's, a hook's, one made for the API) is marked as a bot wherever it shows."""
    if _group_named(db, name):
        db.rollback()
        raise UsernameTaken(TAKEN)
    user = User(
        username=name,
        username_key=username_key(name),
        password_hash=password_hash,
        is_admin=is_admin,
        is_bot=is_bot,
        email_delay_minutes=settings.EMAIL_NOTICE_MINUTES,
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise UsernameTaken(TAKEN) from None
    return user


def commit_account(db: Session, user: User) -> UserView:
    """Commit an account from add_account; UsernameTaken if the name was taken meanwhile."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise UsernameTaken(TAKEN) from None
    return view(user)


def authenticate(db: Session, username: str, password: str) -> UserView:
    """The user for these credentials, or InvalidCredentials; the same bcrypt work either way."""
    user = _user_by_name(db, username)
    usable = user is not None and enabled(user) and not user.is_bot and user.password_hash != NO_PASSWORD
    found = (view(user), user.password_hash) if usable else None
    db.rollback()  # no transaction held open during the slow check
    if found is None:
        check_password(password, _dummy_hash())
        raise InvalidCredentials()
    account, password_hash = found
    if not check_password(password, password_hash):
        raise InvalidCredentials()
    return account


class WrongCurrentPassword(AccountError):
    def __init__(self) -> None:
        super().__init__("Your current password is not correct.")


def new_password_hash(db: Session, user_id: int, current: str, new: str, confirm: str) -> str:
    """The hash of a new password, the current one checked first (the caller charges that check to
    throttle.before_password_check); nothing is written: set_password writes it."""
    validate_password(new, confirm)
    check_current_password(db, user_id, current)
    return hash_password(new)


def set_password(db: Session, user_id: int, new_hash: str) -> None:
    """Within the caller's write transaction: the account's new password hash; the browsers that knew the old
    password start over (the caller also ends the other sessions, in the same transaction)."""
    db.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    devices.forget_all(db, user_id)


def change_password(db: Session, user_id: int, current: str, new: str, confirm: str) -> None:
    """new_password_hash, then set_password in a transaction of its own."""
    new_hash = new_password_hash(db, user_id, current, new, confirm)
    database.begin_write(db)
    set_password(db, user_id, new_hash)
    db.commit()


def is_admin(db: Session, user_id: int | None) -> bool:
    """Whether `user_id` is an active administrator, read from the columns (never a cached User: a demotion
    committed elsewhere counts at once)."""
    flags = db.exec(select(User.is_active, User.is_admin).where(User.id == user_id)).first()
    return flags is not None and all(flags)


def active_usernames(db: Session, viewer_id: int, limit: int = 1000) -> list[str]:
    """Usernames of the active people `viewer_id` may see (access.sees) in name order (who `@` offers and the
    switcher lists; never a bot)."""
    people = select(User.username).where(
        col(User.is_active), col(User.is_bot).is_(False), access.sees(viewer_id, User.id)
    )
    query = people.order_by(col(User.username_key)).limit(limit)
    return list(db.exec(query))


def enabled(user: User) -> bool:
    """Whether `user` may be signed in: active, and not a guest past their `guest_until`."""
    return user.is_active and (user.guest_until is None or as_utc(user.guest_until) > utcnow())


def bot_names(db: Session, limit: int = 1000) -> list[str]:
    """Usernames of the bot accounts (webhooks' posters), for pages to mark them as bots."""
    return list(db.exec(select(User.username).where(col(User.is_bot)).order_by(col(User.username_key)).limit(limit)))


def check_current_password(db: Session, user_id: int, password: str) -> None:
    """WrongCurrentPassword unless `password` is the user's: asked before a change a stolen session must not
    make alone (a new password, an API token, an email address). Run on bcrypt's pool, each call charged to
    throttle.before_password_check first."""
    password_hash = db.exec(select(User.password_hash).where(User.id == user_id)).one()
    db.rollback()  # no transaction held open during the slow check
    if not check_password(password, password_hash):
        raise WrongCurrentPassword()
