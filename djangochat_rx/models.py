"""Database tables. Schema changes go through alembic revisions in alembic/versions/."""

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (SQLModel stores aware datetimes)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (SQLite hands back naive ones, written in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class User(SQLModel, table=True):
    """An account. `username_key` is the case-folded name that uniqueness is checked on."""

    __tablename__ = "users"
    __table_args__ = (Index("ux_users_email_key", "email_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32)
    username_key: str = Field(max_length=32, unique=True)
    password_hash: str = Field(max_length=60)
    is_active: bool = Field(default=True)
    is_admin: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    # Shown on the user's profile; set by the user.
    display_name: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    about: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # A verified email address (verifying it is how one gets here), for password resets and notices;
    # `email_key` is its case-folded form, unique among users.
    email: str | None = Field(default=None, max_length=254)
    email_key: str | None = Field(default=None, max_length=254)
    # Email about what they missed (notices.py): "mentions" (unread mentions and direct messages, after
    # `email_delay_minutes`), "digest" (once a day) or "off"; `noticed_until`: every unread thing created
    # up to then is in an email already; `digest_at`: when the last digest went out.
    email_notices: str = Field(default="mentions", max_length=8, sa_column_kwargs={"server_default": "mentions"})
    email_delay_minutes: int = Field(default=10, sa_column_kwargs={"server_default": text("10")})
    noticed_until: datetime | None = Field(default=None)
    digest_at: datetime | None = Field(default=None)
    # A bot account (an incoming webhook's poster): never logs in, shown as a bot wherever it appears.
    is_bot: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    # The storage key of their uploaded picture (avatars.py); None: the generated one (initials on a colour).
    avatar_key: str | None = Field(default=None, max_length=64)
    # A guest (joined by a guest invite): reads only the rooms and conversations they were added to, sees only
    # the people who share one with them (access.py); disabled from `guest_until` on, when set.
    is_guest: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    guest_until: datetime | None = Field(default=None)
    # Time and attention (availability.py). `time_zone`: an IANA name, detected from the browser, editable; ""
    # until known (treated as UTC). A status (emoji and text) shown beside the name until `status_until`.
    time_zone: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    status_emoji: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    status_text: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    status_until: datetime | None = Field(default=None)
    # Do not disturb until then; and outside working hours: `work_days` a bit per weekday (Monday = 1), 0 for
    # no schedule, `work_start`/`work_end` minutes after midnight in `time_zone`.
    dnd_until: datetime | None = Field(default=None)
    work_days: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    work_start: int = Field(default=540, sa_column_kwargs={"server_default": text("540")})
    work_end: int = Field(default=1080, sa_column_kwargs={"server_default": text("1080")})
    # Since when notifications wait for the end of their quiet time (None: nothing waits); the summary clears it.
    held_since: datetime | None = Field(default=None)
    # Read receipts (read_receipts.py): others see how far this person has read their messages only when they
    # chose so on their account page (off until then).
    share_read_receipts: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class UserSession(SQLModel, table=True):
    """A server-side login session; the browser holds the token, we store only its SHA-256."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    user_agent: str = Field(default="", max_length=256)
    # How it was opened (second_factor.SIGN_INS: "password", "password reset", "registration", ...) and which
    # second factor was shown ("" none, "authenticator app", "recovery code"), for the account page.
    sign_in: str = Field(default="password", max_length=40, sa_column_kwargs={"server_default": "password"})
    second_factor: str = Field(default="", max_length=24, sa_column_kwargs={"server_default": ""})


class TotpDevice(SQLModel, table=True):
    """An authenticator app (TOTP, RFC 6238) the user enrolled as a second factor; one per account. The secret
    must be readable to compute codes, so it is stored as is; `confirmed_at` None: enrolment started, its first
    code not yet shown. `last_step`: the newest 30-second step a code was accepted for (a code works once)."""

    __tablename__ = "totp_devices"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = Field(default=None)
    last_step: int = Field(default=0)


class Passkey(SQLModel, table=True):
    """A passkey (WebAuthn credential) the user registered: a second factor, and a sign-in of its own (it proves
    the device and, with user verification, the person). We keep its id and public key, never a secret."""

    __tablename__ = "passkeys"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    credential_id: str = Field(max_length=1400, unique=True)
    public_key: str = Field(sa_column=Column(Text, nullable=False))
    sign_count: int = Field(default=0)
    name: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the second factor when the authenticator app is lost; shown once,
    we store only its SHA-256 (80 random bits each)."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = Field(default=None)


class SsoLink(SQLModel, table=True):
    """An account's identity at a single sign-on provider (OIDC): the provider's `subject` for the person, never
    reassigned, is what signs them in; `email` is what the provider said when the link was made."""

    __tablename__ = "sso_links"
    __table_args__ = (Index("ux_sso_links_provider_subject", "provider", "subject", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=40)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)


class SsoAttempt(SQLModel, table=True):
    """A sign-in sent to a provider and not back yet: the `state` it carries (only its SHA-256 kept) and the
    browser that started it (the SHA-256 of a random cookie: a callback from another browser is refused), the
    `nonce` the ID token must carry and the PKCE verifier. Used once, expiring."""

    __tablename__ = "sso_attempts"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64)
    provider: str = Field(max_length=40)
    nonce: str = Field(max_length=64)
    code_verifier: str = Field(max_length=128)
    expires_at: datetime = Field(index=True)
    # Set when a signed-in person links another provider from the account page (sso.link_intent): the callback
    # links the provider's account to theirs instead of signing anyone in.
    link_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")


class KnownDevice(SQLModel, table=True):
    """A browser that logged in to the account (OWASP's "device cookies"): it holds a random token, we store
    only its SHA-256. Its login attempts have a budget of their own, so strangers' failed guesses, which
    lock the account for everyone else, do not lock its owner out."""

    __tablename__ = "known_devices"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Room(SQLModel, table=True):
    """A chat room; `message_count` and `last_message_at` are kept in step by messages.post_message.

    Messages are never removed (only soft-deleted), so `message_count` is also the newest message's `seq`."""

    __tablename__ = "rooms"
    __table_args__ = (Index("ux_rooms_dm_key", "dm_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=64)
    name_key: str = Field(max_length=64, unique=True)
    description: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    message_count: int = Field(default=0)
    last_message_at: datetime | None = Field(default=None)
    # "public" (everyone), "private" (members only) or "dm" (a direct conversation, members only).
    kind: str = Field(default="public", max_length=8, sa_column_kwargs={"server_default": "public"})
    archived_at: datetime | None = Field(default=None)
    # A direct conversation's members as "id:id:…" (sorted), so each set of people has one conversation.
    dm_key: str | None = Field(default=None, max_length=80)
    # Retention (retention.py): the room's own policy in days (None: the instance's), and how far its stream
    # has been deleted (every room message up to this seq is gone, but pinned ones kept): unread counts start
    # after it.
    retention_days: int | None = Field(default=None)
    purged_seq: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class RoomMember(SQLModel, table=True):
    """Who belongs to a private room or a direct conversation; the owner may rename, archive or delete it."""

    __tablename__ = "room_members"

    room_id: int = Field(foreign_key="rooms.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str = Field(default="member", max_length=8)
    joined_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    """A chat message. Ids only grow (AUTOINCREMENT), so within a room they are cursors; `seq` numbers
    the room's messages 1, 2, 3… in commit order, which read markers and unread counts compare against.

    A reply in a thread (threads.py) has `thread_id`, its parent's id: it is not in the room's stream, and
    its `seq` numbers the thread's replies 1, 2, 3… instead."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_room_id_id", "room_id", "id"),
        Index("ux_messages_author_id_client_id", "author_id", "client_id", unique=True),
        # A room's messages number 1, 2, 3… among themselves; a thread's replies 1, 2, 3… among themselves.
        Index(
            "ux_messages_room_id_seq",
            "room_id",
            "seq",
            unique=True,
            sqlite_where=text("thread_id IS NULL"),
            postgresql_where=text("thread_id IS NULL"),
        ),
        Index(
            "ux_messages_thread_id_seq",
            "thread_id",
            "seq",
            unique=True,
            sqlite_where=text("thread_id IS NOT NULL"),
            postgresql_where=text("thread_id IS NOT NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="rooms.id", ondelete="CASCADE")
    seq: int
    author_id: int = Field(foreign_key="users.id", index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # The sender's random id for this message: a retried send finds the first one instead of posting twice.
    client_id: str | None = Field(default=None, max_length=64)
    edited_at: datetime | None = Field(default=None)
    # A deleted message keeps its row (and seq) as a placeholder; its body is emptied.
    deleted_at: datetime | None = Field(default=None)
    # Set when a moderator (not the author) removed the message.
    removed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # How many files were posted with it (attachments.py): a listing reads attachments only for messages that have some.
    file_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Threads (threads.py): a reply's parent; on a parent, how many replies, the latest one's time and the
    # usernames of its latest repliers (most recent first, space-separated).
    thread_id: int | None = Field(default=None, foreign_key="messages.id")
    reply_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    last_reply_at: datetime | None = Field(default=None)
    repliers: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    # A room message sent from a thread ("also send to the room") quotes the thread's parent.
    quote_id: int | None = Field(default=None, foreign_key="messages.id")
    # A forwarded copy (forwarding.py): the id of the message it copies, in whatever room. No foreign key: the
    # original may go (its room deleted, its history purged) and the copy stays; ids are never used again.
    forward_of_id: int | None = Field(default=None)


class RoomRead(SQLModel, table=True):
    """How far a user has read a room: every message with `seq` up to `last_read_seq`."""

    __tablename__ = "room_reads"
    # The markers of one room (read receipts, read_receipts.py); the marker's moves never touch it.
    __table_args__ = (Index("ix_room_reads_room_id", "room_id"),)

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="rooms.id", primary_key=True, ondelete="CASCADE")
    last_read_seq: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class Pin(SQLModel, table=True):
    """A message pinned in its room by a member: the room's "Pinned" panel lists them, newest first."""

    __tablename__ = "pins"

    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="rooms.id", index=True, ondelete="CASCADE")
    pinned_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    pinned_at: datetime = Field(default_factory=utcnow)


class MessageEdit(SQLModel, table=True):
    """An earlier version of an edited message: its text from `since` (when it was sent or last edited) until
    `until` (the edit that replaced it). Deleting or removing the message deletes its versions (messages.erase)."""

    __tablename__ = "message_edits"
    __table_args__ = (Index("ix_message_edits_message_id_until", "message_id", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", ondelete="CASCADE")
    body: str = Field(sa_column=Column(Text, nullable=False))
    since: datetime
    until: datetime


class SavedMessage(SQLModel, table=True):
    """A message a user saved for later (the Saved page), newest first; it leaves the list when the user can no
    longer read its room or it is deleted."""

    __tablename__ = "saved_messages"
    __table_args__ = (Index("ix_saved_messages_user_id_saved_at", "user_id", "saved_at"),)

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE", index=True)
    saved_at: datetime = Field(default_factory=utcnow)


class Poll(SQLModel, table=True):
    """A poll, asked by a message of its own (`/poll "Question?" "A" "B"`, polls.py): its options, one vote each
    (changeable) until its author closes it; `anonymous` hides who chose what."""

    __tablename__ = "polls"

    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    question: str = Field(max_length=300)
    anonymous: bool = Field(default=False)
    closed_at: datetime | None = Field(default=None)


class PollOption(SQLModel, table=True):
    """One answer a poll offers, in the order its author gave (`position` 0, 1, 2...)."""

    __tablename__ = "poll_options"

    poll_id: int = Field(foreign_key="polls.message_id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    text: str = Field(max_length=100)


class PollVote(SQLModel, table=True):
    """A person's vote in a poll: the option they chose (one each, changeable while the poll is open)."""

    __tablename__ = "poll_votes"

    poll_id: int = Field(foreign_key="polls.message_id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    position: int
    voted_at: datetime = Field(default_factory=utcnow)


class ThreadFollow(SQLModel, table=True):
    """A user following a message's thread (they wrote it, replied or were mentioned in it, or chose to):
    its new replies count as unread for them until `read_count` (the replies they have seen) catches up.
    Unfollowing keeps the row with `following` False, so a later reply of someone else does not follow again."""

    __tablename__ = "thread_follows"
    __table_args__ = (Index("ix_thread_follows_message_id", "message_id"),)

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="rooms.id", ondelete="CASCADE")
    following: bool = Field(default=True)
    read_count: int = Field(default=0)


class Mention(SQLModel, table=True):
    """An `@name` of a user in a message; `room_id` and `seq` are the message's, for unread-mention look-ups
    (`seq` 0 for a reply in a thread: it is never a room's unread mention)."""

    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_user_id_room_id_seq", "user_id", "room_id", "seq"),)

    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="rooms.id", ondelete="CASCADE")
    seq: int


class AuditEntry(SQLModel, table=True):
    """One audited change (domain/audit.py): who did what to which user, room, message or setting, and when."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    action: str = Field(max_length=40)
    target: str = Field(max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class SiteSetting(SQLModel, table=True):
    """An instance-wide choice an administrator made (who may sign up, ...), as text; signup.py reads them.

    An empty table on an empty database means nobody has set the instance up yet: the first page is the
    "create the first administrator" page."""

    __tablename__ = "site_settings"

    key: str = Field(max_length=40, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Invite(SQLModel, table=True):
    """An invite link an administrator (or, for guests, a room owner) made: good for `max_uses` accounts until
    `expires_at` unless revoked. The link holds a random token; we store only its SHA-256."""

    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    note: str = Field(default="", max_length=100)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    max_uses: int
    uses: int = Field(default=0)
    revoked_at: datetime | None = Field(default=None)
    # Set for a sign-up link mailed to an address at the allowed domain: the account it makes gets this
    # (verified) address.
    email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    # A guest invite: the ids of the rooms its guests are added to ("3:8", as Room.dm_key); "" for a member
    # invite. `guest_days`: its guests are disabled that many days after they join (0: never).
    guest_rooms: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    guest_days: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class AccountLink(SQLModel, table=True):
    """A one-time link for one user: "reset" sets a new password, "verify" confirms `email` as theirs.
    The link holds a random token; we store only its SHA-256. Used once (`used_at`), expiring."""

    __tablename__ = "account_links"
    __table_args__ = (Index("ix_account_links_user_id_purpose", "user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    purpose: str = Field(max_length=8)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(default="", max_length=254)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = Field(default=None)


class PushSubscription(SQLModel, table=True):
    """A browser that takes Web Push notifications for a user (push.py): where to send them (`endpoint`,
    the browser vendor's push service) and the keys to encrypt them with."""

    __tablename__ = "push_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    user_agent: str = Field(default="", max_length=256)
    created_at: datetime = Field(default_factory=utcnow)
    last_sent_at: datetime | None = Field(default=None)


class EmailOutbox(SQLModel, table=True):
    """An email written in the same transaction as the change that calls for it (notices.py), sent by the
    background mailer: a crash between the two loses nothing, and a lease keeps two workers from sending
    one twice."""

    __tablename__ = "email_outbox"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The whole message as the SMTP server gets it.
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = Field(default=None)
    attempts: int = Field(default=0)
    sent_at: datetime | None = Field(default=None, index=True)


class Reaction(SQLModel, table=True):
    """A user's emoji reaction to a message (each emoji once per user); reactions.py keeps the rules."""

    __tablename__ = "reactions"
    __table_args__ = (Index("ix_reactions_user_id_created_at", "user_id", "created_at"),)

    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    emoji: str = Field(max_length=32, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class RoomPref(SQLModel, table=True):
    """How a user wants to hear of a room (room_prefs.py): `level` "all", "mentions" or "nothing", and
    `muted` (sorted last, a dot instead of a count, no notification at all). No row: the default."""

    __tablename__ = "room_prefs"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="rooms.id", primary_key=True, index=True, ondelete="CASCADE")
    level: str = Field(max_length=8)
    muted: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow)


class Webhook(SQLModel, table=True):
    """An incoming webhook of a room (webhooks.py): POSTing to its secret URL posts into the room as its
    bot account. The URL holds a random token; we store only its SHA-256."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="rooms.id", index=True, ondelete="CASCADE")
    bot_user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None)


class ApiToken(SQLModel, table=True):
    """A token for the REST API (api.py, api_tokens.py): it acts as its user, within its scopes ("read",
    "post"), until it expires or is revoked. We store only its SHA-256."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(max_length=32)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None)


class Attachment(SQLModel, table=True):
    """A file uploaded into a room (attachments.py). Unbound (`message_id` None) until the message it was
    attached to is posted; an upload never posted, a deleted message's files (`discarded_at`) and those of
    a deleted room (`room_id` None) are removed by the sweep. `storage_key` names the bytes in storage.py;
    it is random, never derived from what the user sent."""

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_message_id_created_at", "message_id", "created_at"),
        Index("ix_attachments_room_id_id", "room_id", "id"),
        Index("ix_attachments_owner_id_created_at", "owner_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    room_id: int | None = Field(default=None, foreign_key="rooms.id", ondelete="SET NULL")
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    # The name the uploader's browser gave (shown and offered as the download's name, never used as a path).
    name: str = Field(max_length=255)
    size: int
    # The type sniffed from the bytes (attachments.sniff), never the name's or the browser's.
    content_type: str = Field(max_length=100)
    # "image" (a safe raster image, re-encoded, with a thumbnail) or "file".
    kind: str = Field(max_length=8)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    thumb_width: int | None = Field(default=None)
    thumb_height: int | None = Field(default=None)
    storage_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    discarded_at: datetime | None = Field(default=None, index=True)


class MediaTicket(SQLModel, table=True):
    """A tab's single-purpose credential for file traffic over plain HTTP (attachments.py): "view" rides in a
    cookie so <img> can fetch files, "upload" in a header of the upload request. We store only its SHA-256;
    it ends with its session (or at `expires_at`)."""

    __tablename__ = "media_tickets"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sessions.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=8)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(index=True)


class ImportRun(SQLModel, table=True):
    """One import of another chat's export (slack_import.py): the file, who started it, how far it got and its
    report. `heartbeat_at` moves while it runs: a run still "running" whose heartbeat stopped was interrupted
    (its process died) and is taken up again from the file kept at `path`."""

    __tablename__ = "import_runs"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    file_name: str = Field(max_length=255)
    # Where the uploaded export waits until the run is over ("" for one the terminal named: it stays the operator's).
    path: str = Field(default="", max_length=1000)
    started_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    started_at: datetime = Field(default_factory=utcnow, index=True)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = Field(default=None)
    # "running", "done" or "failed" (the export refused as a whole: nothing of it was written).
    status: str = Field(default="running", max_length=8)
    # Conversation-days read of all of them (the progress bar), and what was imported, as "n things" lines.
    total: int = Field(default=0)
    done: int = Field(default=0)
    counts: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # What was skipped and why, one line each (at most IMPORT_REPORT_LINES; the rest counted).
    report: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ImportKey(SQLModel, table=True):
    """What an import made of each thing of an export: (source, kind, its id there) -> our row's id, so a second
    run of the same export finds what the first made and adds nothing. kind: "user", "bot", "room" or "thread"
    (a thread's parent, by "<channel>:<ts>"). A room's `cursor` is the Slack timestamp of the last message
    imported into it, written in the same transaction as that message: an interrupted run resumes after it."""

    __tablename__ = "import_keys"

    source: str = Field(max_length=40, primary_key=True)
    kind: str = Field(max_length=8, primary_key=True)
    external_id: str = Field(max_length=120, primary_key=True)
    local_id: int
    cursor: str = Field(default="", max_length=40)


class LinkPreview(SQLModel, table=True):
    """A web page's card, fetched for link previews (link_previews.py), kept per normalised URL: fetched again
    after LINK_PREVIEW_TTL_SECONDS. `ok` false: the fetch failed or the page had no title (no card shows).
    `image_key` names its picture in storage.py (re-encoded by us, served by us: never hot-linked)."""

    __tablename__ = "link_previews"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    fetched_at: datetime
    ok: bool = Field(default=False)
    final_url: str = Field(default="", max_length=2048)
    site: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=300)
    image_key: str | None = Field(default=None, max_length=64)
    image_width: int = Field(default=0)
    image_height: int = Field(default=0)


class MessagePreview(SQLModel, table=True):
    """A link of a message that gets a card, in the order the links appear; `removed` when its author took the
    card away (it never comes back for that message)."""

    __tablename__ = "message_previews"

    message_id: int = Field(foreign_key="messages.id", primary_key=True, ondelete="CASCADE")
    url: str = Field(max_length=2048, primary_key=True)
    position: int
    removed: bool = Field(default=False)


class CustomEmoji(SQLModel, table=True):
    """An emoji a member uploaded (custom_emoji.py), used as `:name:` in messages and reactions. `storage_key`
    names its picture in storage.py (re-encoded by us as a PNG of `width` x `height`); removing one deletes the
    row and its picture, and `:name:` shows as text again everywhere."""

    __tablename__ = "custom_emoji"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True)
    storage_key: str = Field(max_length=64)
    width: int
    height: int
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class UserGroup(SQLModel, table=True):
    """A named group of people (user_groups.py), mentioned as `@name`: the mention tells its members who may read
    the room. `name` is a lower-case slug no username takes (nor a username it)."""

    __tablename__ = "user_groups"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True)
    description: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class UserGroupMember(SQLModel, table=True):
    """Who belongs to a user group."""

    __tablename__ = "user_group_members"

    group_id: int = Field(foreign_key="user_groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")


class ScheduledMessage(SQLModel, table=True):
    """A message its author wrote to be sent later (scheduled.py): `due_at` (UTC), then `state` pending → done,
    failed (`reason`: the room was archived, deleted or left meanwhile) or cancelled. A durable job: whichever
    worker finds it due carries it out once (actions/later.py)."""

    __tablename__ = "scheduled_messages"
    __table_args__ = (
        Index("ix_scheduled_messages_state_due_at", "state", "due_at"),
        Index("ix_scheduled_messages_author_id_state", "author_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    # None once the room is deleted (the author is told when it falls due).
    room_id: int | None = Field(default=None, foreign_key="rooms.id", ondelete="SET NULL")
    body: str = Field(sa_column=Column(Text, nullable=False))
    due_at: datetime
    state: str = Field(default="pending", max_length=10)
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = Field(default=None)


class Reminder(SQLModel, table=True):
    """A reminder a person set (reminders.py) on a message they could read (`message_id`) or with a note only
    (`/remind me in 10m ...`): at `due_at` (UTC) a notice, then `state` done; failed when the message can no longer
    be read (`reason`, never shown: nothing about the room is told); cancelled by its person."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_state_due_at", "state", "due_at"),
        Index("ix_reminders_user_id_state", "user_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="CASCADE")
    note: str = Field(default="", max_length=200)
    due_at: datetime
    state: str = Field(default="pending", max_length=10)
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = Field(default=None)
