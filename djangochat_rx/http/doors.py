"""Every way in, with its budget, in one place: each HTTP route (ours, the REST API's and Reflex's own), each
socket event handler and each command of the CLI. A door that is not listed here fails
tests/security/test_doors.py; endpoints.BodyBudget reads the HTTP budgets before any route reads a body, and
tests/security/test_hostile_doors.py tries every listed door with too many bytes, too slow a body, a burst and
many at once while a bystander loads a page. docs/security.md "Budgets" has the same tables.

The budget of a door says what one caller may make the server hold or do through it:
- `anonymous_bytes`: body bytes read before the caller is known (a token, ticket or secret path resolved);
- `bytes`: body bytes in all, once known (the layer answers 413 past them, declared or counted);
- `read_seconds`: the whole body arrives within this, or 408 (a slow body holds nothing longer);
- `at_once_per_client`: requests in flight from one client address (/64 for IPv6) on this worker;
- `at_once_per_user`: requests in flight for one account on this worker (the route counts them, once it
  knows the account);
- `counts`: the rate budgets charged (names of throttle's limits, per user, token, client or webhook);
- `work`: what it may start beyond a database call: "bcrypt" (its own bounded pool), "image" (the image
  threads' bounded queue), "mail" (one message, after the answer), "file" (bytes to disk), "push", "fetch" (a
  request to an identity provider, within SSO_FETCH_SECONDS and SSO_FETCH_MAX_BYTES), "link previews" (after the
  commit, a message's first links fetched through the guard of infra/fetch.py: LINK_PREVIEW_CONCURRENCY jobs at
  once per worker and LINK_PREVIEW_QUEUE_MAX waiting, each within LINK_PREVIEW_TIMEOUT_SECONDS and
  LINK_PREVIEW_MAX_BYTES, its picture on the image threads' queue).
"""

import re
from dataclasses import dataclass, field

from starlette.routing import compile_path

from djangochat_rx import settings

# A body's bytes, when a route takes one at all: small JSON (the API's largest is a 4000-character message,
# at most ~48 KB with every character escaped), the one-click unsubscribe form, and files.
API_BODY_BYTES = 64 * 1024
FORM_BODY_BYTES = 1024
# How long a small body may take to arrive, and an upload (25 MB at 1 Mbit/s takes ~200 s).
READ_SECONDS = 10.0
UPLOAD_READ_SECONDS = 300.0
# Requests in flight from one client address to a door anyone may knock on without an account.
ANONYMOUS_AT_ONCE = 8


@dataclass(frozen=True)
class Budget:
    anonymous_bytes: int = 0
    bytes: int = 0
    read_seconds: float = READ_SECONDS
    at_once_per_client: int | None = None
    at_once_per_user: int | None = None
    counts: tuple[str, ...] = ()
    work: tuple[str, ...] = ()


NO_BODY = Budget()


@dataclass(frozen=True)
class HttpDoor:
    """An HTTP route: its methods, its path as routed (Starlette's syntax, from the app's root), a path that
    reaches it (for the hostile tests), and its budget."""

    methods: frozenset[str]
    path: str
    example: str
    budget: Budget
    why: str
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path(self.path)[0])


def _http(methods: str, path: str, example: str, budget: Budget, why: str) -> HttpDoor:
    return HttpDoor(frozenset(methods.split()), path, example, budget, why)


def _upload(count: str) -> Budget:
    return Budget(
        bytes=settings.FILE_MAX_BYTES,
        read_seconds=UPLOAD_READ_SECONDS,
        at_once_per_user=settings.UPLOADS_PER_USER_AT_ONCE,
        counts=(count,),
        work=("file", "image"),
    )


_API = "/api/v1"
_API_CALL = Budget(bytes=API_BODY_BYTES, counts=("API_LIMITS",))
_API_READ = Budget(counts=("API_LIMITS",))

