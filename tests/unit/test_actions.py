"""Each action's events, checked without sockets (Zulip's test_events.py is the model): what changed,
whom it concerns, and how many statements the change costs. Every action is called here (a test fails for
one that is not), those that tell nobody included: a change that should be heard is then a visible choice."""

import ast
import importlib
import inspect
import io
import json
import pkgutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from PIL import Image
from sqlalchemy import update as sa_update

from djangochat_rx import actions, settings
from djangochat_rx.actions import api_tokens as token_actions
from djangochat_rx.actions import availability as availability_actions
from djangochat_rx.actions import avatars as avatar_actions
from djangochat_rx.actions import emoji as emoji_actions
from djangochat_rx.actions import files as file_actions
from djangochat_rx.actions import imports as import_actions
from djangochat_rx.actions import joining
from djangochat_rx.actions import later as later_actions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.actions import previews as preview_actions
from djangochat_rx.actions import read_receipts as receipt_actions
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.actions import second_factor as factor_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.actions import threads as thread_actions
from djangochat_rx.actions import user_groups as group_actions
from djangochat_rx.actions import webhooks as webhook_actions
from djangochat_rx.domain import (
    access,
    account_links,
    accounts,
    api_tokens,
    attachments,
    avatars,
    custom_emoji,
    devices,
    events,
    link_previews,
    messages,
    passkeys,
    polls,
    room_prefs,
    rooms,
    sessions,
    signup,
    sso,
    user_groups,
    webhooks,
)
from djangochat_rx.domain.admin import NotAdmin
from djangochat_rx.domain.events import (
    AddressCheckRequested,
    AddressReplaced,
    AvatarChanged,
    EmojiChanged,
    MessageChanged,
    MessageSent,
    MutedChanged,
    PinsChanged,
    PreviewsChanged,
    QuietEnded,
    ReactionsChanged,
    ReadMoved,
    ReceiptsMoved,
    ResetLinkRequested,
    RoomChanged,
    SavedChanged,
    SessionsEnded,
    SignupLinkRequested,
    ThreadReplied,
    ThreadsRead,
    Typing,
    UserGroupsChanged,
)
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.infra import storage
from djangochat_rx.models import AccountLink, Message, User, utcnow
from djangochat_rx.notify import notices
from djangochat_rx.realtime import hub
from tests.state import test_joining
from tests.support.authenticator import SoftAuthenticator

inbox = test_joining.inbox
until = test_joining.until


def only(outcome, kind):
    """The outcome's one event, which must be of `kind`."""
    assert [type(event) for event in outcome.events] == [kind]
    return outcome.events[0]


def test_sending_tells_the_room_with_the_message_its_preview_and_whom_it_mentions(session, alice, bob, general):
    outcome = message_actions.send_message(session, alice.id, general.id, "hi @bob, *look*", "c1")
    sent = only(outcome, MessageSent)
    assert sent.message == outcome.value and sent.message.seq == 1 and sent.message.author == "alice"
    assert (sent.room_name, sent.slug, sent.preview) == ("General", "general", "hi @bob, look")
    assert sent.mentioned == {"bob": ("general",)}


def test_a_message_without_mentions_tells_nobody_in_particular(session, alice, general):
    sent = only(message_actions.send_message(session, alice.id, general.id, "plain"), MessageSent)
    assert sent.mentioned == {}


def test_sending_is_one_write_transaction_of_three_statements(session, alice, general, count_queries):
    message_actions.send_message(session, alice.id, general.id, "the author's read marker exists now")
    with count_queries() as queries:
        sent = message_actions.send_message(session, alice.id, general.id, "counted", "client-1")
    # Room counter (seq, access, the author's name), the message (a retry inserts nothing), read marker.
    assert [q.split()[0] for q in queries] == ["UPDATE", "INSERT", "UPDATE"]
    assert sent.value.author == "alice"


def test_a_message_that_mentions_someone_reads_the_mentioned_with_one_more_statement(
    session, alice, bob, general, count_queries
):
    message_actions.send_message(session, alice.id, general.id, "the author's read marker exists now")
    with count_queries() as queries:
        sent = message_actions.send_message(session, alice.id, general.id, "hi @bob", "client-2")
    assert [q.split()[0] for q in queries][:3] == ["UPDATE", "SELECT", "INSERT"]
    assert (sent.value.author, sent.value.mentions) == ("alice", ("bob",))


def test_a_retried_send_posts_nothing_new_and_says_the_same(session, alice, general):
    first = message_actions.send_message(session, alice.id, general.id, "once", "same-id")
    again = message_actions.send_message(session, alice.id, general.id, "once", "same-id")
    assert again.value == first.value and only(again, MessageSent).slug == "general"


def test_edits_and_deletes_tell_the_room_the_new_version(session, alice, general):
    posted = message_actions.send_message(session, alice.id, general.id, "tpyo").value
    edited = only(message_actions.edit_message(session, alice.id, general.id, posted.id, "typo"), MessageChanged)
    assert (edited.message.id, edited.message.body, edited.message.edited, edited.preview) == (
        posted.id,
        "typo",
        True,
        "typo",
    )
    deleted = only(message_actions.delete_message(session, alice.id, general.id, posted.id), MessageChanged)
    assert (deleted.message.deleted, deleted.preview) == (True, "message deleted")


