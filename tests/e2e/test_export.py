"""`reflex export` produces the static frontend and the backend bundle that README documents."""

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from bench.run import RESULTS
from djangochat_rx import settings

PROJECT = Path(__file__).resolve().parents[2]


# Made at run time: a literal would be found in this very file, which the backend bundle holds.
SECRET = "$2b$12$" + secrets.token_hex(16)


def chat_locally(project: Path) -> sqlite3.Connection:
    """What a user's project holds after chatting with `make run`: the app's database at its default place,
    open, with committed rows still in its write-ahead log; state files and benchmark results."""
    path = project / Path(settings.DEFAULT_DATABASE_URL.removeprefix("sqlite:///")).relative_to(PROJECT)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA wal_autocheckpoint=0")
    database.execute("CREATE TABLE users (password_hash TEXT)")
    database.execute("INSERT INTO users VALUES (?)", (SECRET,))
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    (project / ".states").mkdir()
    (project / ".states" / "tab").write_text(SECRET)
    results = project / RESULTS.relative_to(PROJECT)
    results.mkdir(parents=True, exist_ok=True)
    (results / "compare.json").write_text("{}")
    return database


def test_reflex_export_writes_frontend_and_backend_zips_and_ships_nothing_the_app_stores(tmp_path):
    # Export from a copy: the export rebuilds .web/build, which the running e2e app is serving.
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", ".states", ".data", "*.db", "*.db-*", "__pycache__", ".results")
    shutil.copytree(PROJECT, project, ignore=ignore, symlinks=True)
    database = chat_locally(project)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "REFLEX_USE_NPM": "1"}
    subprocess.run(
        [str(bin_dir / "reflex"), "export", "--zip-dest-dir", str(tmp_path)],
        cwd=project,
        env=env,
        check=True,
        timeout=900,
        capture_output=True,
    )
    frontend, backend = tmp_path / "frontend.zip", tmp_path / "backend.zip"
    with zipfile.ZipFile(frontend) as archive:
        names = archive.namelist()
        assert any(name.endswith("index.html") for name in names)
        assert any(name.endswith(".js") for name in names)
    with zipfile.ZipFile(backend) as archive:
        names = archive.namelist()
        assert "rxconfig.py" in names and "djangochat_rx/djangochat_rx.py" in names
        assert any(name.startswith("alembic/versions/") for name in names)
        stored = [name for name in names if ".db" in name or "compare.json" in name or name.startswith(".states")]
        assert stored == []
        assert not any(SECRET.encode() in archive.read(name) for name in names)
    database.close()
