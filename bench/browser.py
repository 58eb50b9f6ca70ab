"""What a person feels, in Chromium: the seed and ours side by side (`python -m bench.run browser`).

Two people, A and B (two contexts of Debian's Chromium, every host but 127.0.0.1 unresolvable: the seed's
Tailwind CDN and logo are blocked), on the seed (../shared/peer, `runserver`) and on ours (the built client and
the backend on one port, as `make serve` runs them: bench/built.py), a fresh server process per block of
samples, the apps alternately. Every time is read in the pages on one clock
(`performance.timeOrigin + performance.now()`):

- send → seen: A presses Enter (a capture listener in A's page sees the key first) → the text is in B's DOM (a
  MutationObserver in B's page), split where A's socket sends the frame holding the text and B's socket receives
  it (the bench wraps WebSocket before the page's own code runs);
- open from the list: a click on the room in the rooms list → the newest message the room shows is in the DOM;
- reload: the reloaded room page's navigation start → its newest message in the DOM;
- switch rooms: ours, a click on the other room in the sidebar; the seed has no sidebar, so what its people do:
  a click on "Rooms", then on the room → the other room's newest message in the DOM;
- scroll back 50: at the newest message, the reader scrolls to the top of the history, frame after frame, until
  the message 50 before the newest is in view (ours loads earlier messages as they come into view; the seed's
  page holds all it shows).

Rooms hold 50 or 500 messages (the seed's page renders its oldest 300 only, so its newest shown is then #300,
and B's page holds 300 where ours holds 500: scrolled back to the first, then to the newest again); an empty
room compares send → seen with the seed that stores before it broadcasts (../shared/peer/README.md).
"""

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from bench import peer
from bench.server import PROJECT, ServerProcess

CHROMIUM = "/usr/bin/chromium"
# Every host but 127.0.0.1 unresolvable: the seed's CDN and logo are blocked without intercepting requests
# (Playwright's routing would turn the browser's HTTP cache off, and a reload is what people do with a cache).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# The port ours is built for (a build bakes its socket's address into the client).
OURS_PORT = 3917
PASSWORD = "bench-password"
ROOMS = {"small": 50, "large": 500, "empty": 0}
NAMES = {"small": "Small room", "large": "Large room", "empty": "Empty room"}
SEED_SHOWS = 300  # the seed's room page renders ChatMessage.objects.filter(room=...)[0:300]
SCROLL_BACK = 50