def test_a_moderator_removal_is_a_change_and_only_admins_may(session, alice, bob, root, general):
    posted = message_actions.send_message(session, alice.id, general.id, "spam").value
    with pytest.raises(NotAdmin):
        message_actions.remove_message(session, bob.id, posted.id)
    removed = only(message_actions.remove_message(session, root.id, posted.id), MessageChanged)
    assert removed.message.removed and removed.preview == "removed by a moderator"


def test_creating_a_public_room_puts_it_on_the_lobby(session, alice):
    outcome = room_actions.create_room(session, alice.id, "Lounge", "sofas")
    changed = only(outcome, RoomChanged)
    assert changed.summary.kind == access.PUBLIC and changed.summary.name == "Lounge"
    assert (changed.people, changed.expelled, changed.gone) == (("alice",), (), False)


def test_inviting_removing_and_leaving_tell_members_and_who_lost_the_room(session, alice, bob, carol):
    room = room_actions.create_room(session, alice.id, "Secret", "", True).value
    invited = only(room_actions.invite(session, alice.id, room.id, "Bob"), RoomChanged)
    assert invited.people == ("alice", "bob") and invited.summary.kind == access.PRIVATE
    room_actions.invite(session, alice.id, room.id, "carol")
    removed = only(room_actions.remove_member(session, alice.id, room.id, "bob"), RoomChanged)
    assert (removed.people, removed.expelled) == (("alice", "carol"), ("bob",))
    left = only(room_actions.leave(session, carol.id, room.id), RoomChanged)
    assert (left.people, left.expelled) == (("alice",), ("carol",))


def test_renaming_and_archiving_carry_the_room_as_the_lists_show_it(session, alice, general):
    renamed = only(room_actions.update_room(session, alice.id, general.id, "Town square", "all"), RoomChanged)
    assert (renamed.summary.name, renamed.summary.description) == ("Town square", "all")
    archived = only(room_actions.archive_room(session, alice.id, general.id, True), RoomChanged)
    assert archived.summary.archived


def test_the_owner_or_an_admin_deletes_a_room_and_everyone_loses_it(session, alice, bob, root):
    room = room_actions.create_room(session, alice.id, "Doomed", "", True).value
    room_actions.invite(session, alice.id, room.id, "bob")
    with pytest.raises(rooms.RoomNotFound):
        room_actions.delete_room(session, bob.id + 1000, room.id)
    gone = only(room_actions.delete_room(session, root.id, room.id), RoomChanged)
    assert (gone.summary, gone.gone, gone.expelled) == (None, True, ("alice", "bob"))


def test_a_member_who_is_not_the_owner_cannot_archive(session, alice, bob):
    room = room_actions.create_room(session, alice.id, "Mine", "", True).value
    room_actions.invite(session, alice.id, room.id, "bob")
    with pytest.raises(rooms.NotOwner):
        room_actions.archive_room(session, bob.id, room.id, True)


def test_opening_a_direct_conversation_puts_it_on_both_lists(session, alice, bob):
    changed = only(room_actions.open_direct(session, alice.id, ["bob"]), RoomChanged)
    assert changed.people == ("alice", "bob") and changed.summary.kind == access.DM


def test_logging_in_ends_the_browsers_old_session_and_tells_nobody(session, alice):
    first = session_actions.start_session(session, alice.id, "Firefox")
    assert first.events == [] and sessions.resolve(session, first.value).user_id == alice.id
    second = session_actions.start_session(session, alice.id, "Firefox", first.value)
    assert second.events == [] and sessions.resolve(session, second.value).user_id == alice.id
    assert sessions.resolve(session, first.value) is None


def test_ending_sessions_names_them_and_nothing_when_there_were_none(session, alice, root):
    mine = sessions.issue(session, alice.id)
    other = sessions.issue(session, alice.id)
    mine_id = sessions.resolve(session, mine).session_id
    assert only(session_actions.log_out(session, mine), SessionsEnded).session_ids == (mine_id,)
    assert session_actions.log_out(session, mine).events == []
    assert session_actions.log_out(session, "no-such-token").events == []
    ended = only(session_actions.disable_user(session, root.id, alice.id), SessionsEnded)
    assert len(ended.session_ids) == 1 and sessions.resolve(session, other) is None


