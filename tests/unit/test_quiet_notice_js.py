"""assets/quiet_notice_core.js under Node (the venv's): what the sender is told before sending to people who may
not be disturbed — the time where they are and when they will be notified, in their zone."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "quiet_notice_core.js"
# Ann in Paris is quiet until 09:00 her time on Wednesday 9 December (08:00 UTC); it is Tuesday 22:10 UTC.
PEOPLE = [{"name": "ann", "zone": "Europe/Paris", "until": "2026-12-09T08:00:00+00:00"}]
NOW = "2026-12-08T22:10:00Z"


def lines(text: str, direct: bool = False, people=PEOPLE, now: str = NOW) -> list[str]:
    script = (
        f"import {{ quietLines }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = quietLines({json.dumps(people)}, {json.dumps(text)}, new Date({json.dumps(now)}), "
        f"{json.dumps(direct)});\nconsole.log(JSON.stringify(out.map((line) => line.text)));"
    )
    return run_js(script)


def test_a_mention_of_someone_quiet_says_their_time_and_when_they_hear_of_it():
    assert lines("@ann can you look?") == ["ann: 23:10 for them, notified at 09:00 their time"]


def test_in_a_direct_conversation_every_quiet_member_counts_without_a_mention():
    assert lines("are you there?", direct=True) == ["ann: 23:10 for them, notified at 09:00 their time"]


def test_nothing_for_text_that_mentions_nobody_quiet_or_once_their_quiet_time_is_over():
    assert lines("@bob can you look?") == []
    assert lines("email@ann.example") == []
    assert lines("@ann hi", now="2026-12-09T08:01:00Z") == []


def test_a_wait_over_the_weekend_names_the_day():
    monday = [{"name": "ann", "zone": "America/New_York", "until": "2026-12-14T14:00:00+00:00"}]
    assert lines("@Ann hi", people=monday, now="2026-12-11T23:00:00Z") == [
        "ann: 18:00 for them, notified at Mon 09:00 their time"
    ]


def test_a_mention_of_a_group_tells_of_its_quiet_members():
    people = [{**PEOPLE[0], "groups": "backend ops"}]
    assert lines("@backend deploy?", people=people) == ["ann: 23:10 for them, notified at 09:00 their time"]
    assert lines("@frontend deploy?", people=people) == []