# Installed in every page before its own scripts (both apps): the probes above.
PROBES = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const stored = sessionStorage.getItem("__benchWatch");
  const b = { watch: stored ? JSON.parse(stored) : [], sent: {}, received: {}, seen: {}, pressed: 0 };
  window.__bench = b;
  addEventListener("keydown", (event) => { if (event.key === "Enter") b.pressed = now(); }, true);
  addEventListener("click", () => sessionStorage.setItem("__benchClicked", String(now())), true);
  const note = (where, data) => {
    if (typeof data !== "string") return;
    const t = now();
    for (const mark of b.watch) if (data.includes(mark)) (where[mark] = where[mark] || []).push(t);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => note(b.received, event.data));
    }
    send(data) {
      note(b.sent, data);
      return super.send(data);
    }
  };
  // In a message row (class "message" in both apps), never in a preview elsewhere on the page.
  const inRow = (element, mark) =>
    element.closest(".message") ||
    [...element.querySelectorAll(".message")].some((row) => row.textContent.includes(mark));
  const look = (node) => {
    const element = node.nodeType === 1 ? node : node.parentElement;
    const text = node.textContent || "";
    for (const mark of b.watch) {
      if (!(mark in b.seen) && element && text.includes(mark) && inRow(element, mark)) b.seen[mark] = now();
    }
  };
  new MutationObserver((records) => {
    if (!b.watch.length) return;
    for (const record of records) {
      if (record.type === "characterData") look(record.target);
      else for (const node of record.addedNodes) look(node);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();
"""


def body(i: int) -> str:
    """The i-th stored message of a room (as bench/run.py fill_history writes them): the dot after the number
    keeps "old message 29." from matching #299."""
    return f"old message {i}".ljust(64, ".")


def mark(i: int) -> str:
    return f"old message {i}."


# --- the two servers ---------------------------------------------------------------------------------------------


class Seed(peer.PeerServer):
    """The seed with rooms small / large / empty holding their messages (from user `loadtest`); `storing`: its
    consumer saves before it broadcasts (the one line moved)."""

    def __init__(self, workdir: Path, storing: bool = False) -> None:
        super().__init__(workdir, storing)
        self.url = f"http://127.0.0.1:{self.port}"

    def prepare(self, app: Path) -> None:
        with sqlite3.connect(app / "db.sqlite3") as sql:
            user = sql.execute("SELECT id FROM auth_user WHERE username = ?", (peer.USERNAME,)).fetchone()[0]
            for slug, count in ROOMS.items():
                room = sql.execute("INSERT INTO chatapp_chatroom (name, slug) VALUES (?, ?)", (NAMES[slug], slug))
                at = [f"2026-01-01 00:{i // 60:02d}:{i % 60:02d}" for i in range(count)]
                rows = [(body(i), at[i], room.lastrowid, user) for i in range(count)]
                insert = "INSERT INTO chatapp_chatmessage (message_content, date, room_id, user_id) VALUES (?, ?, ?, ?)"
                sql.executemany(insert, rows)

    def log_in(self, page: Page, name: str) -> None:
        """The seed has one user (its consumer trusts the name the page sends): both people log in as it."""
        page.goto(f"{self.url}/login/")
        page.fill("input[name=username]", peer.USERNAME)
        page.fill("input[name=password]", "Load-Test-Pw-2024")
        page.locator("form[action='/login/'] [type=submit]").first.click()
        page.wait_for_url("**/rooms/")

    def page_url(self, slug: str) -> str:
        return f"{self.url}/rooms/{slug}/"

    def list_url(self) -> str:
        return f"{self.url}/rooms/"

    def shown(self, slug: str) -> int:
        return min(ROOMS[slug], SEED_SHOWS)

    def box(self, page: Page):
        return page.locator("#message-input")

    def list_link(self, page: Page, slug: str):
        return page.get_by_role("link", name=NAMES[slug], exact=True)

    scroller = "#message-container"

    def switch(self, page: Page, slug: str) -> None:
        page.get_by_role("link", name="Rooms", exact=True).click()
        page.get_by_role("link", name=NAMES[slug], exact=True).click()


class Ours(ServerProcess):
    """Ours as `make serve` runs it, on the client built for OURS_PORT (bench/built.py), on a fresh database:
    amy and ben, rooms small / large / empty holding their messages."""

    scroller = '[role="log"]'

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir / "ours.log")
        self.port = OURS_PORT
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{workdir / 'ours.db'}"
        self.workdir = workdir

    def env(self) -> dict:
        bin_dir = Path(sys.executable).parent
        return {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "DATABASE_URL": self.database_url,
            "UPLOAD_DIR": str(self.workdir / "uploads"),
            "ALLOWED_ORIGINS": self.url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "BCRYPT_ROUNDS": "4",
            # Two people sending one message at a time, faster than a person would: not abuse.
            "SEND_LIMITS": "100000 per second",
        }

    def prepare(self) -> None:
        from sqlmodel import Session

        from bench.run import fill_history
        from djangochat_rx import db
        from djangochat_rx.domain import accounts, rooms, signup

        db.migrate(self.database_url)
        engine = db.make_engine(self.database_url)
        with Session(engine, expire_on_commit=False) as session:
            amy = accounts.register(session, "amy", PASSWORD, PASSWORD)
            accounts.register(session, "ben", PASSWORD, PASSWORD)
            signup.set_mode(session, None, "open")
            for slug, count in ROOMS.items():
                room = rooms.create_room(session, NAMES[slug], "", amy.id)
                fill_history(session, room.id, amy.id, count)
                assert room.slug == rooms.base_slug(NAMES[slug]), room.slug
        engine.dispose()

    def build(self) -> None:
        """`make serve` once on OURS_PORT: its build is what every block then serves."""
        self.prepare()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "djangochat_rx", "serve"],
            cwd=PROJECT,
            env=self.env(),
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.await_answer("/login", 900)
        finally:
            self.stop()

    def start(self, timeout: float = 120) -> None:
        self.prepare()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.built", str(self.port)],
            cwd=PROJECT,
            env=self.env(),
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.await_answer("/login", timeout)

    def log_in(self, page: Page, name: str) -> None:
        page.goto(f"{self.url}/login")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login" not in url)

    def page_url(self, slug: str) -> str:
        return f"{self.url}/rooms/{self.slugs[slug]}"

    def list_url(self) -> str:
        return f"{self.url}/rooms"

    def shown(self, slug: str) -> int:
        return ROOMS[slug]

    def box(self, page: Page):
        return page.get_by_role("textbox", name="Message")

    def list_link(self, page: Page, slug: str):
        """The room's card in the rooms list (the sidebar's link comes first on the page)."""
        return page.locator(f"a[href='/rooms/{self.slugs[slug]}']").last

    def switch(self, page: Page, slug: str) -> None:
        page.locator(f"a[href='/rooms/{self.slugs[slug]}']").first.click()

    @property
    def slugs(self) -> dict[str, str]:
        from djangochat_rx.domain import rooms

        return {slug: rooms.base_slug(name) for slug, name in NAMES.items()}


# --- the probes --------------------------------------------------------------------------------------------------


def watch(page: Page, *marks: str) -> None:
    """From now on, this page (and the next document of its tab) notes when these texts come and go."""
    page.evaluate(
        """(marks) => {
            sessionStorage.setItem("__benchWatch", JSON.stringify(marks));
            sessionStorage.removeItem("__benchClicked");
            Object.assign(window.__bench, { watch: marks, sent: {}, received: {}, seen: {}, pressed: 0 });
        }""",
        list(marks),
    )


def probe(page: Page) -> dict:
    return page.evaluate(
        """() => ({
            ...window.__bench,
            origin: performance.timeOrigin,
            clicked: Number(sessionStorage.getItem("__benchClicked") || 0),
        })"""
    )


def seen(page: Page, text: str, timeout: float = 30) -> dict:
    """The page's probes once `text` is in its DOM."""
    page.wait_for_function("(text) => window.__bench && text in window.__bench.seen", arg=text, timeout=timeout * 1000)
    return probe(page)


def in_view(page: Page, scroller: str, text: str) -> None:
    """Scroll the history to its top each frame until the row holding `text` is in view (its time: __bench.inView)."""
    page.evaluate(
        """([scroller, text]) => new Promise((done, fail) => {
            const box = document.querySelector(scroller);
            const start = performance.timeOrigin + performance.now();
            const give_up = start + 30000;
            const step = () => {
                const now = performance.timeOrigin + performance.now();
                for (const row of box.querySelectorAll("div")) {
                    if (row.childElementCount > 3 || !row.textContent.includes(text)) continue;
                    const r = row.getBoundingClientRect(), frame = box.getBoundingClientRect();
                    if (r.bottom > frame.top && r.top < frame.bottom) {
                        window.__bench.scrolled = now - start;
                        return done();
                    }
                }
                if (now > give_up) return fail(new Error("never in view: " + text));
                box.scrollTop = 0;
                requestAnimationFrame(step);
            };
            step();
        })""",
        [scroller, text],
    )


# --- one block of samples ----------------------------------------------------------------------------------------


@dataclass
class Samples:
    rows: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, app: str, what: str, value: float) -> None:
        self.rows.setdefault((app, what), []).append(value)


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    context.add_init_script(PROBES)
    return context