def test_a_guest_whose_time_is_over_is_disabled_and_their_sessions_named(session, alice, root):
    token = sessions.issue(session, alice.id)
    assert session_actions.disable_expired_guests(session).events == []  # not a guest: nothing ends
    session.execute(
        sa_update(User).where(User.id == alice.id).values(is_guest=True, guest_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    ended = only(session_actions.disable_expired_guests(session), SessionsEnded)
    assert len(ended.session_ids) == 1 and sessions.resolve(session, token) is None
    assert session_actions.disable_expired_guests(session).events == []
    assert session_actions.make_member(session, root.id, alice.id).events == []  # from their next page on
    assert session.get(User, alice.id).is_guest is False


def test_starting_a_provider_link_tells_nobody(session, alice, monkeypatch):
    corp = '[{"id": "corp", "issuer": "https://id.example", "client_id": "c"}]'
    monkeypatch.setattr(settings, "OIDC_PROVIDERS", corp)
    sso.providers.cache_clear()
    try:
        started = session_actions.start_provider_link(session, alice.id, "corp")
    finally:
        sso.providers.cache_clear()
    assert started.events == [] and len(started.value) >= 40


def test_second_factor_changes_tell_nobody(session, alice, bob, root):
    enrolment = factor_actions.start_enrolment(session, alice.id)
    confirmed = factor_actions.confirm_enrolment(session, alice.id, pyotp.TOTP(enrolment.value.secret).now())
    codes = confirmed.value
    used = factor_actions.use_code(session, alice.id, codes[0])
    renewed = factor_actions.new_recovery_codes(session, alice.id, codes[1])
    off = factor_actions.turn_off(session, alice.id, "correct horse", renewed.value[0])
    assert used.value == "recovery code" and len(renewed.value) == 10
    factor_actions.confirm_enrolment(
        session, bob.id, pyotp.TOTP(factor_actions.start_enrolment(session, bob.id).value.secret).now()
    )
    reset = factor_actions.reset(session, root.id, bob.id)
    from_terminal = factor_actions.reset_from_terminal(session, "alice")
    required = factor_actions.require(session, root.id, "off")
    assert [enrolment.events, confirmed.events, used.events, renewed.events, off.events] == [[]] * 5
    assert [reset.events, from_terminal.events, required.events] == [[]] * 3


def test_passkeys_single_sign_on_and_password_sign_in_changes_tell_nobody(session, alice, root, monkeypatch):
    origin, site = "http://localhost:3000", "localhost"
    device = SoftAuthenticator(site, origin)
    started = passkeys.registration(session, alice.id, site)
    added = factor_actions.add_passkey(
        session, alice.id, "laptop", device.create(started.options), started.challenge, origin, site
    )
    asked = passkeys.authentication(session, site)
    used = factor_actions.use_passkey(session, device.get(asked.options), asked.challenge, origin, site)
    removed = factor_actions.remove_passkey(session, alice.id, added.value.id)
    assert used.value == alice and passkeys.listed(session, alice.id) == []
    monkeypatch.setattr(
        settings, "OIDC_PROVIDERS", json.dumps([{"id": "corp", "issuer": "https://id", "client_id": "c"}])
    )
    sso.providers.cache_clear()
    signup.set_mode(session, None, "open")
    made = sso.identify(session, "corp", {"sub": "s", "email": "s@x.example", "email_verified": True})
    again = sso.identify(session, "corp", {"sub": "s"})
    assert isinstance(made, sso.NewAccount) and not isinstance(again, sso.NewAccount)
    renamed = joining.choose_first_username(session, made.id, "sam_chosen")
    assert renamed.value.username == "sam_chosen"
    session.execute(sa_update(User).where(User.id == made.id).values(password_hash=accounts.hash_password("pw123456")))
    session.commit()
    unlinked = session_actions.unlink_provider(session, made.id, "corp")
    passwords = joining.set_password_sign_in(session, None, True)
    sso.providers.cache_clear()
    assert [added.events, used.events, removed.events, unlinked.events, passwords.events, renamed.events] == [[]] * 6


def test_marking_read_tells_the_reader_their_marker_and_mentions(session, alice, bob, general):
    message_actions.send_message(session, alice.id, general.id, "@bob look")
    read = only(session_actions.mark_read(session, bob.id, "bob", general.id, 1), ReadMoved)
    assert (read.username, read.slug, read.seq, read.mentioned) == ("bob", "general", 1, ())


def test_a_read_by_one_who_shares_receipts_tells_the_authors_pages_their_line(session, alice, bob, carol):
    from djangochat_rx.domain.read_receipts import SeenLine

    room = room_actions.create_room(session, alice.id, "Pair", "", True).value
    room_actions.invite(session, alice.id, room.id, "bob")
    message_actions.send_message(session, alice.id, room.id, "seen?")
    assert receipt_actions.set_sharing(session, bob.id, True) == actions.Outcome(True)  # pages read it as they open
    read = session_actions.mark_read(session, bob.id, "bob", room.id, 1)
    assert [type(event) for event in read.events] == [ReadMoved, ReceiptsMoved]
    moved = read.events[1]
    assert moved == ReceiptsMoved(room.id, "bob", 1, {"alice": SeenLine(1, ("bob",))})
    assert events.from_wire(json.loads(json.dumps(events.to_wire(moved)))) == moved  # between workers
    # Nobody else hears: an outsider's read is refused, a read of nothing new moves nothing.
    assert session_actions.mark_read(session, carol.id, "carol", room.id, 1).events == []
    assert [type(event) for event in session_actions.mark_read(session, bob.id, "bob", room.id, 1).events] == [
        ReadMoved
    ]


def test_the_instance_switch_for_read_receipts_tells_nobody(session, alice, root):
    with pytest.raises(NotAdmin):
        receipt_actions.set_instance(session, alice.id, False)
    assert receipt_actions.set_instance(session, root.id, False) == actions.Outcome(False)


def test_typing_in_a_room_one_may_not_read_tells_nobody(session, alice, bob):
    secret = room_actions.create_room(session, alice.id, "Hidden", "", True).value
    assert session_actions.typing(session, bob.id, "bob", secret.id).events == []
    assert only(session_actions.typing(session, alice.id, "alice", secret.id), Typing).room_id == secret.id


def test_every_event_survives_the_trip_between_workers(session, alice, bob, general):
    outcomes = [
        message_actions.send_message(session, alice.id, general.id, "@bob over the wire"),
        room_actions.create_room(session, alice.id, "Wire", "", True),
        session_actions.mark_read(session, bob.id, "bob", general.id, 1),
        session_actions.typing(session, alice.id, "alice", general.id),
        session_actions.end_sessions(session, alice.id),
    ]
    sessions.issue(session, alice.id)
    outcomes.append(session_actions.end_sessions(session, alice.id))
    for outcome in outcomes:
        for event in outcome.events:
            assert events.from_wire(events.to_wire(event)) == event
    assert messages.newest_messages(session, general.id)[0].body == "@bob over the wire"


def test_a_reply_tells_its_thread_the_room_the_parent_and_the_followers_their_unread(session, alice, bob, general):
    parent = message_actions.send_message(session, alice.id, general.id, "lunch?").value
    outcome = thread_actions.reply(session, bob.id, parent.id, "yes", "r1")
    replied = only(outcome, ThreadReplied)
    assert replied.reply == outcome.value and (replied.reply.thread_id, replied.reply.seq) == (parent.id, 1)
    assert (replied.parent.id, replied.parent.reply_count, replied.parent.repliers) == (parent.id, 1, ("bob",))
    assert replied.unread == {"alice": 1}
    assert events.from_wire(json.loads(json.dumps(events.to_wire(replied)))) == replied  # between workers

    # Also to the room: the thread hears of it, and the room gets a message quoting the parent.
    both = thread_actions.reply(session, alice.id, parent.id, "12:30 then", "r2", also_to_room=True)
    assert [type(event) for event in both.events] == [ThreadReplied, MessageSent]
    sent = both.events[1]
    assert (sent.message.thread_id, sent.message.quote_id, sent.message.quote_author) == (0, parent.id, "alice")
    assert sent.message.seq == 2 and sent.message.body == "12:30 then"
    assert events.from_wire(json.loads(json.dumps(events.to_wire(sent)))) == sent
    retried = thread_actions.reply(session, alice.id, parent.id, "12:30 then", "r2", also_to_room=True)
    assert retried.value.id == both.value.id and retried.events[1].message.id == sent.message.id

    read = only(thread_actions.read_thread(session, bob.id, "bob", parent.id, 2), ThreadsRead)
    assert read == ThreadsRead("bob", 0)
    assert thread_actions.read_thread(session, bob.id, "bob", parent.id, 2).events == []
    assert only(thread_actions.follow_thread(session, bob.id, "bob", parent.id, False), ThreadsRead).unread == 0


# --- every action is named here ------------------------------------------------------------------------------


def all_actions() -> set[str]:
    """Every action: a public function of a module in djangochat_rx/actions/ that returns an Outcome."""
    found = set()
    for module_info in pkgutil.iter_modules(actions.__path__):
        module = importlib.import_module(f"{actions.__name__}.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            returns = inspect.signature(function).return_annotation
            public = function.__module__ == module.__name__ and not name.startswith("_")
            if public and getattr(returns, "__origin__", returns) is actions.Outcome:
                found.add(f"{module_info.name}.{name}")
    return found


def actions_called(source: str) -> set[str]:
    """The actions a test module's code calls, as `module.function`, through its imports of actions modules."""
    tree = ast.parse(source)
    modules = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == actions.__name__
        for alias in node.names
    }
    return {
        f"{modules[node.value.id]}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
    }


def test_every_action_has_an_events_test_here():
    found = all_actions()
    assert len(found) > 50 and "messages.send_message" in found and "joining.request_reset" in found
    assert sorted(found - actions_called(Path(__file__).read_text())) == []


def test_an_action_no_test_calls_is_caught():
    called = actions_called("from djangochat_rx.actions import rooms as r\nr.create_room(db, 1, 'x', '')\n")
    assert called == {"rooms.create_room"}
    assert "rooms.leave" in all_actions() - called


# --- the actions that had no test of their events ------------------------------------------------------------


def test_retention_tells_the_rooms_pages_what_went_and_a_policy_in_force(session, alice, root, general):
    old = message_actions.send_message(session, alice.id, general.id, "old news").value
    session.execute(sa_update(Message).where(Message.id == old.id).values(created_at=utcnow() - timedelta(days=9)))
    session.commit()
    assert room_actions.set_retention(session, root.id, 30, True).events == []  # rooms show it when loaded
    changed = only(room_actions.set_room_retention(session, alice.id, general.id, 7), RoomChanged)
    assert changed.room_id == general.id and changed.summary is not None
    purged = room_actions.purge_room(session, general.id, 7)
    assert purged.value.messages == 1 and only(purged, RoomChanged).purged
    assert room_actions.purge_room(session, general.id, 7).events == []


def test_pinning_and_unpinning_tell_the_room_its_pins(session, alice, general):
    posted = message_actions.send_message(session, alice.id, general.id, "the plan").value
    pinned = only(message_actions.pin_message(session, alice.id, posted.id), PinsChanged)
    assert (pinned.room_id, [pin.message.id for pin in pinned.pins]) == (general.id, [posted.id])
    unpinned = only(message_actions.unpin_message(session, alice.id, posted.id), PinsChanged)
    assert (unpinned.room_id, unpinned.pins) == (general.id, ())


def test_a_links_card_and_its_removal_tell_the_room_the_message_as_it_now_shows(session, alice, bob, general):
    posted = message_actions.send_message(session, alice.id, general.id, "see https://example.com/a").value
    card = link_previews.Card("https://example.com/a", True, "https://example.com/a", "Example", "A page", "About it.")
    attached = only(preview_actions.attach_previews(session, posted.id, (card,)), PreviewsChanged)
    assert attached.message.id == posted.id and attached.message.body == posted.body
    assert attached.message.previews == (
        link_previews.PreviewView("https://example.com/a", "Example", "A page", "About it."),
    )
    assert events.from_wire(json.loads(json.dumps(events.to_wire(attached)))) == attached  # between workers
    assert preview_actions.attach_previews(session, posted.id, (card,)).events == []  # it shows that card already
    with pytest.raises(link_previews.PreviewRefused, match="Only its author"):
        preview_actions.remove_preview(session, bob.id, posted.id, card.url)
    removed = only(preview_actions.remove_preview(session, alice.id, posted.id, card.url), PreviewsChanged)
    assert removed.message.previews == () and removed.message.id == posted.id
    assert preview_actions.remove_preview(session, alice.id, posted.id, card.url).events == []  # nothing left to take


def test_saving_and_unsaving_tell_the_savers_own_pages_of_the_room_what_they_keep(session, alice, bob, general):
    first = message_actions.send_message(session, alice.id, general.id, "keep this").value
    second = message_actions.send_message(session, alice.id, general.id, "and this").value
    only(message_actions.save_message(session, bob.id, "bob", first.id), SavedChanged)
    kept = only(message_actions.save_message(session, bob.id, "bob", second.id), SavedChanged)
    assert (kept.username, kept.room_id, sorted(kept.saved)) == ("bob", general.id, [first.id, second.id])
    left = only(message_actions.unsave_message(session, bob.id, "bob", first.id), SavedChanged)
    assert left.saved == (second.id,)
    assert events.from_wire(events.to_wire(left)) == left
    assert message_actions.unsave_message(session, bob.id, "bob", 10**9).events == []  # nothing to tell of


def test_a_poll_is_a_message_sent_and_each_vote_or_closing_a_changed_message(session, alice, bob, general):
    asked = polls.ask("Lunch?", ["Pizza", "Sushi"])
    outcome = message_actions.ask_poll(session, alice.id, general.id, asked, "poll-1")
    sent = only(outcome, MessageSent)
    assert sent.message.poll is not None and sent.message == outcome.value
    assert [option.text for option in sent.message.poll.options] == ["Pizza", "Sushi"]
    again = message_actions.ask_poll(session, alice.id, general.id, asked, "poll-1")  # a retry: the same poll
    assert again.value.id == outcome.value.id and again.value.poll == outcome.value.poll
    voted = message_actions.vote(session, bob.id, outcome.value.id, 1)
    changed = only(voted, MessageChanged)
    assert voted.value == 1 and changed.message.poll.options[1].voters == ("bob",)
    assert events.from_wire(events.to_wire(changed)) == changed
    closed = only(message_actions.close_poll(session, alice.id, outcome.value.id), MessageChanged)
    assert closed.message.poll.closed


def test_forwarding_is_each_copy_sent_after_its_comment(session, alice, bob, general):
    original = message_actions.send_message(session, alice.id, general.id, "ship it").value
    dm = room_actions.open_direct(session, bob.id, ["alice"]).value
    outcome = message_actions.forward_messages(session, bob.id, dm.id, (original.id,), "fyi")
    sent = [event for event in outcome.events if isinstance(event, MessageSent)]
    assert [event.message.body for event in sent] == ["fyi", "ship it"] and len(outcome.events) == 2
    assert sent[1].message.forward_author == "alice" and sent[1].direct
    assert events.from_wire(events.to_wire(sent[1])) == sent[1]


def test_a_reaction_tells_the_room_the_message_with_its_reactions(session, alice, bob, general):
    posted = message_actions.send_message(session, alice.id, general.id, "ship it?").value
    outcome = message_actions.react(session, bob.id, posted.id, "👍")
    changed = only(outcome, ReactionsChanged)
    assert outcome.value is True and changed.message.id == posted.id
    assert [(r.emoji, r.users) for r in changed.message.reactions] == [("👍", ("bob",))]
    taken_back = only(message_actions.react(session, bob.id, posted.id, "👍"), ReactionsChanged)
    assert taken_back.message.reactions == ()


def test_setting_the_topic_renames_nothing_and_tells_the_lists(session, alice, general):
    changed = only(room_actions.set_topic(session, alice.id, general.id, "lunch at noon"), RoomChanged)
    assert (changed.summary.name, changed.summary.description) == ("General", "lunch at noon")


def test_room_prefs_tell_the_user_what_they_mute(session, alice, general):
    outcome = notice_actions.set_room_prefs(session, alice.id, general.id, "nothing", True)
    assert outcome.value == room_prefs.Prefs("nothing", True)
    assert only(outcome, MutedChanged) == MutedChanged("alice", ("general",))
    assert only(notice_actions.set_room_prefs(session, alice.id, general.id, "all", False), MutedChanged).muted == ()


def test_email_notice_choices_and_push_subscriptions_tell_nobody(session, alice):
    outcome = notice_actions.set_email_notices(session, alice.id, "digest", 30)
    assert (outcome.value.choice, outcome.value.delay_minutes, outcome.events) == ("digest", 30, [])
    endpoint = "https://fcm.googleapis.com/fcm/send/device"
    subscription = {"endpoint": endpoint, "keys": {"p256dh": "BNc" + "a" * 84, "auth": "q" * 22}}
    subscribed = notice_actions.subscribe_push(session, alice.id, subscription, "Firefox")
    assert (subscribed.value, subscribed.events) == (1, [])
    unsubscribed = notice_actions.unsubscribe_push(session, alice.id, endpoint)
    assert (unsubscribed.value, unsubscribed.events) == (0, [])


def test_an_unsubscribe_link_turns_the_emails_off_and_tells_nobody(session, alice):
    notices.set_preferences(session, alice.id, "mentions", 10)
    expires = datetime.now(UTC) + timedelta(days=30)
    session.add(
        AccountLink(user_id=alice.id, purpose=notices.UNSUBSCRIBE, token_hash=hash_token("t"), expires_at=expires)
    )
    session.commit()
    assert only_value(notice_actions.unsubscribe(session, "t")) == "alice"
    assert notices.preferences(session, alice.id).choice == "off"
    assert only_value(notice_actions.unsubscribe(session, "made-up")) is None


def test_a_password_change_ends_every_other_session(session, alice):
    kept = sessions.resolve(session, sessions.issue(session, alice.id)).session_id
    other = sessions.resolve(session, sessions.issue(session, alice.id)).session_id
    outcome = session_actions.change_password(
        session, alice.id, kept, "correct horse", "new password!", "new password!"
    )
    assert (outcome.value, only(outcome, SessionsEnded).session_ids) == (0, (other,))
    with pytest.raises(accounts.WrongCurrentPassword):
        session_actions.change_password(session, alice.id, kept, "correct horse", "again!!!!", "again!!!!")


def test_a_browser_that_logged_in_is_remembered_and_nobody_is_told(session, alice):
    outcome = session_actions.remember_device(session, alice.id, "")
    assert outcome.events == [] and devices.recognise(session, outcome.value, "alice") is not None


def test_a_password_change_is_one_transaction(session, alice, monkeypatch):
    """The new password, the other sessions ended and the tokens revoked commit together or not at all: a
    failure while revoking leaves the old password and every session."""
    kept = sessions.resolve(session, sessions.issue(session, alice.id)).session_id
    other_token = sessions.issue(session, alice.id)

    def failing(*args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(api_tokens, "revoke_all_within", failing)
    with pytest.raises(RuntimeError):
        session_actions.change_password(session, alice.id, kept, "correct horse", "new password!", "new password!")
    session.rollback()
    assert accounts.authenticate(session, "alice", "correct horse").username == "alice"
    assert sessions.resolve(session, other_token) is not None


def test_enabling_an_account_again_tells_nobody(session, alice, root):
    session_actions.disable_user(session, root.id, alice.id)
    assert session_actions.enable_user(session, root.id, alice.id) == actions.Outcome(None)
    assert accounts.authenticate(session, "alice", "correct horse").username == "alice"


def test_api_tokens_are_made_and_revoked_without_telling_anyone(session, alice):
    made = token_actions.create_token(session, alice.id, "correct horse", "CI", ["read"], 30)
    (view, secret), revoked = made.value, token_actions.revoke_token(session, alice.id, made.value[0].id)
    assert (view.name, view.scopes, made.events) == ("CI", ("read",), [])
    assert (revoked.value.revoked, revoked.events) == (True, [])
    with pytest.raises(api_tokens.NotAuthenticated):
        api_tokens.authenticate(session, secret)


def test_webhooks_are_made_and_revoked_without_telling_anyone(session, alice, general):
    made = webhook_actions.create_webhook(session, alice.id, general.id, "CI")
    assert (made.value[0].bot, made.events) == ("ci-webhook", [])
    assert webhook_actions.revoke_webhook(session, alice.id, general.id, made.value[0].id).events == []
    with pytest.raises(webhooks.NotFound):
        webhooks.resolve(session, made.value[1])


@pytest.fixture
def store(tmp_path, monkeypatch) -> storage.LocalStorage:
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    yield storage.default()
    storage.default.cache_clear()


def picture(tmp_path: Path) -> Path:
    path = tmp_path / "picture.png"
    Image.new("RGB", (80, 60), (200, 40, 40)).save(path, format="PNG")
    return path


def test_a_new_picture_tells_every_page_and_going_back_tells_it_once(session, alice, tmp_path, store):
    outcome = avatar_actions.set_avatar(session, alice.id, avatars.square(picture(tmp_path), store.scratch()))
    assert only(outcome, AvatarChanged) == AvatarChanged("alice", outcome.value) and outcome.value
    assert only(avatar_actions.remove_avatar(session, alice.id), AvatarChanged) == AvatarChanged("alice", "")
    assert avatar_actions.remove_avatar(session, alice.id).events == []


def test_a_custom_emoji_added_or_removed_tells_every_page_and_a_refusal_tells_nobody(
    session, alice, bob, root, tmp_path, store
):
    png, width, height = custom_emoji.shrink(picture(tmp_path), store.scratch())
    outcome = emoji_actions.add_emoji(session, alice.id, ":Party:", png, width, height)
    assert only(outcome, EmojiChanged) == EmojiChanged("party", outcome.value) and outcome.value
    assert events.from_wire(events.to_wire(outcome.events[0])) == outcome.events[0]
    with pytest.raises(custom_emoji.EmojiRefused):
        emoji_actions.remove_emoji(session, bob.id, "party")
    assert only(emoji_actions.remove_emoji(session, root.id, "party"), EmojiChanged) == EmojiChanged("party", "")
    with pytest.raises(custom_emoji.EmojiNotFound):
        emoji_actions.remove_emoji(session, alice.id, "party")
    assert emoji_actions.choose_adders(session, root.id, "admins").events == []  # pages read it when they open


async def test_an_upload_and_taking_it_back_are_its_uploaders_alone(session, alice, general, tmp_path, store):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 200)).save(out, format="PNG")
    source = tmp_path / "incoming"
    source.write_bytes(out.getvalue())
    prepared = await attachments.prepare(source, store.scratch())
    kept = file_actions.upload_file(session, alice.id, general.id, "sky.png", prepared)
    assert (kept.value.name, kept.events) == ("sky.png", [])
    assert file_actions.take_back_upload(session, alice.id, kept.value.id) == actions.Outcome(None)


def test_an_import_tells_the_people_of_each_room_it_wrote_into_when_it_is_over(session, root, tmp_path, store):
    from djangochat_rx.domain import slack_import
    from tests.support import slack

    export = slack.write_export(
        tmp_path / "team.zip",
        [slack.user("U1", "ann"), slack.user("U2", "ben")],
        [{"id": "C1", "name": "imported", "members": ["U1"]}],
        {"imported": [slack.message("U1", slack.ts(slack.DAY1, 1), "hello")]},
        groups=[{"id": "G1", "name": "hidden", "members": ["U1", "U2"]}],
    )
    run_id = only_value(import_actions.start_import(session, root.id, "team.zip"))
    assert import_actions.record_progress(session, run_id, 1, 2) == actions.Outcome(None)
    assert import_actions.claim_interrupted(session) == actions.Outcome(None)
    finished = import_actions.finish_import(session, run_id, slack_import.run(session, export))
    assert finished.value.status == "done"
    assert [(e.summary.name, e.people) for e in finished.events] == [("imported", ("ann",)), ("hidden", ("ann", "ben"))]


# --- joining: accounts, links, and the mail they call for ---------------------------------------------------


def test_setting_up_registering_and_the_command_lines_accounts_tell_nobody(session):
    first = only_value(joining.set_up(session, "root", "root password", "root password", "invite"))
    assert only_value(joining.set_signup_mode(session, first.id, "open")) == "open"
    person = only_value(joining.register(session, "dana", "dana password", "dana password"))
    superuser = only_value(joining.create_superuser(session, "boss", "boss password", "boss password"))
    assert [accounts.is_admin(session, user.id) for user in (first, person, superuser)] == [True, False, True]
    assert only_value(joining.promote(session, "dana")).id == person.id and accounts.is_admin(session, person.id)
    assert only_value(joining.set_signup_mode(session, None, "closed")) == "closed"


def only_value(outcome):
    """The value of an outcome that tells nobody."""
    assert outcome.events == []
    return outcome.value


def test_invites_accounts_and_reset_links_an_admin_makes_tell_nobody(session, root, alice):
    invite, token = only_value(joining.create_invite(session, root.id, 7, 2, "team"))
    assert (invite.max_uses, invite.note) == (2, "team") and token
    assert only_value(joining.revoke_invite(session, root.id, invite.id)) is None
    user, link_token = only_value(joining.create_account(session, root.id, "newhire"))
    assert user.username == "newhire" and link_token
    assert only_value(joining.issue_reset_link(session, root.id, alice.id))[0] == "alice"
    assert only_value(joining.set_signup_domain(session, root.id, "@Example.COM")) == "example.com"


def test_a_reset_by_link_ends_every_session_of_the_account(session, root, alice):
    session_id = sessions.resolve(session, sessions.issue(session, alice.id)).session_id
    _, token = account_links.issue_reset(session, root.id, alice.id)
    outcome = joining.reset_password(session, token, "brand new pass", "brand new pass")
    assert (outcome.value[0].username, outcome.value[1]) == ("alice", 0)
    assert only(outcome, SessionsEnded).session_ids == (session_id,)


def test_a_sign_up_by_address_asks_for_its_mail_either_way(session, root, alice):
    signup.set_mode(session, root.id, "open")
    signup.set_domain(session, root.id, "example.com")
    outcome = joining.request_signup(session, "new@example.com")
    asked = only(outcome, SignupLinkRequested)
    assert asked.link == outcome.value and (asked.link.address, asked.link.username) == ("new@example.com", "")
    account_links.verify_email(session, account_links.request_verify(session, alice.id, "alice@example.com").token)
    again = only(joining.request_signup(session, "alice@example.com"), SignupLinkRequested)
    assert (again.link.username, again.link.token) == ("alice", "")  # the reminder, not a link


def test_an_address_check_asks_for_its_mail_and_the_replaced_address_is_told(session, alice):
    outcome = joining.request_verify(session, alice.id, "correct horse", "alice@example.com")
    asked = only(outcome, AddressCheckRequested)
    assert asked.link == outcome.value and asked.link.address == "alice@example.com"
    first = joining.verify_email(session, asked.link.token)
    assert (first.value.address, first.value.previous, first.events) == ("alice@example.com", "", [])
    link = joining.request_verify(session, alice.id, "correct horse", "alice@elsewhere.example").value
    replaced = only(joining.verify_email(session, link.token), AddressReplaced)
    assert (replaced.change.previous, replaced.change.address) == ("alice@example.com", "alice@elsewhere.example")
    assert only_value(joining.remove_email(session, alice.id)) is None


def test_forgot_password_asks_for_a_mail_only_for_an_account_with_an_address(session, alice, bob, monkeypatch):
    monkeypatch.setattr(settings, "EMAIL_CHANGE_RESET_HOLD_HOURS", 0)  # the address was added just now
    link = account_links.request_verify(session, alice.id, "alice@example.com")
    account_links.verify_email(session, link.token)
    with_address, stranger, no_address = (
        joining.request_reset(session, login) for login in ("alice@example.com", "nobody", "bob")
    )
    asked = only(with_address, ResetLinkRequested)
    assert (asked.link.address, asked.link.username) == ("alice@example.com", "alice")
    # The same value either way: nothing in the answer tells whether the account exists.
    assert with_address.value is stranger.value is no_address.value is None
    assert stranger.events == no_address.events == []


async def test_a_mail_event_is_mailed_after_the_commit_and_never_reaches_a_socket(inbox, monkeypatch):
    relayed = []

    async def relay(event):
        relayed.append(event)

    monkeypatch.setattr(hub.relay, "publish", relay)
    link = account_links.MailedLink("someone@example.com", "someone", "the-token")
    await actions.publish([ResetLinkRequested(link), Typing(1, "someone")])
    await until(lambda: len(inbox.mail) == 1)
    assert relayed == [Typing(1, "someone")]
    assert inbox.mail[0]["To"] == "someone@example.com" and "token=the-token" in inbox.mail[0].get_content()


def test_a_time_zone_tells_nobody(session, alice):
    outcome = availability_actions.set_time_zone(session, alice.id, "Europe/Paris")
    assert (outcome.value, outcome.events) == ("Europe/Paris", [])


def test_do_not_disturb_and_working_hours_tell_nobody_and_the_end_of_a_quiet_time_tells_its_person(
    session, alice, bob, general
):
    dnd = availability_actions.set_dnd(session, bob.id, 60)
    assert dnd.events == [] and dnd.value.dnd_until and dnd.value.quiet_until == dnd.value.dnd_until
    hours = availability_actions.set_work_hours(session, bob.id, 0, "09:00", "18:00")
    assert hours.events == [] and (hours.value.work_start, hours.value.work_end) == ("09:00", "18:00")
    message_actions.send_message(session, alice.id, general.id, "@bob ping")
    ended = availability_actions.end_dnd(session, bob.id)
    assert ended.events == [] and ended.value.quiet_until == ""
    summary = availability_actions.end_quiet(session)
    assert summary.events == [QuietEnded("bob", 1, 0)]
    assert events.from_wire(json.loads(json.dumps(events.to_wire(summary.events[0])))) == summary.events[0]


def test_every_change_to_a_group_tells_the_open_group_pages(session, alice, bob, carol, root):
    made = group_actions.create_group(session, alice.id, "Backend", "the API", "bob")
    assert (made.value, made.events) == ("backend", [UserGroupsChanged("backend")])
    assert events.from_wire(events.to_wire(made.events[0])) == made.events[0]
    assert group_actions.add_to_group(session, alice.id, "backend", "carol").events == [UserGroupsChanged("backend")]
    removed = group_actions.remove_from_group(session, bob.id, "backend", "carol")
    assert removed.events == [UserGroupsChanged("backend")]
    assert group_actions.join_group(session, carol.id, "backend").events == [UserGroupsChanged("backend")]
    assert group_actions.leave_group(session, carol.id, "backend").events == [UserGroupsChanged("backend")]
    renamed = group_actions.edit_group(session, bob.id, "backend", "api", "the API")
    assert (renamed.value, renamed.events) == ("api", [UserGroupsChanged("api", "backend")])
    described = group_actions.edit_group(session, bob.id, "api", "api", "the REST API")
    assert described.events == [UserGroupsChanged("api")]
    assert group_actions.set_group_managers(session, root.id, "admins").events == [UserGroupsChanged("")]
    with pytest.raises(user_groups.GroupRefused):
        group_actions.delete_group(session, bob.id, "api")  # administrators only now
    assert group_actions.delete_group(session, root.id, "api").events == [UserGroupsChanged("api")]


def test_send_later_and_reminders_tell_nobody_until_due_then_the_room_or_the_person(session, alice, bob, general):
    """Scheduling, editing, cancelling and setting reminders tell nobody; a due message is a MessageSent like any
    other; a failed one tells its author; a due reminder tells its person (and both survive the trip between
    workers)."""
    soon = utcnow() + timedelta(hours=1)
    job = later_actions.schedule_message(session, alice.id, general.id, "later", soon)
    assert job.events == []
    assert later_actions.edit_scheduled(session, alice.id, job.value, "later on", soon).events == []
    sent = later_actions.deliver_scheduled(session, job.value, None, alice.id)
    assert only(sent, MessageSent).message.body == "later on"
    other = later_actions.schedule_message(session, alice.id, general.id, "never", soon).value
    assert later_actions.cancel_scheduled(session, alice.id, other).events == []
    gone = later_actions.schedule_message(session, alice.id, general.id, "too late", soon).value
    rooms.archive_room(session, alice.id, general.id)
    failed = only(later_actions.deliver_scheduled(session, gone, None, alice.id), events.ScheduledFailed)
    assert failed.username == "alice" and "archived" in failed.reason
    message_id = only(sent, MessageSent).message.id
    reminder = later_actions.remind(session, bob.id, message_id, soon)
    assert reminder.events == []
    note = later_actions.remind(session, bob.id, None, soon, "tea").value
    assert later_actions.cancel_reminder(session, bob.id, note).events == []
    due = only(later_actions.fire_reminder(session, reminder.value, soon), events.ReminderDue)
    assert (due.username, due.message_id, due.room_name) == ("bob", message_id, "General")
    for event in (failed, due):
        assert events.from_wire(json.loads(json.dumps(events.to_wire(event)))) == event


def test_a_status_tells_nobody(session, alice):
    outcome = availability_actions.set_status(session, alice.id, "🌴", "On holiday", "today")
    assert (outcome.value, outcome.events) == ("🌴 On holiday", [])
