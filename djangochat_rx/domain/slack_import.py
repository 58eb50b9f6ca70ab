"""Importing a Slack export (slack_export.py reads it): its people, channels, conversations and history.

- People are matched to accounts by email address (an account's address is a verified one); the others are
  made without a password, with Slack's address as theirs, so "Forgot password", an administrator's reset link
  or single sign-on with that verified address claims them. Deleted Slack users are made disabled; bots are
  bots; a message posted by an integration (a `bot_id` without a user) comes from a bot of its name.
- Public channels become public rooms (a taken name gets "-slack"), private channels private rooms with their
  members, DMs and group DMs conversations (an existing conversation of the same people is continued); the
  purpose (or else the topic) is the description; an archived channel is archived.
- Messages keep their order, authors and times; a reply (`thread_ts`) goes into its parent's thread; reactions
  (Slack's emoji names as emoji; a custom emoji is reported), pins (`pinned_to`), the edited mark, mentions;
  files from `__uploads/` go through the upload checks (type from the bytes, images re-encoded), otherwise the
  message links to them; Slack's markup becomes ours (slack_export.to_markdown). Join/leave and other notices
  are left out, counted.
- Idempotent and resumable: what a run makes is recorded (ImportKey) in the transaction that makes it, and
  each room remembers the timestamp of the last message it took, so a second run of the same export adds
  nothing and an interrupted one goes on after the last batch it committed. Every message also carries a
  client id made of its channel and timestamp: one inserted twice is refused by its unique index anyway.
- Streaming: one day file is read at a time; what stays in memory is the people and the rooms, never the
  history. Messages are written IMPORT_BATCH per transaction with a short rest between batches: people
  chatting meanwhile wait for the write lock no longer than for one batch. A file's image is re-encoded before
  its batch takes the lock.
- Nothing half-imported: a message is written whole (its reactions, files, pins, mentions) or not at all;
  what cannot be imported (an unknown author, a day file that is not JSON, a file too big, a reply whose
  thread is missing…) is a line of the report, and the rest goes on. An export that cannot be read at all
  (not a zip, cut short, no users.json, a zip bomb) is refused before anything is written.
"""

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import routes, settings
from djangochat_rx.domain import (
    access,
    account_links,
    accounts,
    attachments,
    members,
    messages,
    rooms,
    slack_export,
    text,
    threads,
)
from djangochat_rx.domain.slack_export import Conversation, Export, FileTooBig, Names, NotAnExport, ts_key
from djangochat_rx.infra import storage
from djangochat_rx.models import (
    Attachment,
    ImportKey,
    Mention,
    Message,
    Pin,
    Reaction,
    Room,
    RoomMember,
    RoomRead,
    User,
    as_utc,
    utcnow,
)

SOURCE = "slack"
USER, BOT, ROOM, THREAD = "user", "bot", "room", "thread"
# Slack's notices about the conversation rather than messages in it: left out, counted.
NOTICES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "bot_add",
        "bot_remove",
        "tombstone",
        "joiner_notification",
        "sh_room_created",
    }
)
_UPSERT = {"sqlite": sqlite_insert, "postgresql": postgres_insert}
# What a run counts, in the order its summary shows them: key -> (said of one, said of several).
COUNTED = {
    "people made": ("person made", "people made"),
    "people matched by email": ("person matched by email address", "people matched by email address"),
    "people made, disabled (deleted in Slack)": (
        "person made disabled (deleted in Slack)",
        "people made disabled (deleted in Slack)",
    ),
    "people imported before": ("person imported before", "people imported before"),
    "bots made": ("bot made", "bots made"),
    "public rooms": ("public room", "public rooms"),
    "private rooms": ("private room", "private rooms"),
    "conversations": ("conversation", "conversations"),
    "conversations continued": ("conversation continued", "conversations continued"),
    "rooms imported before": ("room imported before", "rooms imported before"),
    "messages": ("message", "messages"),
    "replies in threads": ("reply in a thread", "replies in threads"),
    "reactions": ("reaction", "reactions"),
    "pins": ("pin", "pins"),
    "files": ("file", "files"),
    "messages read by an earlier run": ("message read by an earlier run", "messages read by an earlier run"),
    "notices left out (joins, topics…)": ("notice left out (joins, topics…)", "notices left out (joins, topics…)"),
    "batches that gave way to people chatting": (
        "batch that gave way to people chatting",
        "batches that gave way to people chatting",
    ),
    "skipped": ("thing left out (the report says why)", "things left out (the report says why)"),
    "report lines left out": ("line of the report not kept", "lines of the report not kept"),
}


