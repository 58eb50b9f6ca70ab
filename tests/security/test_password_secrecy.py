"""Passwords never show up in logs, websocket frames sent to the browser, or error reports."""

import json
import logging

import pytest

from djangochat_rx.domain import accounts
from djangochat_rx.state.auth import AccountFormState
from tests.state.conftest import unique
from tests.state.test_throttling import submit

PASSWORD = "Sup3r-Secret-Passw0rd!"


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_passwords_do_not_reach_logs_frames_or_error_reports(open_tab, everything_logged, capfd, monkeypatch):
    name = unique("secret")
    tab = await open_tab("/register")
    assert "do not match" in await submit(
        tab, "register", {"username": name, "password": PASSWORD, "confirm_password": PASSWORD + "x"}
    )
    assert await submit(tab, "register", {"username": name, "password": PASSWORD, "confirm_password": PASSWORD}) == ""
    login = await open_tab("/login")
    assert await submit(login, "login", {"username": name, "password": PASSWORD + "wrong"}) != ""
    assert await submit(login, "login", {"username": name, "password": PASSWORD}) == ""

    def explode(*_args):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(accounts, "authenticate", explode)
    crash = await open_tab("/login")
    before = len(crash.frames)
    await crash.call(AccountFormState, "login", form={"username": name, "password": PASSWORD})
    await crash.wait_for(lambda: any(frame.get("events") for frame in crash.frames[before:]))

    out, err = capfd.readouterr()
    frames = json.dumps([t.frames for t in (tab, login, crash)])
    for where, text in (("logs", everything_logged.text), ("stdout", out), ("stderr", err), ("frames", frames)):
        assert PASSWORD not in text, f"the password leaked into {where}"
    assert "database exploded" in err + everything_logged.text, "the crash was not reported at all"
