"""`make serve` (python -m djangochat_rx serve): the production start in one command.

It checks the settings a deployment needs, prints them (passwords masked), then hands over to
`reflex run --env prod`, which builds the static frontend once and serves it and the backend on one port.
Several workers (WORKERS=N) share state and the live path through Redis, so they need REDIS_URL.
"""

import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from djangochat_rx import db, settings
from djangochat_rx.domain import signup, sso
from djangochat_rx.notify import mail, push

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "3000"))
WORKERS = int(os.environ.get("WORKERS", "1"))


class ServeError(Exception):
    """A setting that cannot work; the message says which and what to do."""


def masked(url: str) -> str:
    """`url` with its password (if any) replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check() -> None:
    if WORKERS < 1:
        raise ServeError("WORKERS must be 1 or more.")
    if WORKERS > 1 and not settings.REDIS_URL:
        raise ServeError(
            f"WORKERS={WORKERS} needs REDIS_URL (e.g. redis://127.0.0.1:6379/0): several workers share "
            "the tabs' state and the live messages through Redis."
        )
    if settings.SMTP_URL:
        try:
            mail.server(settings.SMTP_URL)
        except ValueError as error:
            raise ServeError(str(error)) from None
    try:
        sso.providers()
    except ValueError as error:  # a JSON error is a ValueError too
        raise ServeError(str(error)) from None


def _signup_line() -> str:
    policy = db.call(signup.policy)
    if policy.needs_setup:
        return f"not set up yet: open {settings.PUBLIC_URL}/setup to create the first administrator"
    return signup.MODE_LABELS[policy.mode]


def _proxy_line() -> str:
    from reflex_base.config import get_config

    hops = get_config().trusted_proxy_hops
    if not hops:
        return "none: client addresses are the sockets' own (REFLEX_TRUSTED_PROXY_HOPS=1 behind a proxy)"
    return f"{hops} trusted (REFLEX_TRUSTED_PROXY_HOPS; client addresses from X-Forwarded-For)"


def summary() -> list[str]:
    """What the start prints: each setting a deployment needs, its value, and the variable that sets it."""
    if settings.SMTP_URL:
        email = f"{masked(settings.SMTP_URL)}, from {settings.SMTP_FROM} (SMTP_URL, SMTP_FROM)"
    else:
        email = "off: no emailed password resets (SMTP_URL)"
    rows = [
        ("Listening on", f"http://{HOST}:{PORT} (HOST, PORT)"),
        ("Public URL", f"{settings.PUBLIC_URL} (PUBLIC_URL; links in emails and invites)"),
        ("Origins", f"{', '.join(settings.ALLOWED_ORIGINS)} (ALLOWED_ORIGINS; browsers elsewhere are refused)"),
        ("Database", f"{masked(settings.DATABASE_URL)} (DATABASE_URL)"),
        ("Workers", f"{WORKERS} (WORKERS)"),
        ("Redis", f"{masked(settings.REDIS_URL)} (REDIS_URL)" if settings.REDIS_URL else "none (REDIS_URL)"),
        ("Email", email),
        ("Web Push", f"on: VAPID key in the database, services {', '.join(settings.PUSH_SERVICES)} (PUSH_SERVICES)"),
        ("HTTPS", f"HSTS for {settings.HSTS_SECONDS} s" if settings.HSTS_SECONDS else "HSTS off (HSTS_SECONDS)"),
        ("Proxy", _proxy_line()),
        ("Sign-up", _signup_line()),
        ("SSO", ", ".join(f"{p.label} ({p.issuer})" for p in sso.providers()) or "none (OIDC_PROVIDERS)"),
    ]
    return ["DjangoChat RX, production start:"] + [f"  {name:<13}{value}" for name, value in rows]


def _reflex() -> str:
    return shutil.which("reflex") or os.path.join(os.path.dirname(sys.executable), "reflex")


def prepare_frontend() -> None:
    """Reflex's one-time set-up of the frontend folder (.web), quietly: left to `reflex run`, it ends by
    advising "Run `uv run reflex run` to start the app", which is not how this project starts."""
    from reflex.utils import prerequisites

    if prerequisites.needs_reinit():
        print("==> Preparing the frontend folder (.web) for its first build", file=sys.stderr, flush=True)
        subprocess.run(
            [_reflex(), "init", "--loglevel", "warning", "--no-agents"], check=True, stdout=subprocess.DEVNULL
        )


def command() -> list[str]:
    port = str(PORT)
    return [_reflex(), "run", "--env", "prod", "--backend-host", HOST, "--frontend-port", port, "--backend-port", port]


def serve() -> None:
    """Check, migrate, print the summary, then become `reflex run --env prod` (never returns)."""
    check()
    db.migrate()
    db.call(push.keys)  # made at the first start, so every worker signs with the same pair
    prepare_frontend()
    print("\n".join(summary()), file=sys.stderr, flush=True)
    os.environ["GRANIAN_WORKERS"] = str(WORKERS)
    os.execv(command()[0], command())