def settle(page: Page) -> None:
    """Let the page finish what opening started, as a person reading before they act would (the same pause for
    both apps)."""
    page.wait_for_timeout(1000)


def open_room(server, page: Page, slug: str) -> None:
    page.goto(server.page_url(slug))
    newest = server.shown(slug) - 1
    if newest >= 0:
        page.wait_for_function("(t) => document.body.textContent.includes(t)", arg=mark(newest))
    else:
        server.box(page).wait_for()
    settle(page)


def send_samples(server, app: str, a: Page, b: Page, slug: str, count: int, out: Samples, label: str) -> None:
    for n in range(count):
        text = f"bench-{app}-{slug}-{n}-{time.monotonic_ns()}"
        watch(a, text)
        watch(b, text)
        box = server.box(a)
        box.fill(text)
        a.wait_for_timeout(150)  # a person's last key, then Enter
        box.press("Enter")
        got = seen(b, text)
        mine = probe(a)
        pressed = mine["pressed"]
        sent = min(t for t in mine["sent"].get(text, [pressed]) if t >= pressed)
        received = min(got["received"].get(text, [got["seen"][text]]))
        out.add(app, f"send → seen ({label})", got["seen"][text] - pressed)
        out.add(app, f"  press → A's socket sends ({label})", sent - pressed)
        out.add(app, f"  A sends → B's socket receives ({label})", received - sent)
        out.add(app, f"  B receives → in B's DOM ({label})", got["seen"][text] - received)
        a.wait_for_timeout(100)


