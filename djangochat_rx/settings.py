"""Every knob of the app, read from the environment once, with its default and its reason."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Everything the app stores on disk (the default SQLite database and its -wal/-shm files) lives in this
# folder. Its default is a hidden folder of the project because `reflex export` zips the project into
# backend.zip and leaves out only hidden paths and *.db files: a WAL next to the project shipped users'
# password hashes and messages.
DATA_DIR = Path(os.environ.get("DATA_DIR", PROJECT_DIR / ".data"))
# Before DATA_DIR existed the default database lived here; db.migrate moves it into DATA_DIR.
LEGACY_DATABASE = PROJECT_DIR / "djangochat.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'djangochat.db'}"
# Database: an embedded SQLite file in DATA_DIR unless DATABASE_URL says otherwise
# (e.g. postgresql+psycopg://user:pass@host/db).
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
# Redis (redis://, rediss:// or unix://): when set, Reflex keeps state in Redis and runs several
# backend workers, and realtime.py relays room messages between them. Empty: one worker, no Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
# How long a SQLite writer waits for the lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)
# The running app copies SQLite's write-ahead log back into the database file this often, on its own
# thread (db.checkpointing); a checkpoint inside a commit (SQLite's default, every ~1000 pages) put 4-5 ms
# on one send in ~80.
SQLITE_CHECKPOINT_SECONDS = float(os.environ.get("SQLITE_CHECKPOINT_SECONDS", "1"))
# The websocket (realtime/guard.py): open sockets per client address (a NAT'd office shares one), and
# events per socket (a person typing and sending stays far below; sends have their own SEND_LIMITS).
SOCKETS_PER_CLIENT = _int("SOCKETS_PER_CLIENT", 200)
SOCKET_EVENT_LIMIT = os.environ.get("SOCKET_EVENT_LIMIT", "120 per 10 seconds")
# Strict-Transport-Security max-age in seconds on every response; 0 (the default) sends none. Set it
# (e.g. 31536000) only when the app is served over TLS.
HSTS_SECONDS = _int("HSTS_SECONDS", 0)
# Searches per user (each one reads the full-text index).
SEARCH_LIMITS = os.environ.get("SEARCH_LIMITS", "30 per minute")
# Apply alembic migrations when the backend starts, so plain `reflex run` works on a fresh clone.
MIGRATE_ON_START = os.environ.get("MIGRATE_ON_START", "1") == "1"

# Passwords: bcrypt truncates (bcrypt 5 refuses) beyond 72 bytes; 8 characters is NIST SP 800-63B's floor.
BCRYPT_ROUNDS = _int("BCRYPT_ROUNDS", 12)
# Threads that run bcrypt (db.run_hashing), apart from the database calls' pool.
HASH_THREADS = _int("HASH_THREADS", 2)
# bcrypt jobs that may wait for those threads; past it a login or password change is answered "busy" at
# once instead of queueing behind a flood.
HASH_QUEUE_MAX = _int("HASH_QUEUE_MAX", 16)
PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_BYTES = 72

# Usernames: 3-32 letters, digits, "_", "." or "-".
USERNAME_MIN_CHARS = 3
USERNAME_MAX_CHARS = 32

# Sessions: 256-bit random tokens; OWASP-style idle and absolute timeouts.
SESSION_TOKEN_BYTES = 32
SESSION_IDLE_TIMEOUT = timedelta(days=_int("SESSION_IDLE_DAYS", 14))
SESSION_MAX_AGE = timedelta(days=_int("SESSION_MAX_AGE_DAYS", 30))
# How often each worker cuts off the sockets of sessions that expired (idle or absolute) meanwhile.
SESSION_SWEEP_SECONDS = float(os.environ.get("SESSION_SWEEP_SECONDS", "30"))
# last_seen is written at most this often, so reading a session is not a write per event.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)
# A process trusts a session it resolved for this long (ended sessions are forgotten at once, see
# sessions.RecentIdentities), keeping at most this many.
SESSION_CACHE_SECONDS = 5.0
SESSION_CACHE_MAX = 10_000

# Browser origins allowed to open the websocket and call the API (comma-separated). Reflex's
# default is every origin; ours is the app's own frontend. Set it to your public URL when deploying.
ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("ALLOWED_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000").split(",")
    if origin.strip()
]
# Largest websocket frame the server accepts (socket.io's default is 1 MB). A 4000-character
# message is at most 16 KB of UTF-8; the page's first frame carries the browser's stored values.
SOCKET_MAX_FRAME_BYTES = _int("SOCKET_MAX_FRAME_BYTES", 64 * 1024)

# Socket keep-alive: the server pings every SOCKET_PING_INTERVAL s and drops a socket that does not
# answer within SOCKET_PING_TIMEOUT s; the browser notices a dead link after the sum. Reflex's 25 + 120 s
# left a tab offline for minutes before it said "Reconnecting…".
SOCKET_PING_INTERVAL = _int("SOCKET_PING_INTERVAL", 10)
SOCKET_PING_TIMEOUT = _int("SOCKET_PING_TIMEOUT", 10)

# Rate limits ("N per period", the `limits` library's notation; moving windows).
# Login: 5 failures per account in 30 minutes (Zulip's rule), a looser budget per client address.
LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 30 minutes")
LOGIN_LIMIT_PER_CLIENT = os.environ.get("LOGIN_LIMIT_PER_CLIENT", "30 per 10 minutes")
# A browser that logged in to an account before (devices.py) keeps trying within a budget of its own
# while the account is locked for everyone else.
LOGIN_LIMIT_PER_DEVICE = os.environ.get("LOGIN_LIMIT_PER_DEVICE", "10 per 30 minutes")
KNOWN_DEVICE_DAYS = _int("KNOWN_DEVICE_DAYS", 30)
KNOWN_DEVICES_PER_USER = _int("KNOWN_DEVICES_PER_USER", 20)
# Wrong current passwords on the account page, per account (a stolen session must not guess on).
PASSWORD_CHECK_LIMIT = os.environ.get("PASSWORD_CHECK_LIMIT", "5 per 30 minutes")
# Second-factor codes (an authenticator app's or a recovery code), per account: like passwords (a thief who has
# the password guesses on here; 5 tries at a 3-in-a-million chance each), and per client address.
SECOND_FACTOR_LIMIT = os.environ.get("SECOND_FACTOR_LIMIT", "5 per 30 minutes")
SECOND_FACTOR_LIMIT_PER_CLIENT = os.environ.get("SECOND_FACTOR_LIMIT_PER_CLIENT", "30 per 10 minutes")
# How long the code step of a login waits after the password was right, before it starts over.
SECOND_STEP_SECONDS = _int("SECOND_STEP_SECONDS", 300)
# The name an authenticator app shows beside the account (its "issuer").
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "DjangoChat RX")
# Registrations per client address without a usable invite link (an invite is its own budget: its max uses),
# so a team behind one office address joins through its invite while a script signing up openly is stopped.
REGISTER_LIMIT_PER_CLIENT = os.environ.get("REGISTER_LIMIT_PER_CLIENT", "10 per hour")
# Sending, per user: a burst allowance and a sustained rate (OWASP suggests ~100 per minute); ";"-separated.
SEND_LIMITS = os.environ.get("SEND_LIMITS", "20 per 10 seconds;100 per minute")
# Direct messages that notify now though their people may not be disturbed ("Notify now"): per person.
URGENT_LIMITS = os.environ.get("URGENT_LIMITS", "3 per day")

# Rooms.
ROOM_NAME_MAX_CHARS = 64
ROOM_DESCRIPTION_MAX_CHARS = 500
ROOM_SLUG_MAX_CHARS = 80
# A direct conversation has 2 to this many people (Slack's group DMs allow 9).
DM_MAX_PEOPLE = 8

# Messages: 1-4000 characters after trimming (Rocket.Chat allows 5000, Zulip 10000 bytes).
MESSAGE_MAX_CHARS = 4000
# A fenced code block with no language has its language guessed (markup.py) only up to this length: colouring
# costs ~1.6 ms per 1000 characters of Python, and a long paste with no language (a log, a stack trace) is more
# often not code than code. A block with its language named is coloured up to MESSAGE_MAX_CHARS.
CODE_GUESS_MAX_CHARS = 2000
# Colouring one code block may take this long (ms) before the block is shown plain instead: every Pygments lexer
# has texts it takes quadratic time on (C#'s, 2 s for 4000 characters), while 4000 characters of ordinary Python
# take ~5 ms.
CODE_COLOUR_MS = 25
# Authors may edit or delete a message this long after sending: time to fix a typo, not to rewrite
# a conversation others have already answered.
EDIT_WINDOW_MINUTES = _int("EDIT_WINDOW_MINUTES", 15)
# Search: the most results one search returns (best first), and the longest query accepted (a bound on
# the terms one search hands the database).
SEARCH_RESULTS = 50
SEARCH_QUERY_MAX_CHARS = 200
# Typing indicator: the page says "typing" at most this often; the server forgets a typer this long
# after their last notice (Zulip: stop after 5 s idle).
TYPING_NOTICE_MS = 2500
TYPING_TTL_SECONDS = 5.0
# A room's newest messages, sent when a tab opens it; scrolling back and filling gaps read this many at a time.
ROOM_WINDOW = 50
# How many messages a room page holds in the browser at most (scrolling back adds ROOM_WINDOW at a time).
FEED_MAX_MESSAGES = 2000
# A new message that arrives before one with a lower seq waits this long for it (then the page fills the gap).
FEED_REORDER_SECONDS = 1.0
# A message's new reply count or reactions wait this long to ride with the room's next message (one frame
# for both); in a quiet room they go alone after it.
FEED_CHANGE_SECONDS = 0.25
# The garbage collector's thresholds (Python's default: 700, 10, 10): fewer young collections, and full
# ones rarer, for a server whose long-lived objects are frozen at start (djangochat_rx.py).
GC_THRESHOLDS = (10_000, 20, 20)
# Rows per page in the admin area's user and message lists.
ADMIN_PAGE_SIZE = 50
# Exports: a download ticket is good once within this many seconds; messages are read this many at a time.
DOWNLOAD_TICKET_SECONDS = 60
EXPORT_BATCH_SIZE = 500

# Presence: with several workers each one keeps its rooms -> names in Redis for PRESENCE_TTL_SECONDS
# and refreshes every PRESENCE_REFRESH_SECONDS; a dead worker's users vanish within the TTL. A lost
# connection is noticed after SOCKET_PING_INTERVAL + SOCKET_PING_TIMEOUT: gone within 60 s in all.
PRESENCE_TTL_SECONDS = 15
PRESENCE_REFRESH_SECONDS = 5
# Arrivals and departures within this long go out as one presence frame per room.
PRESENCE_FLUSH_SECONDS = 0.5
# The rooms list is sent at most this often while messages stream in (one frame per burst).
LOBBY_FLUSH_SECONDS = 0.25
# Pinned messages a room may hold (the "Pinned" panel shows them all, and each change sends the list).
PINS_PER_ROOM = _int("PINS_PER_ROOM", 50)
# A thread's panel shows its newest THREAD_WINDOW replies; the Threads page lists THREADS_LISTED followed threads.
THREAD_WINDOW = _int("THREAD_WINDOW", 200)
THREADS_LISTED = _int("THREADS_LISTED", 50)
# Messages a person may keep saved (the Saved page), and how many of them the page lists, newest saved first.
SAVED_PER_USER = _int("SAVED_PER_USER", 1000)
SAVED_LISTED = _int("SAVED_LISTED", 200)
# Send later and reminders (scheduled.py, reminders.py, actions/later.py): how often each worker looks for what is
# due (the job runs once whichever worker finds it), how many each person may have waiting, and how far ahead.
JOBS_SCAN_SECONDS = float(os.environ.get("JOBS_SCAN_SECONDS", "2"))
SCHEDULED_PER_USER = _int("SCHEDULED_PER_USER", 100)
REMINDERS_PER_USER = _int("REMINDERS_PER_USER", 200)
LATER_MAX_DAYS = _int("LATER_MAX_DAYS", 365)
# Read receipts (read_receipts.py) are shown in direct conversations and rooms of at most this many people (those who
# may read it and are a member or have opened it): past it, a "Seen by" line would be a list nobody reads, and
# working it out on every read would cost the room's readers.
READ_RECEIPTS_MAX_MEMBERS = _int("READ_RECEIPTS_MAX_MEMBERS", 20)
# The answers a poll may offer (polls.py), and how many messages one forwarding may copy (forwarding.py).
POLL_MAX_OPTIONS = _int("POLL_MAX_OPTIONS", 10)
FORWARD_MAX_MESSAGES = _int("FORWARD_MAX_MESSAGES", 10)
# The rooms and conversations the forward form lists, by name.
FORWARD_TARGETS_LISTED = _int("FORWARD_TARGETS_LISTED", 500)
# The rooms page shows this many public rooms (most recently active first) live, and as many private rooms
# and conversations; "Show more rooms" reads the next page. A frame's size is bounded however many exist.
ROOMS_LIST_PAGE = _int("ROOMS_LIST_PAGE", 50)
# Rooms and direct conversations one user may open: a burst and a day (per user, every worker).
CREATE_LIMITS = os.environ.get("CREATE_LIMITS", "10 per minute;100 per day")

# Joining (signup.py): invite links last at most this many days and admit at most this many accounts.
INVITE_MAX_DAYS = _int("INVITE_MAX_DAYS", 30)
INVITE_MAX_USES = _int("INVITE_MAX_USES", 500)
# Guests (access.py): a guest invite names at most this many rooms (its ids fit Invite.guest_rooms), and its
# guests may be given at most this many days before they are disabled; expired guests are disabled (their
# sessions ended, their sockets cut off) by a scan this often (sign-in and every session check refuse them
# from the moment they expire).
GUEST_INVITE_MAX_ROOMS = _int("GUEST_INVITE_MAX_ROOMS", 20)
GUEST_MAX_DAYS = _int("GUEST_MAX_DAYS", 365)
GUEST_EXPIRY_SCAN_SECONDS = float(os.environ.get("GUEST_EXPIRY_SCAN_SECONDS", "60"))
# Retention (retention.py): the longest policy one may set; the scan's period; how many messages one write
# transaction deletes (short: senders wait for the write lock meanwhile) and the most one room loses per scan
# (the rest the next time, so one scan never runs for long).
RETENTION_MAX_DAYS = _int("RETENTION_MAX_DAYS", 3650)
RETENTION_SCAN_SECONDS = float(os.environ.get("RETENTION_SCAN_SECONDS", "3600"))
# How often people whose do not disturb or time off work ended, with notifications waiting, get their summary.
QUIET_SCAN_SECONDS = float(os.environ.get("QUIET_SCAN_SECONDS", "60"))
RETENTION_BATCH = _int("RETENTION_BATCH", 200)
RETENTION_MOST_PER_RUN = _int("RETENTION_MOST_PER_RUN", 5000)
# Imports of another chat's export (slack_import.py; `import-slack` and Admin → Import). An uploaded export is
# at most IMPORT_MAX_BYTES, sent within the uploads' five minutes (a larger one: the terminal's import-slack).
# Whatever its size, it may unpack to at most IMPORT_MAX_UNPACKED_BYTES in all, hold at most IMPORT_MAX_ENTRIES
# files, each JSON file at most IMPORT_MAX_JSON_BYTES and none packed tighter than IMPORT_MAX_RATIO to 1 (a zip
# bomb is refused before anything is written). One import runs at a time; it writes IMPORT_BATCH messages per
# transaction and rests IMPORT_PAUSE_SECONDS between them, so a sender waiting for the write lock meanwhile gets it
# within a short batch (db._begin_immediate). A run whose heartbeat stopped for IMPORT_STALE_SECONDS was
# interrupted and is taken up again. A report keeps IMPORT_REPORT_LINES lines.
IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 1024 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = _int("IMPORT_MAX_UNPACKED_BYTES", 20 * 1024 * 1024 * 1024)
IMPORT_MAX_ENTRIES = _int("IMPORT_MAX_ENTRIES", 500_000)
IMPORT_MAX_JSON_BYTES = _int("IMPORT_MAX_JSON_BYTES", 64 * 1024 * 1024)
IMPORT_MAX_RATIO = _int("IMPORT_MAX_RATIO", 200)
IMPORT_BATCH = _int("IMPORT_BATCH", 10)
IMPORT_PAUSE_SECONDS = float(os.environ.get("IMPORT_PAUSE_SECONDS", "0.008"))
# While people chat (a message not the import's in the last IMPORT_LIVE_SECONDS), it gives way: a few messages
# per transaction (each a lock of a few milliseconds: search indexes every message) and long rests.
IMPORT_LIVE_SECONDS = float(os.environ.get("IMPORT_LIVE_SECONDS", "10"))
IMPORT_LIVE_BATCH = _int("IMPORT_LIVE_BATCH", 5)
IMPORT_LIVE_PAUSE_SECONDS = float(os.environ.get("IMPORT_LIVE_PAUSE_SECONDS", "0.5"))
IMPORT_STALE_SECONDS = _int("IMPORT_STALE_SECONDS", 120)
IMPORT_REPORT_LINES = _int("IMPORT_REPORT_LINES", 500)
# One-time account links (account_links.py): a password-reset link an administrator hands over lasts
# this long; one sent by email (Forgot password) much less (OWASP: short-lived); an address check a day.
ADMIN_RESET_LINK_HOURS = _int("ADMIN_RESET_LINK_HOURS", 72)
EMAIL_RESET_LINK_MINUTES = _int("EMAIL_RESET_LINK_MINUTES", 60)
VERIFY_LINK_HOURS = _int("VERIFY_LINK_HOURS", 24)
# "Forgot password" requests and address checks: per client address and per account or address asked for.
EMAIL_LINK_LIMITS = os.environ.get("EMAIL_LINK_LIMITS", "5 per hour")
# Sign-up links by address (open sign-up for one domain) per client address: a team behind one office address
# asks for theirs at once; each address still gets at most EMAIL_LINK_LIMITS, and only the domain's get any.
SIGNUP_LINK_LIMIT_PER_CLIENT = os.environ.get("SIGNUP_LINK_LIMIT_PER_CLIENT", "60 per hour")
# After an account's address is added or replaced, "Forgot password" mails it no reset link for this long: a
# stolen session that set its own address cannot take the account by email (an administrator's link still works).
EMAIL_CHANGE_RESET_HOLD_HOURS = _int("EMAIL_CHANGE_RESET_HOLD_HOURS", 24)

# Email (mail.py): the SMTP server, as smtp://user:password@host:587 (STARTTLS required: a server that
# offers none never gets the password, and the mail is not sent), smtps://user:password@host:465 (TLS from
# the start), smtp://user:password@host:25?tls=none (the password in clear: only on a trusted network) or
# smtp://host:25 (no password; STARTTLS when offered). Empty: no email, and the pages that would send some
# say so.
SMTP_URL = os.environ.get("SMTP_URL", "")
SMTP_FROM = os.environ.get("SMTP_FROM", "DjangoChat RX <chat@localhost>")
SMTP_TIMEOUT_SECONDS = float(os.environ.get("SMTP_TIMEOUT_SECONDS", "20"))
# The address people open the app at, for links in emails (and invite links shown in the admin area).
PUBLIC_URL = os.environ.get("PUBLIC_URL", ALLOWED_ORIGINS[0] if ALLOWED_ORIGINS else "http://localhost:3000").rstrip(
    "/"
)
# Email about what you missed (notices.py): how often each worker looks for emails to send, and how far
# back unread mentions and direct messages count (an address added today does not bring a year's worth).
NOTICE_SCAN_SECONDS = float(os.environ.get("NOTICE_SCAN_SECONDS", "60"))
NOTICE_LOOKBACK_DAYS = _int("NOTICE_LOOKBACK_DAYS", 7)
# One-click unsubscribe POSTs (notices.py, anonymous) per client address: mail providers post them for all
# their users from a few addresses, so the budget is wide; it bounds a script, not a person.
UNSUBSCRIBE_LIMITS_PER_CLIENT = os.environ.get("UNSUBSCRIBE_LIMITS_PER_CLIENT", "60 per minute;1000 per hour")
# Web Push (push.py). Browsers subscribe at their vendor's push service; the server POSTs each
# notification there, so only these hosts are accepted (fnmatch patterns, comma-separated).
PUSH_SERVICES = [
    host.strip()
    for host in os.environ.get(
        "PUSH_SERVICES",
        "fcm.googleapis.com,*.push.services.mozilla.com,updates.push.services.mozilla.com,"
        "*.notify.windows.com,web.push.apple.com",
    ).split(",")
    if host.strip()
]
# Plain http:// push endpoints (a test's own push server only).
PUSH_ALLOW_HTTP = os.environ.get("PUSH_ALLOW_HTTP", "0") == "1"
# Who the push services may contact about our pushes (VAPID "sub"); default: SMTP_FROM's address.
PUSH_CONTACT = os.environ.get("PUSH_CONTACT", "")
# How long a push service keeps a notification for a browser that is offline, and how long we wait for it.
PUSH_TTL_SECONDS = _int("PUSH_TTL_SECONDS", 12 * 3600)
PUSH_TIMEOUT_SECONDS = float(os.environ.get("PUSH_TIMEOUT_SECONDS", "10"))
# Reactions (reactions.py): the most different emoji one message may carry.
REACTIONS_PER_MESSAGE = _int("REACTIONS_PER_MESSAGE", 20)
# `@room` mentions everyone in a room; in a room of more than this many people only its owner may.
ROOM_MENTION_OWNER_ONLY_OVER = _int("ROOM_MENTION_OWNER_ONLY_OVER", 20)
# Incoming webhooks (webhooks.py): posts per webhook (a burst; a day), and the largest payload taken.
WEBHOOK_LIMITS = os.environ.get("WEBHOOK_LIMITS", "30 per minute;1000 per day")
WEBHOOK_MAX_BYTES = _int("WEBHOOK_MAX_BYTES", 64 * 1024)
# Working webhooks one room may have (each is a bot account everyone's pages list); making one is charged to
# its maker's CREATE_LIMITS, like a room. Slack-sized integrations need a handful per room.
WEBHOOKS_PER_ROOM = _int("WEBHOOKS_PER_ROOM", 10)
# The REST API (api.py): calls per account, whichever of its tokens makes them (a burst; a day), a token's
# lifetime when its maker does not say (days; at most API_TOKEN_MAX_DAYS), and the most messages one page of
# a room's messages holds.
API_LIMITS = os.environ.get("API_LIMITS", "120 per minute;20000 per day")
API_TOKEN_DAYS = _int("API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = _int("API_TOKEN_MAX_DAYS", 365)
# Live (unexpired, unrevoked) API tokens one account may hold: each has its own API_LIMITS, so a cap bounds
# what one account's scripts may load the server with.
API_TOKENS_PER_USER = _int("API_TOKENS_PER_USER", 10)
# Passkeys one account may hold (each is a row and a key a sign-in is checked against).
PASSKEYS_PER_USER = _int("PASSKEYS_PER_USER", 10)
API_PAGE_MAX = _int("API_PAGE_MAX", 200)
# How long a mention or direct message waits unread before a new account's email about it (minutes:
# 5, 10, 30 or 60; each person changes theirs on the account page).
EMAIL_NOTICE_MINUTES = _int("EMAIL_NOTICE_MINUTES", 10)
# Python hooks (hooks.py): the modules to import at start (comma-separated dotted paths, e.g.
# djangochat_rx.notify.hooks_examples.echo); how long one hook call may take before it is given up and logged;
# the threads that run plain (not async) hooks, apart from the database's, so a hung hook holds only these.
HOOKS = [path.strip() for path in os.environ.get("HOOKS", "").split(",") if path.strip()]
HOOK_TIMEOUT_SECONDS = float(os.environ.get("HOOK_TIMEOUT_SECONDS", "5"))
HOOK_THREADS = _int("HOOK_THREADS", 2)

# Files and images in messages, and avatars (attachments.py, storage.py, files.py, avatars.py).
# Where uploaded bytes are kept: inside DATA_DIR by default (hidden, so `reflex export` leaves them out).
UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", DATA_DIR / "uploads"))
# One file at most this big (Slack's free plan: 1 GB; ours is a small server's disk), at most this many
# files on one message, and at most this many bytes uploaded per user in 24 hours.
FILE_MAX_BYTES = _int("FILE_MAX_BYTES", 25 * 1024 * 1024)
FILES_PER_MESSAGE = _int("FILES_PER_MESSAGE", 10)
FILE_DAILY_BYTES = _int("FILE_DAILY_BYTES", 500 * 1024 * 1024)
# Uploads (files and pictures) one user may have on their way at once in a worker; the next is answered 429
# at once. Each holds a temporary file and, for an image, a place in the image queue; their bytes count
# against FILE_DAILY_BYTES while they stream in (six parallel 3 MB uploads passed a 16 MB budget before).
UPLOADS_PER_USER_AT_ONCE = _int("UPLOADS_PER_USER_AT_ONCE", 3)
# An upload not posted with a message within this long is abandoned: the sweep removes it.
FILE_UNBOUND_HOURS = _int("FILE_UNBOUND_HOURS", 6)
# How often each worker removes abandoned uploads, deleted messages' files and expired tickets.
FILE_SWEEP_SECONDS = float(os.environ.get("FILE_SWEEP_SECONDS", "300"))
# A temporary file in uploads/incoming/ untouched this long belongs to no upload any more (one cut off, or a
# crash mid-way): the sweep removes it. An upload in progress writes to its file, and the body's read timeout
# (doors.UPLOAD_READ_SECONDS) and the image queue end every upload far sooner.
FILE_SCRATCH_MINUTES = _int("FILE_SCRATCH_MINUTES", 60)
# A tab's media tickets (the cookie that lets <img> fetch files, the header that lets it upload) last this long.
MEDIA_TICKET_HOURS = _int("MEDIA_TICKET_HOURS", 12)
# Images that would decode to more than this many pixels, every frame of an animation counted at its canvas's
# size (frames x width x height, before decoding and again as each frame is read), or to more frames than
# IMAGE_MAX_FRAMES, are kept as plain files, never decoded: a decompression bomb, or a 1 419-byte GIF of 60
# one-pixel frames on a 2000x2000 canvas (+507 MB before). An animation may cost what the largest still
# image does (40 M pixels: ~160 MB as RGBA); each frame costs Python work however small, hence the cap.
IMAGE_MAX_PIXELS = _int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_MAX_FRAMES = _int("IMAGE_MAX_FRAMES", 500)
# A picture (avatar) is shown at 256 pixels: a 12-megapixel phone photo is plenty, and decoding and
# resizing one costs a quarter of a 40-megapixel image's CPU on the image thread. Larger ones are refused.
AVATAR_MAX_PIXELS = _int("AVATAR_MAX_PIXELS", 12_000_000)
# Threads that re-encode uploaded images and avatars (~60 ms of CPU for a 1280x960 PNG), each scheduled
# only when a CPU is otherwise idle (images._lower_priority), so that live delivery goes first when the
# machine is busy (at least 1). No database thread waits for them: uploads await them from the event loop.
IMAGE_THREADS = _int("IMAGE_THREADS", 1)
# Images (uploads and pictures) that may wait for those threads; past it an image upload is answered 503
# "busy, try again" with Retry-After IMAGE_BUSY_RETRY_SECONDS at once, like bcrypt's HASH_QUEUE_MAX: twelve
# 39-megapixel PNGs at once each held a database thread while they waited (every page load took 4-5 s).
IMAGE_QUEUE_MAX = _int("IMAGE_QUEUE_MAX", 8)
IMAGE_BUSY_RETRY_SECONDS = 5
# A thumbnail fits in this box (CSS pixels x2 for sharp screens); an avatar is a square this big, and small.
THUMBNAIL_BOX = (640, 480)
AVATAR_PIXELS = 256
AVATAR_SMALL_PIXELS = 64
# Picture changes (a new one, or back to the generated one) per user, a burst and a day: each is a frame to
# every logged-in tab of the instance (40 in half a second sent 80 frames to each before).
PICTURE_LIMITS = os.environ.get("PICTURE_LIMITS", "5 per minute;30 per day")
# Custom emoji (custom_emoji.py): who may add one, "members" (everyone but guests and bots) or "admins" (the
# default only: the admin page's choice overrides it); the most an instance holds (each is a CSS rule on every page
# and a line in every picker: Slack's own cap is 5000, ours is a small team's); the largest upload (an emoji is
# drawn at 22 pixels: 256 KB is a generous source); and additions and removals per user, a burst and a day (each
# is a frame to every logged-in tab).
CUSTOM_EMOJI_ADDERS = os.environ.get("CUSTOM_EMOJI_ADDERS", "members")
CUSTOM_EMOJI_MAX = _int("CUSTOM_EMOJI_MAX", 500)
CUSTOM_EMOJI_MAX_BYTES = _int("CUSTOM_EMOJI_MAX_BYTES", 256 * 1024)
CUSTOM_EMOJI_LIMITS = os.environ.get("CUSTOM_EMOJI_LIMITS", "10 per minute;50 per day")
# A custom emoji is re-encoded as a PNG within this box (64: sharp at 22 CSS pixels on a 2x screen); a source of
# more pixels than this is refused before it is decoded (a 256 KB PNG may claim 30 000 x 30 000).
CUSTOM_EMOJI_PIXELS = 64
CUSTOM_EMOJI_MAX_SOURCE_PIXELS = 4_000_000

# User groups (user_groups.py, `@backend`): how many one instance holds and how many people one holds (a mention of
# a group writes a row per member who may read the room), and the changes one person makes to groups (create,
# rename, describe, delete, add or remove someone, join, leave), a burst and a day: each tells every open group page.
# Who manages groups (administrators, or each group's members) is an instance setting on the admin page.
USER_GROUPS_MAX = _int("USER_GROUPS_MAX", 200)
USER_GROUP_MEMBERS_MAX = _int("USER_GROUP_MEMBERS_MAX", 1000)
USER_GROUP_LIMITS = os.environ.get("USER_GROUP_LIMITS", "30 per minute;300 per day")

# Single sign-on (OIDC, domain/sso.py): the identity providers people may sign in with, a JSON list of objects:
# {"id": "keycloak", "label": "Sign in with Keycloak", "issuer": "https://id.example.com/realms/team",
#  "client_id": "...", "client_secret": "...", "allowed_domains": ["example.com"], "admit_groups": ["staff"],
#  "groups_claim": "groups"}; "allowed_domains" / "admit_groups" create accounts for such people even when
# sign-up is invite-only or closed. The provider calls back to PUBLIC_BACKEND_URL + /_sso/<id>/callback.
OIDC_PROVIDERS = os.environ.get("OIDC_PROVIDERS", "[]")
# How long a sign-in may stay at the provider, and how long its hand-over to the page works once back.
SSO_ATTEMPT_MINUTES = _int("SSO_ATTEMPT_MINUTES", 10)
SSO_TICKET_SECONDS = _int("SSO_TICKET_SECONDS", 120)
# Sign-ins started and finished per client address (each start writes a row and each finish fetches from the
# provider; a team behind one address signs in together).
SSO_LIMITS_PER_CLIENT = os.environ.get("SSO_LIMITS_PER_CLIENT", "60 per 10 minutes")
# Every request to a provider (discovery, keys, token): seconds to connect and to answer, and the largest answer.
SSO_FETCH_SECONDS = float(os.environ.get("SSO_FETCH_SECONDS", "10"))
SSO_FETCH_MAX_BYTES = _int("SSO_FETCH_MAX_BYTES", 256 * 1024)
# Fetches from providers in flight at once per worker (past it a sign-in is told to try again: a slow provider
# holds at most this many).
SSO_FETCHES_AT_ONCE = _int("SSO_FETCHES_AT_ONCE", 8)
# How long a provider's discovery document and keys are trusted before they are fetched again (a key the
# cache does not know is looked up at once, at most once a minute: key rotation).
SSO_CACHE_SECONDS = _int("SSO_CACHE_SECONDS", 3600)

# Link previews (domain/link_previews.py, infra/fetch.py, notify/previews.py): the first links of a message get a
# card (site, title, description, image) fetched by the server after the commit, never on the send path.
# LINK_PREVIEWS=0 turns them off (no fetch, and no card shows). LINK_PREVIEW_DOMAINS: a comma-separated
# allow-list (example.com also allows its subdomains; every redirect and the card's image too); empty: any site.
LINK_PREVIEWS = os.environ.get("LINK_PREVIEWS", "1") == "1"
LINK_PREVIEW_DOMAINS = [
    domain.strip().lower().strip(".")
    for domain in os.environ.get("LINK_PREVIEW_DOMAINS", "").split(",")
    if domain.strip().strip(".")
]
# The fetch reaches only global addresses (never loopback, private, link-local, multicast, reserved, shared or
# documentation ones, in IPv4 or IPv6, whatever a name or a redirect says): these networks (CIDR, comma-separated)
# are allowed besides, for an intranet's own sites or the tests' server on 127.0.0.1. Empty by default.
LINK_PREVIEW_ALLOWED_NETWORKS = [
    network.strip() for network in os.environ.get("LINK_PREVIEW_ALLOWED_NETWORKS", "").split(",") if network.strip()
]
# The ports a fetch may connect to (http and https only, whatever the port).
LINK_PREVIEW_ALLOWED_PORTS = [
    int(port) for port in os.environ.get("LINK_PREVIEW_ALLOWED_PORTS", "80,443").split(",") if port.strip()
]
# A URL's card (or its failure) is kept this long before a new message with it fetches it again.
LINK_PREVIEW_TTL_SECONDS = _int("LINK_PREVIEW_TTL_SECONDS", 24 * 3600)
# The most bytes read of a page (its <head> is what matters: 512 KB holds every common site's), and of its image
# (then re-encoded within IMAGE_MAX_PIXELS on the image threads, kept as a thumbnail).
LINK_PREVIEW_MAX_BYTES = _int("LINK_PREVIEW_MAX_BYTES", 512 * 1024)
LINK_PREVIEW_IMAGE_MAX_BYTES = _int("LINK_PREVIEW_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
# The whole fetch of a page (redirects included) and, apart, of its image must end within this; each connection
# within LINK_PREVIEW_CONNECT_SECONDS and each read within LINK_PREVIEW_READ_SECONDS (constants).
LINK_PREVIEW_TIMEOUT_SECONDS = float(os.environ.get("LINK_PREVIEW_TIMEOUT_SECONDS", "10"))
LINK_PREVIEW_CONNECT_SECONDS = 3.0
LINK_PREVIEW_READ_SECONDS = 5.0
# Redirects followed (each hop checked again, its name resolved again and its address vetted).
LINK_PREVIEW_MAX_REDIRECTS = 3
# Messages whose links are fetched at once per worker, and how many more may wait; past it a message gets no
# card (a flood of links costs the server at most this, never the send path).
LINK_PREVIEW_CONCURRENCY = _int("LINK_PREVIEW_CONCURRENCY", 2)
LINK_PREVIEW_QUEUE_MAX = _int("LINK_PREVIEW_QUEUE_MAX", 50)
# Links of one message that get a card (the first ones, in the order they appear; links in code are not links).
LINK_PREVIEWS_PER_MESSAGE = _int("LINK_PREVIEWS_PER_MESSAGE", 2)
# What the fetch says it is (the only thing a site learns besides the URL and the server's address).
LINK_PREVIEW_USER_AGENT = "DjangoChatRX-LinkPreview/1.0 (a chat server showing a link's title)"
