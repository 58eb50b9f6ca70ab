"""Search latency over 100 000 messages: `python -m bench.run search`.

Seeds a freshly migrated database (SQLite, then PostgreSQL) with 100 000 messages of Zipf-distributed
words in 12 rooms (public, private and direct ones, the searcher a member of some), written in bulk
through SQL (the search index fills through the same triggers / generated column as in the app), then
times SEARCHES calls of djangochat_rx.domain.search.search of each kind. Target: median under 50 ms.
"""

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from itertools import count

import sqlalchemy as sa
from sqlalchemy import insert, update
from sqlmodel import Session, select

from bench.services import postgres_server
from djangochat_rx import db
from djangochat_rx.domain import access, search
from djangochat_rx.models import Message, Room, RoomMember, User, utcnow

MESSAGES = 100_000
SEARCHES = 25  # per kind; 9 kinds
TARGET_MS = 50.0
COLUMNS = [
    ("database", "{}"),
    ("kind", "{}"),
    ("searches", "{}"),
    ("hits_median", "{:.0f}"),
    ("p50_ms", "{:.1f}"),
    ("p95_ms", "{:.1f}"),
    ("max_ms", "{:.1f}"),
]

# Everyday chat words, most frequent first; pseudo-words made of syllables fill the long tail
# (names, jargon, typos), so there are common, middling and rare words to look for.
_COMMON = (
    "the to and a of is in it you that for on this we be have with not are just can but so at do was "
    "will if about what all get like now there one out up think know when time good how some deploy "
    "build test release fix bug issue meeting today tomorrow review branch merge server database "
    "ticket customer team lunch coffee weekend project update question answer thanks please sorry "
    "great idea plan design code change error log alert staging production config cache queue user "
    "report data api docs page login session password email call week month morning afternoon late"
)
_SYLLABLES = "ka lo mi ren tas vor quel zin bra dol fen gri hum jas kel lum nor pix ros sul tem vix wor yal zed"
AUTHORS = 40


def vocabulary(size: int = 6000) -> list[str]:
    rng = random.Random(7)
    syllables = _SYLLABLES.split()
    words = list(dict.fromkeys(_COMMON.split()))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def seed(session: Session) -> tuple[int, list[str], list[str]]:
    """Users, rooms and MESSAGES messages; returns the searcher's id, the usernames and the room slugs
    the searcher may read."""
    rng = random.Random(42)
    words = vocabulary()
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    now = utcnow()
    names = [f"user{i}" for i in range(AUTHORS)]
    session.execute(
        insert(User),
        [{"username": n, "username_key": n, "password_hash": "x" * 60, "created_at": now} for n in names],
    )
    user_ids = dict(session.exec(select(User.username, User.id)).all())
    searcher = user_ids["user0"]
    rooms = [(f"public-{i}", access.PUBLIC) for i in range(8)]
    rooms += [(f"private-{i}", access.PRIVATE) for i in range(2)] + [(f"dm-{i}", access.DM) for i in range(2)]
    for slug, kind in rooms:
        session.add(Room(slug=slug, name=slug, name_key=slug, kind=kind))
    session.flush()
    room_ids = dict(session.exec(select(Room.slug, Room.id)).all())
    # The searcher is in private-0 and dm-0 and not in private-1 and dm-1.
    members = [("private-0", "user0"), ("private-0", "user1"), ("private-1", "user2"), ("dm-0", "user0")]
    members += [("dm-0", "user3"), ("dm-1", "user4"), ("dm-1", "user5")]
    session.add_all(RoomMember(room_id=room_ids[r], user_id=user_ids[u]) for r, u in members)
    seqs = dict.fromkeys(room_ids.values(), 0)
    ids = count()
    start = now - timedelta(days=365)
    for _ in range(0, MESSAGES, 10_000):
        rows = []
        for _ in range(10_000):
            room_id = rng.choice(list(room_ids.values()))
            seqs[room_id] += 1
            rows.append(
                {
                    "room_id": room_id,
                    "seq": seqs[room_id],
                    "author_id": user_ids[rng.choice(names)],
                    "body": " ".join(rng.choices(words, weights, k=rng.randint(3, 25))),
                    "created_at": start + timedelta(minutes=5 * next(ids)),
                }
            )
        session.execute(insert(Message), rows)
    for room_id, seq in seqs.items():
        session.execute(update(Room).where(Room.id == room_id).values(message_count=seq, last_message_at=now))
    session.commit()
    readable = ["public-0", "public-5", "private-0", "dm-0"]
    return searcher, names, readable


