"""Mentions when posting: `@name` of another active user, whatever the case, outside code."""

import pytest
from sqlalchemy import text

from djangochat_rx.domain import messages


def mention_rows(session) -> list[tuple[str, int]]:
    query = "SELECT users.username, mentions.seq FROM mentions JOIN users ON users.id = mentions.user_id ORDER BY 1"
    return [tuple(row) for row in session.execute(text(query))]


def test_a_mention_names_existing_users_case_insensitively(session, alice, bob, carol, general):
    posted = messages.post_message(session, general.id, alice.id, "@BOB, @Carol and @nobody: lunch?")
    assert posted.mentions == ("bob", "carol")
    assert '<span class="mention">@BOB</span>' in posted.html and '<span class="mention">@Carol</span>' in posted.html
    assert "@nobody" in posted.html and posted.html.count("mention") == 2
    assert mention_rows(session) == [("bob", 1), ("carol", 1)]
    assert messages.newest_messages(session, general.id) == [posted]


@pytest.mark.parametrize(
    "body",
    ["`@bob`", "```\n@bob\n```", "[@bob](https://example.com)", "write to bob@example.com", "\\@bob", "@alice"],
)
def test_code_links_addresses_escapes_and_oneself_are_not_mentions(session, alice, bob, general, body):
    posted = messages.post_message(session, general.id, alice.id, body)
    assert posted.mentions == () and "mention" not in posted.html
    assert mention_rows(session) == []


def test_deactivated_users_are_not_mentioned(session, alice, bob, general):
    session.execute(text("UPDATE users SET is_active = :no WHERE id = :id"), {"no": False, "id": bob.id})
    session.commit()
    assert messages.post_message(session, general.id, alice.id, "@bob?").mentions == ()


def test_a_mention_at_the_end_of_a_sentence_still_counts(session, alice, bob, general):
    assert messages.post_message(session, general.id, alice.id, "thanks @bob.").mentions == ("bob",)


def test_a_user_mentioned_twice_is_mentioned_once(session, alice, bob, general):
    assert messages.post_message(session, general.id, alice.id, "@bob @Bob @BOB").mentions == ("bob",)
    assert mention_rows(session) == [("bob", 1)]


def test_a_mention_stores_the_message_seq(session, alice, bob, general):
    messages.post_message(session, general.id, bob.id, "hi")
    messages.post_message(session, general.id, alice.id, "hi @bob")
    assert mention_rows(session) == [("bob", 2)]
