"""Web Push: mentions and direct messages reach a browser whose tabs are closed.

A browser subscribes from the account page (components/push.py): its service worker (assets/sw.js)
gets an endpoint at its vendor's push service, which the server stores with the keys to encrypt for
it. The server signs each push with its VAPID key pair, made at the first start and kept in the
database (site_settings, so a backup carries it). After a message is committed, `heard` (a subscriber of
actions.publish, subscribers.py) starts `notify` in the background, off the send path, on the worker where
the message was sent, which pushes one notification to
each subscribed browser of each person it mentions, or of the other members of a direct
conversation; the service worker shows it unless a tab of the app is in front, and a click opens the
room at the message. An endpoint the push service says is gone (404, 410) is forgotten.
"""

import asyncio
import base64
import fnmatch
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import routes, settings
from djangochat_rx.domain import access, accounts, availability, room_prefs
from djangochat_rx.domain.events import Event, MessageSent, QuietEnded, ReminderDue
from djangochat_rx.models import PushSubscription, Room, SiteSetting, User, utcnow
from djangochat_rx.realtime.sockets import sockets

log = logging.getLogger(__name__)

PRIVATE_KEY = "vapid_private_key"
PUBLIC_KEY = "vapid_public_key"
# Subscriptions one user may keep (browsers and devices).
PER_USER = 20


class InvalidSubscription(ValueError):
    """What a browser sent is not a push subscription we can use."""


@dataclass(frozen=True)
class Keys:
    private_pem: str
    # The applicationServerKey browsers subscribe with: the raw public point, base64url without padding.
    public: str


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def keys(db: Session) -> Keys:
    """The VAPID key pair, made and stored the first time it is asked for (two workers racing: one wins)."""
    stored = dict(
        db.exec(
            select(SiteSetting.key, SiteSetting.value).where(col(SiteSetting.key).in_((PRIVATE_KEY, PUBLIC_KEY)))
        ).all()
    )
    db.rollback()
    if len(stored) == 2:
        return Keys(stored[PRIVATE_KEY], stored[PUBLIC_KEY])
    vapid = Vapid02()
    vapid.generate_keys()
    private_pem = vapid.private_pem().decode()
    public = _b64url(
        vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    database.begin_write(db)
    db.add(SiteSetting(key=PRIVATE_KEY, value=private_pem))
    db.add(SiteSetting(key=PUBLIC_KEY, value=public))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return keys(db)
    return Keys(private_pem, public)


def public_key(db: Session) -> str:
    return keys(db).public


def _field(data: object, *path: str) -> str:
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    if not isinstance(data, str) or not data:
        raise InvalidSubscription("This browser sent an incomplete subscription.")
    return data


def push_service(endpoint: str) -> bool:
    """Whether `endpoint` is at a known push service (settings.PUSH_SERVICES): the server POSTs to it, so
    an address anywhere else (an internal host) is refused."""
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if settings.PUSH_ALLOW_HTTP else ("https",)
    host = parts.hostname or ""
    return parts.scheme in schemes and any(fnmatch.fnmatch(host, pattern) for pattern in settings.PUSH_SERVICES)


def subscribe(db: Session, user_id: int, subscription: object, user_agent: str = "") -> None:
    """Store (or move to this user) a browser's subscription: {endpoint, keys: {p256dh, auth}}."""
    endpoint = _field(subscription, "endpoint")
    p256dh, auth = _field(subscription, "keys", "p256dh"), _field(subscription, "keys", "auth")
    if len(endpoint) > 1000 or not push_service(endpoint):
        raise InvalidSubscription("This browser sent a push address we cannot use.")
    if len(p256dh) > 200 or len(auth) > 100:
        raise InvalidSubscription("This browser sent an incomplete subscription.")
    database.begin_write(db)
    db.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
    kept = db.exec(
        select(PushSubscription.id)
        .where(PushSubscription.user_id == user_id)
        .order_by(col(PushSubscription.created_at).desc())
        .offset(PER_USER - 1)
    ).all()
    if kept:
        db.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(kept)))
    db.add(PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:256]))
    db.commit()


