"""Read receipts over real websockets: bob lets others see what he has read (the account page's switch), reads
alice's message, and alice's open page of the room hears "Seen by bob" at once; a fresh page of hers reads the same
line (snapshot + events = fresh load). Nobody else's socket hears of it, and nobody hears of a reader who does not
share."""

from djangochat_rx import db
from djangochat_rx.domain import members, messages, rooms
from djangochat_rx.state.account import AccountState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique


def seen(tab) -> tuple[int, list[str]]:
    return tab.var(RoomState, "seen_seq", 0), tab.var(RoomState, "seen_by", [])


def heard_receipts(tab) -> list:
    """Every value of seen_by the tab's frames carried."""
    return [
        value
        for frame in tab.frames
        for delta in frame.get("delta", {}).values()
        for name, value in delta.items()
        if name.startswith("seen_by") and value
    ]


async def share_from_the_account_page(open_tab, token: str, share: bool) -> None:
    page = await open_tab("/account", token=token)
    await page.wait_for(lambda: page.var(AccountState, "sessions"))
    await page.call(AccountState, "share_receipts", share=share)
    await page.wait_for(lambda: page.var(AccountState, "share_read_receipts") is share)


async def test_a_read_by_one_who_shares_reaches_the_authors_open_page_and_nobody_else(open_tab, make_user):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    carol, carol_token = make_user()
    pair = db.call(rooms.create_room, unique("Pair "), "", alice.id, True)
    db.call(members.invite, alice.id, pair.id, bob.username)
    db.call(members.invite, alice.id, pair.id, carol.username)
    hall = db.call(rooms.create_room, unique("Hall "), "", alice.id)
    _, stranger_token = make_user()
    stranger = await room_tab(open_tab, stranger_token, hall.slug)
    sent = db.call(messages.post_message, pair.id, alice.id, "lunch at noon?")

    await share_from_the_account_page(open_tab, bob_token, True)
    author = await room_tab(open_tab, alice_token, pair.slug)
    fellow = await room_tab(open_tab, carol_token, pair.slug)  # carol does not share: her read tells nobody
    assert seen(author) == (0, [])

    await room_tab(open_tab, bob_token, pair.slug)  # opening the room reads it
    await author.wait_for(lambda: seen(author) == (sent.seq, [bob.username]))
    fresh = await room_tab(open_tab, alice_token, pair.slug)
    assert seen(fresh) == seen(author)  # what a page heard is what a new one reads

    # Only the author's pages of the room heard it.
    assert heard_receipts(fellow) == [] and heard_receipts(stranger) == []
    assert all(bob.username not in str(frame) for frame in stranger.frames)


async def test_a_reader_who_does_not_share_is_never_shown(open_tab, make_user):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    direct = db.call(members.open_direct, alice.id, [bob.username])
    db.call(messages.post_message, direct.id, alice.id, "hi bob")
    author = await room_tab(open_tab, alice_token, direct.slug)

    await share_from_the_account_page(open_tab, bob_token, False)
    reader = await room_tab(open_tab, bob_token, direct.slug)
    await reader.call(RoomState, "mark_read", seq=1)
    late = await room_tab(open_tab, alice_token, direct.slug)
    assert seen(late) == (0, [])

    # Once he shares, his next read is heard (after anything his earlier read would have sent: none came).
    await share_from_the_account_page(open_tab, bob_token, True)
    second = db.call(messages.post_message, direct.id, alice.id, "still there?")
    await reader.call(RoomState, "mark_read", seq=second.seq)
    await author.wait_for(lambda: seen(author) == (second.seq, [bob.username]))
    assert heard_receipts(author) == [[bob.username]]


async def test_the_administrators_switch_turns_everyones_receipts_off_and_on(open_tab, make_user):
    from djangochat_rx.state.admin import AdminState
    from tests.state.test_admin_flow import admin_tab

    _root, admin_page = await admin_tab(open_tab, make_user)
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    direct = db.call(members.open_direct, alice.id, [bob.username])
    first = db.call(messages.post_message, direct.id, alice.id, "one")
    await share_from_the_account_page(open_tab, bob_token, True)
    author = await room_tab(open_tab, alice_token, direct.slug)
    reader = await room_tab(open_tab, bob_token, direct.slug)
    await author.wait_for(lambda: seen(author) == (first.seq, [bob.username]))

    await admin_page.call(AdminState, "choose_read_receipts", on=False)
    await admin_page.wait_for(lambda: admin_page.var(AdminState, "read_receipts_on") is False)
    second = db.call(messages.post_message, direct.id, alice.id, "two")
    await reader.call(RoomState, "mark_read", seq=second.seq)
    assert seen(await room_tab(open_tab, alice_token, direct.slug)) == (0, [])  # nobody's, on a page opened now

    await admin_page.call(AdminState, "choose_read_receipts", on=True)
    await admin_page.wait_for(lambda: admin_page.var(AdminState, "read_receipts_on") is True)
    assert seen(await room_tab(open_tab, alice_token, direct.slug)) == (second.seq, [bob.username])
    third = db.call(messages.post_message, direct.id, alice.id, "three")
    await reader.call(RoomState, "mark_read", seq=third.seq)
    await author.wait_for(lambda: seen(author) == (third.seq, [bob.username]))
    assert heard_receipts(author) == [[bob.username], [bob.username]]  # the read while off sent nothing
