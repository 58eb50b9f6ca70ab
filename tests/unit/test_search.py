"""Message search on SQLite (FTS5) and PostgreSQL (tsvector): words, phrases, prefixes, filters, ranking,
snippets, the access rules, deleted and edited messages, hostile input, one query per search."""

import re

import pytest
import sqlalchemy as sa

from djangochat_rx.domain import admin, members, messages, rooms, search, threads


@pytest.fixture
def post(session, alice, general):
    """Post as alice (or `author`) in General (or `room`); returns the message id."""

    def _post(text: str, author=None, room=None) -> int:
        return messages.post_message(session, (room or general).id, (author or alice).id, text).id

    return _post


def found(session, user, text: str) -> list[int]:
    return [hit.message_id for hit in search.search(session, user.id, text)]


def test_parse_reads_words_phrases_prefixes_and_filters():
    query = search.parse('From:@Alice "brown  fox" in:#General deplo* it\'s')
    assert query == search.Query(
        terms=(
            search.Term(("brown", "fox")),
            search.Term(("deplo",), prefix=True),
            search.Term(("it",)),
            search.Term(("s",)),
        ),
        authors=("alice",),
        rooms=("general",),
    )


@pytest.mark.parametrize("text", ["", "   ", '"', "*", '""', "from:alice", "in:general", "- ( ) ^ :"])
def test_a_search_without_a_word_asks_for_one(session, alice, text):
    with pytest.raises(search.InvalidSearch, match="Type a word"):
        search.search(session, alice.id, text)


def test_a_search_longer_than_the_limit_is_refused(session, alice):
    with pytest.raises(search.InvalidSearch, match="at most 200 characters"):
        search.search(session, alice.id, "word " * 41)


def test_every_word_must_appear_in_any_order_and_stems_match(session, alice, post):
    both = post("We deployed the quick fix")
    post("quick lunch?")
    post("deploying tomorrow")
    assert found(session, alice, "fix deploy") == [both]
    assert found(session, alice, "QUICK deploying") == [both]
    assert found(session, alice, "nothing-like-this") == []


def test_a_quoted_phrase_needs_its_words_together_and_in_order(session, alice, post):
    together = post("the brown fox jumps")
    apart = post("a fox that is brown")
    assert found(session, alice, '"brown fox"') == [together]
    assert sorted(found(session, alice, "brown fox")) == [together, apart]


def test_a_star_finds_words_that_begin_so(session, alice, post):
    deployment = post("deployment done")
    post("depot closed")
    assert found(session, alice, "depl*") == [deployment]
    assert found(session, alice, "depl") == []


def test_best_match_first_then_newest(session, alice, post):
    once = post("one ticket mentioned among many other words about lunch plans and the weather today")
    twice = post("ticket ticket")
    older_same = post("ticket")
    newer_same = post("ticket")
    hits = found(session, alice, "ticket")
    assert hits.index(twice) < hits.index(once)
    assert hits.index(newer_same) < hits.index(older_same) < hits.index(once)


def test_from_and_in_narrow_the_search(session, alice, bob, general, post):
    other = rooms.create_room(session, "Other", "", bob.id)
    by_alice = post("release notes")
    by_bob = post("release day", author=bob)
    elsewhere = post("release party", author=bob, room=other)
    assert sorted(found(session, alice, "release")) == [by_alice, by_bob, elsewhere]
    assert found(session, alice, "release from:ALICE") == [by_alice]
    assert sorted(found(session, alice, "from:@bob release")) == [by_bob, elsewhere]
    assert sorted(found(session, alice, f"release in:#{general.slug}")) == [by_alice, by_bob]
    assert found(session, alice, f"in:{other.slug} from:bob release") == [elsewhere]
    assert found(session, alice, "release from:nobody") == []
    assert found(session, alice, "release in:no-such-room") == []


def test_a_hit_names_its_room_author_and_time_with_the_match_highlighted(session, alice, general, post):
    message_id = post("Lunch at noon? The usual place")
    (hit,) = search.search(session, alice.id, "lunch")
    assert (hit.message_id, hit.room_slug, hit.room_name, hit.author) == (message_id, general.slug, "General", "alice")
    assert hit.created_at == messages.newest_messages(session, general.id)[-1].created_at
    assert "<mark>Lunch</mark> at noon" in hit.snippet


def test_snippets_are_escaped_html_except_the_highlight(session, alice, post):
    post('<script>alert("x")</script> lunch & <b>coffee</b>')
    (hit,) = search.search(session, alice.id, "coffee")
    assert re.findall(r"<[^>]*>", hit.snippet) == ["<mark>", "</mark>"]
    assert "lunch &amp;" in hit.snippet
    if session.get_bind().dialect.name == "sqlite":  # ts_headline leaves tags out; FTS5 keeps the text as it is
        assert hit.snippet.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")


