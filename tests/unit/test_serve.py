"""The production start (serve.py): what it refuses, and what it prints (never a password)."""

import pytest

from djangochat_rx import settings
from djangochat_rx.infra import serve


def test_passwords_in_urls_are_masked():
    assert serve.masked("postgresql+psycopg://chat:s3cret@db:5432/chat") == "postgresql+psycopg://chat:***@db:5432/chat"
    assert serve.masked("smtps://mailer:p%40ss@smtp.example.org") == "smtps://mailer:***@smtp.example.org"
    assert serve.masked("sqlite:////srv/chat/.data/djangochat.db") == "sqlite:////srv/chat/.data/djangochat.db"


def test_several_workers_need_redis_and_a_bad_smtp_url_is_refused(monkeypatch):
    monkeypatch.setattr(serve, "WORKERS", 3)
    monkeypatch.setattr(settings, "REDIS_URL", "")
    with pytest.raises(serve.ServeError, match="WORKERS=3 needs REDIS_URL"):
        serve.check()
    monkeypatch.setattr(settings, "REDIS_URL", "redis://127.0.0.1:6379/0")
    serve.check()
    monkeypatch.setattr(settings, "SMTP_URL", "mail.example.org")
    with pytest.raises(serve.ServeError, match="smtp://user:password@host:587"):
        serve.check()
    monkeypatch.setattr(serve, "WORKERS", 0)
    with pytest.raises(serve.ServeError, match="1 or more"):
        serve.check()


def test_the_summary_names_each_setting_and_its_variable_without_secrets(monkeypatch):
    monkeypatch.setattr(settings, "DATABASE_URL", settings.DATABASE_URL)
    monkeypatch.setattr(settings, "SMTP_URL", "smtp://mailer:hunter22@smtp.example.org:587")
    monkeypatch.setattr(settings, "REDIS_URL", "redis://:redispass@cache:6379/0")
    lines = "\n".join(serve.summary())
    for variable in (
        "(HOST, PORT)",
        "(PUBLIC_URL;",
        "(ALLOWED_ORIGINS;",
        "(DATABASE_URL)",
        "(WORKERS)",
        "(REDIS_URL)",
        "(REFLEX_TRUSTED_PROXY_HOPS",
    ):
        assert variable in lines
    assert "smtp://mailer:***@smtp.example.org:587" in lines
    assert "hunter22" not in lines and "redispass" not in lines
    assert "Sign-up      Open: anyone can register" in lines  # the test database is set to open