def unsubscribe(db: Session, user_id: int, endpoint: str) -> None:
    database.begin_write(db)
    db.execute(
        delete(PushSubscription).where(PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint)
    )
    db.commit()


def subscribed(db: Session, user_id: int) -> int:
    """How many browsers take this user's notifications."""
    return len(db.exec(select(PushSubscription.id).where(PushSubscription.user_id == user_id)).all())


@dataclass(frozen=True)
class Delivery:
    """One push to send: where, with which keys, what."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: str


def deliveries(db: Session, event: MessageSent) -> list[Delivery]:
    """The pushes a new message causes, on each browser its people subscribed: to the people it mentions,
    to those who asked for every message of the room (room_prefs "all"; in a direct conversation every
    member by default), never to the author, never to anyone who muted the room or hears nothing of it,
    and only to people who may read it."""
    message = event.message
    room = db.get(Room, message.room_id)
    if room is None:
        db.rollback()
        return []
    author_key = accounts.username_key(message.author)
    mentioned_keys = {key for key in event.mentioned if key != author_key}
    mentioned = (
        set(db.exec(select(User.id).where(col(User.username_key).in_(mentioned_keys), col(User.is_active))))
        if mentioned_keys
        else set()
    )
    everything = room_prefs.wants_all(db, room.id, room.kind)
    author_id = db.exec(select(User.id).where(User.username_key == author_key)).first()
    people = (mentioned | everything) - {author_id}
    # Only people with a subscribed browser can be pushed (most are not: a group mention of 100 costs one query).
    if people:
        people &= set(db.exec(select(PushSubscription.user_id).where(col(PushSubscription.user_id).in_(people))))
    people -= room_prefs.quiet(db, room.id, people, event.urgent)
    if people:
        people = set(db.exec(select(User.id).where(col(User.id).in_(people), access.readable(User.id, room.id))))
    if not people:
        db.rollback()
        return []
    direct = room.kind == access.DM
    rows = db.exec(select(PushSubscription).where(col(PushSubscription.user_id).in_(people))).all()
    db.rollback()

    def title(user_id: int) -> str:
        if direct:
            return (
                f"Urgent: {message.author} (direct message)" if event.urgent else f"{message.author} (direct message)"
            )
        if user_id in mentioned:
            return f"{message.author} mentioned you in #{event.room_name}"
        return f"{message.author} in #{event.room_name}"

    result = []
    for row in rows:
        payload = json.dumps(
            {
                "title": title(row.user_id),
                "body": event.preview,
                "url": routes.message(event.slug, message.id),
                # The same tag as the page's own notice (assets/mention_notice.js): a hidden tab and the push show one.
                "tag": f"djangochat-{message.id}",
            }
        )
        result.append(Delivery(row.id, row.endpoint, row.p256dh, row.auth, payload))
    return result


def _to_browsers(db: Session, user_id: int | None, notice: dict[str, str]) -> list[Delivery]:
    """One notice for one person (a summary, a reminder), on each browser they subscribed."""
    rows = db.exec(select(PushSubscription).where(PushSubscription.user_id == user_id)).all() if user_id else []
    db.rollback()
    payload = json.dumps(notice)
    return [Delivery(row.id, row.endpoint, row.p256dh, row.auth, payload) for row in rows]


def summary_deliveries(db: Session, event: QuietEnded) -> list[Delivery]:
    """The push summing up what waited while `event.username` was not to be disturbed, on each of their browsers."""
    user_id = db.exec(select(User.id).where(User.username_key == accounts.username_key(event.username))).first()
    notice = {
        "title": "While you were away",
        "body": availability.summary_text(event.mentions, event.direct),
        "url": routes.ROOMS,
        "tag": "djangochat-quiet-ended",
    }
    return _to_browsers(db, user_id, notice)


# Rooms where someone wants every message (room_prefs "all"): a new message there calls for push.notify.
# This worker's copy, read again every LOUD_ROOMS_SECONDS and at once after a change made here.
loud_rooms: set[int] = set()
LOUD_ROOMS_SECONDS = 30.0


async def refresh_loud_rooms() -> None:
    loud_rooms.clear()
    loud_rooms.update(await database.run(room_prefs.loud_rooms))


def following_loud_rooms():
    """While the app runs, keep `loud_rooms` current (a lifespan task)."""
    from djangochat_rx.infra import periodic

    return periodic.every(LOUD_ROOMS_SECONDS, refresh_loud_rooms, "loud-rooms")


def _sent(db: Session, delivered: list[int], gone: list[int]) -> None:
    database.begin_write(db)
    if delivered:
        db.execute(
            update(PushSubscription).where(col(PushSubscription.id).in_(delivered)).values(last_sent_at=utcnow())
        )
    if gone:
        db.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(gone)))
    db.commit()


def _contact() -> str:
    """Who the push services may write to about our pushes (VAPID's `sub` claim)."""
    if settings.PUSH_CONTACT:
        return settings.PUSH_CONTACT
    address = settings.SMTP_FROM.rsplit("<", 1)[-1].rstrip(">").strip()
    return f"mailto:{address}" if "@" in address else settings.PUBLIC_URL


async def _push(delivery: Delivery, private_pem: str) -> str:
    """Send one push: "sent", "gone" (the service forgot the subscription) or "failed"."""
    try:
        answer = await webpush_async(
            subscription_info={
                "endpoint": delivery.endpoint,
                "keys": {"p256dh": delivery.p256dh, "auth": delivery.auth},
            },
            data=delivery.payload,
            vapid_private_key=Vapid02.from_pem(private_pem.encode()),
            vapid_claims={"sub": _contact()},
            ttl=settings.PUSH_TTL_SECONDS,
            timeout=settings.PUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        status = error.status_code
        if status in (404, 410):
            return "gone"
        log.warning("push to %s failed: %s", delivery.endpoint.split("/")[2], status or error)
        return "failed"
    except (TimeoutError, OSError, aiohttp.ClientError) as error:
        log.warning("push to %s failed: %s", delivery.endpoint.split("/")[2], error)
        return "failed"
    status = getattr(answer, "status", 201)
    if status in (404, 410):
        return "gone"
    if status >= 400:
        log.warning("push to %s refused: %s", delivery.endpoint.split("/")[2], status)
        return "failed"
    return "sent"


# What push hears (subscribers.py): new messages, and the notices that are for one person (a quiet time's summary,
# a reminder that fell due), always pushed.
HEARS = (MessageSent, QuietEnded, ReminderDue)


async def heard(events: list[MessageSent | QuietEnded | ReminderDue]) -> None:
    """After the commit (actions.publish): push what the events call for, in the background; nothing at all
    for a message nobody may be pushed of (most of them: no task is started)."""
    if any(not isinstance(event, MessageSent) or event.calls_for_push(loud_rooms) for event in events):
        sockets.spawn(notify(events))


def reminder_deliveries(db: Session, event: ReminderDue) -> list[Delivery]:
    """The pushes of a reminder that fell due: to each browser its person subscribed, linking to the message (the
    Reminders page for a note only)."""
    notice = {
        "title": f"Reminder in #{event.room_name}" if event.room_name else "Reminder",
        "body": event.note or event.excerpt,
        "url": routes.located(event.message_id) if event.message_id else routes.REMINDERS,
        # The same tag as the page's own notice (realtime later_notices): a hidden tab and the push show one.
        "tag": f"djangochat-reminder-{event.reminder_id}",
    }
    return _to_browsers(db, event.user_id, notice)


async def notify(events: list[Event]) -> int:
    """Push what these events call for (after their commit); how many pushes the services accepted."""
    todo = []
    for event in events:
        if isinstance(event, MessageSent):
            todo += await database.run(deliveries, event)
        elif isinstance(event, QuietEnded):
            todo += await database.run(summary_deliveries, event)
        elif isinstance(event, ReminderDue):
            todo += await database.run(reminder_deliveries, event)
    if not todo:
        return 0
    private_pem = (await database.run(keys)).private_pem
    results = await asyncio.gather(*[_push(delivery, private_pem) for delivery in todo])
    delivered = [d.subscription_id for d, result in zip(todo, results, strict=True) if result == "sent"]
    gone = [d.subscription_id for d, result in zip(todo, results, strict=True) if result == "gone"]
    if delivered or gone:
        await database.run(_sent, delivered, gone)
    return len(delivered)
