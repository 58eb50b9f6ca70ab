"""Reading a Slack export (the zip of Slack's standard export), safely, and turning Slack's markup into ours.

The zip is opened once and checked before anything is written: it must be a whole zip (a truncated or damaged
one is refused), hold Slack's `users.json` and `channels.json`, at most IMPORT_MAX_ENTRIES files unpacking to at
most IMPORT_MAX_UNPACKED_BYTES, none packed tighter than IMPORT_MAX_RATIO to 1 (a zip bomb). Nothing is ever
unpacked by its name onto the disk: a file is read by name into memory (JSON, at most IMPORT_MAX_JSON_BYTES, read
through a counter, whatever the zip's header claims) or into a temporary file of our own naming (an upload, at
most FILE_MAX_BYTES); a name that climbs out of its folder (`..`, an absolute path, a drive) is never read, and
the report says so.

Layout (Slack's): `users.json`, `channels.json` (public channels), `groups.json` (private channels), `dms.json`
(direct messages), `mpims.json` (group direct messages), and one folder per conversation (a channel's name, a
DM's id, a group DM's name) of `YYYY-MM-DD.json` files, each a list of messages. Files a message carries are
taken from `__uploads/<file id>/<name>` when the export has them (Mattermost's slack-advanced-exporter puts them
there); otherwise the message links to the file's Slack address.
"""

import collections
import contextlib
import functools
import html
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import emoji

from djangochat_rx import settings

DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
LISTS = ("channels.json", "groups.json", "dms.json", "mpims.json")
UPLOADS = "__uploads"


class NotAnExport(Exception):
    """The file cannot be imported at all (its words say why); nothing of it was written."""


@dataclass(frozen=True)
class Conversation:
    """A channel, private channel, DM or group DM of the export: its Slack id, what kind of room it becomes
    ("public", "private" or "dm"), its folder in the zip, and the rest of what the lists say of it."""

    id: str
    kind: str
    folder: str
    name: str = ""
    description: str = ""
    members: tuple[str, ...] = ()
    creator: str = ""
    archived: bool = False


