"""Slack exports written by the tests, in Slack's standard export format (docs/importing.md): users.json,
channels.json, groups.json, dms.json, mpims.json and one folder per conversation of YYYY-MM-DD.json files;
files a message carries under __uploads/<file id>/<name>.

`team_export` is the one the import tests and the browser test read: several channels (one archived), a private
channel, a DM and a group DM, a thread, reactions (one a custom emoji), a pin, an edit, an image, a file too
big to keep, a deleted user, a bot and an integration's message, mentions, channel links and links in Slack's
markup, join notices, and a message by a user the export does not list."""

import io
import json
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

TEAM = "T0TEAM"
DAY1 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC).timestamp()
DAY2 = datetime(2024, 3, 5, 14, 30, tzinfo=UTC).timestamp()


def ts(base: float, n: int) -> str:
    """A Slack timestamp n seconds after `base`."""
    return f"{int(base) + n}.{n:06d}"


def user(slack_id: str, name: str, email: str = "", **extra) -> dict:
    profile = {"real_name": name.title(), "display_name": name}
    if email:
        profile["email"] = email
    return {
        "id": slack_id,
        "team_id": TEAM,
        "name": name,
        "deleted": False,
        "is_bot": False,
        "profile": profile,
    } | extra


def png(width: int = 40, height: int = 30, colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def write_export(
    path: Path,
    users: list[dict],
    channels: list[dict],
    history: dict[str, list[dict]],
    groups: list[dict] = (),
    dms: list[dict] = (),
    mpims: list[dict] = (),
    uploads: dict[tuple[str, str], bytes] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Write an export zip at `path`: `history` maps a conversation's folder to its messages (split into day
    files by their timestamps); `uploads` (file id, name) -> bytes; `extra` more entries as they are."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps(channels))
        for name, listed in (("groups.json", groups), ("dms.json", dms), ("mpims.json", mpims)):
            if listed:
                archive.writestr(name, json.dumps(list(listed)))
        for folder, messages in history.items():
            days: dict[str, list[dict]] = defaultdict(list)
            for message in messages:
                day = datetime.fromtimestamp(float(message["ts"]), UTC).strftime("%Y-%m-%d")
                days[day].append(message)
            for day, listed in days.items():
                archive.writestr(f"{folder}/{day}.json", json.dumps(listed))
        for (file_id, name), data in (uploads or {}).items():
            archive.writestr(f"__uploads/{file_id}/{name}", data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def message(who: str, at: str, text: str, **extra) -> dict:
    return {"type": "message", "user": who, "ts": at, "text": text} | extra


def team_export(path: Path, big_file_bytes: int = 0, tag: str = "") -> Path:
    """The team's export (the module says what it holds); `big_file_bytes`: the size of the file too big to keep;
    `tag` is added to every name, address and the team's id (several exports in one database: the browser's)."""
    team = TEAM + tag.upper()
    users = [
        user("U0ANN", f"ann{tag}", f"ann{tag}@example.com"),
        user("U0BEN", f"ben{tag}", f"ben{tag}@example.com"),
        user("U0CAT", f"cat{tag}", f"cat{tag}@example.com"),
        user("U0DAN", f"dan{tag}", f"dan{tag}@example.com", deleted=True),
        user("U0BOT", f"deploybot{tag}", is_bot=True),
    ]
    for listed in users:
        listed["team_id"] = team
    general = [
        message("U0ANN", ts(DAY1, 0), "", subtype="channel_join"),
        message(
            "U0ANN",
            ts(DAY1, 1),
            "Welcome <@U0BEN>! Plans are in <#C0RAND|random>, see <https://example.com/plan|the plan> :tada: "
            "*really* _soon_ ~maybe~ &lt;3",
            reactions=[
                {"name": "+1", "users": ["U0BEN", "U0CAT"], "count": 2},
                {"name": "partyparrot", "users": ["U0BEN"], "count": 1},
            ],
            pinned_to=["C0GEN"],
        ),
        message("U0BEN", ts(DAY1, 2), "Thread starter: lunch?", thread_ts=ts(DAY1, 2), reply_count=2),
        message("U0CAT", ts(DAY1, 3), "Yes, noodles", thread_ts=ts(DAY1, 2), parent_user_id="U0BEN"),
        message("U0ANN", ts(DAY1, 4), "Count me in", thread_ts=ts(DAY1, 2), parent_user_id="U0BEN"),
        message(
            "U0CAT",
            ts(DAY1, 5),
            "Here is the chart",
            files=[{"id": "F0IMG", "name": "chart.png", "mimetype": "image/png"}],
        ),
        message("U0DAN", ts(DAY1, 6), "I was here before I left", edited={"user": "U0DAN", "ts": ts(DAY1, 60)}),
        message("U0GHOST", ts(DAY1, 7), "a message by someone the export does not list"),
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0CI",
            "username": "CI",
            "ts": ts(DAY2, 1),
            "text": "Build 42 passed",
        },
        message("U0BOT", ts(DAY2, 2), "Deployed to staging"),
        message(
            "U0BEN",
            ts(DAY2, 3),
            "The logs",
            files=[
                {"id": "F0BIG", "name": "huge.log", "permalink": "https://team.slack.com/files/U0BEN/F0BIG/huge.log"}
            ],
        ),
    ]
    random = [message("U0BEN", ts(DAY1, 10), "Random thoughts")]
    secret = [message("U0ANN", ts(DAY1, 20), "Only for ann and cat")]
    direct = [message("U0ANN", ts(DAY1, 30), "Hi Ben, a word in private"), message("U0BEN", ts(DAY1, 31), "Sure")]
    group = [message("U0CAT", ts(DAY2, 40), "The three of us")]
    old = [message("U0ANN", ts(DAY1, 50), "An old channel")]
    channels = [
        {
            "id": "C0GEN",
            "name": f"general{tag}",
            "creator": "U0ANN",
            "created": int(DAY1) - 86400,
            "is_archived": False,
            "members": ["U0ANN", "U0BEN", "U0CAT", "U0DAN"],
            "topic": {"value": "Company-wide"},
            "purpose": {"value": "Everything that matters to everyone"},
        },
        {
            "id": "C0RAND",
            "name": f"random{tag}",
            "creator": "U0BEN",
            "members": ["U0BEN", "U0ANN"],
            "purpose": {"value": ""},
        },
        {"id": "C0OLD", "name": f"old-stuff{tag}", "creator": "U0ANN", "members": ["U0ANN"], "is_archived": True},
    ]
    groups = [{"id": "G0SEC", "name": f"secret-plans{tag}", "creator": "U0ANN", "members": ["U0ANN", "U0CAT"]}]
    dms = [{"id": "D0AB", "members": ["U0ANN", "U0BEN"]}]
    mpims = [{"id": "G0MP", "name": f"mpdm-ann--ben--cat-1{tag}", "members": ["U0ANN", "U0BEN", "U0CAT"]}]
    uploads = {("F0IMG", "chart.png"): png()}
    if big_file_bytes:
        uploads[("F0BIG", "huge.log")] = b"x" * big_file_bytes
    history = {
        f"general{tag}": general,
        f"random{tag}": random,
        f"old-stuff{tag}": old,
        f"secret-plans{tag}": secret,
        "D0AB": direct,
        f"mpdm-ann--ben--cat-1{tag}": group,
    }
    return write_export(path, users, channels, history, groups, dms, mpims, uploads)
