"""The whole app as users get it (`make serve`: the built frontend and the backend on one port),
driven by Debian's Chromium through Playwright."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from bench import pages
from djangochat_rx.db import make_engine
from djangochat_rx.domain.signup import MODE_LABELS

PROJECT = Path(__file__).resolve().parents[2]
# A loaded CI machine can take a while to push a frame; assertions wait up to 15 s, like actions do.
expect.set_options(timeout=15_000)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reflex run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} not ready after {timeout}s")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The e2e app's own database; tests may seed it through the domain functions before a page opens."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'chat.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The running app's database, for seeding it through the domain functions."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def identity_providers() -> Iterator[dict[str, str]]:
    """Two OpenID Connect providers on this machine (oidc-provider-mock), by id: their issuer URLs."""
    with (
        oidc_provider_mock.run_server_in_thread(port=0, require_nonce=True) as first,
        oidc_provider_mock.run_server_in_thread(port=0, require_nonce=True) as second,
    ):
        yield {"north": f"http://localhost:{first.server_port}", "south": f"http://localhost:{second.server_port}"}


def _providers_setting(issuers: dict[str, str]) -> str:
    return json.dumps(
        [
            {
                "id": name,
                "label": f"Sign in with {name.title()} ID",
                "issuer": url,
                "client_id": f"chat-{name}",
                "client_secret": f"{name}-secret",
            }
            for name, url in issuers.items()
        ]
    )


@pytest.fixture(scope="session")
def preview_site() -> Iterator[pages.Site]:
    """A web site on 127.0.0.1 whose pages the app may preview (bench/pages.py): the tests' own allowed host."""
    with pages.serving() as site:
        yield site


@pytest.fixture(scope="session")
def app_url(
    tmp_path_factory,
    database_url: str,
    browser: Browser,
    identity_providers: dict[str, str],
    preview_site: pages.Site,
) -> Iterator[str]:
    """Start the production app on a free port with its own (empty) database, set it up through its setup
    page as a new owner would; stop it afterwards."""
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "BCRYPT_ROUNDS": "12",
        # localhost too: passkeys need a host name (WebAuthn refuses an IP address as the site).
        "ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # The shipped example hooks (tests/e2e/test_slash_commands.py uses /echo).
        "HOOKS": "djangochat_rx.notify.hooks_examples.echo",
        # Scheduled messages and reminders are looked for often (tests/e2e/test_send_later.py).
        "JOBS_SCAN_SECONDS": "0.5",
        "OIDC_PROVIDERS": _providers_setting(identity_providers),
        # Link previews of the tests' own site only (every other loopback or private address stays refused).
        "LINK_PREVIEW_ALLOWED_NETWORKS": "127.0.0.1/32",
        "LINK_PREVIEW_ALLOWED_PORTS": str(preview_site.port),
        # The summary at the end of a quiet time comes within a second (tests/e2e/test_quiet_hours.py).
        "QUIET_SCAN_SECONDS": "1",
    }
    log = (tmp_path_factory.getbasetemp() / "reflex-run.log").open("w")
    # The production start as `make serve` runs it (HOST and PORT: frontend and backend on one port).
    process = subprocess.Popen(
        [sys.executable, "-m", "djangochat_rx", "serve"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{url}/ping", process, timeout=600)
        _wait_ready(f"{url}/login", process, timeout=60)
        _set_up(browser, url)
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
        log.close()


def _set_up(browser: Browser, url: str) -> None:
    """The first visit of an empty instance: the setup page creates the administrator and opens sign-up
    (the other tests register through the page)."""
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.get_by_label("Administrator's username").fill("owner")
    page.get_by_label("Password", exact=True).fill("owner password")
    page.get_by_label("Confirm password").fill("owner password")
    page.get_by_role("radio", name=MODE_LABELS["open"]).click()
    page.get_by_role("button", name="Create administrator").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", name="Admin")).to_be_visible()
    context.close()
    stranger = browser.new_context(base_url=url)
    page = stranger.new_page()
    page.goto("/setup")  # done once: the page now sends everyone to log in
    expect(page).to_have_url(re.compile(r"/login$"))
    stranger.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, app_url: str):
    """A page in its own browser context: a separate user with separate storage. Fails the test if
    the Content-Security-Policy blocked anything the app needed."""
    contexts = []
    violations: list[str] = []

    def _new() -> Page:
        context = browser.new_context(base_url=app_url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        return page

    yield _new
    for context in contexts:
        context.close()
    assert violations == [], "\n".join(violations)
