"""The HTTP routes that carry files: uploads into a room, and every byte of an attachment or avatar served.

The session token lives in the browser's localStorage, so plain HTTP requests carry tickets instead
(tickets.ticket: random, stored hashed, single purpose, ended with their session): an upload sends
the tab's "upload" ticket in a header, and the page keeps a "view" ticket in a cookie so <img> and
download links work. Every request resolves its ticket to a live session's user and asks
attachments.readable (access.py's rules) again: a copied link is worth nothing to anyone else, and a
file of a private room answers a non-member exactly like an id that does not exist (404).

An upload's budget: UPLOADS_PER_USER_AT_ONCE on their way per user (429 past it, at once), FILE_MAX_BYTES
per file and FILE_DAILY_BYTES a day with the bytes still on their way counted (413), a place in the image
queue for an image (503 with Retry-After when it is full), PICTURE_LIMITS for pictures (429); the body's
read timeout is endpoints' layer's. It is streamed to a temporary file while its bytes are counted (never
held in memory), removed on every failure (a refusal, the client gone or cut off, anything else), then
attachments.prepare sniffs and re-encodes it on the image threads, awaited here so that no database thread
waits for an image, and attachments.keep keeps it in one short transaction. Nothing uploaded is served as
a page: `nosniff`, a CSP of `default-src 'none'; sandbox`, and `attachment` unless it is a re-encoded PNG,
JPEG, GIF or WebP.
"""

import asyncio
import tempfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import avatars as avatar_actions
from djangochat_rx.actions import emoji as emoji_actions
from djangochat_rx.actions import files as file_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import attachments, avatars, custom_emoji, images, link_previews, rooms, tickets
from djangochat_rx.infra import storage, throttle

UPLOAD_PATH = "/_files/upload"
AVATAR_UPLOAD_PATH = "/_files/avatar"
FILE_PATH = "/_files/{attachment_id:int}/{variant}/{name}"
AVATAR_PATH = "/_files/avatars/{user_id:int}/{key}/{size}"
PREVIEW_PATH = "/_files/previews/{message_id:int}/{key}"
EMOJI_UPLOAD_PATH = "/_files/emoji"
EMOJI_PATH = "/_files/emoji/{name}/{key}"
# The cookie holding the tab's view ticket, and the header carrying its upload ticket.
VIEW_COOKIE = "djangochat_media"
UPLOAD_HEADER = "x-upload-ticket"
NAME_HEADER = "x-file-name"
# Served files never act as pages: no scripts, no plugins, no same-origin powers even if opened directly.
FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
    "Cross-Origin-Resource-Policy": "same-site",
}
_NOT_FOUND = "Not found."


