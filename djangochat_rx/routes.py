"""URL paths of every page, in one place."""

INDEX = "/"
LOGIN = "/login"
REGISTER = "/register"
ROOMS = "/rooms"
ROOM = "/rooms/[slug]"
PROFILE = "/profile"
ACCOUNT = "/account"
SEARCH = "/search"
THREADS = "/threads"
ADMIN = "/admin"
USER = "/users/[name]"


def room(slug: str) -> str:
    """The path of the room with `slug`."""
    return f"/rooms/{slug}"


def message(slug: str, message_id: int) -> str:
    """The path that opens the room with `slug` scrolled to message `message_id`."""
    return f"/rooms/{slug}?message={message_id}"


def thread(slug: str, parent_id: int) -> str:
    """The path that opens the room with `slug` with the thread of message `parent_id` beside it."""
    return f"/rooms/{slug}?thread={parent_id}"


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
