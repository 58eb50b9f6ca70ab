"""assets/room_log_core.js under Node (the venv's): a room's history draws day separators and groups in the
reader's time zone, knows when the reader is at the newest message, which message the address asks for, when
to say what was read, and when a new message shows "Jump to latest"."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "room_log_core.js"


def run(steps: str) -> dict:
    script = (
        "import { arrived, dayLabel, decorateAfter, decorations, nearBottom, readDue, targetOf }"
        f" from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script, env={"TZ": "UTC"})


def test_rows_group_by_author_within_five_minutes_and_days_get_a_separator():
    out = run("""
      const today = new Date("2026-12-02T15:00:00Z");
      const row = (author, createdAt, more = {}) => ({ author, createdAt, deleted: false, follows: true, ...more });
      out.drawn = decorations([
        row("ann", "2026-12-01T09:00:00Z"),
        row("ann", "2026-12-01T09:01:00Z"),
        row("ann", "2026-12-02T09:02:00Z"),
        row("ann", "2026-12-02T09:03:00Z"),
        row("bob", "2026-12-02T09:04:00Z"),
        row("bob", "2026-12-02T09:20:00Z"),
        row("bob", "2026-12-02T09:21:00Z", { follows: false }),
      ], today);
    """)
    assert out["drawn"] == [
        {"day": "Yesterday", "grouped": False},
        {"day": None, "grouped": True},
        {"day": "Today", "grouped": False},
        {"day": None, "grouped": True},
        {"day": None, "grouped": False},
        {"day": None, "grouped": False},
        {"day": None, "grouped": False},
    ]


def test_one_row_drawn_from_the_row_before_it_is_drawn_as_in_the_whole_list():
    """What RoomLog redraws when one row comes or changes equals the drawing of the whole history."""
    out = run("""
      const today = new Date("2026-12-02T15:00:00Z");
      const rows = [
        { author: "ann", createdAt: "2026-12-01T09:00:00Z", deleted: false, follows: true },
        { author: "ann", createdAt: "2026-12-02T09:02:00Z", deleted: false, follows: true },
        { author: "ann", createdAt: "2026-12-02T09:03:00Z", deleted: false, follows: true },
        { author: "bob", createdAt: "2026-12-02T09:04:00Z", deleted: true, follows: true },
        { author: "bob", createdAt: "2026-12-02T09:05:00Z", deleted: false, follows: true },
        { author: "bob", createdAt: "2026-12-02T09:06:00Z", deleted: false, follows: false },
      ];
      out.whole = decorations(rows, today);
      out.one_by_one = rows.map((row, i) => decorateAfter(i ? rows[i - 1] : null, row, today));
    """)
    assert out["one_by_one"] == out["whole"]
    assert [d["grouped"] for d in out["whole"]] == [False, False, True, False, False, False]


def test_a_row_after_a_deleted_message_starts_a_new_group():
    out = run("""
      out.drawn = decorations([
        { author: "ann", createdAt: "2026-12-02T09:00:00Z", deleted: true, follows: true },
        { author: "ann", createdAt: "2026-12-02T09:01:00Z", deleted: false, follows: true },
      ], new Date("2026-12-02T10:00:00Z")).map((d) => d.grouped);
    """)
    assert out == {"drawn": [False, False]}


def test_older_days_are_named_with_the_year_only_when_it_is_not_this_one():
    out = run("""
      const today = new Date("2026-12-02T15:00:00Z");
      out.this_year = dayLabel(new Date("2026-11-20T10:00:00Z"), today);
      out.last_year = dayLabel(new Date("2025-11-20T10:00:00Z"), today);
    """)
    assert "2026" not in out["this_year"] and "20" in out["this_year"]
    assert "2025" in out["last_year"]


def test_the_reader_is_at_the_newest_message_within_a_few_pixels_of_the_bottom():
    out = run("""
      out.bottom = nearBottom({ scrollHeight: 1000, scrollTop: 600, clientHeight: 400 });
      out.close = nearBottom({ scrollHeight: 1000, scrollTop: 560, clientHeight: 400 });
      out.up = nearBottom({ scrollHeight: 1000, scrollTop: 500, clientHeight: 400 });
    """)
    assert out == {"bottom": True, "close": True, "up": False}


def test_the_address_names_the_message_to_show():
    out = run("""
      out.asked = targetOf("?message=42");
      out.none = targetOf("");
    """)
    assert out == {"asked": "42", "none": None}


def test_the_server_hears_what_was_read_once_while_the_reader_is_at_the_bottom_of_a_visible_page():
    out = run("""
      const due = (more) => readDue({ visible: true, atBottom: true, newest: 7, told: null, ...more });
      out.due = due({});
      out.told = due({ told: 7 });
      out.hidden = due({ visible: false });
      out.scrolled_up = due({ atBottom: false });
      out.empty_room = due({ newest: 0 });
    """)
    assert out == {"due": True, "told": False, "hidden": False, "scrolled_up": False, "empty_room": False}


def test_only_a_newer_message_arriving_shows_jump_to_latest():
    out = run("""
      out.first_load = arrived(null, "5");
      out.newer = arrived("5", "9");
      out.trimmed = arrived("9", "5");
      out.emptied = arrived("9", null);
    """)
    assert out == {"first_load": False, "newer": True, "trimmed": False, "emptied": False}
