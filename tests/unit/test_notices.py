"""Email about what you missed (notices.py): who is due an email, what it lists, once each, never while
reading, the daily digest, and one-click unsubscribe."""

from datetime import timedelta
from email import message_from_string

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from djangochat_rx import settings
from djangochat_rx.domain import account_links, accounts, members, messages, reads, rooms, sessions
from djangochat_rx.models import AccountLink, Message, User, utcnow
from djangochat_rx.notify import mail, notices


def verified(session, user: accounts.UserView) -> str:
    address = f"{user.username}@example.org"
    account_links.verify_email(session, account_links.request_verify(session, user.id, address).token)
    return address


def later(minutes: float):
    return utcnow() + timedelta(minutes=minutes)


@pytest.fixture
def alice_mailed(session, alice) -> str:
    return verified(session, alice)


def test_an_unread_mention_is_emailed_once_after_the_delay(session, alice, bob, general, alice_mailed):
    mention = messages.post_message(session, general.id, bob.id, "lunch? @alice **now**")
    messages.post_message(session, general.id, bob.id, "no mention here")
    assert notices.due(session, later(9)) == []  # the default delay is 10 minutes

    [notice] = notices.due(session, later(11))
    assert (notice.username, notice.address, notice.digest, notice.total) == ("alice", alice_mailed, False, 1)
    [item] = notice.items
    assert (item.message_id, item.slug, item.author, item.direct, item.text) == (
        mention.id,
        general.slug,
        "bob",
        False,
        "lunch? @alice now",
    )
    assert notices.queue(session, notice) is not None
    assert notices.queue(session, notice) is None  # a second worker gets nothing to send
    assert notices.due(session, later(30)) == []


def test_newer_messages_come_in_the_next_email_only(session, alice, bob, general, alice_mailed):
    messages.post_message(session, general.id, bob.id, "@alice first")
    notices.queue(session, notices.due(session, later(11))[0])
    session.execute(update(User).where(col(User.id) == alice.id).values(noticed_until=utcnow()))
    session.commit()
    second = messages.post_message(session, general.id, bob.id, "@alice second")
    [notice] = notices.due(session, later(11))
    assert [item.message_id for item in notice.items] == [second.id]


def test_nobody_is_emailed_while_reading_or_about_what_they_read(session, alice, bob, general, alice_mailed):
    mention = messages.post_message(session, general.id, bob.id, "@alice look")
    sessions.issue(session, alice.id, "laptop")  # active now
    assert notices.due(session, later(5)) == []
    assert len(notices.due(session, later(11))) == 1  # the session went quiet 11 minutes ago
    reads.mark_read(session, alice.id, general.id, mention.seq)
    assert notices.due(session, later(11)) == []


def test_direct_messages_count_and_only_from_others(session, alice, bob, alice_mailed):
    direct = members.open_direct(session, bob.id, ["alice"])
    messages.post_message(session, direct.id, alice.id, "my own words are not news to me")
    sent = messages.post_message(session, direct.id, bob.id, "a quiet word")
    [notice] = notices.due(session, later(11))
    assert [(item.message_id, item.direct) for item in notice.items] == [(sent.id, True)]
    email = notices.message(notice, "tok")
    assert "bob in a direct message" in email.get_content()


def test_no_address_no_choice_or_a_lost_room_means_no_email(session, alice, bob, carol, alice_mailed):
    secret = rooms.create_room(session, "Secret", "", bob.id, True)
    members.invite(session, bob.id, secret.id, "alice")
    messages.post_message(session, secret.id, bob.id, "@alice and @carol, see this")
    members.remove(session, bob.id, secret.id, "alice")
    assert notices.due(session, later(11)) == []  # removed from the room; carol has no address
    general = rooms.create_room(session, "General", "", bob.id)
    messages.post_message(session, general.id, bob.id, "@alice hello")
    notices.set_preferences(session, alice.id, "off", 10)
    assert notices.due(session, later(11)) == []
    notices.set_preferences(session, alice.id, "mentions", 30)
    assert notices.due(session, later(11)) == []
    assert len(notices.due(session, later(31))) == 1
    with pytest.raises(notices.InvalidChoice):
        notices.set_preferences(session, alice.id, "hourly", 10)
    with pytest.raises(notices.InvalidChoice):
        notices.set_preferences(session, alice.id, "mentions", 7)


