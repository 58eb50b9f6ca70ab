"""A room's history: per-room seq numbers, scrolling back by id cursor, and listings in constant queries."""

import pytest

from djangochat_rx import settings
from djangochat_rx.domain import messages, rooms


def post_many(session, room_id: int, author_id: int, count: int, text: str = "m{}") -> list[messages.MessageView]:
    return [messages.post_message(session, room_id, author_id, text.format(i)) for i in range(count)]


def test_messages_are_numbered_from_1_in_each_room(session, alice, bob, general):
    other = rooms.create_room(session, "Other", "", alice.id)
    seqs = [
        (room.slug, messages.post_message(session, room.id, author.id, "hi").seq)
        for room, author in [(general, alice), (other, bob), (general, bob), (general, alice), (other, alice)]
    ]
    assert seqs == [("general", 1), ("other", 1), ("general", 2), ("general", 3), ("other", 2)]
    assert [m.seq for m in messages.newest_messages(session, general.id)] == [1, 2, 3]
    assert rooms.room_by_slug(session, "general").message_count == 3


def test_a_retried_send_keeps_its_seq_and_takes_no_new_one(session, alice, general):
    first = messages.post_message(session, general.id, alice.id, "once", client_id="c-1")
    assert messages.post_message(session, general.id, alice.id, "once", client_id="c-1").seq == first.seq == 1
    assert messages.post_message(session, general.id, alice.id, "next").seq == 2


def test_older_messages_are_the_ones_just_before_the_cursor_oldest_first(session, alice, general):
    posted = post_many(session, general.id, alice.id, 10)
    assert [m.body for m in messages.older_messages(session, general.id, posted[5].id, limit=3)] == ["m2", "m3", "m4"]
    assert [m.body for m in messages.older_messages(session, general.id, posted[2].id, limit=3)] == ["m0", "m1"]
    assert messages.older_messages(session, general.id, posted[0].id) == []
    assert len(messages.older_messages(session, general.id, posted[-1].id + 1)) == 10


def test_scrolling_back_from_the_newest_window_reaches_the_first_message_without_gaps(session, alice, general):
    post_many(session, general.id, alice.id, 120)
    seen = messages.newest_messages(session, general.id)
    while older := messages.older_messages(session, general.id, seen[0].id):
        seen = older + seen
    assert [m.seq for m in seen] == list(range(1, 121))
    assert len(messages.newest_messages(session, general.id)) == settings.ROOM_WINDOW


def test_messages_between_fills_a_gap_from_its_older_end(session, alice, general):
    posted = post_many(session, general.id, alice.id, 10)
    between = messages.messages_between(session, general.id, posted[1].id, posted[8].id, limit=3)
    assert [m.body for m in between] == ["m2", "m3", "m4"]
    everything = messages.messages_between(session, general.id, posted[1].id, posted[8].id, limit=100)
    assert [m.body for m in everything] == ["m2", "m3", "m4", "m5", "m6", "m7"]
    assert messages.messages_between(session, general.id, posted[3].id, posted[4].id, limit=10) == []


def test_cursors_never_cross_into_another_room(session, alice, general):
    other = rooms.create_room(session, "Other", "", alice.id)
    mine = post_many(session, general.id, alice.id, 3)
    post_many(session, other.id, alice.id, 3, "other {}")
    assert [m.body for m in messages.older_messages(session, other.id, mine[-1].id + 10)] == [
        "other 0",
        "other 1",
        "other 2",
    ]
    assert messages.messages_between(session, general.id, 0, mine[-1].id + 10, limit=50) == mine


def test_deleted_messages_stay_in_listings_as_placeholders(session, alice, general):
    posted = post_many(session, general.id, alice.id, 3)
    messages.delete_message(session, posted[1].id, alice.id)
    listings = [
        messages.newest_messages(session, general.id),
        messages.messages_after(session, general.id, 0),
        messages.older_messages(session, general.id, posted[-1].id + 1),
        messages.messages_between(session, general.id, 0, posted[-1].id + 1, limit=10),
    ]
    for listing in listings:
        assert [(m.seq, m.body, m.deleted) for m in listing] == [(1, "m0", False), (2, "", True), (3, "m2", False)]


@pytest.mark.parametrize("history", [10, 300])
def test_listings_take_a_query_plus_one_for_mentions_and_one_for_reactions_however_long_the_history(
    session, alice, bob, general, count_queries, history
):
    posted = post_many(session, general.id, alice.id, history, "@bob look at {}")
    first, last = posted[0].id, posted[-1].id
    listings = {
        "newest": lambda: messages.newest_messages(session, general.id),
        "after": lambda: messages.messages_after(session, general.id, first),
        "older": lambda: messages.older_messages(session, general.id, last),
        "between": lambda: messages.messages_between(session, general.id, first, last, limit=50),
    }
    for name, listing in listings.items():
        with count_queries() as queries:
            views = listing()
        assert len(queries) <= 3, name
        assert views and all(m.mentions == ("bob",) and 'class="mention"' in m.html for m in views), name


def test_a_listing_without_any_at_sign_is_two_queries_messages_and_reactions(session, alice, general, count_queries):
    post_many(session, general.id, alice.id, 20)
    with count_queries() as queries:
        assert len(messages.newest_messages(session, general.id)) == 20
    assert len(queries) == 2


def test_posting_takes_a_handful_of_queries_with_or_without_mentions(session, alice, bob, general, count_queries):
    messages.post_message(session, general.id, alice.id, "first: creates alice's read marker")
    for text in ("plain", "@bob and @alice and @nobody"):
        with count_queries() as queries:
            messages.post_message(session, general.id, alice.id, text, client_id=f"id-{text}")
        # client id look-up, room counter, author and mentioned users, message, mention rows, read marker
        assert len(queries) <= 6, queries
