"""The inventory of doors (djangochat_rx/http/doors.py) names every way in: each HTTP route of the running app, each
socket event handler, each command of the CLI; and every budget it names is a real one."""

import argparse

from reflex.state import State
from reflex.utils import prerequisites
from reflex.utils.exec import get_frontend_mount
from reflex_base import constants
from starlette.routing import Mount, Route

from djangochat_rx import __main__ as cli
from djangochat_rx import settings
from djangochat_rx.http import doors, endpoints
from djangochat_rx.infra import throttle


def _routes(routes, prefix: str = ""):
    """(methods, path) of every route, mounts walked into; a mount of files (or of the websocket's app) is
    its prefix followed by any path."""
    for route in routes:
        if isinstance(route, Route):
            yield frozenset(route.methods or ()), prefix + route.path
        elif isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:
                yield None, f"{prefix}{route.path}/{{path:path}}"
            else:
                yield from _routes(inner, prefix + route.path)


def _door(path: str) -> doors.HttpDoor | None:
    return next((door for door in doors.HTTP_DOORS if door.path == path), None)


def _unlisted(routes) -> list[str]:
    missing = []
    for methods, path in routes:
        listed = [door for door in doors.HTTP_DOORS if door.path == path]
        taken = frozenset().union(*(door.methods for door in listed)) if listed else frozenset()
        if not listed or (methods is not None and not methods <= taken):
            missing.append(f"{sorted(methods or ['*'])} {path}")
    return missing


def test_every_http_route_of_ours_and_of_the_api_is_in_the_inventory():
    assert _unlisted(_routes(endpoints.http_routes())) == []


def test_every_route_reflex_adds_is_in_the_inventory(backend_url, tmp_path, monkeypatch):
    from djangochat_rx.djangochat_rx import app

    (tmp_path / constants.Dirs.STATIC).mkdir(parents=True)
    monkeypatch.setattr(prerequisites, "get_web_dir", lambda: tmp_path)

    reflex_routes = list(_routes(app._api.routes))
    assert {path for _, path in reflex_routes} >= {"/ping", "/_health", "/_event/{path:path}"}
    assert _unlisted(reflex_routes) == []
    # Production serves the built pages from the same backend: that mount (files only) is a door too.
    assert _unlisted(_routes([get_frontend_mount(router=app.router)])) == []


def test_no_upload_route_of_reflex_is_open():
    """Reflex adds /_upload when a page uses rx.upload: our files have their own budgeted route instead."""
    assert _door("/_upload") is None
    assert doors.http_door("POST", "/_upload") is None


def test_a_route_not_in_the_inventory_is_reported():
    stray = [Route("/_stray", lambda request: None, methods=["POST"])]
    assert _unlisted(_routes(stray)) == ["['POST'] /_stray"]


def _handlers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def walk(state: type[State]) -> None:
        found[state.__name__] = set(state.event_handlers) - {"setvar"}
        for child in state.get_substates():
            walk(child)

    walk(State)
    return found


def test_every_socket_event_handler_is_in_the_inventory_and_nothing_else(backend_url):
    listed = {name: set(handlers) for name, handlers in doors.SOCKET_DOORS.items()}
    found = _handlers()
    assert set(found) == set(listed)
    assert {name: handlers - listed[name] for name, handlers in found.items() if handlers - listed[name]} == {}
    assert {name: listed[name] - handlers for name, handlers in found.items() if listed[name] - handlers} == {}


def test_every_cli_command_is_in_the_inventory():
    subparsers = next(a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == set(doors.CLI_COMMANDS)


def _budgets():
    for door in doors.HTTP_DOORS:
        yield door.path, door.budget.counts
    for state, handlers in doors.SOCKET_DOORS.items():
        for name, budget in handlers.items():
            yield f"{state}.{name}", budget.counts


def test_every_budget_named_is_one_the_app_keeps():
    for where, counts in _budgets():
        for name in counts:
            assert hasattr(throttle, name) or hasattr(settings, name), f"{where}: no budget named {name}"


def test_a_door_that_takes_a_body_says_how_long_it_may_take_and_anonymous_doors_are_capped_at_once():
    for door in doors.HTTP_DOORS:
        budget = door.budget
        assert budget.anonymous_bytes <= budget.bytes, door.path
        assert 0 < budget.read_seconds <= doors.UPLOAD_READ_SECONDS, door.path
        if budget.anonymous_bytes:
            assert budget.at_once_per_client is not None, f"{door.path} reads an anonymous body without a cap"


def test_security_md_lists_every_door_with_its_budget_as_the_inventory_says():
    """docs/security.md's "Budgets" tables are the inventory's own (`python -m djangochat_rx.http.doors` writes
    them)."""
    text = (settings.PROJECT_DIR / "docs" / "security.md").read_text()
    start, end = "<!-- doors:start -->\n", "<!-- doors:end -->"
    assert start in text and end in text
    assert text.split(start)[1].split(end)[0] == doors.table()
