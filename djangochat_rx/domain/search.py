"""Message search: words, "quoted phrases" and prefix* words, narrowed by `from:name` and `in:room-slug`,
best match first, over the messages the user may read (access.readable) that are not deleted; one query.

SQLite answers from the FTS5 table `messages_fts`, PostgreSQL from the tsvector column
`messages.search_vector` (both made by revision 0005 and kept up to date by the database). What the user
typed never reaches either as query syntax: only its runs of letters and digits do, each quoted.
"""

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from djangochat_rx import settings
from djangochat_rx.domain import access, accounts, attachments
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.models import Attachment, Message, Room, User, as_utc


class InvalidSearch(Exception):
    """A search that cannot run; its text is safe to show next to the search box."""


@dataclass(frozen=True)
class Term:
    """Words that must appear in this order (one word, or a quoted phrase); `prefix`: the last may go on."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed search: every term must match; the message must be by one of `authors` (username keys)
    and in one of `rooms` (slugs) when those are given."""

    terms: tuple[Term, ...]
    authors: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One message found; `snippet` is HTML: the text around the matches, escaped, matches in <mark>."""

    message_id: int
    room_slug: str
    room_name: str
    author: str
    created_at: str
    snippet: str
    # A reply's thread (its parent's id; 0 for a message of the room itself): the result opens the thread.
    thread_id: int = 0


# A quoted phrase (an unclosed quote runs to the end), or anything up to the next space.
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
# The database's snippet functions wrap each match in these; clean_body keeps control characters
# out of message bodies, so they can only come from the database.
_START, _STOP = "\x02", "\x03"
_SNIPPET_TOKENS = 16
_PG_CONFIG = "english"
_PG_HEADLINE = f'StartSel={_START}, StopSel={_STOP}, MaxWords=16, MinWords=6, MaxFragments=2, FragmentDelimiter=" … "'


def parse(text: str) -> Query:
    """The terms and filters in `text`; InvalidSearch if it is too long or has no word to look for."""
    if len(text) > settings.SEARCH_QUERY_MAX_CHARS:
        raise InvalidSearch(f"Searches are at most {settings.SEARCH_QUERY_MAX_CHARS} characters.")
    terms: list[Term] = []
    authors: list[str] = []
    rooms: list[str] = []
    for phrase, token in _TOKEN.findall(text):
        name, _, value = token.partition(":")
        if token and name.lower() == "from" and value.lstrip("@"):
            authors.append(accounts.username_key(value.lstrip("@")))
        elif token and name.lower() == "in" and value.lstrip("#"):
            rooms.append(value.lstrip("#").lower())
        elif phrase and (words := _WORD.findall(phrase)):
            terms.append(Term(tuple(words)))
        else:
            words = _WORD.findall(token)
            terms += [Term((word,), prefix=token.endswith("*") and i == len(words) - 1) for i, word in enumerate(words)]
    if not terms:
        raise InvalidSearch("Type a word to search for (from: and in: only narrow a search).")
    return Query(tuple(terms), tuple(authors), tuple(rooms))


def snippet_html(raw: str) -> str:
    """The database's snippet as HTML: its text escaped, its match markers turned into <mark> tags."""
    return html.escape(raw).replace(_START, "<mark>").replace(_STOP, "</mark>")


