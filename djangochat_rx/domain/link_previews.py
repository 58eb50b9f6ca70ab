"""Link previews: which links of a message get a card, what a fetched page's card says, the cards kept per URL
(LINK_PREVIEW_TTL_SECONDS), the cards of each message, and its author taking one away.

The first LINK_PREVIEWS_PER_MESSAGE http(s) links of a message's rendered Markdown get one (a link in code is
not a link there), when previews are on and the site is on LINK_PREVIEW_DOMAINS (empty: any site). The fetching
is notify/previews.py's, after the commit (infra/fetch.py guards it); the cards it makes are kept here, the
message's links bound to them by actions/previews.py. A card's picture is re-encoded by us and served by us at
`image_path`, to those who may read the message's room: a private room's card reaches nobody else.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.infra import storage
from djangochat_rx.models import LinkPreview, Message, MessagePreview, as_utc, utcnow

# The storage variant a card's picture is kept under (the re-encoded thumbnail, THUMBNAIL_BOX at most).
IMAGE_VARIANT = "thumb"
URL_MAX_CHARS = 2048
SITE_CHARS, TITLE_CHARS, DESCRIPTION_CHARS = 100, 200, 300


class PreviewRefused(Exception):
    """A card that cannot be taken away by this person; the text is safe to show."""


@dataclass(frozen=True)
class PreviewView:
    """A link's card as a message shows it: the link (as posted, normalised), the site's name, the page's title
    and description, and its picture's path on our server with its size ("" and 0: none)."""

    url: str
    site: str
    title: str
    description: str = ""
    image_url: str = ""
    image_width: int = 0
    image_height: int = 0


@dataclass(frozen=True)
class Card:
    """What a fetch made of a URL: `ok` false when it failed or found no title (then nothing shows, and it is not
    fetched again until its time is up). `image_key` names the re-encoded picture in storage."""

    url: str
    ok: bool
    final_url: str = ""
    site: str = ""
    title: str = ""
    description: str = ""
    image_key: str | None = None
    image_width: int = 0
    image_height: int = 0


def image_path(message_id: int, key: str) -> str:
    """Where a card's picture is fetched from, for a message (the route checks that the viewer may read it)."""
    return f"/_files/previews/{message_id}/{key}"


# --- which links ------------------------------------------------------------------------------------------


def normalise(href: str) -> str | None:
    """A link as its card is kept under: scheme and host in lowercase (the host in IDNA), the default port and the
    fragment dropped, "/" for an empty path; None when it is not an http(s) URL with a host, carries a user or
    password, or is longer than URL_MAX_CHARS."""
    try:
        parts = urlsplit(href.strip())
        port = parts.port
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    named = f"[{host}]" if ":" in host else host
    netloc = named if port in (None, {"http": 80, "https": 443}[scheme]) else f"{named}:{port}"
    url = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return url if len(url) <= URL_MAX_CHARS else None


def domain_allowed(host: str) -> bool:
    """Whether previews may fetch from `host`: any, with LINK_PREVIEW_DOMAINS empty; else one of them or a
    subdomain of one."""
    host = host.lower().rstrip(".")
    domains = settings.LINK_PREVIEW_DOMAINS
    return not domains or any(host == domain or host.endswith("." + domain) for domain in domains)


class _Links(HTMLParser):
    """The href of every <a> of a rendered message, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def may_have_links(html: str) -> bool:
    """A cheap first look: could this rendered message hold a link that gets a card."""
    return 'href="http' in html


def wanted(html: str) -> list[str]:
    """The links of a rendered message that get a card: its first LINK_PREVIEWS_PER_MESSAGE distinct http(s)
    links (normalised) on allowed sites; none when previews are off."""
    if not settings.LINK_PREVIEWS or not may_have_links(html):
        return []
    parser = _Links()
    parser.feed(html)
    parser.close()
    found: list[str] = []
    for href in parser.hrefs:
        url = normalise(href)
        if url and url not in found and domain_allowed(urlsplit(url).hostname or ""):
            found.append(url)
            if len(found) == settings.LINK_PREVIEWS_PER_MESSAGE:
                break
    return found


# --- what a page says --------------------------------------------------------------------------------------


class _HeadEnded(Exception):
    pass


class _Head(HTMLParser):
    """A page's <title> and <meta> (OpenGraph, Twitter, description, charset), read until its <body> starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.charset = ""
        self._in_title = self._titled = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            if found.get("charset"):
                self.charset = found["charset"].strip().lower()
            elif found.get("http-equiv", "").lower() == "content-type" and "charset=" in found.get("content", ""):
                self.charset = found["content"].split("charset=", 1)[1].strip().strip("\"'").lower()
            key = (found.get("property") or found.get("name") or "").strip().lower()
            if key and "content" in found:
                self.meta.setdefault(key, found["content"])
        elif tag == "title" and not self._titled:
            self._in_title = True
        elif tag == "body":
            raise _HeadEnded

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._titled = False, True
        elif tag == "head":
            raise _HeadEnded

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def _read_head(text: str) -> _Head:
    head = _Head()
    try:
        head.feed(text)
        head.close()
    except _HeadEnded:
        pass
    return head


