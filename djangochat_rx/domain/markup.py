"""Safe Markdown for messages: markdown-it-py with raw HTML off, then nh3 keeps an allowlist of tags.

Links open in a new tab with rel="noopener noreferrer"; only http, https and mailto links survive
(no `javascript:`); bare URLs become links. What the sender typed stays stored as typed.

Mentions: `@name` in ordinary text (not in code, not in a link, not right after a letter as in an
e-mail address, not escaped as `\\@`) names a user. A name runs over the characters a username may
hold (accounts.py: letters, digits and their marks, "_", "." and "-"); as a sentence may end right
after it ("thanks @alice."), the name without its trailing dots and hyphens is tried as well."""

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from djangochat_rx import settings
from djangochat_rx.domain.accounts import username_key

_TAGS = {"p", "br", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"}


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_.-" or unicodedata.category(ch) in ("Mn", "Mc", "Me")


def _names(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each `@name` in plain text: the offset of its "@" and its possible names, longest first."""
    at = text.find("@")
    while at != -1:
        end = at + 1
        while end < len(text) and _is_name_char(text[end]):
            end += 1
        if at == 0 or not (_is_name_char(text[at - 1]) or text[at - 1] == "@"):
            name = text[at + 1 : end]
            yield at, list(dict.fromkeys((name, name.rstrip(".-"))))
        at = text.find("@", end)


def _highlight(token: Token, known: frozenset[str], found: set[str]) -> list[Token]:
    """`token` (plain text) split so that each `@name` of a user in `known` is wrapped in a mention span."""
    pieces, done = [], 0
    for at, names in _names(token.content):
        found.update(username_key(name) for name in names)
        name = next((name for name in names if username_key(name) in known), None)
        if name is None:
            continue
        end = at + 1 + len(name)
        pieces += [
            Token("text", "", 0, content=token.content[done:at]),
            Token("mention_open", "span", 1, attrs={"class": "mention"}),
            Token("text", "", 0, content=token.content[at:end]),
            Token("mention_close", "span", -1),
        ]
        done = end
    return [*pieces, Token("text", "", 0, content=token.content[done:])] if pieces else [token]


def _mentions_rule(state: StateCore) -> None:
    """Core rule: collect `@name`s into env["found"] and highlight those in env["mentions"]."""
    known = state.env.get("mentions", frozenset())
    found = state.env.setdefault("found", set())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            children += _highlight(token, known, found) if token.type == "text" and not in_link else [token]
        block.children = children


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True}).enable(
    ["linkify", "strikethrough"]
)
# Before text_join, so an escaped "\@" is still its own token and starts no mention.
_MARKDOWN.core.ruler.before("text_join", "mentions", _mentions_rule)


# Punctuation that Markdown and linkify leave alone inside a line that starts with a letter ("." only
# before a space or at the end: "x.com" would become a link).
_PLAIN_PUNCTUATION = frozenset(" ,;:?!'()%-")


def is_plain(body: str) -> bool:
    """Whether `body` is one line of prose that renders as itself in a paragraph: it starts with a letter
    and holds only letters, digits and _PLAIN_PUNCTUATION (tests/unit/test_markup.py checks the claim
    against the full pipeline on many such strings)."""
    if not body or not body[0].isalpha() or body[-1] == " ":  # Markdown drops a paragraph's trailing spaces
        return False
    last = len(body) - 1
    for index, ch in enumerate(body):
        if ch.isalnum() or ch in _PLAIN_PUNCTUATION:
            continue
        if ch == "." and (index == last or body[index + 1] == " "):
            continue
        return False
    return True


def render(body: str, mentions: frozenset[str] = frozenset()) -> str:
    """The sanitised HTML for a message body; `@name`s of the users whose username keys
    (accounts.username_key) are in `mentions` become <span class="mention">. Plain prose (is_plain),
    the most common message, skips the Markdown and sanitiser passes (about 0.09 ms warm, 0.4 ms on an
    idle machine, down to a few microseconds)."""
    if is_plain(body):
        return f"<p>{body}</p>\n"
    return render_markdown(body, mentions)


def _clean(rendered: str) -> str:
    """Markdown's HTML cut down to the allowed tags, attributes and link schemes."""
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        allowed_classes={"span": {"mention"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


@lru_cache(maxsize=4096)
def render_markdown(body: str, mentions: frozenset[str] = frozenset()) -> str:
    """render() through Markdown and nh3, whatever the body holds."""
    return _clean(_MARKDOWN.render(body, {"mentions": mentions}))


# A "me message" (the /me command, commands.py) is stored as typed, like Zulip's: "/me waves".
_ME = re.compile(r"/me\s+(?=\S)")


def me_action(body: str) -> str | None:
    """What a me message says its author does ("/me waves" -> "waves"); None for any other body."""
    found = _ME.match(body)
    return body[found.end() :] if found else None


@lru_cache(maxsize=1024)
def render_me(author: str, action: str, mentions: frozenset[str] = frozenset()) -> str:
    """The sanitised HTML of a me message: the author's name and the action (inline Markdown), in italics."""
    said = _clean(_MARKDOWN.renderInline(action, {"mentions": mentions}))
    return f'<p class="me-message"><em><span class="me-author">{html.escape(author)}</span> {said}</em></p>\n'


def mention_candidates(body: str) -> set[str]:
    """The username keys that the `@name`s of a message body could refer to, to look up users by."""
    if "@" not in body:
        return set()
    env: dict = {}
    _MARKDOWN.parse(body, env)
    return {key for key in env["found"] if settings.USERNAME_MIN_CHARS <= len(key) <= settings.USERNAME_MAX_CHARS}


@lru_cache(maxsize=4096)
def preview(body: str, limit: int = 80) -> str:
    """A message as one line of plain text (Markdown stripped), cut to `limit` characters with "…"."""
    # The same cache entry as the message's own rendering when it mentions nobody.
    text = " ".join(html.unescape(nh3.clean(render(body, frozenset()), tags=set())).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
