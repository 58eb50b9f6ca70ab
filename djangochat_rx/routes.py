"""URL paths of every page, and the backend's address as a page knows it, in one place."""

from urllib.parse import urlsplit

INDEX = "/"
LOGIN = "/login"
# The code step of a sign-in with a second factor, and the page that turns one on or off.
LOGIN_CODE = "/login/code"
# Where single sign-on hands a sign-in to the page (http/sso.py).
LOGIN_SSO = "/login/sso"
TWO_FACTOR = "/account/two-factor"
REGISTER = "/register"
ROOMS = "/rooms"
ROOM = "/rooms/[slug]"
PROFILE = "/profile"
ACCOUNT = "/account"
SEARCH = "/search"
THREADS = "/threads"
SAVED = "/saved"
# Send later's and Remind me's lists (pages/later.py).
SCHEDULED = "/scheduled"
REMINDERS = "/reminders"
# Opens a message wherever it is (a forwarded copy's link to its original), for those who may read it.
LOCATED = "/messages/[message_id]"
ADMIN = "/admin"
USER = "/users/[name]"
# User groups: every group, and one group's page (user_groups.py).
GROUPS = "/groups"
GROUP = "/groups/[group]"


def room(slug: str) -> str:
    """The path of the room with `slug`."""
    return f"/rooms/{slug}"


def message(slug: str, message_id: int) -> str:
    """The path that opens the room with `slug` scrolled to message `message_id`."""
    return f"/rooms/{slug}?message={message_id}"


def located(message_id: int) -> str:
    """The path that opens message `message_id` wherever it is (LOCATED), for those who may read it."""
    return f"/messages/{message_id}"


def thread(slug: str, parent_id: int) -> str:
    """The path that opens the room with `slug` with the thread of message `parent_id` beside it."""
    return f"/rooms/{slug}?thread={parent_id}"


def group(name: str) -> str:
    """The path of the user group `name`'s page."""
    return f"/groups/{name}"


def user(username: str) -> str:
    """The path of `username`'s profile."""
    return f"/users/{username}"


SETUP = "/setup"
FORGOT = "/forgot"
RESET = "/reset"
VERIFY = "/verify-email"


def invite(token: str) -> str:
    """The path of the registration page with an invite link's token."""
    return f"{REGISTER}?invite={token}"


UNSUBSCRIBE = "/unsubscribe"


def backend_origin(page_origin: str, socket_host: str) -> str:
    """The origin of the backend a page's socket reached (`socket_host`: its Host header), in the page's scheme:
    where the page's files and downloads are (in development the backend listens on another port than the page)."""
    scheme = "https" if urlsplit(page_origin).scheme == "https" else "http"
    return f"{scheme}://{socket_host}"


def _origin_parts(url: str) -> tuple[str, str | None, int | None]:
    """Scheme, host and port (the scheme's default when none is written), which two URLs of one origin share."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def public_backend_url(page_origin: str, socket_host: str, public_url: str) -> str:
    """Where people's tools reach the backend (a webhook's URL, the REST API's reference page): `public_url` when the
    page and its backend share an origin (`make serve`, or one proxy in front of both) or the page's is unknown;
    otherwise the backend the page's socket reached (`make run`: pages on :3000, the backend on :8000)."""
    backend = backend_origin(page_origin, socket_host)
    if not page_origin or not socket_host or _origin_parts(page_origin) == _origin_parts(backend):
        return public_url
    return backend