def queries(names: list[str], readable: list[str]) -> dict[str, list[str]]:
    """SEARCHES searches of each kind, different words each time."""
    rng = random.Random(3)
    words = vocabulary()
    # In 3-7 % of the messages, 0.2-1 %, and a handful each (Postgres ignores English stop words such
    # as "the", so the most frequent words to look for are the first ones it indexes).
    frequent = ["get", "like", "one", "think", "know", "time", "good"]
    common, middling, rare = words[45:100], words[300:1500], words[4000:]
    return {
        "frequent word": [rng.choice(frequent) for _ in range(SEARCHES)],
        "common word": [rng.choice(common) for _ in range(SEARCHES)],
        "rare word": [rng.choice(rare) for _ in range(SEARCHES)],
        "two words": [f"{rng.choice(common)} {rng.choice(middling)}" for _ in range(SEARCHES)],
        "phrase": [f'"{rng.choice(common)} {rng.choice(common)}"' for _ in range(SEARCHES)],
        "prefix": [rng.choice(middling)[:3] + "*" for _ in range(SEARCHES)],
        "from:": [f"from:{rng.choice(names)} {rng.choice(common)}" for _ in range(SEARCHES)],
        "in:": [f"in:{rng.choice(readable)} {rng.choice(middling)}" for _ in range(SEARCHES)],
        "no hits": [f"nosuchword{i}" for i in range(SEARCHES)],
    }


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="djangochat-bench-") as tmp:
        yield f"sqlite:///{tmp}/search.db"


DATABASES: dict[str, Callable[[], AbstractContextManager[str]]] = {
    "sqlite": sqlite_database,
    "postgresql": postgres_server,
}


def row(database: str, kind: str, times: list[float], hits: list[int]) -> dict:
    return {
        "database": database,
        "kind": kind,
        "searches": len(times),
        "hits_median": statistics.median(hits),
        "p50_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20, method="inclusive")[-1],
        "max_ms": max(times),
    }


def measure(database: str) -> list[dict]:
    """Seed one database and time every kind of search on it; a row per kind and one for all."""
    with DATABASES[database]() as url:
        db.migrate(url)
        engine = db.make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            started = time.perf_counter()
            searcher, names, readable = seed(session)
            if database == "postgresql":
                session.execute(sa.text("ANALYZE"))  # as autovacuum would, soon after a bulk load
                session.commit()
            print(f"{database}: seeded {MESSAGES} messages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            plan = queries(names, readable)
            for text in plan["common word"][:5]:  # warm the caches
                search.search(session, searcher, text)
            rows, all_times, all_hits = [], [], []
            for kind, texts in plan.items():
                times, hits = [], []
                for text in texts:
                    began = time.perf_counter()
                    found = search.search(session, searcher, text)
                    times.append((time.perf_counter() - began) * 1000)
                    hits.append(len(found))
                    session.rollback()
                rows.append(row(database, kind, times, hits))
                all_times += times
                all_hits += hits
            rows.append(row(database, "all", all_times, all_hits))
        engine.dispose()
    return rows


def run() -> list[dict]:
    """Every kind of search on SQLite and on PostgreSQL."""
    rows = [row for database in DATABASES for row in measure(database)]
    for overall in (row for row in rows if row["kind"] == "all"):
        verdict = "under" if overall["p50_ms"] < TARGET_MS else "OVER"
        print(
            f"{overall['database']}: median {overall['p50_ms']:.1f} ms, {verdict} the {TARGET_MS:.0f} ms target",
            file=sys.stderr,
        )
    return rows
