"""`reflex export` produces the static frontend and the backend bundle that README documents, and the
deploy README gives for them (nginx serving the pages, the backend alone behind it) works in a browser."""

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from bench.run import RESULTS
from djangochat_rx import settings
from djangochat_rx.db import make_engine
from djangochat_rx.domain import rooms
from djangochat_rx.models import User
from tests.e2e.conftest import _free_port, _wait_ready
from tests.e2e.test_chat import composer, messages

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


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Iterator[tuple[Path, int]]:
    """`reflex export` run in a copy of a project a user has chatted in (the export rebuilds .web/build, which
    the running e2e app is serving), its backend URL baked in as README says: the public origin, here a port
    nginx will listen on. Yields the folder holding both zips, and that port."""
    tmp_path = tmp_path_factory.mktemp("export")
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", ".states", ".data", "*.db", "*.db-*", "__pycache__", ".results")
    shutil.copytree(PROJECT, project, ignore=ignore, symlinks=True)
    database = chat_locally(project)
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_API_URL": f"http://127.0.0.1:{port}",
    }
    subprocess.run(
        [str(bin_dir / "reflex"), "export", "--zip-dest-dir", str(tmp_path)],
        cwd=project,
        env=env,
        check=True,
        timeout=900,
        capture_output=True,
    )
    yield tmp_path, port
    database.close()


def test_reflex_export_writes_frontend_and_backend_zips_and_ships_nothing_the_app_stores(exported):
    folder, _ = exported
    frontend, backend = folder / "frontend.zip", folder / "backend.zip"
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


def readme_nginx_site() -> str:
    """The nginx server block of docs/running.md's "Static frontend + backend apart", as written."""
    running = (PROJECT / "docs" / "running.md").read_text()
    section = running[running.index("### Static frontend + backend apart") :]
    return re.search(r"```nginx\n(.*?)```", section, re.S).group(1)


def documented(site: str, replacements: dict[str, str]) -> str:
    """`site` with README's public addresses and paths replaced by the test's; each must be in it."""
    for old, new in replacements.items():
        assert old in site, f"README's nginx example no longer has {old!r}"
        site = site.replace(old, new)
    return site


def nginx_config(folder: Path, site: str) -> Path:
    """A main configuration running `site` unprivileged in `folder` (Debian's packaged one wants root's paths)."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # as root nginx's workers would read as nobody
        + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        + "events {}\nhttp {\n    include /etc/nginx/mime.types;\n"
        + f"    access_log {folder / 'access.log'};\n{temp}\n{site}\n}}\n"
    )
    return config


def test_the_exported_frontend_behind_nginx_as_documented_reloads_rooms_and_profiles(exported, browser: Browser):
    folder, port = exported
    nginx = shutil.which("nginx", path=f"{os.environ['PATH']}{os.pathsep}/usr/sbin")
    assert nginx, "nginx is missing: `make services` installs Debian's"
    www, app, web = folder / "www", folder / "app", folder / "nginx"
    for zipped, into in (("frontend.zip", www), ("backend.zip", app)):
        with zipfile.ZipFile(folder / zipped) as archive:
            archive.extractall(into)
    web.mkdir()
    bin_dir = Path(sys.executable).parent
    origin, backend_port = f"http://127.0.0.1:{port}", _free_port()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": f"sqlite:///{folder / 'chat.db'}",
        "ALLOWED_ORIGINS": origin,
        "PUBLIC_URL": origin,
        "REFLEX_TRUSTED_PROXY_HOPS": "1",
        "DJANGOCHAT_SUPERUSER_PASSWORD": "owner password",
    }
    # README's commands, in the unzipped backend: the headers file, an administrator, the backend alone.
    headers = web / "djangochat-headers.conf"
    with headers.open("w") as out:
        subprocess.run(
            [sys.executable, "-m", "djangochat_rx", "nginx-headers", str(www)], cwd=app, env=env, stdout=out, check=True
        )
    assert "Content-Security-Policy" in headers.read_text()
    subprocess.run(
        [sys.executable, "-m", "djangochat_rx", "createsuperuser", "--username", "owner"],
        cwd=app,
        env=env,
        check=True,
        capture_output=True,
    )
    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as db:
        owner = db.exec(select(User.id).where(User.username == "owner")).one()
        room = rooms.create_room(db, "Deploy check", "served by nginx", owner)
    engine.dispose()
    site = documented(
        readme_nginx_site(),
        {
            "listen 443 ssl http2;": f"listen 127.0.0.1:{port};",
            "    ssl_certificate     /etc/letsencrypt/live/chat.example.com/fullchain.pem;\n": "",
            "    ssl_certificate_key /etc/letsencrypt/live/chat.example.com/privkey.pem;\n": "",
            "/srv/chat/www": str(www),
            "/etc/nginx/snippets/djangochat-headers.conf": str(headers),
            "http://127.0.0.1:8000": f"http://127.0.0.1:{backend_port}",
        },
    )
    log = (folder / "backend.log").open("w")
    backend = subprocess.Popen(
        [
            str(bin_dir / "reflex"),
            "run",
            "--env",
            "prod",
            "--backend-only",
            "--backend-host",
            "127.0.0.1",
            "--backend-port",
            str(backend_port),
        ],
        cwd=app,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proxy = subprocess.Popen(
        [nginx, "-c", str(nginx_config(web, site)), "-p", str(web)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{backend_port}/ping", backend, timeout=120)
        _wait_ready(f"{origin}/ping", proxy, timeout=30)  # through nginx
        context = browser.new_context(base_url=origin)
        violations: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
        page.goto("/login")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password", exact=True).fill("owner password")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/rooms/?$"))
        page.goto(f"/rooms/{room.slug}")
        expect(page.get_by_role("heading", name="Deploy check")).to_be_visible()
        composer(page).fill("sent through nginx")
        composer(page).press("Enter")
        expect(messages(page)).to_have_count(1)
        # The reload a static server without the fallback answers 404: nginx hands it the fallback page,
        # which opens the room, with the headers the pages need.
        response = page.reload()
        assert response.status == 200
        assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        expect(page.get_by_role("heading", name="Deploy check")).to_be_visible()
        expect(messages(page).first).to_contain_text("sent through nginx")
        page.goto("/users/owner")
        response = page.reload()
        assert response.status == 200
        expect(page.locator("#profile-name")).to_have_text("owner")
        assert page.request.get("/api/v1/me").status == 401  # the REST API is forwarded too
        context.close()
        assert violations == [], "\n".join(violations)
    finally:
        for process in (proxy, backend):
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
        log.close()
