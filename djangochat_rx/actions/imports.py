"""Imports (a Slack export: slack_import.py): start a run, record its progress, finish it (the report, the audit,
and every room it wrote into shown to the people who have it), and take up a run that was interrupted.

One import runs at a time (a second is refused while the first's heartbeat beats). The run itself is many short
transactions in a process of its own (`running`): it holds no database thread of the pool and never the write lock
for longer than a batch. An upload from the admin area is kept under DATA_DIR/imports until its run is over;
one the terminal names is the operator's file."""

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import Outcome, perform
from djangochat_rx.actions.rooms import room_changed
from djangochat_rx.domain import slack_import
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import ImportRun, utcnow

logger = logging.getLogger(__name__)
RUNNING, DONE, FAILED = "running", "done", "failed"


class ImportBusy(Exception):
    def __init__(self) -> None:
        super().__init__("An import is running already; wait for it to finish.")


@dataclass(frozen=True)
class ImportView:
    """A run as the admin area shows it."""

    id: int
    file_name: str
    status: str
    done: int
    total: int
    percent: int
    counts: tuple[str, ...]
    report: tuple[str, ...]
    started_at: str
    finished_at: str


def view(run: ImportRun) -> ImportView:
    percent = 100 if run.status != RUNNING else (100 * run.done // run.total if run.total else 0)
    return ImportView(
        run.id,
        run.file_name,
        run.status,
        run.done,
        run.total,
        percent,
        tuple(line for line in run.counts.split("\n") if line),
        tuple(line for line in run.report.split("\n") if line),
        run.started_at.isoformat(),
        run.finished_at.isoformat() if run.finished_at else "",
    )


def folder() -> Path:
    """Where uploaded exports wait for their run (the server's alone)."""
    return database.private_folder(settings.DATA_DIR / "imports")


def _stale():
    return utcnow() - timedelta(seconds=settings.IMPORT_STALE_SECONDS)


def _beating():
    """The run whose heartbeat beats: an import running now."""
    return select(ImportRun.id).where(ImportRun.status == RUNNING, col(ImportRun.heartbeat_at) > _stale())


def busy(db: Session) -> bool:
    """Whether an import runs now."""
    busy = db.exec(_beating()).first() is not None
    db.rollback()
    return busy


def start_import(db: Session, actor_id: int | None, file_name: str, path: str = "") -> Outcome[int]:
    """A new run of the export `file_name` (kept at `path` when uploaded), audited; ImportBusy while another
    run's heartbeat beats."""
    database.begin_write(db)
    if db.exec(_beating()).first() is not None:
        db.rollback()
        raise ImportBusy()
    run = ImportRun(source=slack_import.SOURCE, file_name=file_name[:255], path=path, started_by_id=actor_id)
    db.add(run)
    db.flush()
    audit(db, actor_id, "import.start", f"import {run.id}", file_name[:200])
    db.commit()
    return Outcome(run.id)


def record_progress(db: Session, run_id: int, done: int, total: int) -> Outcome[None]:
    """The run's progress and heartbeat (no event: the admin page reads it)."""
    database.begin_write(db)
    db.execute(
        update(ImportRun).where(col(ImportRun.id) == run_id).values(done=done, total=total, heartbeat_at=utcnow())
    )
    db.commit()
    return Outcome(None)


def finish_import(db: Session, run_id: int, result: slack_import.Result) -> Outcome[ImportView]:
    """The run is over: its counts and report kept, audited with the counts, and every room it wrote into shown
    again to the people who have it (their rooms lists gain the new rooms)."""
    database.begin_write(db)
    run = db.get(ImportRun, run_id)
    run.status = FAILED if result.refused else DONE
    run.finished_at = run.heartbeat_at = utcnow()
    run.counts = result.counted()
    run.report = "\n".join([result.refused] if result.refused else result.report)
    if run.status == DONE:
        run.done = run.total
    detail = result.refused or ", ".join(run.counts.split("\n"))
    audit(db, run.started_by_id, "import.slack" if run.status == DONE else "import.refused", f"import {run_id}", detail)
    db.commit()
    shown = view(run)
    return Outcome(shown, [room_changed(db, room_id) for room_id in sorted(result.rooms)])


def latest(db: Session) -> ImportView | None:
    run = db.exec(select(ImportRun).order_by(col(ImportRun.id).desc())).first()
    return view(run) if run else None


def import_view(db: Session, run_id: int) -> ImportView | None:
    run = db.get(ImportRun, run_id)
    return view(run) if run else None


def _progress(run_id: int) -> Callable[[int, int], None]:
    """What records a run's progress: at most twice a second, and its last step."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if done >= total or time.monotonic() - last >= 0.5:
            last = time.monotonic()
            database.call(record_progress, run_id, done, total)

    return progress


def import_now(path: Path, actor_id: int | None = None) -> ImportView:
    """The terminal's import (`import-slack`): start, run and finish here, progress written as it goes."""
    run_id = database.call(start_import, actor_id, path.name).value
    result = database.call(slack_import.run, path, _progress(run_id))
    return database.call(finish_import, run_id, result).value


def import_for_run(run_id: int, path: Path, result_path: Path) -> None:
    """In an import's own process (`import-slack --run`): run the import of a run the server started, and leave
    its result in `result_path` for the server to finish it."""
    result = database.call(slack_import.run, path, _progress(run_id))
    result_path.write_text(json.dumps(result.to_wire()))


async def running(run_id: int, path: Path, remove: bool = True) -> ImportView:
    """Run an import in a process of its own (`import-slack --run`: its CPU work, JSON, Markdown, images, never on
    this server's event loop or threads), then finish it here (its events published), its upload removed first.
    A process that dies leaves a failed run whose report says so (uploading the export again goes on from where
    it stopped)."""
    result_path = path.with_suffix(".result.json")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "djangochat_rx",
        "import-slack",
        "--run",
        str(run_id),
        "--result",
        str(result_path),
        str(path),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, said = await process.communicate()
    try:
        result = slack_import.Result.from_wire(json.loads(result_path.read_text()))
    except (OSError, ValueError, KeyError):
        logger.error(
            "import %s stopped (exit %s): %s", run_id, process.returncode, said.decode(errors="replace")[-2000:]
        )
        result = slack_import.Result(
            refused="The import stopped before its end (the server's log says why); what it had imported stays, and "
            "uploading the export again goes on from there."
        )
    finally:
        result_path.unlink(missing_ok=True)
    if remove:  # before the run shows as over: whoever sees it finished finds its upload gone
        path.unlink(missing_ok=True)
    return await perform(finish_import, run_id, result)


def claim_interrupted(db: Session) -> Outcome[tuple[int, str] | None]:
    """An uploaded run whose heartbeat stopped (its process died), claimed by moving its heartbeat: (id, path)."""
    database.begin_write(db)
    found = db.exec(
        select(ImportRun.id, ImportRun.path).where(
            ImportRun.status == RUNNING, col(ImportRun.heartbeat_at) < _stale(), ImportRun.path != ""
        )
    ).first()
    if found is None:
        db.rollback()
        return Outcome(None)
    db.execute(update(ImportRun).where(col(ImportRun.id) == found[0]).values(heartbeat_at=utcnow()))
    db.commit()
    return Outcome((found[0], found[1]))


def resuming() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, every IMPORT_STALE_SECONDS: take up an interrupted import and run it to its end (it
    goes on after the last batch it committed)."""
    from djangochat_rx.infra import periodic

    async def scan() -> None:
        claimed = await perform(claim_interrupted)
        if claimed is not None:
            run_id, path = claimed
            if Path(path).is_file():
                await running(run_id, Path(path))
            else:
                await perform(finish_import, run_id, slack_import.Result(refused="The uploaded file is gone."))

    return periodic.every(settings.IMPORT_STALE_SECONDS, scan, "imports")