@dataclass
class Export:
    """An open, checked Slack export; `skipped` gathers the report's lines about the zip itself. Its names are
    indexed once: each folder's day files, oldest first, and each file id's uploads."""

    archive: zipfile.ZipFile
    names: frozenset[str]
    skipped: list[str] = field(default_factory=list)
    folders: dict[str, list[str]] = field(init=False)
    uploads: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.folders, self.uploads = collections.defaultdict(list), collections.defaultdict(list)
        for name in sorted(self.names):
            folder, _, rest = name.partition("/")
            if folder == UPLOADS and "/" in rest:
                self.uploads[rest.partition("/")[0]].append(name)
            elif DAY_FILE.fullmatch(rest):
                self.folders[folder].append(name)

    def close(self) -> None:
        self.archive.close()

    def json(self, name: str):
        """The JSON file `name` of the zip, read through a counter (NotAnExport past IMPORT_MAX_JSON_BYTES or if
        it is not JSON)."""
        try:
            with self.archive.open(name) as file:
                data = file.read(settings.IMPORT_MAX_JSON_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise NotAnExport(f"{name} cannot be read from the zip ({error}).") from None
        if len(data) > settings.IMPORT_MAX_JSON_BYTES:
            raise NotAnExport(f"{name} is larger than {settings.IMPORT_MAX_JSON_BYTES // (1024 * 1024)} MB.")
        try:
            return json.loads(data)
        except (UnicodeDecodeError, ValueError):
            raise NotAnExport(f"{name} is not valid JSON.") from None

    def listed(self, name: str) -> list[dict]:
        """The list in `name` (users.json, channels.json…): [] when the export has no such file."""
        if name not in self.names:
            return []
        found = self.json(name)
        if not isinstance(found, list):
            raise NotAnExport(f"{name} does not hold a list.")
        return [item for item in found if isinstance(item, dict)]

    @functools.cached_property
    def users(self) -> list[dict]:
        """The people of users.json (read once)."""
        return [user for user in self.listed("users.json") if isinstance(user.get("id"), str)]

    @functools.cached_property
    def conversations(self) -> list[Conversation]:
        """Every conversation the lists name, in the order public, private, DMs, group DMs."""
        found = []
        for list_name, kind in zip(LISTS, ("public", "private", "dm", "dm"), strict=True):
            for item in self.listed(list_name):
                if not isinstance(item.get("id"), str):
                    continue
                name = item.get("name") if isinstance(item.get("name"), str) else ""
                folder = item["id"] if list_name == "dms.json" else name
                members = tuple(m for m in item.get("members") or () if isinstance(m, str))
                if list_name == "mpims.json" and len(members) > settings.DM_MAX_PEOPLE:
                    kind = "private"  # too many people for a conversation: a private room of them
                about = item.get("purpose") if isinstance(item.get("purpose"), dict) else {}
                topic = item.get("topic") if isinstance(item.get("topic"), dict) else {}
                description = str(about.get("value") or topic.get("value") or "")
                found.append(
                    Conversation(
                        item["id"],
                        kind,
                        folder,
                        name,
                        description,
                        members,
                        str(item.get("creator") or ""),
                        bool(item.get("is_archived")),
                    )
                )
        return found

    def days(self, folder: str) -> list[str]:
        """The day files of a conversation's folder, oldest first."""
        return self.folders.get(folder, [])

    def messages(self, day: str) -> list[dict]:
        """The messages of one day file, in their time order."""
        found = self.json(day)
        if not isinstance(found, list):
            raise NotAnExport(f"{day} does not hold a list of messages.")
        usable = [item for item in found if isinstance(item, dict) and isinstance(item.get("ts"), str)]
        return sorted(usable, key=lambda item: ts_key(item["ts"]))

    def upload(self, file_id: str, name: str) -> Path | None:
        """The bytes the export carries for a message's file, copied into a temporary file the caller removes;
        None when it carries none. FileTooBig past FILE_MAX_BYTES."""
        wanted = f"{UPLOADS}/{file_id}/{name}"
        if wanted not in self.names:
            candidates = self.uploads.get(file_id, [])
            if len(candidates) != 1:
                return None
            wanted = candidates[0]
        handle, temporary = tempfile.mkstemp(suffix=".import")
        try:
            with open(handle, "wb") as out, self.archive.open(wanted) as file:
                copied = 0
                while chunk := file.read(1024 * 1024):
                    copied += len(chunk)
                    if copied > settings.FILE_MAX_BYTES:
                        raise FileTooBig()
                    out.write(chunk)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Path(temporary)


class FileTooBig(Exception):
    """A file of the export is larger than FILE_MAX_BYTES."""


def _safe(name: str) -> bool:
    """Whether a name in the zip stays inside it: no absolute path, drive, backslash or `..`."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or "\\" in name or ":" in parts[0]:
        return False
    return ".." not in parts


def open_export(path: Path) -> Export:
    """The export at `path`, checked as the module says; NotAnExport saying why it cannot be imported."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise NotAnExport("This file is not a complete zip file: it is damaged or was cut short.") from None
    except OSError as error:
        raise NotAnExport(f"The file cannot be read ({error.strerror or error}).") from None
    try:
        infos = archive.infolist()
        if len(infos) > settings.IMPORT_MAX_ENTRIES:
            raise NotAnExport(f"The zip holds {len(infos)} files; at most {settings.IMPORT_MAX_ENTRIES} are read.")
        unpacked = sum(info.file_size for info in infos)
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise NotAnExport(
                f"The zip unpacks to {unpacked // (1024 * 1024)} MB; at most "
                f"{settings.IMPORT_MAX_UNPACKED_BYTES // (1024 * 1024)} MB are read."
            )
        for info in infos:
            packed = max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and info.file_size > settings.IMPORT_MAX_RATIO * packed:
                raise NotAnExport(
                    f"{info.filename} unpacks to {info.file_size // packed} times its packed size: this looks "
                    "like a zip bomb, and nothing was imported."
                )
        names = {info.filename for info in infos if not info.is_dir()}
        unsafe = sorted(name for name in names if not _safe(name))
        export = Export(archive, frozenset(names - set(unsafe)))
        export.skipped += [f"“{name}” was not read: its name points outside the export." for name in unsafe]
        if "users.json" not in export.names or "channels.json" not in export.names:
            raise NotAnExport("This is not a Slack export: it has no users.json and channels.json.")
        return export
    except BaseException:
        archive.close()
        raise


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Export]:
    export = open_export(path)
    try:
        yield export
    finally:
        export.close()