def test_the_digest_goes_out_once_a_day(session, alice, bob, general, alice_mailed):
    notices.set_preferences(session, alice.id, "digest", 10)
    messages.post_message(session, general.id, bob.id, "@alice morning")
    [notice] = notices.due(session, later(11))
    assert notice.digest
    notices.queue(session, notice)
    session.execute(update(User).where(col(User.id) == alice.id).values(digest_at=utcnow(), noticed_until=utcnow()))
    session.commit()
    messages.post_message(session, general.id, bob.id, "@alice afternoon")
    assert notices.due(session, later(60 * 12)) == []
    [next_day] = notices.due(session, later(60 * 24 + 1))
    assert [item.text for item in next_day.items] == ["@alice afternoon"]
    assert "(daily digest)" in notices.message(next_day, "tok")["Subject"]


def test_the_email_links_each_message_and_unsubscribes_in_one_click(session, alice, bob, general, alice_mailed):
    sent = [messages.post_message(session, general.id, bob.id, f"@alice number {i}") for i in range(25)]
    [notice] = notices.due(session, later(11))
    assert (notice.total, len(notice.items)) == (25, notices.ITEMS_PER_EMAIL)
    outbox_id = notices.queue(session, notice)
    [(leased, text)] = notices.lease(session)
    assert leased == outbox_id
    email = message_from_string(text, policy=mail.POLICY)
    token = email["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    body = email.get_content()
    assert email["Subject"] == "25 unread messages for you in DjangoChat RX"
    assert f"/rooms/{general.slug}?message={sent[-1].id}" in body and "...and 5 more." in body
    assert email["List-Unsubscribe"].endswith(f"/_unsubscribe/{token}>")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire the long URL stays one plain header (a folded, encoded one is no link to a mail client).
    wire = text.encode()
    assert b"List-Unsubscribe: <http" in wire and b"=?utf-8?" not in wire
    assert token not in str(session.exec(select(AccountLink)).all())  # only its hash is kept

    assert notices.unsubscribe(session, token) == "alice"
    assert notices.preferences(session, alice.id).choice == "off"
    assert notices.unsubscribe(session, "made-up") is None


def test_at_most_one_email_per_delay_however_many_mentions(session, alice, bob, general, alice_mailed):
    for minute in range(0, 60, 2):  # a mention every 2 minutes for an hour
        mention = messages.post_message(session, general.id, bob.id, f"@alice minute {minute}")
        moment = utcnow() + timedelta(minutes=minute)
        session.execute(update(Message).where(col(Message.id) == mention.id).values(created_at=moment))
        session.commit()
    emails = []
    for minute in range(0, 80):
        for notice in notices.due(session, later(minute)):
            notices.queue(session, notice)
            emails.append(minute)
    # Each email waits until the oldest mention it did not cover is 10 minutes old.
    assert emails == [10, 22, 34, 46, 58]


def test_the_outbox_leases_each_email_to_one_sender_and_retries_a_failed_one(
    session, alice, bob, general, alice_mailed
):
    messages.post_message(session, general.id, bob.id, "@alice look")
    outbox_id = notices.queue(session, notices.due(session, later(11))[0])
    [(first, _)] = notices.lease(session)
    assert first == outbox_id and notices.lease(session) == []  # leased: nobody else takes it
    # The sender crashed: once the lease runs out the email is taken again; sent, it is never taken again.
    [(again, _)] = notices.lease(session, utcnow() + notices.OUTBOX_LEASE + timedelta(seconds=1))
    assert again == outbox_id
    notices.sent(session, outbox_id)
    assert notices.lease(session, utcnow() + timedelta(hours=1)) == []


def test_a_new_account_waits_as_long_as_the_setting_says(session, monkeypatch):
    monkeypatch.setattr(settings, "EMAIL_NOTICE_MINUTES", 30)
    user = accounts.register(session, "dora", "password123", "password123")
    assert notices.preferences(session, user.id) == notices.Preferences("mentions", 30)