def test_a_long_message_is_cut_around_the_match(session, alice, post):
    post(" ".join(["filler"] * 100) + " needle " + " ".join(["padding"] * 100))
    (hit,) = search.search(session, alice.id, "needle")
    assert "<mark>needle</mark>" in hit.snippet and len(hit.snippet) < 300


@pytest.mark.parametrize(
    "text",
    ['"unclosed phrase', "AND (", "a OR b", "NOT x", "NEAR(a b)", "x*y", "-x", "col:x", "{a b} : c", "^x", "'; DROP"],
)
def test_search_syntax_in_the_input_is_only_words(session, alice, post, text):
    post("a plain message about x and y")
    assert isinstance(search.search(session, alice.id, text), list)


def test_operator_words_are_searched_as_words(session, alice, post):
    with_near = post("meet NEAR the door")
    post("meet by the door")
    assert found(session, alice, "near door") == [with_near]
    assert found(session, alice, '"meet NEAR"') == [with_near]


def test_a_private_room_and_a_dm_are_searched_by_their_members_only(session, alice, bob, carol, post):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    in_secret = post("launch codes", room=secret)
    direct = members.open_direct(session, alice.id, ["bob"])
    in_dm = post("launch party", room=direct)
    assert sorted(found(session, alice, "launch")) == [in_secret, in_dm]
    assert sorted(found(session, bob, "launch")) == [in_secret, in_dm]
    assert found(session, carol, "launch") == []
    assert found(session, carol, f"launch in:{secret.slug}") == []
    assert found(session, carol, f"launch in:{direct.slug}") == []
    members.remove(session, alice.id, secret.id, "bob")
    assert found(session, bob, "launch") == [in_dm]


def test_deleted_and_removed_messages_are_not_found(session, alice, bob, post):
    admin.promote(session, "bob")
    deleted = post("secret lunch")
    removed = post("secret dinner")
    kept = post("secret breakfast")
    messages.delete_message(session, deleted, alice.id)
    admin.remove_message(session, bob.id, removed)
    assert found(session, alice, "secret") == [kept]
    assert found(session, alice, "lunch") == found(session, alice, "dinner") == []


def test_a_message_marked_deleted_is_not_found_even_with_its_text_stored(session, alice, post):
    message_id = post("stored lunch")
    session.execute(sa.text("UPDATE messages SET deleted_at = CURRENT_TIMESTAMP WHERE id = :id"), {"id": message_id})
    session.commit()
    assert found(session, alice, "lunch") == []


def test_an_edit_is_found_by_its_new_words_only(session, alice, post):
    message_id = post("teh typo")
    messages.edit_message(session, message_id, alice.id, "the fixed text")
    assert found(session, alice, "typo") == []
    assert found(session, alice, "fixed") == [message_id]


def test_a_deleted_room_leaves_nothing_behind(session, alice, post):
    doomed = rooms.create_room(session, "Doomed", "", alice.id)
    post("farewell", room=doomed)
    rooms.delete_room(session, alice.id, doomed.id)
    assert found(session, alice, "farewell") == []


def test_the_sqlite_index_matches_the_messages_after_every_change(session, alice, post):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    room = rooms.create_room(session, "Scratch", "", alice.id)
    first = post("one two three", room=room)
    messages.edit_message(session, first, alice.id, "four five")
    messages.delete_message(session, post("six", room=room), alice.id)
    rooms.delete_room(session, alice.id, room.id)
    post("seven")
    # Raises "database disk image is malformed" if the index and the content table disagree.
    session.execute(sa.text("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"))
    session.commit()


def test_results_stop_at_the_limit(session, alice, post):
    ids = [post(f"standup {i}") for i in range(5)]
    assert found(session, alice, "standup") == ids[::-1]
    assert len(search.search(session, alice.id, "standup", limit=3)) == 3


def test_one_query_per_search(session, alice, bob, post, count_queries):
    post("count me", author=bob)
    with count_queries() as queries:
        assert len(search.search(session, alice.id, "count from:bob in:general")) == 1
    assert len(queries) == 1


def test_a_reply_is_found_and_names_its_thread(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "deploy plan")
    reply = threads.post_reply(session, parent.id, bob.id, "rollback checklist ready").reply
    [hit] = search.search(session, alice.id, "checklist")
    assert (hit.message_id, hit.thread_id) == (reply.id, parent.id)
    [hit] = search.search(session, alice.id, "deploy")
    assert (hit.message_id, hit.thread_id) == (parent.id, 0)