@dataclass
class _Planned:
    """A message of a batch, worked out before the write lock: its author, body, prepared files (stored under
    `stored`), its thread's parent (an id, or the Slack timestamp of a parent in the same batch) and reactions."""

    message: dict
    author_id: int
    body: str
    files: list
    parent: int | str | None
    reactions: list[tuple[str, int]]
    # Each file's storage key and what attachments.put said of it.
    stored: list[tuple[str, dict]] = field(default_factory=list)
    seq: int = 0

    @property
    def ts(self) -> str:
        return self.message["ts"]

    def client_id(self, conversation_id: str) -> str:
        return _client_id(conversation_id, self.ts)


def _client_id(conversation_id: str, ts: str) -> str:
    """An imported message's client id: unique per author, so a message is never inserted twice."""
    return f"slack:{conversation_id}:{ts}"[:64]


def _inserted(sql, rows: list[dict]) -> dict[str, int]:
    """Insert message rows in one statement: client id -> new id. One imported before (its client id is there)
    would leave a hole in the room's seqs: it never is (a room's cursor moves with its messages), and if it were,
    the batch is refused whole."""
    if not rows:
        return {}
    statement = (
        _UPSERT[sql.dialect.name](Message)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["author_id", "client_id"])
    )
    ids = dict(
        (client_id, message_id)
        for message_id, client_id in sql.execute(statement.returning(Message.id, Message.client_id))
    )
    if len(ids) != len(rows):
        raise RuntimeError("messages of this batch were imported before; the batch was not written")
    return ids


def _attachment(
    owner_id: int, room_id: int, message_id: int, name: str, content_type: str, stored: dict, at: datetime
) -> dict:
    """An imported file's row: `stored` is what attachments.put said of its bytes (kind, size, dimensions)."""
    row = dict.fromkeys(("width", "height", "thumb_width", "thumb_height", "discarded_at"))
    row |= {"owner_id": owner_id, "room_id": room_id, "message_id": message_id, "name": attachments.clean_name(name)}
    return row | {"content_type": content_type, "created_at": at} | stored


@dataclass
class Result:
    """What a run did: counts by kind ("messages": 1200…), the report's lines, the rooms it wrote into."""

    counts: collections.Counter = field(default_factory=collections.Counter)
    report: list[str] = field(default_factory=list)
    rooms: set[int] = field(default_factory=set)
    refused: str = ""

    def skip(self, line: str) -> None:
        """Something of the export left out: a line of the report, counted."""
        self.counts["skipped"] += 1
        self.note(line)

    def note(self, line: str) -> None:
        """A line of the report (at most IMPORT_REPORT_LINES; the rest counted)."""
        if len(self.report) < settings.IMPORT_REPORT_LINES:
            self.report.append(line)
        else:
            self.counts["report lines left out"] += 1

    def to_wire(self) -> dict:
        """As JSON, from the import's process to the server's (actions/imports.running)."""
        return {
            "counts": dict(self.counts),
            "report": self.report,
            "rooms": sorted(self.rooms),
            "refused": self.refused,
        }

    @classmethod
    def from_wire(cls, data: dict) -> "Result":
        return cls(collections.Counter(data["counts"]), list(data["report"]), set(data["rooms"]), data["refused"])

    def counted(self) -> str:
        """The counts as lines ("13 messages", "1 file"), in COUNTED's order."""
        return "\n".join(
            f"{n} {one if n == 1 else many}" for key, (one, many) in COUNTED.items() if (n := self.counts[key])
        )


def moment(ts: str) -> datetime:
    seconds, fraction = ts_key(ts)
    return datetime.fromtimestamp(seconds + fraction / 1_000_000, UTC)


