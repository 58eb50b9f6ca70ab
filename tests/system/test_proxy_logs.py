"""docs/security.md's nginx log format, run as written by a real nginx: the secrets that links carry in their path,
their query or a page's Referer never reach the access log."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from djangochat_rx import settings

SECRET = "s3cr3t-Token-value_0123456789abcdef"


def documented_log_format() -> str:
    text = (settings.PROJECT_DIR / "docs" / "security.md").read_text()
    (block,) = [block for block in re.findall(r"```nginx\n(.*?)```", text, re.S) if "log_format" in block]
    return "\n".join(line.removeprefix("  ") for line in block.splitlines())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx_logging(tmp_path: Path):
    nginx = shutil.which("nginx", path=f"{os.environ['PATH']}{os.pathsep}/usr/sbin")
    assert nginx, "nginx is missing: `make services` installs Debian's"
    port, log = free_port(), tmp_path / "access.log"
    temp = "\n".join(
        f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = tmp_path / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        + f"events {{}}\nhttp {{\n{temp}\n{documented_log_format()}\n"
        + f"server {{\n listen 127.0.0.1:{port};\n access_log {log} djangochat;\n"
        + " location / { return 204; }\n}\n}\n"
    )
    server = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str, method: str = "GET", referer: str = "") -> None:
    request = urllib.request.Request(url, method=method, headers={"Referer": referer} if referer else {})
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10).close()


def test_links_secrets_are_masked_in_the_access_log_and_the_rest_is_kept(nginx_logging):
    base, log = nginx_logging
    fetch(f"{base}/_unsubscribe/{SECRET}", "POST")
    fetch(f"{base}/_download/{SECRET}")
    fetch(f"{base}/api/v1/webhooks/{SECRET}", "POST")
    fetch(f"{base}/reset?token={SECRET}")
    fetch(f"{base}/register?invite={SECRET}&next=1")
    fetch(f"{base}/chat.css", referer=f"https://chat.example.com/verify-email?token={SECRET}")
    fetch(f"{base}/rooms/general?message=12")
    deadline = time.monotonic() + 10
    while log.read_text().count("\n") < 7:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    logged = log.read_text()
    assert SECRET not in logged
    for kept in (
        '"POST /_unsubscribe/*** HTTP/1.1"',
        '"GET /_download/*** HTTP/1.1"',
        '"POST /api/v1/webhooks/*** HTTP/1.1"',
        '"GET /reset?token=*** HTTP/1.1"',
        '"GET /register?invite=***&next=1 HTTP/1.1"',
        '"https://chat.example.com/verify-email?token=***"',
        '"GET /rooms/general?message=12 HTTP/1.1"',
    ):
        assert kept in logged, logged
