"""Link previews: which links get a card, what a page's card says, the guard every fetch goes through (against a
real web site on 127.0.0.1: loopback, private targets, redirects into them, names resolving to them, rebinding,
bytes, time, redirects, types, ports and schemes), and the cards kept per URL for LINK_PREVIEW_TTL_SECONDS."""

import asyncio
import ipaddress
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from bench.pages import serving
from djangochat_rx import db, settings
from djangochat_rx.actions import previews as preview_actions
from djangochat_rx.domain import accounts, link_previews, markup, messages, rooms
from djangochat_rx.infra import fetch, storage
from djangochat_rx.models import LinkPreview, utcnow
from djangochat_rx.notify import previews


@pytest.fixture(scope="module")
def site():
    with serving() as running:
        yield running


@pytest.fixture
def allowed(monkeypatch, site):
    """The tests' own site allowed: its address (127.0.0.1/32 only) and its port."""
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_NETWORKS", ["127.0.0.1/32"])
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_PORTS", [80, 443, site.port])
    return site


@pytest.fixture
def names(monkeypatch):
    """A resolver of our own: name -> the answers it gives, one list per call (the last one repeated); the calls."""
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []

    async def resolve(host: str, port: int):
        calls.append(host)
        given = answers[host]
        found = given.pop(0) if len(given) > 1 else given[0]
        return [ipaddress.ip_address(address) for address in found]

    monkeypatch.setattr(fetch, "resolve", resolve)
    return answers, calls


# --- which links ------------------------------------------------------------------------------------------------


def test_the_first_links_of_the_rendered_message_get_cards_never_those_in_code(monkeypatch):
    html = markup.render(
        "see `http://code.example` and https://a.example/x#top, https://a.example/x again,\n"
        "```\nhttp://block.example\n```\nhttp://b.example, c.example.com and [d](https://d.example/?q=1&r=2)",
        frozenset(),
    )
    assert link_previews.wanted(html) == ["https://a.example/x", "http://b.example/"]
    monkeypatch.setattr(settings, "LINK_PREVIEWS_PER_MESSAGE", 9)
    assert link_previews.wanted(html) == [
        "https://a.example/x",
        "http://b.example/",
        "http://c.example.com/",
        "https://d.example/?q=1&r=2",
    ]
    assert link_previews.wanted(markup.render("no links here. none.", frozenset())) == []
    assert link_previews.wanted(markup.render("mail me: mailto:a@b.example", frozenset())) == []