def _upsert(db: Session, table, rows: list[dict], keys: list[str]) -> None:
    if rows:
        db.execute(
            _UPSERT[db.connection().dialect.name](table).values(rows).on_conflict_do_nothing(index_elements=keys)
        )


class Run:
    """One pass over an export: `people`, then `rooms`, then `history` room by room (`progress` after each day)."""

    def __init__(self, export: Export, result: Result, into: storage.Storage | None = None) -> None:
        self.export = export
        self.result = result
        self.into = into or storage.default()
        teams = collections.Counter(user.get("team_id") for user in export.users if user.get("team_id"))
        self.source = f"{SOURCE}:{teams.most_common(1)[0][0]}" if teams else SOURCE
        self.users: dict[str, int] = {}
        self.usernames: dict[str, str] = {}
        self.names_by_id: dict[int, str] = {}
        self.bots: dict[str, int] = {}
        self.room_ids: dict[str, int] = {}
        self.cursors: dict[str, str] = {}
        self.room_paths: dict[str, tuple[str, str]] = {}
        self.threads: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.members: dict[int, set[int]] = {}  # the members of the room being imported (a private one's)
        self.last_id = 0  # the newest message when the last batch was written (_give_way)
        self.live_until = 0.0  # people were chatting lately: the import gives way until then

    # --- what was made before ---------------------------------------------------------------------------
    def _known(self, db: Session, kind: str) -> dict[str, ImportKey]:
        rows = db.exec(select(ImportKey).where(ImportKey.source == self.source, ImportKey.kind == kind)).all()
        return {row.external_id: row for row in rows}

    def _record(self, db: Session, kind: str, external_id: str, local_id: int) -> None:
        db.add(ImportKey(source=self.source, kind=kind, external_id=external_id, local_id=local_id))

    def _key(self, kind: str, external_id: str) -> tuple:
        """The conditions that find the ImportKey of a thing of this export."""
        return ImportKey.source == self.source, ImportKey.kind == kind, ImportKey.external_id == external_id

    def _local_id(self, db: Session, kind: str, external_id: str) -> int | None:
        """Our id of what a run made of a thing of the export (None: nothing yet)."""
        return db.exec(select(ImportKey.local_id).where(*self._key(kind, external_id))).first()

    # --- people -------------------------------------------------------------------------------------------
    def people(self, db: Session) -> None:
        """Every Slack user mapped to an account: the one made before, the one with their address, or a new one."""
        listed = self.export.users
        self.last_id = db.exec(select(func.max(Message.id))).one() or 0  # a message after it: someone chatting
        database.begin_write(db)
        known = self._known(db, USER)
        for person in listed:
            slack_id = person["id"]
            if slack_id in known:
                self.users[slack_id] = known[slack_id].local_id
                self.result.counts["people imported before"] += 1
                continue
            profile = person.get("profile") if isinstance(person.get("profile"), dict) else {}
            address = _address(profile.get("email"))
            found = None
            if address:
                found = db.exec(select(User).where(User.email_key == account_links.email_key(address))).first()
            if found is not None:
                self.result.counts["people matched by email"] += 1
            else:
                found = self._new_person(db, person, profile, address)
            self.users[slack_id] = found.id
            self._record(db, USER, slack_id, found.id)
        db.commit()
        rows = db.exec(select(User.id, User.username).where(col(User.id).in_(list(self.users.values())))).all()
        names = dict(rows)
        self.usernames = {slack_id: names[user_id] for slack_id, user_id in self.users.items() if user_id in names}
        self.names_by_id = names
        db.rollback()

    def _new_person(self, db: Session, person: dict, profile: dict, address: str) -> User:
        bot = bool(person.get("is_bot")) or person.get("id") == "USLACKBOT"
        name = _free_username(db, [person.get("name"), profile.get("display_name"), profile.get("real_name")])
        user = accounts.insert_user(db, name, accounts.NO_PASSWORD, is_bot=bot)
        user.display_name = text.without_hidden(str(profile.get("real_name") or ""))[:64].strip()
        if address and not bot:
            user.email, user.email_key = address, account_links.email_key(address)
        if person.get("deleted"):
            user.is_active = False
            self.result.counts["people made, disabled (deleted in Slack)"] += 1
        elif bot:
            self.result.counts["bots made"] += 1
        else:
            self.result.counts["people made"] += 1
        db.flush()
        return user

    def _bot(self, db: Session, message: dict) -> int | None:
        """The bot account of an integration's message (`bot_id`, its `username`): made the first time."""
        bot_id = message.get("bot_id")
        if not isinstance(bot_id, str) or not bot_id:
            return None
        if bot_id in self.bots:
            return self.bots[bot_id]
        known = self._local_id(db, BOT, bot_id)
        if known is None:
            profile = message.get("bot_profile") if isinstance(message.get("bot_profile"), dict) else {}
            label = str(message.get("username") or profile.get("name") or "slack")
            database.begin_write(db)  # a short transaction of its own, before its first message's batch
            name = _free_username(db, [accounts.bot_username(label, "slack")])
            known = accounts.insert_user(db, name, accounts.NO_PASSWORD, is_bot=True).id
            self._record(db, BOT, bot_id, known)
            db.commit()
            self.names_by_id[known] = name
            self.result.counts["bots made"] += 1
        self.bots[bot_id] = known
        return known

    # --- rooms --------------------------------------------------------------------------------------------
    def rooms(self, db: Session) -> list[Conversation]:
        """Every conversation mapped to a room (made the first time); the conversations, in import order."""
        conversations = self.export.conversations
        database.begin_write(db)
        known = self._known(db, ROOM)
        for conversation in conversations:
            if conversation.id in known:
                self.room_ids[conversation.id] = known[conversation.id].local_id
                self.cursors[conversation.id] = known[conversation.id].cursor
                self.result.counts["rooms imported before"] += 1
                continue
            room = self._new_room(db, conversation)
            if room is None:
                continue
            self.room_ids[conversation.id] = room.id
            self.cursors[conversation.id] = ""
            self._record(db, ROOM, conversation.id, room.id)
        db.commit()
        for slack_id, room_id in self.room_ids.items():
            room = db.get(Room, room_id)
            if room is not None:
                self.room_paths[slack_id] = (room.name, routes.room(room.slug))
        db.rollback()
        return [c for c in conversations if c.id in self.room_ids]

    def _new_room(self, db: Session, conversation: Conversation) -> Room | None:
        people = list(dict.fromkeys(self.users[m] for m in conversation.members if m in self.users))
        created_by = self.users.get(conversation.creator)
        description = text.without_hidden(conversation.description, allowed="\n").strip()
        description = description[: settings.ROOM_DESCRIPTION_MAX_CHARS]
        if conversation.kind == access.DM:
            if len(people) < 1:
                self.result.skip(f"Conversation {conversation.id}: none of its people is known; it was skipped.")
                return None
            key = members.direct_key(people)
            room = db.exec(select(Room).where(Room.dm_key == key)).first()
            if room is not None:
                self.result.counts["conversations continued"] += 1
                return room
            room = members.direct_room([self.names_by_id[person] for person in people], key)
            self.result.counts["conversations"] += 1
        else:
            private = conversation.kind == access.PRIVATE
            name = _room_name(conversation.name)
            name = name if private else _free_room_name(db, name, self.result)
            room = rooms.new_room(db, name, description, created_by, private)
            self.result.counts["private rooms" if private else "public rooms"] += 1
        room.archived_at = utcnow() if conversation.archived else None
        db.add(room)
        db.flush()
        owner = created_by if created_by in people else None
        db.add_all(
            RoomMember(room_id=room.id, user_id=person, role=rooms.OWNER if person == owner else rooms.MEMBER)
            for person in people
        )
        return room

    # --- history ------------------------------------------------------------------------------------------
    def days(self, conversations: list[Conversation]) -> int:
        return sum(len(self.export.days(c.folder)) for c in conversations)

    def history(
        self, db: Session, conversation: Conversation, progress: Callable[[], None], beat: Callable[[], None]
    ) -> None:
        """The conversation's history, day by day (`progress` after each), batch by batch (`beat` after each: the
        run's heartbeat moves while a long day goes in slowly, giving way to people chatting)."""
        room_id = self.room_ids[conversation.id]
        names = Names(self.usernames, self.room_paths)
        label = _label(conversation)
        for day in self.export.days(conversation.folder):
            try:
                found = self.export.messages(day)
            except NotAnExport as error:
                self.result.skip(f"{label}, {day}: {error} That day was skipped.")
                progress()
                continue
            cursor = ts_key(self.cursors.get(conversation.id, ""))
            waiting = [message for message in found if ts_key(message["ts"]) > cursor]
            self.result.counts["messages read by an earlier run"] += len(found) - len(waiting)
            start = 0
            while start < len(waiting):
                size = settings.IMPORT_LIVE_BATCH if self._give_way(db) else settings.IMPORT_BATCH
                self._batch(db, conversation, room_id, waiting[start : start + size], names, label)
                start += size
                beat()
            progress()
        self._read_to_the_end(db, room_id)
        self.result.rooms.add(room_id)

    def _prepared(self, message: dict, label: str) -> tuple[list[tuple[str, attachments.Prepared]], list[str]]:
        """A message's files the export carries, sniffed and re-encoded (off the write lock), and links to the
        others."""
        kept, links = [], []
        for item in message.get("files") or ():
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            name = str(item.get("name") or item.get("title") or "file")
            try:
                source = self.export.upload(item["id"], name)
                if source is not None:
                    kept.append((name, attachments.prepare_here(source, self.into.scratch())))
                    continue
            except (FileTooBig, attachments.FileRefused):
                self.result.skip(
                    f"{label}, {_when(message)}: the file “{name}” is larger than "
                    f"{attachments.human_size(settings.FILE_MAX_BYTES)}; the message links to it instead."
                )
            address = item.get("permalink") or item.get("url_private")
            links.append(f"[{name}]({address})" if isinstance(address, str) and address.startswith("http") else name)
        return kept, links

    def _give_way(self, db: Session) -> bool:
        """Before a batch: whether people are chatting (a message not the import's within the last
        IMPORT_LIVE_SECONDS). Then the import gives way: it rests IMPORT_LIVE_PAUSE_SECONDS and writes
        IMPORT_LIVE_BATCH messages (a write lock of a few milliseconds); otherwise it rests IMPORT_PAUSE_SECONDS
        (enough for a sender waiting on the lock to get it: db._begin_immediate) and writes IMPORT_BATCH."""
        newest = db.exec(select(func.max(Message.id))).one() or 0  # the index's last entry: a read, no lock
        db.rollback()
        if newest > self.last_id:
            self.live_until = time.monotonic() + settings.IMPORT_LIVE_SECONDS
        live = time.monotonic() < self.live_until
        time.sleep(settings.IMPORT_LIVE_PAUSE_SECONDS if live else settings.IMPORT_PAUSE_SECONDS)
        if live:
            self.result.counts["batches that gave way to people chatting"] += 1
        return live

    def _planned(self, db: Session, conversation: Conversation, batch: list[dict], names: Names, label: str) -> list:
        """The batch's messages as rows to write, worked out before the write lock: authors (bots made in a short
        transaction of their own), bodies, threads, reactions, pins, mentions, files prepared (re-encoded)."""
        planned, seen, kept = [], set(), set()  # seen: every time read; kept: those of messages planned
        for message in batch:
            ts = message["ts"]
            if message.get("subtype") in NOTICES:
                self.result.counts["notices left out (joins, topics…)"] += 1
                continue
            if ts in seen:
                self.result.skip(f"{label}, {_when(message)}: a second message with the same time was skipped.")
                continue
            seen.add(ts)
            author_id = self._author(db, message)
            if author_id is None:
                who = message.get("user") or "nobody"
                self.result.skip(f"{label}, {_when(message)}: a message by an unknown user ({who}) was skipped.")
                continue
            files, links = self._prepared(message, label)
            body = slack_export.to_markdown(str(message.get("text") or ""), names)
            if links:
                body = "\n".join([body, *links]).strip()
            try:
                body = messages.clean_body(body, with_files=bool(files))
            except messages.InvalidMessage as error:
                self._drop(files)
                self.result.skip(f"{label}, {_when(message)}: a message was skipped: {error}")
                continue
            thread_ts = message.get("thread_ts")
            parent: int | str | None = None
            if isinstance(thread_ts, str) and thread_ts != ts:
                parent = thread_ts if thread_ts in kept else self._parent(db, conversation.id, thread_ts)
                if parent is None:
                    self.result.skip(
                        f"{label}, {_when(message)}: a reply's thread is not in the export; it is in the room."
                    )
            planned.append(_Planned(message, author_id, body, files, parent, self._reactions(message, label)))
            kept.add(ts)
        db.rollback()
        return planned

    def _drop(self, files: list[tuple[str, attachments.Prepared]]) -> None:
        for _, prepared in files:
            for leftover in prepared.files():
                leftover.unlink(missing_ok=True)

    def _reactions(self, message: dict, label: str) -> list[tuple[str, int]]:
        found = []
        for reaction in message.get("reactions") or ():
            if not isinstance(reaction, dict) or not isinstance(reaction.get("name"), str):
                continue
            emoji = slack_export.shortcode_emoji(reaction["name"])
            if emoji is None:
                self.result.skip(f"{label}, {_when(message)}: the custom emoji :{reaction['name']}: was left out.")
                continue
            people = {self.users[u] for u in reaction.get("users") or () if isinstance(u, str) and u in self.users}
            found += [(emoji, person) for person in sorted(people)]
        return found

    def _batch(
        self, db: Session, conversation: Conversation, room_id: int, batch: list[dict], names: Names, label: str
    ) -> None:
        """Write a batch of a conversation's messages in one short write transaction: a few statements of many
        rows each, everything else worked out before (`_planned`), the files' bytes stored before too."""
        planned = self._planned(db, conversation, batch, names, label)
        stored: list[str] = []
        try:
            for item in planned:
                for _, prepared in item.files:
                    key = storage.new_key()
                    stored.append(key)
                    item.stored.append((key, attachments.put(prepared, key, self.into)))
            database.begin_write(db)
            if (db.exec(select(func.max(Message.id))).one() or 0) > self.last_id:  # someone wrote since our last
                self.live_until = time.monotonic() + settings.IMPORT_LIVE_SECONDS
            self._write(db, conversation, room_id, planned)
            db.execute(update(ImportKey).where(*self._key(ROOM, conversation.id)).values(cursor=batch[-1]["ts"]))
            newest = db.exec(select(func.max(Message.id))).one() or 0
            db.commit()
            self.last_id = newest  # the newest message is ours: another one after it is someone chatting
            self.cursors[conversation.id] = batch[-1]["ts"]
        except BaseException:
            db.rollback()
            for key in stored:
                self.into.delete(key)
            raise
        finally:
            for item in planned:
                self._drop(item.files)
        for item in planned:
            self.result.counts["replies in threads" if item.parent else "messages"] += 1
            self.result.counts["reactions"] += len(item.reactions)
            self.result.counts["files"] += len(item.files)

    def _write(self, db: Session, conversation: Conversation, room_id: int, planned: list) -> None:
        """In the write transaction: the room's messages (their seqs drawn now), then the replies (their
        parents' counts moved), then files, reactions, pins, mentions, thread keys, the room's counters."""
        sql = db.connection()
        count, last_at = db.exec(select(Room.message_count, Room.last_message_at).where(Room.id == room_id)).one()
        ids: dict[str, int] = {}
        in_room = [item for item in planned if item.parent is None]
        rows = []
        for item in in_room:
            count += 1
            item.seq = count
            rows.append(self._row(conversation, room_id, item, None))
        ids |= _inserted(sql, rows)
        replies = [item for item in planned if item.parent is not None]
        if replies:
            for item in replies:
                if isinstance(item.parent, str):  # its parent is in this batch
                    item.parent = ids[_client_id(conversation.id, item.parent)]
            parents = {item.parent for item in replies}
            heads = db.exec(
                select(Message.id, Message.reply_count, Message.repliers).where(col(Message.id).in_(parents))
            ).all()
            state = {parent_id: [n, repliers.split(), None] for parent_id, n, repliers in heads}
            rows = []
            for item in replies:
                counted = state[item.parent]
                counted[0] += 1
                item.seq = counted[0]
                author = self.names_by_id.get(item.author_id, "")
                counted[1] = [author, *(name for name in counted[1] if name != author)][: threads.REPLIERS_SHOWN]
                counted[2] = moment(item.message["ts"])
                rows.append(self._row(conversation, room_id, item, item.parent))
            ids |= _inserted(sql, rows)
            sql.execute(
                update(Message).where(col(Message.id) == bindparam("parent")),
                [
                    {"parent": parent_id, "reply_count": n, "repliers": " ".join(names), "last_reply_at": at}
                    for parent_id, (n, names, at) in state.items()
                ],
            )
        self._extras(db, conversation, room_id, planned, ids)
        if in_room:
            newest = moment(in_room[-1].message["ts"])
            last_at = max(as_utc(last_at), newest) if last_at else newest
            db.execute(update(Room).where(col(Room.id) == room_id).values(message_count=count, last_message_at=last_at))

    def _row(self, conversation: Conversation, room_id: int, item: "_Planned", parent: int | None) -> dict:
        edited = item.message.get("edited") if isinstance(item.message.get("edited"), dict) else {}
        return {
            "room_id": room_id,
            "seq": item.seq,
            "author_id": item.author_id,
            "body": item.body,
            "created_at": moment(item.message["ts"]),
            "client_id": item.client_id(conversation.id),
            "file_count": len(item.files),
            "quote_id": None,
            "thread_id": parent,
            "edited_at": moment(edited["ts"]) if isinstance(edited.get("ts"), str) else None,
            "reply_count": 0,
            "repliers": "",
            "last_reply_at": None,
            "deleted_at": None,
            "removed_by_id": None,
        }

    def _author(self, db: Session, message: dict) -> int | None:
        user = message.get("user")
        if isinstance(user, str) and user in self.users:
            return self.users[user]
        if not user or message.get("subtype") == "bot_message":
            return self._bot(db, message)
        return None

    def _parent(self, db: Session, conversation_id: str, thread_ts: str) -> int | None:
        key = f"{conversation_id}:{thread_ts}"
        if key in self.threads:
            self.threads.move_to_end(key)
            return self.threads[key]
        found = self._local_id(db, THREAD, key)
        if found is not None:
            self._remember_thread(key, found)
        return found

    def _remember_thread(self, key: str, message_id: int) -> None:
        self.threads[key] = message_id
        while len(self.threads) > 10_000:  # the recent threads: replies come soon after their parent
            self.threads.popitem(last=False)

    def _extras(self, db: Session, conversation: Conversation, room_id: int, planned: list, ids: dict) -> None:
        """The batch's files, reactions, pins, mentions and thread keys, a statement each."""
        files, reactions, pins, mentions, keys = [], [], [], [], []
        if conversation.kind != access.PUBLIC and room_id not in self.members:
            self.members = {room_id: set(db.exec(select(RoomMember.user_id).where(RoomMember.room_id == room_id)))}
        for item in planned:
            message_id, at = ids[item.client_id(conversation.id)], moment(item.message["ts"])
            for (name, prepared), (key, fields) in zip(item.files, item.stored, strict=True):
                stored = fields | {"storage_key": key}
                files.append(_attachment(item.author_id, room_id, message_id, name, prepared.content_type, stored, at))
            reactions += [
                {"message_id": message_id, "user_id": person, "emoji": emoji, "created_at": at}
                for emoji, person in item.reactions
            ]
            if conversation.id in (item.message.get("pinned_to") or ()):
                pins.append({"message_id": message_id, "room_id": room_id, "pinned_at": at})
            text_ = str(item.message.get("text") or "")
            mentioned = [self.users[u] for u in slack_export.mentioned_ids(text_) if u in self.users]
            if conversation.kind != access.PUBLIC:  # only those who may read it (its members)
                mentioned = [user_id for user_id in mentioned if user_id in self.members[room_id]]
            seq = item.seq if item.parent is None else 0  # a reply's is never a room's unread mention
            mentions += [{"message_id": message_id, "user_id": u, "room_id": room_id, "seq": seq} for u in mentioned]
            if item.parent is None and (item.message.get("reply_count") or item.message.get("thread_ts") == item.ts):
                external = f"{conversation.id}:{item.ts}"
                keys.append(
                    {
                        "source": self.source,
                        "kind": THREAD,
                        "external_id": external,
                        "local_id": message_id,
                        "cursor": "",
                    }
                )
                self._remember_thread(external, message_id)
        if files:
            db.execute(insert(Attachment), files)
        _upsert(db, Reaction, reactions, ["message_id", "user_id", "emoji"])
        _upsert(db, Pin, pins, ["message_id"])
        _upsert(db, Mention, mentions, ["message_id", "user_id"])
        _upsert(db, ImportKey, keys, ["source", "kind", "external_id"])
        self.result.counts["pins"] += len(pins)

    def _read_to_the_end(self, db: Session, room_id: int) -> None:
        """An imported history is read history: the members' read markers go to its end (no wall of unread)."""
        database.begin_write(db)
        count = db.exec(select(Room.message_count).where(Room.id == room_id)).one()
        members = db.exec(select(RoomMember.user_id).where(RoomMember.room_id == room_id)).all()
        rows = [{"user_id": u, "room_id": room_id, "last_read_seq": count} for u in members]
        if rows:
            statement = _UPSERT[db.connection().dialect.name](RoomRead).values(rows)
            db.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id", "room_id"], set_={"last_read_seq": statement.excluded.last_read_seq}
                )
            )
        db.commit()