HTTP_DOORS: tuple[HttpDoor, ...] = (
    # Files (files.py): an upload ticket in a header is resolved before a byte of the body is read.
    _http(
        "POST",
        "/_files/upload",
        "/_files/upload?room=1",
        _upload("FILE_DAILY_BYTES"),
        "a file into a room",
    ),
    _http(
        "POST",
        "/_files/avatar",
        "/_files/avatar",
        _upload("PICTURE_LIMITS"),
        "a new picture",
    ),
    # A custom emoji (custom_emoji.py): a small picture, shrunk on the image threads.
    _http(
        "POST",
        "/_files/emoji",
        "/_files/emoji?name=party",
        Budget(
            bytes=settings.CUSTOM_EMOJI_MAX_BYTES,
            read_seconds=READ_SECONDS,
            at_once_per_user=settings.UPLOADS_PER_USER_AT_ONCE,
            counts=("CUSTOM_EMOJI_LIMITS", "CUSTOM_EMOJI_MAX"),
            work=("file", "image"),
        ),
        "a new custom emoji",
    ),
    # An administrator's Slack export (imports.py): one import at a time in the instance, checked before the body.
    _http(
        "POST",
        "/_files/import/slack",
        "/_files/import/slack",
        Budget(
            bytes=settings.IMPORT_MAX_BYTES,
            read_seconds=UPLOAD_READ_SECONDS,
            at_once_per_user=1,
            work=("import process", "file", "image"),
        ),
        "an administrator's Slack export, imported in a process of its own",
    ),
    _http("GET HEAD", "/_files/avatars/{user_id:int}/{key}/{size}", "/_files/avatars/1/k/small", NO_BODY, "a picture"),
    _http("GET HEAD", "/_files/emoji/{name}/{key}", "/_files/emoji/party/k", NO_BODY, "a custom emoji's picture"),
    _http(
        "GET HEAD",
        "/_files/previews/{message_id:int}/{key}",
        "/_files/previews/1/k",
        NO_BODY,
        "a link preview's picture",
    ),
    _http(
        "GET HEAD", "/_files/{attachment_id:int}/{variant}/{name}", "/_files/1/full/a.png", NO_BODY, "a file's bytes"
    ),
    _http("GET HEAD", "/_download/{ticket}", "/_download/nothing", NO_BODY, "an export, by a one-use ticket"),
    _http(
        "POST",
        "/_unsubscribe/{token}",
        "/_unsubscribe/nothing",
        Budget(anonymous_bytes=FORM_BODY_BYTES, bytes=FORM_BODY_BYTES, at_once_per_client=ANONYMOUS_AT_ONCE),
        "one-click unsubscribe from a mail client (RFC 8058): no account, the token is the key",
    ),
    # Single sign-on (sso.py): anonymous, no body, answered without waiting on the caller; the start writes one
    # expiring row, the return fetches from the provider (its token, its keys when they changed): at most
    # SSO_FETCHES_AT_ONCE fetches in flight per worker, whoever asks.
    _http(
        "GET HEAD",
        "/_sso/{provider}/start",
        "/_sso/nobody/start",
        Budget(counts=("SSO_PER_CLIENT",), work=("fetch",)),
        "single sign-on: off to the provider",
    ),
    _http(
        "GET HEAD",
        "/_sso/{provider}/callback",
        "/_sso/nobody/callback",
        Budget(counts=("SSO_PER_CLIENT",), work=("fetch",)),
        "single sign-on: back from the provider",
    ),
    _http(
        "GET HEAD",
        "/_sso/{provider}/logout",
        "/_sso/nobody/logout",
        Budget(counts=("SSO_PER_CLIENT",), work=("fetch",)),
        "single sign-on: on to the provider's end-session page",
    ),
    # The REST API (api.py): the bearer token is resolved before the body is read.
    _http("GET HEAD", f"{_API}/openapi.json", f"{_API}/openapi.json", NO_BODY, "the API's description"),
    _http("GET", f"{_API}/docs", f"{_API}/docs", NO_BODY, "the API's reference page"),
    _http("GET", f"{_API}/docs/start.js", f"{_API}/docs/start.js", NO_BODY, "its script"),
    _http("GET HEAD", f"{_API}/docs/assets/{{path:path}}", f"{_API}/docs/assets/swagger-ui.css", NO_BODY, "its files"),
    _http("GET", f"{_API}/me", f"{_API}/me", _API_READ, "who a token acts as"),
    _http("GET", f"{_API}/rooms", f"{_API}/rooms", _API_READ, "the rooms a token may read"),
    _http("GET", f"{_API}/rooms/{{slug}}/messages", f"{_API}/rooms/x/messages", _API_READ, "a page of messages"),
    _http(
        "POST",
        f"{_API}/rooms/{{slug}}/messages",
        f"{_API}/rooms/x/messages",
        Budget(bytes=API_BODY_BYTES, counts=("API_LIMITS", "SEND_LIMITS"), work=("link previews",)),
        "post a message",
    ),
    _http(
        "PATCH DELETE",
        f"{_API}/messages/{{message_id}}",
        f"{_API}/messages/1",
        Budget(bytes=API_BODY_BYTES, counts=("API_LIMITS", "SEND_LIMITS"), work=("link previews",)),
        "edit or delete one's message",
    ),
    _http(
        "PUT DELETE",
        f"{_API}/messages/{{message_id}}/reactions/{{emoji}}",
        f"{_API}/messages/1/reactions/x",
        Budget(counts=("API_LIMITS", "SEND_LIMITS")),
        "react",
    ),
    _http("GET", f"{_API}/search", f"{_API}/search?q=x", Budget(counts=("API_LIMITS", "SEARCH_LIMITS")), "search"),
    _http(
        "POST",
        f"{_API}/webhooks/{{token}}",
        f"{_API}/webhooks/nothing",
        Budget(
            bytes=settings.WEBHOOK_MAX_BYTES,
            at_once_per_client=ANONYMOUS_AT_ONCE,
            counts=("WEBHOOK_LIMITS",),
            work=("link previews",),
        ),
        "an incoming webhook: no account, the secret path is resolved before the body is read",
    ),
    # Reflex's own (app._api): liveness, and the websocket's path (websocket-only transport: no HTTP body).
    _http("GET HEAD", "/ping", "/ping", NO_BODY, "Reflex's liveness check"),
    _http("GET HEAD", "/_health", "/_health", NO_BODY, "Reflex's health check"),
    _http("GET POST", "/_event/{path:path}", "/_event/", NO_BODY, "the websocket's path (no polling transport)"),
    # In production the backend serves the built pages and their files (Reflex's frontend mount).
    _http("GET HEAD", "/{path:path}", "/rooms", NO_BODY, "the built frontend"),
)


