"""Reflex configuration. Knobs come from djangochat_rx/settings.py (environment variables)."""

import os

import reflex as rx

from djangochat_rx import settings

# Reflex reads the socket's frame limit and keep-alive from the environment when the app starts.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(settings.SOCKET_MAX_FRAME_BYTES))
os.environ.setdefault("REFLEX_SOCKET_INTERVAL", str(settings.SOCKET_PING_INTERVAL))
os.environ.setdefault("REFLEX_SOCKET_TIMEOUT", str(settings.SOCKET_PING_TIMEOUT))
# npm's own registry. Left to choose, Reflex also times a mirror at the first build and prints "Failed to
# connect" for each try where that mirror is out of reach. Set NPM_CONFIG_REGISTRY to use another one.
os.environ.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")

# The ASGI server, chosen by measurement (docs/benchmarks.md): with one worker, uvicorn (under gunicorn,
# as Reflex runs it) holds a tab in about half granian's memory, at a lower median latency and the same
# p99. Several workers over Redis stay on granian, whose worker processes Reflex starts itself.
os.environ.setdefault("REFLEX_USE_GRANIAN", "true" if settings.REDIS_URL else "false")
# Under gunicorn, our worker class: uvicorn's without websocket compression (djangochat_rx/infra/worker.py says
# why). Reflex puts GUNICORN_CMD_ARGS after its own arguments, so this wins over its worker class, and a
# GUNICORN_CMD_ARGS of yours keeps the rest of its say.
if "--worker-class" not in os.environ.get("GUNICORN_CMD_ARGS", ""):
    os.environ["GUNICORN_CMD_ARGS"] = (
        f"--worker-class djangochat_rx.infra.worker.Worker {os.environ.get('GUNICORN_CMD_ARGS', '')}"
    )

# One worker keeps each tab's state in memory (expiring with idle tabs); the disk manager's pickling and
# purge scans cost every event a few ms for nothing a chat needs. Several workers share state in Redis.
_state_manager = {} if settings.REDIS_URL else {"state_manager_mode": "memory"}

# No db_url: the app has its own engine and alembic migrations (djangochat_rx/db.py), applied at start.
# Given one, Reflex checks the schema its own way at every start and prints false advice ("Target
# database is not up to date. Run reflex db migrate").
config = rx.Config(
    app_name="djangochat_rx",
    redis_url=settings.REDIS_URL or None,
    cors_allowed_origins=settings.ALLOWED_ORIGINS,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    **_state_manager,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
)
