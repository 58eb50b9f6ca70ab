"""URL paths of every page, in one place."""

INDEX = "/"
LOGIN = "/login"
REGISTER = "/register"
ROOMS = "/rooms"
ROOM = "/rooms/[slug]"
PROFILE = "/profile"
ACCOUNT = "/account"


def room(slug: str) -> str:
    """The path of the room with `slug`."""
    return f"/rooms/{slug}"