def http_door(method: str, path: str) -> HttpDoor | None:
    """The door a request reaches: the first that takes its method and path (the frontend's catch-all is
    last); None when none does (the router answers 404 or 405, and no body is read)."""
    return next((door for door in HTTP_DOORS if method in door.methods and door.pattern.match(path)), None)


@dataclass(frozen=True)
class SocketBudget:
    """A socket event handler's budget beyond every event's: a frame is at most SOCKET_MAX_FRAME_BYTES and a
    socket sends at most SOCKET_EVENT_LIMIT events (realtime/guard.py), one at a time per tab (Reflex's
    state lock)."""

    counts: tuple[str, ...] = ()
    work: tuple[str, ...] = ()


READ = SocketBudget()
SEND = SocketBudget(counts=("SEND_LIMITS",))
# A message posted or edited: its links' cards are fetched after the commit (link previews).
POST = SocketBudget(counts=("SEND_LIMITS",), work=("link previews",))
CREATE = SocketBudget(counts=("CREATE_LIMITS",))
PASSWORD = SocketBudget(counts=("PASSWORD_CHECKS",), work=("bcrypt",))
# A second-factor code: the account's budget and the client's (throttle.before_second_factor).
CODE = SocketBudget(counts=("SECOND_FACTOR_CODES", "SECOND_FACTOR_PER_CLIENT"))
ADMIN = SocketBudget(work=("administrators only",))
OWNER = SocketBudget(work=("the room's owner only",))

