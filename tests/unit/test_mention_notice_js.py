"""assets/mention_notice_core.js under Node (the venv's): a mention becomes a browser notification only when it
is new, the page is hidden and the user allowed them; a click opens the thread or the room."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "mention_notice_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ noticeHref, noticeToShow, offerNotifications }} from {json.dumps(CORE.as_uri())};\n"
        'const raw = JSON.stringify({ id: 7, author: "bob", room: "General", slug: "general", text: "@ann hi" });\n'
        'const hidden = { first: false, visible: false, permission: "granted" };\n'
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_a_new_mention_on_a_hidden_page_is_shown_with_the_same_tag_as_its_push():
    out = run("out.shown = noticeToShow(raw, hidden);")
    assert out["shown"] == {
        "title": "bob mentioned you in General",
        "body": "@ann hi",
        "tag": "djangochat-7",
        "href": "/rooms/general",
    }


def test_no_notification_when_visible_not_allowed_the_first_value_or_broken():
    out = run("""
      out.visible = noticeToShow(raw, { ...hidden, visible: true });
      out.denied = noticeToShow(raw, { ...hidden, permission: "default" });
      out.first = noticeToShow(raw, { ...hidden, first: true });
      out.empty = noticeToShow("{}", hidden);
      out.broken = noticeToShow("{", hidden);
    """)
    assert out == {"visible": None, "denied": None, "first": None, "empty": None, "broken": None}


def test_a_thread_mention_opens_the_thread_and_no_other_address_is_followed():
    out = run("""
      out.thread = noticeHref({ slug: "general", path: "/rooms/general?thread=3" });
      out.elsewhere = noticeHref({ slug: "a b", path: "https://evil.example/" });
    """)
    assert out == {"thread": "/rooms/general?thread=3", "elsewhere": "/rooms/a%20b"}


def test_notifications_are_offered_until_the_browser_has_been_asked():
    out = run("""
      out.ask = offerNotifications(true, "default");
      out.granted = offerNotifications(true, "granted");
      out.unsupported = offerNotifications(false, "default");
    """)
    assert out == {"ask": True, "granted": False, "unsupported": False}


def test_the_summary_after_a_quiet_time_brings_its_title_and_opens_the_rooms_list():
    out = run("""
      const summary = JSON.stringify({ id: "quiet-ended", title: "While you were away",
        text: "2 mentions waited while you were not to be disturbed.", path: "/rooms" });
      out.shown = noticeToShow(summary, hidden);
    """)
    assert out["shown"] == {
        "title": "While you were away",
        "body": "2 mentions waited while you were not to be disturbed.",
        "tag": "djangochat-quiet-ended",
        "href": "/rooms",
    }


def test_a_reminder_names_itself_and_opens_its_message():
    out = run("""
      const reminder = { id: "reminder-4", title: "Reminder", room: "General", author: "", text: "ship it",
        path: "/messages/12" };
      out.shown = noticeToShow(JSON.stringify(reminder), hidden);
      out.page = noticeHref({ slug: "", path: "/reminders" });
    """)
    assert out["shown"] == {
        "title": "Reminder",
        "body": "ship it",
        "tag": "djangochat-reminder-4",
        "href": "/messages/12",
    }
    assert out["page"] == "/reminders"