def to_newest(server, page: Page) -> None:
    page.evaluate("(s) => { const e = document.querySelector(s); e.scrollTop = e.scrollHeight; }", server.scroller)


def fill_page(server, page: Page, slug: str) -> None:
    """B's page holds every message the room's page can hold: ours scrolls back to the first and returns to the
    newest (the seed's page holds its 300 from the start)."""
    if isinstance(server, Seed):
        return
    in_view(page, server.scroller, mark(0))
    to_newest(server, page)
    settle(page)


def block(server, app: str, browser: Browser, per: int, out: Samples, storing: bool = False) -> None:
    """`per` samples of each measure on a fresh `server` (started and stopped here)."""
    server.start()
    contexts = [new_context(browser), new_context(browser)]
    try:
        a, b = (context.new_page() for context in contexts)
        server.log_in(a, "amy")
        server.log_in(b, "ben")
        open_room(server, a, "empty")
        open_room(server, b, "empty")
        send_samples(server, app, a, b, "empty", per, out, "empty room")
        if storing:
            return
        for slug in ("small", "large"):
            size = f"{ROOMS[slug]} messages"
            newest = mark(server.shown(slug) - 1)
            # open from the list
            for _ in range(per):
                b.goto(server.list_url())
                server.list_link(b, slug).wait_for()
                settle(b)
                watch(b, newest)
                server.list_link(b, slug).click()
                got = seen(b, newest)
                out.add(app, f"open from the list ({size})", got["seen"][newest] - got["clicked"])
            # reload
            for _ in range(per):
                settle(b)
                watch(b, newest)
                b.reload(wait_until="commit")
                got = seen(b, newest)
                out.add(app, f"reload ({size})", got["seen"][newest] - got["origin"])
            # switch rooms: from the other room to this one
            other = "large" if slug == "small" else "small"
            for _ in range(per):
                open_room(server, b, other)
                watch(b, newest)
                server.switch(b, slug)
                got = seen(b, newest)
                out.add(app, f"switch rooms ({size})", got["seen"][newest] - got["clicked"])
            # scroll back 50 (in the large room only: the small one holds 50)
            if slug == "large":
                for _ in range(per):
                    open_room(server, b, slug)
                    to_newest(server, b)
                    settle(b)
                    in_view(b, server.scroller, mark(server.shown(slug) - 1 - SCROLL_BACK))
                    out.add(app, f"scroll back {SCROLL_BACK} ({size})", b.evaluate("() => window.__bench.scrolled"))
            # send → seen with the page holding the room
            open_room(server, a, slug)
            open_room(server, b, slug)
            fill_page(server, b, slug)
            send_samples(server, app, a, b, slug, per, out, size)
    finally:
        for context in contexts:
            context.close()
        server.stop()