# Every socket event handler by state class and name; each class's `setvar` (Reflex's generic setter of a
# public var, bounded by the frame) is implied.
SOCKET_DOORS: dict[str, dict[str, SocketBudget]] = {
    "State": {"hydrate": READ, "hydrate_and_load": READ, "set_is_hydrated": READ},
    "SharedStateBaseInternal": {},
    "OnLoadInternalState": {"on_load_internal": READ, "set_is_hydrated": READ},
    "UpdateVarsInternalState": {"update_vars_internal": READ},
    "FrontendEventExceptionState": {"handle_frontend_exception": READ},
    "AuthState": {"logout": READ, "note_time_zone": SEND, "require_login": READ, "route_home": READ},
    "AvailabilityState": {
        "choose_time_zone": SEND,
        "clear_status": SEND,
        "load_availability": READ,
        "save_status": SEND,
        "save_work_hours": SEND,
        "start_dnd": SEND,
        "stop_dnd": SEND,
    },
    "AccountFormState": {
        "login": SocketBudget(counts=("LOGIN_PER_ACCOUNT", "LOGIN_PER_CLIENT", "LOGIN_PER_DEVICE"), work=("bcrypt",)),
        # An invite link's own uses are its budget: a team behind one address joins through it.
        "register": SocketBudget(counts=("REGISTER_PER_CLIENT",), work=("bcrypt",)),
        "request_signup": SocketBudget(counts=("SIGNUP_LINKS_PER_CLIENT", "EMAIL_LINKS"), work=("mail",)),
        "open": READ,
        "passkey_sign_in": READ,
        "passkey_answered": SocketBudget(counts=("LOGIN_PER_CLIENT",), work=("passkey check",)),
    },
    # The code step of a sign-in: only after the password (or a reset link) was right, for that account.
    "SecondStepState": {"cancel": READ, "open": READ, "passkey_answered": CODE, "use_passkey": READ, "verify": CODE},
    # Single sign-on's hand-over: a one-time ticket from the provider's return (http/sso.py) starts the session.
    "SsoState": {"choose_username": READ, "finish": READ},
    "TwoFactorState": {
        "confirm": CODE,
        "load": READ,
        "new_codes": CODE,
        "saved_codes": READ,
        "start": READ,
        # A passkey: its options are made for a ceremony; its answer checked, kept within PASSKEYS_PER_USER.
        "add_passkey": SocketBudget(counts=("PASSKEYS_PER_USER",)),
        "passkey_answered": SocketBudget(counts=("PASSKEYS_PER_USER",), work=("passkey check",)),
        "remove_passkey": READ,
        "turn_off": SocketBudget(
            counts=("SECOND_FACTOR_CODES", "SECOND_FACTOR_PER_CLIENT", "PASSWORD_CHECKS"), work=("bcrypt",)
        ),
    },
    "ProfileState": {
        "load": READ,
        "message": CREATE,
        "open_own": READ,
        "picture_changed": READ,
        "picture_refused": READ,
        "remove_picture": SocketBudget(counts=("PICTURE_LIMITS",)),
        "save": READ,
    },
    "RoomsState": {
        "create_room": CREATE,
        "dialog_shown": READ,
        "load": READ,
        "open_direct": CREATE,
        "show_dialog": READ,
        "show_more_rooms": READ,
    },
    "AccountState": {
        "add_email": SocketBudget(counts=("PASSWORD_CHECKS", "EMAIL_LINKS"), work=("bcrypt", "mail")),
        "change_password": PASSWORD,
        "load": READ,
        "log_out_everywhere": READ,
        "pick_delay": READ,
        "pick_notices": READ,
        "remove_email": READ,
        "save_notices": READ,
        "share_receipts": READ,
        "link_provider": SocketBudget(counts=("SSO_PER_CLIENT",)),
        "unlink_provider": READ,
    },
    "ExportState": {"download_mine": READ, "download_room": READ},
    # Custom emoji on the account page: the upload is the door above; a removal is a frame to every tab.
    "EmojiState": {
        "emoji_added": READ,
        "emoji_refused": READ,
        "load_emoji": READ,
        "name_typed": READ,
        "remove_emoji": SocketBudget(counts=("CUSTOM_EMOJI_LIMITS",)),
    },
    "AdminState": {
        name: ADMIN
        for name in (
            "archive_room",
            "choose_group_managers",
            "choose_emoji_adders",
            "choose_password_sign_in",
            "choose_read_receipts",
            "choose_second_factor",
            "choose_signup_domain",
            "choose_signup_mode",
            "create_account",
            "create_invite",
            "delete_room",
            "disable_user",
            "enable_user",
            "filter_messages",
            "load",
            "make_member",
            "messages_page",
            "remove_message",
            "reset_link",
            "reset_second_factor",
            "revoke_invite",
            "search_users",
            "save_retention",
            "users_page",
            "import_started",
            "import_refused",
            # A running import's progress: one short read, then a rest of IMPORT_FOLLOW_SECONDS; asked again.
            "follow_import",
        )
    },
    "SwitcherState": {name: READ for name in ("go", "go_first", "narrow", "open_switcher", "set_open", "step")},
    "ForgotState": {"open": READ, "request": SocketBudget(counts=("EMAIL_LINKS",), work=("mail",))},
    "SetupState": {"open": READ, "set_up": SocketBudget(counts=("REGISTER_PER_CLIENT",), work=("bcrypt",))},
    "UnsubscribeState": {"confirm": READ, "open": READ},
    "RoomState": {
        **{
            name: READ
            for name in (
                # Selection mode's handlers (add_messages, select_messages, stop_selecting, toggle_selected) change
                # the tab's state only, no database: the forwarding checks every message chosen.
                "add_messages",
                "ask_delete",
                "cancel_delete",
                "cancel_edit",
                "file_refused",
                "file_uploaded",
                "fill_gap",
                "forward_closed",
                "forward_selected",
                "load",
                "load_commands",
                "load_mention_names",
                "load_older",
                "load_quiet_people",
                "mark_read",
                "open_room",
                "poll_form_opened",
                "reactions_closed",
                "remind_closed",
                "reactions_opened",
                "refresh",
                "remove_file",
                "search_room",
                "select_messages",
                "set_level",
                "show_files",
                "show_versions",
                "start_edit",
                "start_forward",
                "start_remind",
                "stop_selecting",
                "toggle_mute",
                "toggle_panel",
                "toggle_selected",
                "typing_now",
                "versions_closed",
            )
        },
        **{
            name: SEND
            for name in ("close_poll", "confirm_delete", "pin", "react", "remove_preview", "unpin", "unsave", "vote")
        },
        # forward posts a copy of each message chosen (at most FORWARD_MAX_MESSAGES) and the comment in one action,
        # charging SEND_LIMITS once for each message it posts.
        **{name: POST for name in ("ask_poll", "forward", "save_edit")},
        # `/remind me ...` sets a reminder (reminders.py).
        "send": SocketBudget(counts=("SEND_LIMITS", "REMINDERS_PER_USER"), work=("link previews",)),
        # "Notify now" in a direct conversation: a message past the people's do not disturb, a few a day.
        "send_urgent": SocketBudget(counts=("SEND_LIMITS", "URGENT_LIMITS"), work=("link previews",)),
        "save": SocketBudget(counts=("SEND_LIMITS", "SAVED_PER_USER")),
        # Send later and Remind me (actions/later.py): each kept as a durable job, so each is counted per person.
        "send_later": SocketBudget(counts=("SEND_LIMITS", "SCHEDULED_PER_USER")),
        **{name: SocketBudget(counts=("SEND_LIMITS", "REMINDERS_PER_USER")) for name in ("remind_at", "remind_preset")},
        **{
            name: OWNER
            for name in ("delete_room", "invite", "remove_member", "save_room", "set_archived", "save_retention")
        },
        "invite_guests": CREATE,
        "leave": READ,
        "message_user": CREATE,
    },
    "ThreadState": {
        "close_thread": READ,
        "open_from_address": READ,
        "open_thread": READ,
        "send_reply": POST,
        "thread_seen": READ,
        "toggle_follow": READ,
    },
    "WebhooksState": {
        "create_hook": SocketBudget(counts=("CREATE_LIMITS", "WEBHOOKS_PER_ROOM")),
        "load_hooks": READ,
        "revoke_hook": READ,
    },
    "ApiTokensState": {
        "create_token": SocketBudget(counts=("PASSWORD_CHECKS", "API_TOKENS_PER_USER"), work=("bcrypt",)),
        "load_tokens": READ,
        "revoke_token": READ,
    },
    "PushState": {"answered": READ, "check": READ, "turn_off": READ, "turn_on": READ},
    "SearchState": {"load": READ, "submit": SocketBudget(counts=("SEARCH_LIMITS",))},
    "ThreadsState": {"load": READ},
    "SavedState": {"load": READ, "remove": SEND},
    # User groups: each change reads every open group page again (UserGroupsChanged); creating one is also
    # within USER_GROUPS_MAX, adding people within USER_GROUP_MEMBERS_MAX.
    "GroupsState": {
        "load": READ,
        "refresh": READ,
        **{
            name: SocketBudget(counts=("USER_GROUP_LIMITS",))
            for name in ("add", "delete", "join", "leave", "remove", "save")
        },
        "create": SocketBudget(counts=("USER_GROUP_LIMITS", "USER_GROUPS_MAX")),
    },
    # The Scheduled and Reminders pages: Send now goes through the send path (its budget and link previews).
    "LaterState": {
        **{name: READ for name in ("load_reminders", "load_scheduled", "start_edit_later", "stop_edit_later")},
        **{name: SEND for name in ("cancel_later", "cancel_reminder", "save_later")},
        "send_now": POST,
    },
    "LocatedState": {"load": READ},
    "VerifyState": {"confirm": SocketBudget(work=("mail",)), "open": READ},
    "ResetState": {"open": READ, "set_password": SocketBudget(work=("bcrypt",))},
}

