"""Link previews, after the commit: a sent, replied or edited message whose links want cards (link_previews.py)
starts a job in the background, never on the send path. At most LINK_PREVIEW_CONCURRENCY jobs run at once on this
worker and LINK_PREVIEW_QUEUE_MAX more wait; past that a message gets no card. A job takes each link's card kept
within LINK_PREVIEW_TTL_SECONDS, or fetches it through the guard (infra/fetch.py: only global addresses, bounded in
time, bytes, redirects and types); a card's picture is fetched the same way, re-encoded on the image threads
(images.py) and kept in storage, to be served by us. Then actions.previews.attach_previews binds them and the room
sees the message with its cards (PreviewsChanged).

What a fetch tells the site, for a private room's message too: the URL, the server's address and our User-Agent;
nothing of the room or of who posted it (docs/security.md, "Link previews")."""

import asyncio
import logging
import tempfile
import weakref
from pathlib import Path
from typing import Any

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import perform
from djangochat_rx.actions import previews as preview_actions
from djangochat_rx.domain import attachments, images, link_previews
from djangochat_rx.domain.events import MessageChanged, MessageSent, ThreadReplied
from djangochat_rx.domain.link_previews import Card
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.infra import fetch, storage
from djangochat_rx.realtime.sockets import sockets

logger = logging.getLogger(__name__)

PAGE_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = tuple(images.SAFE_IMAGES)
HEARS = (MessageSent, ThreadReplied, MessageChanged)

# Jobs admitted on this worker (running or waiting), and the semaphore that lets LINK_PREVIEW_CONCURRENCY run,
# one per event loop (the tests run several).
_admitted = 0
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(max(1, settings.LINK_PREVIEW_CONCURRENCY))
    return _slots[loop]


def _wanting(event: Any) -> tuple[MessageView, list[str]]:
    """The message an event is about, and the links of it that want a card now (none: nothing to do)."""
    message = event.reply if isinstance(event, ThreadReplied) else event.message
    urls = link_previews.wanted(message.html)
    if isinstance(event, MessageChanged) and {card.url for card in message.previews} == set(urls):
        return message, []  # an edit that kept its links: it shows their cards already
    return message, urls


async def heard(events: list[Any]) -> None:
    """After the commit (actions.publish): start a job for each message whose links want cards; none for a
    message without links (most of them: no task is started)."""
    global _admitted
    for event in events:
        message, urls = _wanting(event)
        if not urls:
            continue
        if _admitted >= max(1, settings.LINK_PREVIEW_CONCURRENCY) + settings.LINK_PREVIEW_QUEUE_MAX:
            logger.warning("Link previews are busy: message %s gets no card.", message.id)
            continue
        _admitted += 1
        sockets.spawn(_job(message.id, urls))


async def _job(message_id: int, urls: list[str]) -> None:
    global _admitted
    try:
        async with _slot():
            await preview_message(message_id, urls)
    except Exception:
        logger.exception("Could not make the link previews of message %s.", message_id)
    finally:
        _admitted -= 1


async def preview_message(message_id: int, urls: list[str]) -> MessageView | None:
    """Fetch the cards of `urls` that none is kept for (or only an old one), then bind the message's links to their
    cards: the message as the room now sees it, or None when that did not change."""
    kept = await database.run(link_previews.fresh, urls)
    fetched = tuple([await card(url) for url in urls if url not in kept])
    return await perform(preview_actions.attach_previews, message_id, fetched)


async def card(url: str) -> Card:
    """The card of `url`, fetched now with its picture; one that is not ok when anything refused or failed."""
    try:
        page = await fetch.fetch(url, PAGE_TYPES, settings.LINK_PREVIEW_MAX_BYTES, link_previews.domain_allowed)
    except fetch.Refused as why:
        logger.info("No link preview of %s: %s", url, why)
        return Card(url, ok=False)
    found = await asyncio.to_thread(link_previews.read_page, page.body, page.charset, page.url)
    if found is None:
        return Card(url, ok=False, final_url=page.url)
    key, width, height = await picture(found.image_url) if found.image_url else (None, 0, 0)
    return Card(url, True, page.url, found.site, found.title, found.description, key, width, height)


async def picture(url: str) -> tuple[str | None, int, int]:
    """A card's picture fetched, re-encoded (no metadata, within the image budgets) and kept as a thumbnail: its
    storage key and size; (None, 0, 0) when anything refused or failed."""
    try:
        got = await fetch.fetch(url, IMAGE_TYPES, settings.LINK_PREVIEW_IMAGE_MAX_BYTES, link_previews.domain_allowed)
    except fetch.Refused as why:
        logger.info("No picture for a link preview from %s: %s", url, why)
        return None, 0, 0
    content_type = attachments.sniff(got.body[: attachments.SNIFF_BYTES])  # the bytes say what it is, not the site
    if content_type not in images.SAFE_IMAGES:
        return None, 0, 0
    into = storage.default()
    scratch = into.scratch()
    source = Path(tempfile.mkstemp(dir=scratch, suffix=".preview")[1])
    made = [source]
    try:
        await asyncio.to_thread(source.write_bytes, got.body)
        processed = await images.in_image_threads(images.reencode, source, content_type, scratch)
        if processed is None:
            return None, 0, 0
        made += [processed.full, processed.thumb]
        key = storage.new_key()
        await asyncio.to_thread(into.put, key, link_previews.IMAGE_VARIANT, processed.thumb)
        return key, processed.thumb_width, processed.thumb_height
    except images.ImagesBusy:
        return None, 0, 0
    finally:
        for path in made:
            path.unlink(missing_ok=True)
