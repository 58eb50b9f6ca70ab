"""RFC 8058's one-click unsubscribe, POST /_unsubscribe/<token>: the mail client posts to the link in an email's
List-Unsubscribe header (notify/notices.py writes it). Anonymous: charged to its client address's budget
(UNSUBSCRIBE_LIMITS_PER_CLIENT) before any database work; the token is looked up before anything is written."""

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from djangochat_rx import db as database
from djangochat_rx.infra import throttle
from djangochat_rx.notify import notices


async def one_click(request: Request) -> PlainTextResponse:
    try:
        await throttle.before_unsubscribe(request.client.host if request.client else "")
    except throttle.Throttled as error:
        return PlainTextResponse(str(error), status_code=429)
    # RFC 8058: the client posts exactly this form field; a link merely fetched or posted without it is no click.
    if parse_qs((await request.body()).decode("latin-1")).get("List-Unsubscribe") != ["One-Click"]:
        return PlainTextResponse("Post List-Unsubscribe=One-Click to unsubscribe.", status_code=400)
    username = await database.run(notices.unsubscribe, request.path_params["token"])
    if username is None:
        return PlainTextResponse("This link has expired.", status_code=404)
    return PlainTextResponse("Unsubscribed: no more emails about unread messages.")


def http_routes() -> list[Route]:
    """The one-click unsubscribe route, for endpoints.py."""
    return [Route(notices.ONE_CLICK_PATH, one_click, methods=["POST"])]
