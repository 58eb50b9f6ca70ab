"""The search page over real websockets: every search runs as the user the session belongs to at that
moment, so an outsider never finds what is said in a private room or a direct conversation."""

from djangochat_rx import db, routes
from djangochat_rx.domain import members, messages, rooms, sessions
from djangochat_rx.state.search import SearchState
from tests.state.conftest import unique


async def searched(open_tab, token: str | None, query: str):
    """A tab that opened the search page for `query`, once its results (or its refusal) arrived."""
    tab = await open_tab(f"/search?q={query}", token=token)
    await tab.wait_for(lambda: tab.var(SearchState, "searched") or tab.var(SearchState, "error") or tab.redirects)
    return tab


def found(tab) -> list[int]:
    return [hit["message_id"] for hit in tab.var(SearchState, "hits")]


async def test_an_outsider_cannot_search_a_private_room_or_a_dm_they_are_not_in(open_tab, make_user, room):
    owner, _ = make_user()
    member, member_token = make_user()
    _, outsider_token = make_user()
    secret = db.call(rooms.create_room, unique("Secret "), "", owner.id, True)
    db.call(members.invite, owner.id, secret.id, member.username)
    direct = db.call(members.open_direct, owner.id, [member.username])
    word = unique("launch")
    in_public = db.call(messages.post_message, room.id, owner.id, f"{word} in public")
    in_secret = db.call(messages.post_message, secret.id, owner.id, f"{word} in private")
    in_direct = db.call(messages.post_message, direct.id, member.id, f"{word} between us")

    outsider = await searched(open_tab, outsider_token, word)
    assert found(outsider) == [in_public.id]
    for slug in (secret.slug, direct.slug):
        outsider = await searched(open_tab, outsider_token, f"{word} in:{slug}")
        assert outsider.var(SearchState, "searched") and found(outsider) == []

    tab = await searched(open_tab, member_token, word)
    assert sorted(found(tab)) == sorted([in_public.id, in_secret.id, in_direct.id])
    hrefs = {hit["message_id"]: hit["href"] for hit in tab.var(SearchState, "hits")}
    assert (
        hrefs[in_secret.id]
        == routes.message(secret.slug, in_secret.id)
        == f"/rooms/{secret.slug}?message={in_secret.id}"
    )

    db.call(members.remove, owner.id, secret.id, member.username)
    await tab.navigate(f"/search?q={word}+{word}")  # the same search, asked again after the removal
    await tab.wait_for(lambda: tab.var(SearchState, "query") == f"{word} {word}")
    assert sorted(found(tab)) == sorted([in_public.id, in_direct.id])


async def test_a_search_after_the_session_ended_goes_to_login_and_finds_nothing(open_tab, make_user, room):
    user, token = make_user()
    word = unique("gone")
    db.call(messages.post_message, room.id, user.id, word)
    tab = await searched(open_tab, token, word)
    assert len(found(tab)) == 1
    db.call(sessions.revoke, token)
    await tab.navigate(f"/search?q={word}")
    await tab.wait_for(lambda: tab.redirects)
    assert tab.redirects == [routes.LOGIN] and found(tab) == []
    anonymous = await searched(open_tab, None, word)
    assert anonymous.redirects == [routes.LOGIN] and found(anonymous) == []


async def test_the_box_goes_to_the_search_page_and_bad_input_says_why(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    await tab.call(SearchState, "submit", form={"q": '  "brown fox" from:me  '})
    await tab.wait_for(lambda: tab.redirects)
    assert tab.redirects == ["/search?q=%22brown+fox%22+from%3Ame"]
    refused = await searched(open_tab, token, "*")
    assert "Type a word" in refused.var(SearchState, "error") and not refused.var(SearchState, "searched")
    nothing = await searched(open_tab, token, unique("nowhere"))
    assert nothing.var(SearchState, "searched") and found(nothing) == []
