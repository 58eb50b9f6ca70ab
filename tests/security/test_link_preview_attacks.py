"""Link previews attacked over a real socket, with the app's own settings (no network allowed besides global ones):
links into the server's own network, by address, by name and through a redirect, are never fetched and get no card;
forged or odd removals change nothing."""

import asyncio

from sqlmodel import col, select

from bench.pages import serving
from djangochat_rx import db, settings
from djangochat_rx.domain import link_previews, messages
from djangochat_rx.models import LinkPreview
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique


def _kept(urls: list[str]) -> dict[str, bool]:
    def read(session) -> dict[str, bool]:
        found = dict(session.exec(select(LinkPreview.url, LinkPreview.ok).where(col(LinkPreview.url).in_(urls))).all())
        session.rollback()
        return found

    return db.call(read)


async def test_links_into_the_servers_own_network_are_never_fetched_and_get_no_card(
    open_tab, make_user, room, monkeypatch
):
    with serving() as site:
        # The port is allowed, so only the address rules stand between the link and the site.
        monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_PORTS", [80, 443, site.port])
        monkeypatch.setattr(settings, "LINK_PREVIEWS_PER_MESSAGE", 5)
        _, token = make_user()
        tab = await room_tab(open_tab, token, room.slug)
        tag = unique("t")
        links = [
            f"http://127.0.0.1:{site.port}/og?{tag}",
            f"http://localhost:{site.port}/og?{tag}",
            f"http://[::1]:{site.port}/og?{tag}",
            f"http://[::ffff:127.0.0.1]:{site.port}/og?{tag}",
            f"http://169.254.169.254/latest/meta-data/?{tag}",
        ]
        await tab.call(RoomState, "send", form={"message": " ".join(links), "client_id": unique("c")})
        await tab.wait_for(lambda: len(tab.texts()) == 1)
        [sent] = db.call(messages.newest_messages, room.id)
        wanted = link_previews.wanted(sent.html)  # Markdown makes no link of a bracketed IPv6 address
        assert wanted[:2] == links[:2] and links[-1] in wanted
        for _ in range(100):  # each link's job ends by keeping a failed card
            if len(_kept(wanted)) == len(wanted):
                break
            await asyncio.sleep(0.05)
        assert _kept(wanted) == dict.fromkeys(wanted, False)
        assert site.requests == []
        assert db.call(messages.message_view, sent.id).previews == () and "previews" not in tab.feed()[0]


async def test_forged_and_odd_removals_change_nothing(open_tab, make_user, room):
    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    for message_id, url in ((10**9, "https://example.com/"), (-1, "x" * 10_000), ("1", "https://example.com/")):
        await tab.call(RoomState, "remove_preview", message_id=message_id, url=url)
    await tab.call(RoomState, "remove_preview", message_id=10**9, url=["not", "a", "url"])
    await tab.wait_for(lambda: tab.var(RoomState, "error") == "Message not found.")
    assert tab.var(RoomState, "status") == "ready"