def search(db: Session, user_id: int, text: str, limit: int = settings.SEARCH_RESULTS) -> list[Hit]:
    """The messages `user_id` may read that match `text`, best match first (then newest)."""
    query = parse(text)
    index = _sqlite_index(query) if db.get_bind().dialect.name == "sqlite" else _postgres_index(query)
    conditions = [index.match, col(Message.deleted_at).is_(None), access.readable(user_id)]
    if query.authors:
        conditions.append(col(User.username_key).in_(query.authors))
    if query.rooms:
        conditions.append(col(Room.slug).in_(query.rooms))
    best = (
        select(
            Message.id,
            Message.thread_id,
            Room.slug,
            Room.name,
            User.username,
            Message.created_at,
            index.score.label("score"),
        )
        .join(Room, col(Room.id) == Message.room_id)
        .join(User, col(User.id) == Message.author_id)
        .where(*conditions)
        .order_by(index.score, col(Message.id).desc())
        .limit(limit)
        .subquery()
    )
    rows = db.execute(index.with_snippets(best).order_by(best.c.score, best.c.id.desc())).all()
    return [
        Hit(
            message_id=row.id,
            room_slug=row.slug,
            room_name=row.name,
            author=row.username,
            created_at=as_utc(row.created_at).isoformat(),
            snippet=snippet_html(row.snippet),
            thread_id=row.thread_id or 0,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FileHit:
    """A file whose name matches: the file, and the message it was posted with (room, author, when)."""

    file: FileView
    message_id: int
    room_slug: str
    room_name: str
    author: str
    created_at: str


def _contains(word: str):
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(Attachment.name).like(f"%{escaped}%", escape="\\")


def files(db: Session, user_id: int, text: str, limit: int = settings.SEARCH_RESULTS) -> list[FileHit]:
    """The posted files `user_id` may read whose names hold every word of `text` (`from:` and `in:` narrow
    it), newest first. A scan of the readable rooms' file names (no index helps a match inside a name)."""
    query = parse(text)
    conditions = [
        col(Attachment.discarded_at).is_(None),
        access.readable(user_id),
        *(_contains(word) for term in query.terms for word in term.words),
    ]
    if query.authors:
        conditions.append(col(User.username_key).in_(query.authors))
    if query.rooms:
        conditions.append(col(Room.slug).in_(query.rooms))
    rows = db.exec(
        select(Attachment, Room.slug, Room.name, User.username, Message.created_at)
        .join(Message, col(Message.id) == Attachment.message_id)
        .join(Room, col(Room.id) == Attachment.room_id)
        .join(User, col(User.id) == Attachment.owner_id)
        .where(*conditions)
        .order_by(col(Attachment.id).desc())
        .limit(limit)
    ).all()
    db.rollback()
    return [
        FileHit(attachments.view(row), row.message_id, slug, name, author, as_utc(at).isoformat())
        for row, slug, name, author, at in rows
    ]


class _Index(NamedTuple):
    """How one database's full-text index answers a Query: `match` (a condition on messages), `score`
    (lower is better), and `with_snippets`, the outer query adding a snippet to each ranked, limited row
    (so snippets are made for the rows shown, not for every match)."""

    match: sa.ColumnElement[bool]
    score: sa.ColumnElement[float]
    with_snippets: Callable[[sa.Subquery], sa.Select]


_fts = sa.table("messages_fts", sa.column("rowid"), sa.column("rank"), sa.column("messages_fts"))


def _sqlite_index(query: Query) -> _Index:
    """FTS5: each term a quoted string ("*" after it for a prefix), ranked by bm25."""
    expression = " ".join('"' + " ".join(term.words) + '"' + ("*" if term.prefix else "") for term in query.terms)
    match = _fts.c.messages_fts.op("MATCH")(expression)

    def with_snippets(best: sa.Subquery) -> sa.Select:
        snippet = sa.func.snippet(_fts.c.messages_fts, 0, _START, _STOP, "…", _SNIPPET_TOKENS)
        return select(best, snippet.label("snippet")).join(_fts, _fts.c.rowid == best.c.id).where(match)

    return _Index(sa.and_(_fts.c.rowid == Message.id, match), _fts.c.rank, with_snippets)


def _postgres_index(query: Query) -> _Index:
    """tsvector: each term a phraseto_tsquery (a prefix a quoted to_tsquery lexeme), ranked by ts_rank.
    ts_headline leaves simple HTML tags out of its snippets."""
    parts = [
        sa.func.to_tsquery(_PG_CONFIG, f"'{term.words[0]}':*")
        if term.prefix
        else sa.func.phraseto_tsquery(_PG_CONFIG, " ".join(term.words))
        for term in query.terms
    ]
    tsquery = functools.reduce(lambda left, right: left.op("&&")(right), parts)
    vector = sa.literal_column("messages.search_vector")

    def with_snippets(best: sa.Subquery) -> sa.Select:
        snippet = sa.func.ts_headline(_PG_CONFIG, Message.body, tsquery, _PG_HEADLINE)
        return select(best, snippet.label("snippet")).join(Message, col(Message.id) == best.c.id)

    # Normalisation 1 divides by 1 + log(length): a word in a short message counts for more, as in bm25.
    return _Index(vector.op("@@")(tsquery), -sa.func.ts_rank(vector, tsquery, 1), with_snippets)


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """For alembic's include_name: whether a database object is one the SQLModel tables describe. The
    search index (revision 0005) is not: FTS5's tables on SQLite, a column and its index on PostgreSQL."""
    if type_ == "table":
        return not (name or "").startswith("messages_fts")
    return name not in ("search_vector", "ix_messages_search_vector")
