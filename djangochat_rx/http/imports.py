"""The route an administrator uploads an export through (Admin → Import): POST IMPORT_PATH, the zip as the body.

Its budget: an administrator's upload ticket (tickets.py) resolved before a byte is read (anyone else gets the
answer an unknown route gives, 404); one import at a time in the whole instance (409 while one runs or is on its
way, checked before the body is read and again when the run starts); IMPORT_MAX_BYTES (413, counted as it
streams to a file of our own naming under DATA_DIR/imports, never held in memory). The import then runs on one
process of its own (actions/imports.running); the answer, 201 {"id": run}, comes at once, and the admin page
follows the run's progress. The file is removed when the run is over (or refused)."""

import asyncio
import secrets
from pathlib import Path
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import imports, perform
from djangochat_rx.domain import accounts, attachments, tickets
from djangochat_rx.http.files import NAME_HEADER, UPLOAD_HEADER

IMPORT_PATH = "/_files/import/slack"
_running: set[asyncio.Task] = set()  # the runs this worker started (a reference keeps each task alive)
_receiving: set[int] = set()  # the administrators whose export is on its way to this worker


def _answer(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


async def _admin(request: Request) -> int | None:
    user_id = await database.run(tickets.ticket_user, request.headers.get(UPLOAD_HEADER, ""), tickets.UPLOAD)
    if user_id is None or not await database.run(accounts.is_admin, user_id):
        return None
    return user_id


def _too_big() -> str:
    return f"An export may be at most {attachments.human_size(settings.IMPORT_MAX_BYTES)} here; use import-slack."


async def _receive(request: Request, target: Path) -> None:
    received = 0
    with open(target, "wb") as file:
        async for chunk in request.stream():
            received += len(chunk)
            if received > settings.IMPORT_MAX_BYTES:
                raise attachments.FileRefused(_too_big())
            await asyncio.to_thread(file.write, chunk)


async def upload_export(request: Request) -> Response:
    """POST IMPORT_PATH: a Slack export's zip; 201 {"id": the run} as its import starts."""
    actor_id = await _admin(request)
    if actor_id is None:
        return _answer("Not found.", 404)
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > settings.IMPORT_MAX_BYTES:
        return _answer(_too_big(), 413)
    if _receiving or await database.run(imports.busy):
        return _answer(str(imports.ImportBusy()), 409)
    name = attachments.clean_name(unquote(request.headers.get(NAME_HEADER, ""))) or "export.zip"
    target = imports.folder() / f"{secrets.token_hex(16)}.zip"
    _receiving.add(actor_id)
    try:
        await _receive(request, target)
        run_id = await perform(imports.start_import, actor_id, name, str(target))
    except attachments.FileRefused as refused:
        target.unlink(missing_ok=True)
        return _answer(str(refused), 413)
    except imports.ImportBusy as busy:
        target.unlink(missing_ok=True)
        return _answer(str(busy), 409)
    except BaseException:  # the client gone (ClientDisconnect), a cancellation…
        target.unlink(missing_ok=True)
        raise
    finally:
        _receiving.discard(actor_id)
    task = asyncio.get_running_loop().create_task(imports.running(run_id, target))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return JSONResponse({"id": run_id}, status_code=201, headers={"Cache-Control": "no-store"})


def http_routes() -> list[Route]:
    return [Route(IMPORT_PATH, upload_export, methods=["POST"])]
