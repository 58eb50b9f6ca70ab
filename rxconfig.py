"""Reflex configuration. Knobs come from djangochat_rx/settings.py (environment variables)."""

import reflex as rx

from djangochat_rx import settings

config = rx.Config(
    app_name="djangochat_rx",
    db_url=settings.DATABASE_URL,
    redis_url=settings.REDIS_URL or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium")),
    ],
)