def _refusal(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


async def _receive(request: Request, name: str, upload: attachments.Receiving, kept_today: int | None) -> Path:
    """The request's body in a temporary file (the caller removes it), counted as it streams in: FileRefused
    past FILE_MAX_BYTES however long it said it was, and, for a file (`kept_today`: the bytes its user kept
    today), past FILE_DAILY_BYTES with their other uploads on their way. The file is removed if anything
    ends the reading early (a refusal, the client gone or cut off, a cancellation)."""
    handle, temporary = tempfile.mkstemp(dir=storage.default().scratch(), suffix=".upload")
    received = 0
    try:
        with open(handle, "wb") as file:
            async for chunk in request.stream():
                received += len(chunk)
                if received > settings.FILE_MAX_BYTES:
                    raise attachments.too_big(name, received)
                if kept_today is not None and received > upload.bytes:
                    upload.bytes = received
                    attachments.check_day(kept_today + attachments.in_flight(upload.user_id, besides=upload), received)
                file.write(chunk)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


async def _uploader(request: Request) -> int | None:
    return await database.run(tickets.ticket_user, request.headers.get(UPLOAD_HEADER, ""), tickets.UPLOAD)


_ENDED = "Your session has ended; reload the page and log in."
_CUT_OFF = "The upload was cut off before it ended; send it again."


def _busy(message: str) -> JSONResponse:
    response = _refusal(message, 503)
    response.headers["Retry-After"] = str(settings.IMAGE_BUSY_RETRY_SECONDS)
    return response


# How an upload's refusal is answered (the first class that matches): its words, and its status.
_STATUS: list[tuple[type[Exception], int]] = [
    (rooms.RoomNotFound, 404),
    (attachments.FileRefused, 413),
    (avatars.AvatarRefused, 415),
    (custom_emoji.EmojiRefused, 422),
    (attachments.UploadsBusy, 429),
    (throttle.Throttled, 429),
    (images.ImagesBusy, 503),
    (ClientDisconnect, 400),
]
_UPLOAD_REFUSALS = tuple(kind for kind, _ in _STATUS)


def _refused(error: Exception) -> JSONResponse:
    status = next(code for kind, code in _STATUS if isinstance(error, kind))
    if status == 503:
        return _busy(str(error))
    return _refusal(_CUT_OFF if isinstance(error, ClientDisconnect) else str(error), status)


async def upload(request: Request) -> Response:
    """POST UPLOAD_PATH?room=<id>, the file's bytes as the body: 201 with the new (unposted) file's view."""
    user_id = await _uploader(request)
    if user_id is None:
        return _refusal(_ENDED, 401)
    room = request.query_params.get("room", "")
    name = attachments.clean_name(unquote(request.headers.get(NAME_HEADER, "")))
    declared = request.headers.get("content-length", "0")
    if not room.isdigit() or not declared.isdigit():
        return _refusal("Send one file to one room.", 400)
    made: list[Path] = []
    try:
        with attachments.receiving(user_id) as upload:
            # Refused before a byte is read when the declared length is over a limit (a chunked body is counted).
            upload.bytes = int(declared)
            others = attachments.in_flight(user_id, besides=upload)
            kept_today = await database.run(attachments.check_upload, user_id, int(room), name, int(declared), others)
            made.append(await _receive(request, name, upload, kept_today))
            prepared = await attachments.prepare(made[0], storage.default().scratch())
            made[:] = prepared.files()
            others = attachments.in_flight(user_id, besides=upload)
            view = await perform(file_actions.upload_file, user_id, int(room), name, prepared, others)
    except _UPLOAD_REFUSALS as refused:
        return _refused(refused)
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    return JSONResponse(asdict(view), status_code=201, headers={"Cache-Control": "no-store"})


async def upload_avatar(request: Request) -> Response:
    """POST AVATAR_UPLOAD_PATH, an image as the body: it becomes the user's picture (every open page sees it)."""
    user_id = await _uploader(request)
    if user_id is None:
        return _refusal(_ENDED, 401)
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > settings.FILE_MAX_BYTES:
        return _refusal(str(attachments.too_big("picture", int(declared))), 413)
    made: list[Path] = []
    try:
        await throttle.before_picture_change(user_id)
        with attachments.receiving(user_id) as upload:
            made.append(await _receive(request, "picture", upload, None))
            squares = await avatars.squared(made[0], storage.default().scratch())
            made += squares.values()
            url = await perform(avatar_actions.set_avatar, user_id, squares)
    except _UPLOAD_REFUSALS as refused:
        return _refused(refused)
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    return JSONResponse({"id": user_id, "url": url}, status_code=201, headers={"Cache-Control": "no-store"})


async def upload_emoji(request: Request) -> Response:
    """POST EMOJI_UPLOAD_PATH?name=<name> (or the file's name), an image as the body: it becomes a custom emoji
    (every open page sees it). The name and who may add are checked before a byte is read, the budget charged
    (CUSTOM_EMOJI_LIMITS), then the picture shrunk on the image threads and kept, checked again."""
    user_id = await _uploader(request)
    if user_id is None:
        return _refusal(_ENDED, 401)
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > settings.CUSTOM_EMOJI_MAX_BYTES:
        return _refusal(f"An emoji's picture is at most {settings.CUSTOM_EMOJI_MAX_BYTES // 1024} KB.", 413)
    typed = request.query_params.get("name", "").strip()
    typed = typed or custom_emoji.name_from_file(unquote(request.headers.get(NAME_HEADER, "")))
    made: list[Path] = []
    try:
        name = await database.run(custom_emoji.check_add, user_id, typed)
        await throttle.before_emoji_change(user_id)
        with attachments.receiving(user_id) as upload:
            made.append(await _receive(request, "emoji", upload, None))
            png, width, height = await custom_emoji.shrunk(made[0], storage.default().scratch())
            made.append(png)
            url = await perform(emoji_actions.add_emoji, user_id, name, png, width, height)
    except _UPLOAD_REFUSALS as refused:
        return _refused(refused)
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    return JSONResponse({"id": 0, "name": name, "url": url}, status_code=201, headers={"Cache-Control": "no-store"})


def _disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _bytes(key: str, variant: str, content_type: str, disposition: str) -> Response:
    into = storage.default()
    size = into.size(key, variant)
    if size is None:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    headers = {**FILE_HEADERS, "Content-Disposition": disposition, "Content-Length": str(size)}
    return StreamingResponse(into.read(key, variant), media_type=content_type, headers=headers)


async def _viewer(request: Request) -> int | None:
    return await database.run(tickets.ticket_user, request.cookies.get(VIEW_COOKIE, ""), tickets.VIEW)


async def serve_file(request: Request) -> Response:
    """GET FILE_PATH: the bytes of an attachment the viewer may read; 404 for anything else."""
    user_id = await _viewer(request)
    variant = request.path_params["variant"]
    row = None
    if user_id is not None and variant in (attachments.FULL, attachments.THUMB):
        row = await database.run(attachments.readable, user_id, request.path_params["attachment_id"])
    if row is None or (variant == attachments.THUMB and row.kind != attachments.IMAGE):
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    inline = row.kind == attachments.IMAGE and row.content_type in images.SAFE_IMAGES
    if variant == attachments.THUMB:
        content_type = "image/png" if row.content_type in ("image/png", "image/gif") else row.content_type
    else:
        content_type = row.content_type if inline else "application/octet-stream"
    as_download = not inline or request.query_params.get("download") == "1"
    disposition = _disposition("attachment" if as_download else "inline", row.name)
    return await asyncio.to_thread(_bytes, row.storage_key, variant, content_type, disposition)


async def serve_avatar(request: Request) -> Response:
    """GET AVATAR_PATH: a user's picture, to any logged-in viewer (profiles are theirs to see); 404 otherwise."""
    size = request.path_params["size"]
    key = request.path_params["key"]
    if await _viewer(request) is None or size not in avatars.SIZES:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    current = await database.run(avatars.current_key, request.path_params["user_id"])
    if current is None or current != key:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    response = await asyncio.to_thread(_bytes, key, size, "image/png", _disposition("inline", "avatar.png"))
    # A new picture gets a new key, so a key's bytes never change.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


async def serve_preview(request: Request) -> Response:
    """GET PREVIEW_PATH: the picture of a link's card on a message the viewer may read (re-encoded and kept by us,
    so no reader's address reaches the site); 404 for anything else, a private room's to an outsider included."""
    user_id = await _viewer(request)
    message_id, key = request.path_params["message_id"], request.path_params["key"]
    if user_id is None or not await database.run(link_previews.image_readable, user_id, message_id, key):
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    # The picture is re-encoded as PNG for PNG and GIF, else as it came (JPEG or WebP): the browser sniffs
    # neither, so its type is read from its first bytes.
    head = await asyncio.to_thread(_head, key)
    content_type = attachments.sniff(head) if head else ""
    if content_type not in images.SAFE_IMAGES:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    variant = link_previews.IMAGE_VARIANT
    response = await asyncio.to_thread(_bytes, key, variant, content_type, _disposition("inline", "preview"))
    # A new fetch of the page keeps its picture under a new key, so a key's bytes never change.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


async def serve_emoji(request: Request) -> Response:
    """GET EMOJI_PATH: a custom emoji's picture, to any signed-in viewer, while it exists under that key; 404
    otherwise (a removed emoji's old link included)."""
    name, key = request.path_params["name"], request.path_params["key"]
    if await _viewer(request) is None or await database.run(custom_emoji.current_key, name) != key:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    variant = custom_emoji.VARIANT
    response = await asyncio.to_thread(_bytes, key, variant, "image/png", _disposition("inline", f"{name}.png"))
    # A new picture under the same name gets a new key, so a key's bytes never change.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


def _head(key: str) -> bytes:
    try:
        return next(storage.default().read(key, link_previews.IMAGE_VARIANT), b"")
    except (FileNotFoundError, storage.BadKey):
        return b""


def http_routes() -> list[Route]:
    """The upload and file routes, for endpoints.py."""
    return [
        Route(UPLOAD_PATH, upload, methods=["POST"]),
        Route(AVATAR_UPLOAD_PATH, upload_avatar, methods=["POST"]),
        Route(EMOJI_UPLOAD_PATH, upload_emoji, methods=["POST"]),
        Route(EMOJI_PATH, serve_emoji, methods=["GET", "HEAD"]),
        Route(AVATAR_PATH, serve_avatar, methods=["GET", "HEAD"]),
        Route(PREVIEW_PATH, serve_preview, methods=["GET", "HEAD"]),
        Route(FILE_PATH, serve_file, methods=["GET", "HEAD"]),
    ]