def run(db: Session, path: Path, progress: Callable[[int, int], None] = lambda done, total: None) -> Result:
    """Import the Slack export at `path` on session `db` (each step commits on its own); its Result.
    `progress(done, total)` hears after each day file. Result.refused says why an export was refused as a whole
    (then nothing of it was written)."""
    result = Result()
    try:
        export = slack_export.open_export(path)
    except NotAnExport as error:
        result.refused = str(error)
        return result
    try:
        try:  # the lists read whole (once) before anything is written: a broken one refuses the export
            _ = export.users, export.conversations
        except NotAnExport as error:
            result.refused = str(error)
            return result
        for line in export.skipped:
            result.skip(line)
        importing = Run(export, result)
        importing.people(db)
        conversations = importing.rooms(db)
        total, done = importing.days(conversations), 0
        progress(0, total)
        for conversation in conversations:

            def step() -> None:
                nonlocal done
                done += 1
                progress(done, total)

            importing.history(db, conversation, step, lambda: progress(done, total))
    finally:
        export.close()
    return result


# --- names ------------------------------------------------------------------------------------------------
def _address(raw) -> str:
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        return account_links.check_address(raw)
    except account_links.InvalidEmail:
        return ""


def _free_username(db: Session, candidates: list) -> str:
    """The first of `candidates` that is a valid, free username; else one of them with a number."""
    valid = []
    for raw in candidates:
        if not isinstance(raw, str) or not raw.strip():
            continue
        for form in (raw, raw.replace(" ", ".")):
            try:
                name = accounts.validate_username(form[: settings.USERNAME_MAX_CHARS])
            except accounts.InvalidUsername:
                continue
            if not accounts.user_exists(db, name):
                return name
            valid.append(name)
            break
    base = (valid[0] if valid else "slack-user")[: settings.USERNAME_MAX_CHARS - 6]
    n = 2
    while accounts.user_exists(db, f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def _room_name(raw: str) -> str:
    name = text.normalised(text.without_hidden(raw or "")) or "slack"
    return name[: settings.ROOM_NAME_MAX_CHARS]


def _free_room_name(db: Session, name: str, result: Result) -> str:
    if not rooms.name_taken(db, name):
        return name
    base = name[: settings.ROOM_NAME_MAX_CHARS - 9]
    candidate, n = f"{base}-slack", 2
    while rooms.name_taken(db, candidate):
        candidate, n = f"{base}-slack-{n}", n + 1
    result.note(f"#{name} was imported as #{candidate}: a room of that name is here already.")
    return candidate


def _label(conversation: Conversation) -> str:
    if conversation.kind == access.DM:
        return f"Conversation {conversation.id}"
    return f"#{conversation.name}"


def _when(message: dict) -> str:
    return moment(message["ts"]).strftime("%Y-%m-%d %H:%M")