# --- the run ---------------------------------------------------------------------------------------------------


def run(blocks: int = 3, per: int = 5) -> tuple[Samples, float]:
    out = Samples()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="djangochat-browser-") as tmp:
        work = Path(tmp)
        (work / "build").mkdir()
        if os.environ.get("BENCH_REUSE_BUILD") and f":{OURS_PORT}/" in (PROJECT / ".web" / "env.json").read_text():
            print("reusing the frontend built for the bench's port (BENCH_REUSE_BUILD)", file=sys.stderr, flush=True)
        else:
            print("building ours once for the bench's port (a minute or two)", file=sys.stderr, flush=True)
            Ours(work / "build").build()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for n in range(blocks):
                    for app, make in (
                        ("seed", lambda d: Seed(d)),
                        ("storing seed", lambda d: Seed(d, storing=True)),
                        ("ours", lambda d: Ours(d)),
                    ):
                        folder = work / f"{app.replace(' ', '-')}-{n}"
                        folder.mkdir()
                        print(f"block {n + 1}/{blocks}: {app}", file=sys.stderr, flush=True)
                        block(make(folder), app, browser, per, out, storing=app == "storing seed")
            finally:
                browser.close()
    return out, time.monotonic() - started


def ratio(ours: float, seed: float) -> str:
    """ours / seed; a seed time under 1 ms (a frame it had nothing to do in) has no meaningful ratio."""
    return f"{ours / seed:.2f}" if seed >= 1.0 else "—"


def table(out: Samples) -> str:
    whats = list(dict.fromkeys(what for _, what in out.rows))
    lines = [
        "| what a person does | seed p50 / p90 ms | storing seed p50 ms | ours p50 / p90 ms | ratio p50 | ratio p90 |",
        "|---|---|---|---|---|---|",
    ]

    def q(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    for what in whats:
        seed, storing, ours = (out.rows.get((app, what), []) for app in ("seed", "storing seed", "ours"))
        if not ours:
            continue
        s50, o50 = (statistics.median(v) if v else float("nan") for v in (seed, ours))
        s90, o90 = (q(v, 0.9) if v else float("nan") for v in (seed, ours))
        st = f"{statistics.median(storing):.1f}" if storing else ""
        lines.append(
            f"| {what} | {s50:.1f} / {s90:.1f} | {st} | {o50:.1f} / {o90:.1f} | {ratio(o50, s50)} | {ratio(o90, s90)} |"
        )
    return "\n".join(lines)


def main(quick: bool = False) -> int:
    if not peer.available():
        print(f"browser bench skipped: the seed is not at {peer.PEER}", file=sys.stderr)
        return 0
    if not Path(CHROMIUM).exists():
        print(f"browser bench skipped: no Chromium at {CHROMIUM}", file=sys.stderr)
        return 0
    out, took = run(blocks=1 if quick else 3, per=2 if quick else 5)
    results = PROJECT / "bench" / ".results"
    results.mkdir(exist_ok=True)
    path = results / f"browser-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({" | ".join(key): values for key, values in out.rows.items()}, indent=1))
    print(table(out))
    print(f"\n(medians of {len(next(iter(out.rows.values())))} samples per row; {took:.0f} s)")
    print(f"(written to {path.relative_to(PROJECT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main("--quick" in sys.argv))
