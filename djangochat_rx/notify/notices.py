"""Email about what you missed: unread mentions and direct messages, by email, once each.

Each user chooses (account page): "mentions" — one email summarising what is unread once the oldest of it
has waited `email_delay_minutes` (5 to 60, default 10) — or "digest", one email a day, or "off". Only
users with a verified address get any. Never while they are reading: nobody is emailed whose session was
active within their delay (opening a page or any event touches it, sessions.SESSION_TOUCH_INTERVAL).
Each unread item is in one email at most (`noticed_until` moves past it in the same statement that
claims the email, so two workers never send the same one). That is also the rate limit: an email
goes out when the oldest item not yet emailed is `email_delay_minutes` old, and such an item is newer
than the last email, so one user gets at most one email per delay however busy the day. Every email carries a one-click
unsubscribe link (RFC 8058): a random token, stored hashed, valid 30 days.

`due` finds the users to email and what to tell each (derived from the database alone, so a restart
changes nothing); `queue` claims one and writes its email to the outbox in one transaction; the mailer
(`send_due`, every NOTICE_SCAN_SECONDS in the background of each worker) leases what the outbox holds
and sends it, so a crash between claiming and sending delays an email but never loses one.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string
from email.message import EmailMessage

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import routes, settings
from djangochat_rx.domain import access, availability, markup, room_prefs
from djangochat_rx.domain.events import ReminderDue
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.domain.wording import counted
from djangochat_rx.models import (
    AccountLink,
    EmailOutbox,
    Mention,
    Message,
    Room,
    RoomMember,
    RoomPref,
    RoomRead,
    User,
    UserSession,
    as_utc,
)
from djangochat_rx.models import utcnow as _now

log = logging.getLogger(__name__)

CHOICES = ("mentions", "digest", "off")
DELAYS = (5, 10, 30, 60)
UNSUBSCRIBE = "unsub"
# Mail clients POST here (List-Unsubscribe-Post); people open the page routes.UNSUBSCRIBE and press a button.
ONE_CLICK_PATH = "/_unsubscribe/{token}"
DIGEST_EVERY = timedelta(days=1)
# The most items one email lists (the rest are counted).
ITEMS_PER_EMAIL = 20
# An email the mailer took is its own this long; a send that failed is tried again, this many times in all.
OUTBOX_LEASE = timedelta(minutes=5)
OUTBOX_ATTEMPTS = 5


class InvalidChoice(ValueError):
    """A preference outside what the account page offers."""


@dataclass(frozen=True)
class Item:
    """One unread thing: a message that mentioned the user, or one in their direct conversation."""

    message_id: int
    slug: str
    room_name: str
    direct: bool
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Notice:
    """An email to send: to whom, what is unread (newest first, at most ITEMS_PER_EMAIL), how much in all."""

    user_id: int
    username: str
    address: str
    digest: bool
    items: tuple[Item, ...]
    total: int
    # The claim: every item created up to `until` is covered.
    until: datetime


@dataclass(frozen=True)
class Preferences:
    choice: str
    delay_minutes: int


def preferences(db: Session, user_id: int) -> Preferences:
    choice, delay = db.exec(select(User.email_notices, User.email_delay_minutes).where(User.id == user_id)).one()
    return Preferences(choice, delay)


def set_preferences(db: Session, user_id: int, choice: str, delay_minutes: int) -> Preferences:
    if choice not in CHOICES or delay_minutes not in DELAYS:
        raise InvalidChoice("Choose one of the options offered.")
    database.begin_write(db)
    db.execute(
        update(User).where(col(User.id) == user_id).values(email_notices=choice, email_delay_minutes=delay_minutes)
    )
    db.commit()
    return Preferences(choice, delay_minutes)


def _unread(user_ids: list[int], since: dict[int, datetime], until: datetime) -> list:
    """Queries for the unread mentions and direct messages of these users created in (since, until]."""
    read_upto = func.coalesce(RoomRead.last_read_seq, 0)
    columns = (Message.id, Room.slug, Room.name, Room.kind, User.username, Message.body, Message.created_at)
    mentions = (
        select(Mention.user_id, *columns)
        .join(Message, col(Message.id) == Mention.message_id)
        .join(Room, col(Room.id) == Mention.room_id)
        .join(User, col(User.id) == Message.author_id)
        .outerjoin(RoomRead, and_(RoomRead.room_id == Mention.room_id, RoomRead.user_id == Mention.user_id))
        .where(col(Mention.user_id).in_(user_ids), col(Mention.seq) > read_upto)
        .where(access.readable(Mention.user_id))
    )
    direct = (
        select(RoomMember.user_id, *columns)
        .join(Room, and_(col(Room.id) == RoomMember.room_id, col(Room.kind) == access.DM))
        .join(Message, col(Message.room_id) == Room.id)
        .join(User, col(User.id) == Message.author_id)
        .outerjoin(RoomRead, and_(RoomRead.room_id == Room.id, RoomRead.user_id == RoomMember.user_id))
        .where(col(RoomMember.user_id).in_(user_ids), col(Message.seq) > read_upto, col(Message.thread_id).is_(None))
        .where(col(Message.author_id) != RoomMember.user_id, access.readable(RoomMember.user_id))
    )
    oldest = min(since.values())
    # Nothing of a room the user muted or hears nothing of (room_prefs.py).
    heard = or_(col(RoomPref.user_id).is_(None), ~room_prefs.SILENT)
    return [
        query.outerjoin(RoomPref, and_(RoomPref.room_id == Room.id, RoomPref.user_id == user_column))
        .where(heard)
        .where(col(Message.deleted_at).is_(None), col(Message.created_at) > oldest, col(Message.created_at) <= until)
        for query, user_column in ((mentions, Mention.user_id), (direct, RoomMember.user_id))
    ]


def waiting(db: Session, user_id: int, since: datetime, now: datetime) -> tuple[int, int]:
    """How many unread mentions, and unread direct messages that mention nobody, the user got in (since, now]
    (the summary when their quiet time ends: availability.py)."""
    found: list[set[int]] = []
    for query in _unread([user_id], {user_id: since}, now):
        found.append({row[1] for row in db.exec(query) if as_utc(row[-1]) > since})
    db.rollback()
    mentions, direct = found
    return len(mentions), len(direct - mentions)


def due(db: Session, now: datetime | None = None) -> list[Notice]:
    """The emails to send now: for each user who chose them, has a verified address, was not active
    within their delay and has unread mentions or direct messages not yet emailed (for "mentions": the
    oldest of them at least the delay old; for "digest": a day after the last digest)."""
    now = now or _now()
    users = db.exec(
        select(
            User.id,
            User.username,
            User.email,
            User.email_notices,
            User.email_delay_minutes,
            User.noticed_until,
            User.digest_at,
            User.created_at,
        ).where(col(User.is_active), col(User.email).is_not(None), col(User.email_notices) != "off")
    ).all()
    candidates: dict[int, tuple] = {}
    lookback = now - timedelta(days=settings.NOTICE_LOOKBACK_DAYS)
    for user_id, username, address, choice, delay, noticed, digest_at, created in users:
        since = max(as_utc(noticed or created), lookback)
        if choice == "digest" and digest_at is not None and as_utc(digest_at) + DIGEST_EVERY > now:
            continue
        candidates[user_id] = (username, address, choice, timedelta(minutes=delay), since)
    # In do not disturb or outside working hours (availability.py): their email waits, then tells it all at once.
    for user_id in availability.quiet_ids(db, candidates, now):
        del candidates[user_id]
    if not candidates:
        return []
    # "Reading": a session of theirs was active within their delay.
    active = dict(
        db.exec(
            select(UserSession.user_id, func.max(UserSession.last_seen_at))
            .where(col(UserSession.user_id).in_(list(candidates)))
            .group_by(UserSession.user_id)
        ).all()
    )
    items: dict[int, dict[int, Item]] = {}
    since = {user_id: c[4] for user_id, c in candidates.items()}
    for query in _unread(list(candidates), since, now):
        for user_id, message_id, slug, name, kind, author, body, created in db.exec(query):
            created = as_utc(created)
            if created <= since[user_id]:
                continue
            text = markup.preview(body, 160)
            item = Item(message_id, slug, name, kind == access.DM, author, text, created)
            items.setdefault(user_id, {})[message_id] = item
    db.rollback()
    notices = []
    for user_id, found in items.items():
        username, address, choice, delay, _ = candidates[user_id]
        last_active = active.get(user_id)
        if last_active is not None and as_utc(last_active) + delay > now:
            continue
        ordered = sorted(found.values(), key=lambda item: item.created_at, reverse=True)
        if choice == "mentions" and ordered[-1].created_at + delay > now:
            continue
        notices.append(
            Notice(user_id, username, address, choice == "digest", tuple(ordered[:ITEMS_PER_EMAIL]), len(ordered), now)
        )
    return notices


def queue(db: Session, notice: Notice) -> int | None:
    """In one transaction: mark the notice's items as emailed (unless another worker did meanwhile), make
    its unsubscribe link and write the email to the outbox; the outbox row's id, or None when claimed
    already. The mailer sends it (`send_pending`): a crash in between loses nothing."""
    database.begin_write(db)
    values: dict = {"noticed_until": notice.until}
    if notice.digest:
        values["digest_at"] = notice.until
    claimed = db.execute(
        update(User)
        .where(col(User.id) == notice.user_id)
        .where(or_(col(User.noticed_until).is_(None), col(User.noticed_until) < notice.until))
        .values(**values)
    ).rowcount
    if not claimed:
        db.rollback()
        return None
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    db.add(
        AccountLink(
            user_id=notice.user_id,
            purpose=UNSUBSCRIBE,
            token_hash=hash_token(token),
            expires_at=notice.until + timedelta(days=30),
        )
    )
    row = EmailOutbox(user_id=notice.user_id, message=message(notice, token).as_string())
    db.add(row)
    db.commit()
    return row.id


def lease(db: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """The outbox's unsent emails this worker may send now, each leased for OUTBOX_LEASE (another worker,
    or this one after a crash, takes it again once the lease runs out, up to OUTBOX_ATTEMPTS times)."""
    now = now or _now()
    free = or_(col(EmailOutbox.lease_until).is_(None), col(EmailOutbox.lease_until) < now)
    waiting = col(EmailOutbox.sent_at).is_(None) & (col(EmailOutbox.attempts) < OUTBOX_ATTEMPTS)
    ids = db.exec(select(EmailOutbox.id).where(waiting, free).order_by(col(EmailOutbox.id)).limit(100)).all()
    db.rollback()
    taken = []
    for outbox_id in ids:
        database.begin_write(db)
        got = db.execute(
            update(EmailOutbox)
            .where(col(EmailOutbox.id) == outbox_id, waiting, free)
            .values(lease_until=now + OUTBOX_LEASE, attempts=EmailOutbox.attempts + 1)
        ).rowcount
        text = db.exec(select(EmailOutbox.message).where(EmailOutbox.id == outbox_id)).one() if got else None
        db.commit()
        if text is not None:
            taken.append((outbox_id, text))
    return taken


def sent(db: Session, outbox_id: int) -> None:
    database.begin_write(db)
    db.execute(update(EmailOutbox).where(col(EmailOutbox.id) == outbox_id).values(sent_at=_now(), lease_until=None))
    db.commit()


def unsubscribe(db: Session, token: str) -> str | None:
    """Turn the emails off for the user of an unsubscribe link (reusable until it expires); their
    username, or None for an unknown or expired link. The link is read first: only a valid one takes the
    write lock (anyone may post made-up links)."""
    link = db.exec(
        select(AccountLink.user_id, AccountLink.expires_at).where(
            AccountLink.token_hash == hash_token(token), AccountLink.purpose == UNSUBSCRIBE
        )
    ).first()
    if link is None or as_utc(link.expires_at) <= _now():
        db.rollback()
        return None
    user_id = link.user_id
    database.begin_write(db)
    db.execute(update(User).where(col(User.id) == user_id).values(email_notices="off"))
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    db.commit()
    return username


def _ago(item: Item, now: datetime) -> str:
    minutes = int((now - item.created_at).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return item.created_at.strftime("%Y-%m-%d")


def message(notice: Notice, unsubscribe_token: str) -> EmailMessage:
    """The email for a notice: one line per item with a link that opens the room at the message."""
    count = counted(notice.total, "unread message")
    lines = []
    for item in notice.items:
        where = "a direct message" if item.direct else f"#{item.room_name}"
        url = settings.PUBLIC_URL + routes.message(item.slug, item.message_id)
        lines.append(f"- {item.author} in {where}, {_ago(item, notice.until)}:\n  {item.text}\n  {url}")
    more = notice.total - len(notice.items)
    if more:
        lines.append(f"...and {more} more.")
    unsubscribe_url = f"{settings.PUBLIC_URL}{routes.UNSUBSCRIBE}?token={unsubscribe_token}"
    one_click_url = settings.PUBLIC_URL + ONE_CLICK_PATH.format(token=unsubscribe_token)
    kind = "Your daily digest" if notice.digest else "While you were away"
    body = (
        f"Hello {notice.username},\n\n{kind}: {count} mentioning you or sent to you directly.\n\n"
        + "\n\n".join(lines)
        + f"\n\nChoose which emails you get on your account page: {settings.PUBLIC_URL}{routes.ACCOUNT}\n"
        f"Stop these emails with one click: {unsubscribe_url}\n"
    )
    from djangochat_rx.notify import mail

    subject = f"{count} for you in DjangoChat RX" + (" (daily digest)" if notice.digest else "")
    unsubscribe = {"List-Unsubscribe": f"<{one_click_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return mail.compose(notice.address, subject, body, unsubscribe)


def queue_reminder(db: Session, event: ReminderDue) -> int | None:
    """A reminder that fell due, by email to its person (a verified address, emails not turned off): written to
    the outbox (the mailer sends it); its row's id, or None when no email is wanted."""
    user = db.get(User, event.user_id)
    if user is None or not user.email or user.email_notices == "off":
        db.rollback()
        return None
    from djangochat_rx.notify import mail

    url = settings.PUBLIC_URL + (routes.located(event.message_id) if event.message_id else routes.REMINDERS)
    where = f" in #{event.room_name}" if event.room_name else ""
    about = event.note or event.excerpt
    body = (
        f"Hello {user.username},\n\nYou asked to be reminded{where}:\n\n  {about}\n\n{url}\n\n"
        f"Choose which emails you get on your account page: {settings.PUBLIC_URL}{routes.ACCOUNT}\n"
    )
    email = mail.compose(user.email, f"Reminder: {about[:60]}" if about else "Reminder", body)
    database.begin_write(db)
    row = EmailOutbox(user_id=user.id, message=email.as_string())
    db.add(row)
    db.commit()
    return row.id


async def reminded(events: list[ReminderDue]) -> None:
    """After the commit: each reminder that fell due by email, as its person's settings say (through the outbox)."""
    from djangochat_rx.notify import mail

    if not mail.configured():
        return
    queued = [await database.run(queue_reminder, event) for event in events]
    if any(queued):
        await send_pending()


async def send_due() -> int:
    """Queue the emails due now, then send what the outbox holds; how many went out."""
    from djangochat_rx.notify import mail

    if not mail.configured():
        return 0
    for notice in await database.run(due):
        await database.run(queue, notice)
    return await send_pending()


async def send_pending() -> int:
    """Send the outbox's unsent emails (those a crash left too); how many went out."""
    from djangochat_rx.notify import mail

    count = 0
    for outbox_id, text in await database.run(lease):
        if await mail.send(message_from_string(text, policy=mail.POLICY)):
            await database.run(sent, outbox_id)
            count += 1
    return count


def mailing():
    """While the app runs, send_due every NOTICE_SCAN_SECONDS (a lifespan task)."""
    from djangochat_rx.infra import periodic

    return periodic.every(settings.NOTICE_SCAN_SECONDS, send_due, "email-notices")