def ts_key(ts: str) -> tuple[int, int]:
    """A Slack timestamp ("1512085950.000216") as a sortable pair."""
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds), int(fraction.ljust(6, "0")[:6] or 0)
    except ValueError:
        return 0, 0


# Slack's markup (https://api.slack.com/reference/surfaces/formatting): <...> holds a mention, a channel, a
# special mention or a link; *bold*, _italic_, ~strike~; `code` and ``` blocks are left as they are.
_ANGLED = re.compile(r"<([^<>\n]+)>")
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_SPECIAL = {"here": "@here", "channel": "@room", "everyone": "@room"}


@dataclass(frozen=True)
class Names:
    """What markup needs to know: Slack user id -> our username; channel id -> (its name, our room's path)."""

    users: dict[str, str]
    rooms: dict[str, tuple[str, str]]


def _angled(inside: str, names: Names) -> str:
    target, _, label = inside.partition("|")
    if target.startswith("@"):
        username = names.users.get(target[1:])
        return f"@{username}" if username else f"@{label or target[1:]}"
    if target.startswith("#"):
        name, path = names.rooms.get(target[1:], (label, ""))
        shown = f"#{name or label or target[1:]}"
        return f"[{shown}]({path})" if path else shown
    if target.startswith("!"):
        word = target[1:].split("^")[0]
        if word in _SPECIAL:
            return _SPECIAL[word]
        return label or f"@{word}"
    if label:
        return f"[{label}]({target})"
    return target.removeprefix("mailto:") if target.startswith("mailto:") else target


def _prose(text: str, names: Names) -> str:
    text = _ANGLED.sub(lambda found: _angled(found.group(1), names), text)
    text = _BOLD.sub(r"**\1**", text)
    text = _ITALIC.sub(r"*\1*", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    text = emoji.emojize(text, language="alias")
    return html.unescape(text)


def to_markdown(text: str, names: Names) -> str:
    """A Slack message's text in our Markdown: mentions by username, channel links to our rooms, links, special
    mentions (@here, @room), emoji shortcodes as emoji, bold, italic and strike; code left alone (but unescaped)."""
    parts = _CODE.split(text)
    return "".join(html.unescape(part) if i % 2 else _prose(part, names) for i, part in enumerate(parts))


def mentioned_ids(text: str) -> list[str]:
    """The Slack user ids a message mentions (<@U…>), in order, once each."""
    found = [inside.partition("|")[0][1:] for inside in _ANGLED.findall(text) if inside.startswith("@")]
    return list(dict.fromkeys(found))


def shortcode_emoji(name: str) -> str | None:
    """The emoji of a reaction's Slack name ("thumbsup", "+1", "wave::skin-tone-3"); None for a custom one."""
    base, _, tone = name.partition("::")
    found = emoji.emojize(f":{base}:", language="alias")
    if found == f":{base}:":
        return None
    level = tone.removeprefix("skin-tone-")
    if level in ("2", "3", "4", "5", "6"):  # Slack's tones 2–6 are Unicode's five modifiers, lightest first
        toned = found + chr(0x1F3FB + int(level) - 2)
        if emoji.is_emoji(toned):
            return toned
    return found