def _decoded(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return None


def _clean(text: str, limit: int) -> str:
    """One line of shown text: hidden characters removed, spaces collapsed, at most `limit` characters."""
    line = " ".join(without_hidden(text, allowed="").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Page:
    """What a page says of itself: site, title, description, and its picture's absolute URL ("" when none)."""

    site: str
    title: str
    description: str
    image_url: str


def read_page(body: bytes, charset: str, url: str) -> Page | None:
    """The card a page's HTML (`body`, in `charset` or as its <meta> says, else UTF-8) makes, fetched from `url`:
    OpenGraph first, then Twitter's tags, <title> and <meta name=description>; the site's name defaults to the
    host. None when it has no title."""
    text = _decoded(body, charset) or _decoded(body, "utf-8")
    head = _read_head(text)
    if not charset and head.charset and head.charset not in ("utf-8", "utf8") and _decoded(body, head.charset):
        head = _read_head(_decoded(body, head.charset))
    meta = head.meta

    def first(*keys: str) -> str:
        return next((meta[key] for key in keys if meta.get(key, "").strip()), "")

    title = _clean(first("og:title", "twitter:title") or "".join(head.title), TITLE_CHARS)
    if not title:
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    site = _clean(first("og:site_name", "application-name") or host, SITE_CHARS)
    description = _clean(first("og:description", "twitter:description", "description"), DESCRIPTION_CHARS)
    image = first("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src").strip()
    image_url = normalise(urljoin(url, image)) if image else None
    return Page(site, title, description, image_url or "")


# --- the cards kept ------------------------------------------------------------------------------------------


def _card(row: LinkPreview) -> Card:
    return Card(
        row.url,
        row.ok,
        row.final_url,
        row.site,
        row.title,
        row.description,
        row.image_key,
        row.image_width,
        row.image_height,
    )


def fresh(db: Session, urls: Iterable[str], now: datetime | None = None) -> dict[str, Card]:
    """The cards of these URLs fetched within LINK_PREVIEW_TTL_SECONDS (those a message may use without a fetch)."""
    urls = list(urls)
    if not urls:
        return {}
    since = (now or utcnow()) - timedelta(seconds=settings.LINK_PREVIEW_TTL_SECONDS)
    rows = db.exec(select(LinkPreview).where(col(LinkPreview.url).in_(urls))).all()
    db.rollback()
    return {row.url: _card(row) for row in rows if as_utc(row.fetched_at) >= since}


def _remember(db: Session, cards: Iterable[Card], now: datetime) -> list[str]:
    """Keep these cards (in the caller's write transaction), each in place of its URL's earlier one; the storage
    keys of pictures no card names any more (for `forget_images` after the commit)."""
    gone: list[str] = []
    for card in cards:
        row = db.exec(select(LinkPreview).where(LinkPreview.url == card.url)).first() or LinkPreview(url=card.url)
        if row.image_key and row.image_key != card.image_key:
            gone.append(row.image_key)
        row.fetched_at, row.ok, row.final_url = now, card.ok, card.final_url[:URL_MAX_CHARS]
        row.site, row.title, row.description = card.site, card.title, card.description
        row.image_key, row.image_width, row.image_height = card.image_key, card.image_width, card.image_height
        db.add(row)
        db.flush()
    return gone


def attach(
    db: Session, message_id: int, urls: list[str], fetched: Iterable[Card], now: datetime | None = None
) -> tuple[bool, list[str]]:
    """Keep the `fetched` cards, and bind the message's links to theirs: its links become `urls` (its wanted ones,
    in order), those with a card kept, a removed one staying removed. (Whether what the message shows changed, the
    storage keys of pictures no card names any more.) A deleted or missing message binds nothing."""
    now = now or utcnow()
    database.begin_write(db)
    gone = _remember(db, fetched, now)
    message = db.exec(select(Message.id, Message.body, Message.deleted_at).where(Message.id == message_id)).first()
    if message is None or message.deleted_at is not None:
        db.commit()
        return False, gone
    before = _shown(db, [message_id]).get(message_id, ())
    known = set(db.exec(select(LinkPreview.url).where(col(LinkPreview.url).in_(urls))).all()) if urls else set()
    kept = {row.url: row for row in db.exec(select(MessagePreview).where(MessagePreview.message_id == message_id))}
    for url, row in kept.items():
        if url not in urls:
            db.delete(row)
    for position, url in enumerate(url for url in urls if url in known):
        row = kept.get(url) or MessagePreview(message_id=message_id, url=url, position=position)
        row.position = position
        db.add(row)
    db.flush()
    after = _shown(db, [message_id]).get(message_id, ())
    db.commit()
    return before != after, gone


def forget_images(keys: Iterable[str], into: storage.Storage | None = None) -> None:
    """After the commit that let them go: delete these pictures' bytes."""
    into = into or storage.default()
    for key in keys:
        into.delete(key)


def _shown(db: Session, message_ids: list[int]) -> dict[int, tuple[PreviewView, ...]]:
    """By message id, the cards it shows: its links' kept cards that are ok and not removed, in order."""
    rows = db.exec(
        select(MessagePreview.message_id, LinkPreview)
        .join(LinkPreview, col(LinkPreview.url) == MessagePreview.url)
        .where(col(MessagePreview.message_id).in_(message_ids), ~col(MessagePreview.removed), col(LinkPreview.ok))
        .order_by(col(MessagePreview.message_id), col(MessagePreview.position))
    ).all()
    found: dict[int, list[PreviewView]] = {}
    for message_id, card in rows:
        image = image_path(message_id, card.image_key) if card.image_key else ""
        width, height = (card.image_width, card.image_height) if image else (0, 0)
        shown = PreviewView(card.url, card.site, card.title, card.description, image, width, height)
        found.setdefault(message_id, []).append(shown)
    return {message_id: tuple(cards) for message_id, cards in found.items()}


def cards_of(db: Session, htmls: Mapping[int, str]) -> dict[int, tuple[PreviewView, ...]]:
    """By message id, the cards each of these messages (id -> its rendered HTML) shows, in one query (none when
    previews are off or none links anywhere): those of links it still has (an edit may have taken one away)."""
    linked = {message_id: html for message_id, html in htmls.items() if may_have_links(html)}
    if not settings.LINK_PREVIEWS or not linked:
        return {}
    found = {}
    for message_id, cards in _shown(db, list(linked)).items():
        links = set(wanted(linked[message_id]))
        if still := tuple(card for card in cards if card.url in links):
            found[message_id] = still
    return found


def remove(db: Session, user_id: int, message_id: int, url: str) -> bool:
    """The author takes the card of link `url` off their message (for good: a later fetch never brings it back);
    False when it showed none. PreviewRefused for a message they may not read (like a missing one) or did not
    write."""
    database.begin_write(db)
    message = db.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or message.deleted_at is not None or not access.can_read_id(db, user_id, message.room_id):
        db.rollback()
        raise PreviewRefused("Message not found.")
    if message.author_id != user_id:
        db.rollback()
        raise PreviewRefused("Only its author can remove a message's preview.")
    removed = db.execute(
        update(MessagePreview)
        .where(
            col(MessagePreview.message_id) == message_id, col(MessagePreview.url) == url, ~col(MessagePreview.removed)
        )
        .values(removed=True)
    ).rowcount
    db.commit()
    return bool(removed)


def image_readable(db: Session, user_id: int, message_id: int, key: str) -> bool:
    """Whether `user_id` may fetch picture `key` of a card that message `message_id` shows: the message is there,
    its room readable to them, the card not removed. A private room's picture answers an outsider like a made-up
    one."""
    found = db.exec(
        select(Message.room_id)
        .join(MessagePreview, col(MessagePreview.message_id) == Message.id)
        .join(LinkPreview, col(LinkPreview.url) == MessagePreview.url)
        .where(
            Message.id == message_id,
            col(Message.deleted_at).is_(None),
            ~col(MessagePreview.removed),
            col(LinkPreview.ok),
            LinkPreview.image_key == key,
        )
    ).first()
    readable = settings.LINK_PREVIEWS and found is not None and access.can_read_id(db, user_id, found)
    db.rollback()
    return readable


def sweep(db: Session, now: datetime | None = None, into: storage.Storage | None = None, batch: int = 500) -> int:
    """Remove the cards whose time is up and that no message shows any more (its messages deleted or purged), with
    their pictures: a private room's secret link is not kept past its messages (attachments.sweep runs it). How
    many went."""
    since = (now or utcnow()) - timedelta(seconds=settings.LINK_PREVIEW_TTL_SECONDS)
    shown = (
        select(MessagePreview.url)
        .join(Message, col(Message.id) == MessagePreview.message_id)
        .where(MessagePreview.url == LinkPreview.url, col(Message.deleted_at).is_(None))
        .exists()
    )
    database.begin_write(db)
    gone = db.exec(
        select(LinkPreview.id, LinkPreview.image_key).where(col(LinkPreview.fetched_at) < since, ~shown).limit(batch)
    ).all()
    if gone:
        db.execute(delete(LinkPreview).where(col(LinkPreview.id).in_([row_id for row_id, _ in gone])))
    db.commit()
    forget_images((key for _, key in gone if key), into)
    return len(gone)