@pytest.mark.parametrize(
    ("href", "kept_as"),
    [
        ("HTTPS://Example.COM:443/a#b", "https://example.com/a"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x?y", "http://example.com:8080/x?y"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://[2001:db8::1]:80/", "http://[2001:db8::1]/"),
        ("http://user:secret@example.com/", None),
        ("http://user@example.com/", None),
        ("ftp://example.com/", None),
        ("javascript:alert(1)", None),
        ("http:///nohost", None),
        ("http://example.com:99999/", None),
        ("http://example.com/" + "x" * 2100, None),
    ],
)
def test_a_link_is_kept_under_its_normal_form_and_odd_ones_get_no_card(href, kept_as):
    assert link_previews.normalise(href) == kept_as


def test_the_off_switch_and_the_domain_allow_list(monkeypatch):
    html = markup.render(
        "https://docs.example.com/a https://example.com.evil.net/ https://notexample.com/ https://example.com/",
        frozenset(),
    )
    monkeypatch.setattr(settings, "LINK_PREVIEWS_PER_MESSAGE", 9)
    monkeypatch.setattr(settings, "LINK_PREVIEW_DOMAINS", ["example.com"])
    assert link_previews.wanted(html) == ["https://docs.example.com/a", "https://example.com/"]
    monkeypatch.setattr(settings, "LINK_PREVIEW_DOMAINS", [])
    assert len(link_previews.wanted(html)) == 4
    monkeypatch.setattr(settings, "LINK_PREVIEWS", False)
    assert link_previews.wanted(html) == []


# --- what a page says ---------------------------------------------------------------------------------------------


def test_a_pages_card_comes_from_its_opengraph_tags_then_its_title():
    page = (
        b"<html><head><title>Plain</title><meta property='og:site_name' content='Plans &amp; Co'>"
        b"<meta property='og:title' content='The &lt;b&gt;plan&lt;/b&gt;'>"
        b"<meta name='description' content='Everything\xe2\x80\x8b about\n\n it.'>"
        b"<meta property='og:image' content='/pics/a.png'></head><body><meta property='og:title' content='late'>"
    )
    found = link_previews.read_page(page, "", "https://www.example.com/post")
    assert found == link_previews.Page(
        "Plans & Co", "The <b>plan</b>", "Everything about it.", "https://www.example.com/pics/a.png"
    )
    plain = link_previews.read_page(b"<title> Just\n a title </title>", "", "https://www.example.com/")
    assert plain == link_previews.Page("example.com", "Just a title", "", "")
    assert link_previews.read_page(b"<html><body>no title</body></html>", "", "https://example.com/") is None
    latin = "<meta charset='iso-8859-1'><title>Caf\xe9</title>".encode("latin-1")
    assert link_previews.read_page(latin, "", "https://example.com/").title == "Café"
    long = f"<title>{'word ' * 100}</title>".encode()
    assert len(link_previews.read_page(long, "", "https://example.com/").title) == link_previews.TITLE_CHARS


# --- the guard ----------------------------------------------------------------------------------------------------

FORBIDDEN = [
    "127.0.0.1",
    "127.9.9.9",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "0.0.0.0",
    "::",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "ff0e::1",
    "100.64.0.1",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "2001:db8::1",
    "198.18.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
]
GLOBAL = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1111", "2a00:1450:4001:80b::200e", "2002:808:808::"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_every_address_that_is_not_global_is_forbidden(address):
    assert fetch.address_forbidden(ipaddress.ip_address(address))
    assert not fetch.address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_are_allowed(address):
    assert fetch.address_allowed(ipaddress.ip_address(address))


def test_an_allowed_network_opens_only_itself(monkeypatch):
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_NETWORKS", ["127.0.0.1/32"])
    assert fetch.address_allowed(ipaddress.ip_address("127.0.0.1"))
    for other in ("127.0.0.2", "::1", "10.0.0.1", "::ffff:127.0.0.2"):
        assert not fetch.address_allowed(ipaddress.ip_address(other))


async def _refused(url: str, accept=previews.PAGE_TYPES, max_bytes: int = 512 * 1024) -> str:
    with pytest.raises(fetch.Refused) as refused:
        await fetch.fetch(url, accept, max_bytes)
    return str(refused.value)


async def test_loopback_is_refused_unless_allowed_and_then_the_page_is_fetched(monkeypatch, site):
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_PORTS", [80, 443, site.port])
    before = site.hits("/og")
    assert "forbidden address" in await _refused(f"{site.url}/og")
    assert "forbidden address" in await _refused(f"http://[::1]:{site.port}/og")
    assert "forbidden address" in await _refused(f"http://localhost:{site.port}/og")
    assert site.hits("/og") == before
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_NETWORKS", ["127.0.0.1/32"])
    got = await fetch.fetch(f"{site.url}/og", previews.PAGE_TYPES, 512 * 1024)
    assert (got.url, got.content_type, got.charset) == (f"{site.url}/og", "text/html", "utf-8")
    assert b'og:title" content="The &lt;b&gt;plan' in got.body
    assert site.requests[-1] == ("/og", f"127.0.0.1:{site.port}")


async def test_a_redirect_into_a_forbidden_address_is_refused_though_the_first_hop_is_allowed(allowed, names):
    answers, _ = names
    answers["internal.test"] = [["10.0.0.5"]]
    before = allowed.hits("/og")
    targets = [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{allowed.port}/og",
        f"http://127.0.0.2:{allowed.port}/og",
        f"http://internal.test:{allowed.port}/og",
        "http://[::ffff:127.0.0.1]/og",
    ]
    for target in targets:
        assert "forbidden address" in await _refused(f"{allowed.url}/redirect?to={target}"), target
    assert "port 22 is not allowed" in await _refused(f"{allowed.url}/redirect?to=http://127.0.0.1:22/")
    assert "not http or https" in await _refused(f"{allowed.url}/redirect?to=file:///etc/passwd")
    assert allowed.hits("/og") == before
    followed = await fetch.fetch(f"{allowed.url}/redirect?to=/og", previews.PAGE_TYPES, 512 * 1024)
    assert followed.url == f"{allowed.url}/og"


async def test_a_name_is_refused_when_any_address_it_resolves_to_is_forbidden(allowed, names):
    answers, _ = names
    answers["mixed.test"] = [["127.0.0.1", "10.0.0.1"]]
    before = allowed.hits("/og")
    assert "forbidden address (10.0.0.1)" in await _refused(f"http://mixed.test:{allowed.port}/og")
    assert allowed.hits("/og") == before


async def test_dns_rebinding_cannot_move_the_connection_the_vetted_address_is_the_one_used(allowed, names):
    """The name answers an allowed address, then a forbidden one: it is resolved once per hop and the connection
    goes to the address vetted (the system's resolver, which knows no such name, is never asked)."""
    answers, calls = names
    answers["rebind.test"] = [["127.0.0.1"], ["10.0.0.1"]]
    got = await fetch.fetch(f"http://rebind.test:{allowed.port}/og", previews.PAGE_TYPES, 512 * 1024)
    assert got.url == f"http://rebind.test:{allowed.port}/og" and b"og:title" in got.body
    assert calls == ["rebind.test"]
    assert allowed.requests[-1] == ("/og", f"rebind.test:{allowed.port}")  # the name rides in the Host header
    assert "forbidden address" in await _refused(f"http://rebind.test:{allowed.port}/og")  # its next answer


async def test_bytes_time_redirects_and_types_are_bounded(allowed, monkeypatch):
    assert "over 524288 bytes" in await _refused(f"{allowed.url}/huge")
    started = time.monotonic()
    assert "over 524288 bytes" in await _refused(f"{allowed.url}/bomb")  # 50 MB once inflated: stopped at the limit
    assert time.monotonic() - started < 2
    loops = allowed.hits("/loop")
    assert "more than 3 redirects" in await _refused(f"{allowed.url}/loop")
    assert allowed.hits("/loop") == loops + 4
    assert "application/json" in await _refused(f"{allowed.url}/json")
    assert "image/png" in await _refused(f"{allowed.url}/img.png")
    assert "text/html" in await _refused(f"{allowed.url}/og", accept=previews.IMAGE_TYPES)
    assert "answered 404" in await _refused(f"{allowed.url}/missing")
    monkeypatch.setattr(settings, "LINK_PREVIEW_TIMEOUT_SECONDS", 1.0)
    started = time.monotonic()
    assert "took over 1.0 s" in await _refused(f"{allowed.url}/slow")
    assert time.monotonic() - started < 2


async def test_odd_ports_schemes_and_userinfo_are_refused_before_any_connection(allowed):
    before = allowed.hits("/og")
    assert "port 22 is not allowed" in await _refused("http://127.0.0.1:22/")
    assert "port 8080 is not allowed" in await _refused("https://example.com:8080/")
    for url in ("ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:70/", "data:text/html,hi"):
        assert "not http or https" in await _refused(url)
    assert "a user or password" in await _refused(f"http://me:pw@127.0.0.1:{allowed.port}/og")
    assert allowed.hits("/og") == before


# --- the job: fetched once, kept, fetched again after its time ---------------------------------------------------


def _person() -> accounts.UserView:
    return db.call(accounts.register, f"lp{uuid.uuid4().hex[:8]}", "password123", "password123")


async def test_a_card_is_fetched_once_kept_for_its_time_then_fetched_again(allowed):
    author = _person()
    room = db.call(rooms.create_room, f"Links {uuid.uuid4().hex[:6]}", "", author.id)
    url = f"{allowed.url}/counted?{uuid.uuid4().hex}"
    first = db.call(messages.post_message, room.id, author.id, f"look {url}")
    shown = await previews.preview_message(first.id, link_previews.wanted(first.html))
    [card] = shown.previews
    assert (card.url, card.site, card.title) == (url, "Plans & Co", "The <b>plan</b>")
    assert card.description == "Everything about the plan, in full."
    assert card.image_url.startswith(f"/_files/previews/{first.id}/") and (card.image_width, card.image_height) == (
        40,
        30,
    )
    key = card.image_url.rsplit("/", 1)[1]
    assert storage.default().size(key, link_previews.IMAGE_VARIANT) > 0
    assert allowed.hits("/counted") == 1 and allowed.hits("/img.png") >= 1
    assert db.call(messages.message_view, first.id).previews == (card,)

    second = db.call(messages.post_message, room.id, author.id, f"again {url}")
    assert (await previews.preview_message(second.id, [url])).previews[0].title == card.title
    assert allowed.hits("/counted") == 1  # kept: not fetched again

    def age(session) -> None:
        old = utcnow() - timedelta(seconds=settings.LINK_PREVIEW_TTL_SECONDS + 1)
        session.execute(update(LinkPreview).where(LinkPreview.url == url).values(fetched_at=old))
        session.commit()

    db.call(age)
    third = db.call(messages.post_message, room.id, author.id, f"and {url}")
    await previews.preview_message(third.id, [url])
    assert allowed.hits("/counted") == 2  # its time was up
    assert storage.default().size(key, link_previews.IMAGE_VARIANT) is None  # the old picture went


async def test_a_failed_page_shows_no_card_and_is_not_fetched_again_for_a_while(allowed):
    author = _person()
    room = db.call(rooms.create_room, f"Links {uuid.uuid4().hex[:6]}", "", author.id)
    url = f"{allowed.url}/no-title"
    message = db.call(messages.post_message, room.id, author.id, f"look {url} and {allowed.url}/json")
    assert await previews.preview_message(message.id, link_previews.wanted(message.html)) is None
    hits = allowed.hits("/no-title")
    await previews.preview_message(message.id, [url])
    assert allowed.hits("/no-title") == hits


async def test_a_message_edited_meanwhile_keeps_only_the_cards_of_its_links(allowed):
    author = _person()
    room = db.call(rooms.create_room, f"Links {uuid.uuid4().hex[:6]}", "", author.id)
    first, second = f"{allowed.url}/og?{uuid.uuid4().hex}", f"{allowed.url}/title-only"
    message = db.call(messages.post_message, room.id, author.id, f"{first} {second}")
    shown = await previews.preview_message(message.id, link_previews.wanted(message.html))
    assert [card.title for card in shown.previews] == ["The <b>plan</b>", "Just a title"]
    edited = db.call(messages.edit_message, message.id, author.id, f"only {second}")
    assert [card.url for card in edited.previews] == [second]  # at once, before any job
    again = await previews.preview_message(message.id, [second])
    assert [card.url for card in again.previews] == [second]


async def test_the_job_starts_after_the_commit_and_a_flood_is_dropped_past_the_queue(allowed, monkeypatch):
    author = _person()
    room = db.call(rooms.create_room, f"Links {uuid.uuid4().hex[:6]}", "", author.id)
    from djangochat_rx.actions import messages as message_actions
    from djangochat_rx.actions import perform

    url = f"{allowed.url}/og?{uuid.uuid4().hex}"
    sent = await perform(message_actions.send_message, author.id, room.id, f"see {url}")
    assert sent.previews == ()  # the send path fetched nothing
    for _ in range(100):
        if db.call(messages.message_view, sent.id).previews:
            break
        await asyncio.sleep(0.05)
    assert db.call(messages.message_view, sent.id).previews[0].url == url
    monkeypatch.setattr(settings, "LINK_PREVIEW_QUEUE_MAX", 0)
    monkeypatch.setattr(previews, "_admitted", settings.LINK_PREVIEW_CONCURRENCY)
    dropped = await perform(message_actions.send_message, author.id, room.id, f"see {allowed.url}/og?dropped")
    await asyncio.sleep(0.3)
    assert db.call(messages.message_view, dropped.id).previews == ()
    assert allowed.hits("/og") >= 1 and not any("dropped" in path for path, _ in allowed.requests)


def test_attach_keeps_a_removed_card_removed(session, alice, general):
    message = messages.post_message(session, general.id, alice.id, "https://example.com/a")
    card = link_previews.Card("https://example.com/a", True, "https://example.com/a", "Example", "A")
    assert preview_actions.attach_previews(session, message.id, (card,)).value.previews[0].title == "A"
    assert link_previews.remove(session, alice.id, message.id, "https://example.com/a")
    assert preview_actions.attach_previews(session, message.id, (card,)).events == []
    assert messages.message_view(session, message.id).previews == ()


def test_the_sweep_removes_cards_past_their_time_that_no_message_shows_with_their_pictures(
    session, alice, general, tmp_path
):
    into = storage.LocalStorage(tmp_path / "uploads")
    key = storage.new_key()
    picture = tmp_path / "picture"
    picture.write_bytes(b"png")
    into.put(key, link_previews.IMAGE_VARIANT, picture)
    url = "https://example.com/secret"
    message = messages.post_message(session, general.id, alice.id, url)
    card = link_previews.Card(url, True, url, "Example", "Secret", image_key=key, image_width=4, image_height=3)
    link_previews.attach(session, message.id, [url], [card])
    later = utcnow() + timedelta(seconds=settings.LINK_PREVIEW_TTL_SECONDS + 1)
    assert link_previews.sweep(session, utcnow(), into) == 0  # its time is not up
    assert link_previews.sweep(session, later, into) == 0  # a message shows it
    messages.delete_message(session, message.id, alice.id)
    assert link_previews.sweep(session, later, into) == 1
    assert link_previews.fresh(session, [url], later - timedelta(days=365)) == {}
    assert into.size(key, link_previews.IMAGE_VARIANT) is None