# The CLI (python -m djangochat_rx ...) is the operator's, at the server's shell: no budget but the machine's.
CLI_COMMANDS: dict[str, str] = {
    "createsuperuser": "one bcrypt hash",
    "promote": "one row",
    "reset-second-factor": "two deletes and an audit row",
    "signup": "one setting",
    "password-sign-in": "one setting",
    "serve": "starts the server",
    "prepare-frontend": "writes .web",
    "backup": "a copy of the database, streamed",
    "restore": "puts a copy back (the app stopped)",
    "export-instance": "reads every table in batches, copies the files",
    "import-instance": "fills an empty database in batches, copies the files",
    "import-slack": "one import at a time; IMPORT_BATCH messages per transaction, the zip's budgets (settings)",
    "nginx-headers": "prints text",
}


def _size(n: int) -> str:
    if n == 0:
        return "0"
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB" if n >= 1024 else f"{n} B"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "—"


def table() -> str:
    """docs/security.md's "Budgets" tables, written from this inventory (tests/security/test_doors.py compares)."""
    lines = [
        "| door | what | methods | bytes before the caller is known | bytes | read time | at once per address | "
        "at once per account | counted against | may start |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for door in HTTP_DOORS:
        budget = door.budget
        lines.append(
            f"| `{door.path}` | {door.why} | {' '.join(sorted(door.methods))} | {_size(budget.anonymous_bytes)} | "
            f"{_size(budget.bytes)} | {budget.read_seconds:g} s | {budget.at_once_per_client or '—'} | "
            f"{budget.at_once_per_user or '—'} | "
            f"{_names(budget.counts)} | {', '.join(budget.work) or '—'} |"
        )
    by_budget: dict[SocketBudget, list[str]] = {}
    for state, handlers in SOCKET_DOORS.items():
        for name, budget in handlers.items():
            by_budget.setdefault(budget, []).append(f"{state}.{name}")
    lines += ["", "| socket event handlers | counted against | may start |", "|---|---|---|"]
    for budget, names in by_budget.items():
        lines.append(
            f"| {', '.join(f'`{name}`' for name in names)} | {_names(budget.counts)} | "
            f"{', '.join(budget.work) or '—'} |"
        )
    lines += ["", "| command (`python -m djangochat_rx ...`) | work |", "|---|---|"]
    lines += [f"| `{name}` | {work} |" for name, work in CLI_COMMANDS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
