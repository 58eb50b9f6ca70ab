"""Safe Markdown for messages: markdown-it-py with raw HTML off, then nh3 keeps an allowlist of tags.

Links open in a new tab with rel="noopener noreferrer"; only http, https and mailto links survive
(no `javascript:`); bare URLs become links. What the sender typed stays stored as typed.

Mentions: `@name` in ordinary text (not in code, not in a link, not right after a letter as in an
e-mail address, not escaped as `\\@`) names a user. A name runs over the characters a username may
hold (accounts.py: letters, digits and their marks, "_", "." and "-"); as a sentence may end right
after it ("thanks @alice."), the name without its trailing dots and hyphens is tried as well.
A user group's `@name` (user_groups.py; the caller names the groups that exist) becomes
<a class="mention group-mention" href="/groups/name" title="Group @name">; any other `@name` stays text.

Code: a fenced block in a language of _LANGUAGES (by any of Pygments' names for it: "py", "js", "sh", ...) is
coloured on the server by Pygments into <span class="hl-...">s, the short names of Pygments' standard token
types (_CODE_CLASSES, the only classes nh3 keeps on them; chat.css colours them in light and dark). A block
with no language is coloured only when a guess is clear (_guess); any other block is plain. The language the
sender typed never reaches the HTML.

Custom emoji: every `:name:` shaped like a custom emoji's name (custom_emoji.NAME) in ordinary text (not in code,
not in a link, not glued to a letter or digit on either side, as in "10:30:00") becomes
<span class="custom-emoji" data-emoji="name" role="img" aria-label=":name:">:name:</span>, whether or not such an
emoji exists: the rendering is cached by body and must not change when one is added or removed. The page draws
the ones it knows over their text (components/custom_emoji.py); any other stays `:name:`."""

import html
import json
import re
import time
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import format as pygments_format
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import STANDARD_TYPES, Error, Escape, Generic, Name, Operator, Other, Punctuation, Text, Whitespace
from pygments.token import _TokenType as TokenType

from djangochat_rx import settings
from djangochat_rx.domain.accounts import username_key
from djangochat_rx.domain.custom_emoji import NAME as EMOJI_NAME

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


def _highlight(token: Token, known: frozenset[str], groups: frozenset[str], found: set[str]) -> list[Token]:
    """`token` (plain text) split so that each `@name` of a user in `known` is wrapped in a mention span, and each
    of a user group in `groups` in a link to the group's page."""
    pieces, done = [], 0
    for at, names in _names(token.content):
        found.update(username_key(name) for name in names)
        name = next((name for name in names if username_key(name) in known), None)
        group = None if name is not None else next((name for name in names if username_key(name) in groups), None)
        if name is None and group is None:
            continue
        end = at + 1 + len(name or group)
        if name is not None:
            opening = Token("mention_open", "span", 1, attrs={"class": "mention"})
            closing = Token("mention_close", "span", -1)
        else:
            key = username_key(group)
            attrs = {"class": "mention group-mention", "href": f"/groups/{key}", "title": f"Group @{key}"}
            opening, closing = Token("link_open", "a", 1, attrs=attrs), Token("link_close", "a", -1)
        pieces += [
            Token("text", "", 0, content=token.content[done:at]),
            opening,
            Token("text", "", 0, content=token.content[at:end]),
            closing,
        ]
        done = end
    return [*pieces, Token("text", "", 0, content=token.content[done:])] if pieces else [token]


def _mentions_rule(state: StateCore) -> None:
    """Core rule: collect `@name`s into env["found"] and highlight those in env["mentions"] (people) and
    env["groups"] (user groups)."""
    known = state.env.get("mentions", frozenset())
    groups = state.env.get("groups", frozenset())
    found = state.env.setdefault("found", set())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            plain = token.type == "text" and not in_link
            children += _highlight(token, known, groups, found) if plain else [token]
        block.children = children


# A custom emoji's `:name:`, not glued to a letter or digit (a time, "a:bc:d"); two may touch (":a::b:").
_SHORTCODE = re.compile(rf"(?<![A-Za-z0-9]):({EMOJI_NAME}):(?![A-Za-z0-9])")


def _emoji_spans(token: Token) -> list[Token]:
    """`token` (plain text) split so that each `:name:` is wrapped in a custom-emoji span."""
    pieces, done = [], 0
    for found in _SHORTCODE.finditer(token.content):
        shortcode = found.group(0)
        attrs = {"class": "custom-emoji", "data-emoji": found.group(1), "role": "img", "aria-label": shortcode}
        pieces += [
            Token("text", "", 0, content=token.content[done : found.start()]),
            Token("emoji_open", "span", 1, attrs=attrs),
            Token("text", "", 0, content=shortcode),
            Token("emoji_close", "span", -1),
        ]
        done = found.end()
    return [*pieces, Token("text", "", 0, content=token.content[done:])] if pieces else [token]


def _emoji_rule(state: StateCore) -> None:
    """Core rule: wrap each `:name:` of plain text outside links in a custom-emoji span."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            plain = token.type == "text" and not in_link and ":" in token.content
            children += _emoji_spans(token) if plain else [token]
        block.children = children


# The languages a fenced block is coloured in (Pygments' first name for each): common ones only, as every lexer
# is a set of regular expressions run on the server over what anyone sends.
# fmt: off
_LANGUAGES = frozenset((
    "bash", "c", "console", "cpp", "csharp", "css", "dart", "diff", "docker", "elixir", "go", "graphql", "haskell",
    "html", "ini", "java", "javascript", "json", "jsx", "kotlin", "lua", "make", "markdown", "perl", "php",
    "powershell", "pycon", "python", "ruby", "rust", "scala", "scss", "sql", "swift", "toml", "tsx", "typescript",
    "xml", "yaml",
))
# fmt: on
# Every name Pygments knows each of them by ("py", "python3", "js", "sh", "yml", "c++", ...) -> its first name.
_LANGUAGE_NAMES = {
    alias: aliases[0]
    for _name, aliases, _files, _types in get_all_lexers(plugins=False)
    if aliases and aliases[0] in _LANGUAGES
    for alias in aliases
}
# A block with no language is guessed among these, whose Pygments analyse_text says something: a shebang
# (python, bash), "import " in the first 1000 characters (python), an HTML doctype, a diff's header. JSON is
# recognised by parsing it. XML is left out: its test remembers every text it was asked about, in a cache that
# never shrinks (pygments.util.looks_like_xml).
_GUESSED = ("python", "bash", "html", "diff")
# The score (0-1) a guess needs: Pygments gives 0.5 for a doctype, 0.9 for a diff and 1 for a shebang or an
# import; C's "#include" (0.1) or a "$ " prompt (0.2) are not enough.
_CLEAR_GUESS = 0.5
# Token kinds shown in the block's own text colour: no span (chat.css styles none of them), as a message's HTML
# goes to everyone in the room and these are most of a block's tokens (names, operators, punctuation, spaces:
# 20 lines of Python make 4.2 kB of HTML with their spans, 1.8 kB without).
_PLAIN_TOKENS = frozenset(
    (
        Text,
        Whitespace,
        Escape,
        Error,
        Other,
        Generic,
        Name,
        Name.Other,
        Name.Property,
        Operator,
        Punctuation,
        Punctuation.Marker,
    )
)
_CODE_PREFIX = "hl-"
_CODE_FORMATTER = HtmlFormatter(nowrap=True, classprefix=_CODE_PREFIX)
# The classes of the other kinds of Pygments' standard token types: a fixed list, whatever the lexer or the text.
_CODE_CLASSES = frozenset(
    _CODE_PREFIX + short for kind, short in STANDARD_TYPES.items() if short and kind not in _PLAIN_TOKENS
)


@cache
def _lexer(language: str) -> Lexer:
    """Pygments' lexer for one of _LANGUAGES (keeping the block's first and last newlines; PHP without "<?php")."""
    return get_lexer_by_name(language, stripnl=False, startinline=True)


def _guess(code: str) -> str | None:
    """The language of a block with none given, when the guess is clear; None for anything longer than
    settings.CODE_GUESS_MAX_CHARS."""
    if len(code) > settings.CODE_GUESS_MAX_CHARS:
        return None
    if code.lstrip()[:1] in ("{", "["):
        try:
            json.loads(code)
            return "json"
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            pass
    scores = {language: type(_lexer(language)).analyse_text(code) for language in _GUESSED}
    best = max(scores, key=scores.__getitem__)
    clear = scores[best] >= _CLEAR_GUESS and sorted(scores.values())[-2] < scores[best]
    return best if clear else None


def _standard_kind(kind: TokenType) -> TokenType:
    """A token's kind as one of Pygments' standard types (a lexer's own subtype as its nearest standard one),
    or Text for the kinds in _PLAIN_TOKENS."""
    while kind not in STANDARD_TYPES:
        kind = kind.parent
    return Text if kind in _PLAIN_TOKENS else kind


def _coloured(code: str, language: str) -> str | None:
    """Pygments' spans for `code` in `language` (classes of _CODE_CLASSES only); None when lexing it takes longer
    than settings.CODE_COLOUR_MS (every lexer has texts it takes quadratic time on, Java's 4000 newlines ~0.7 s:
    checked between tokens)."""
    lexer = _lexer(language)  # made once per language (its regular expressions compiled): not timed
    deadline = time.perf_counter() + settings.CODE_COLOUR_MS / 1000
    tokens = []
    for kind, text in lexer.get_tokens(code):
        tokens.append((_standard_kind(kind), text))
        if time.perf_counter() > deadline:
            return None
    return pygments_format(tokens, _CODE_FORMATTER)


def _code_block(code: str, info: str, _attrs: str) -> str:
    """markdown-it's `highlight` option: a fenced block as <pre class="hl"> with Pygments' spans when its
    language (`info`, as typed) is one of _LANGUAGES or, when none is given, a clear guess; as plain escaped
    text otherwise."""
    language = _LANGUAGE_NAMES.get(info.lower()) if info else _guess(code)
    coloured = _coloured(code, language) if language and code.strip() else None
    if coloured is None:
        return f"<pre><code>{html.escape(code, quote=False)}</code></pre>"
    return f'<pre class="hl"><code>{coloured}</code></pre>'


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "highlight": _code_block}).enable(
    ["linkify", "strikethrough"]
)
# Before text_join, so an escaped "\@" is still its own token and starts no mention.
_MARKDOWN.core.ruler.before("text_join", "mentions", _mentions_rule)
# After text_join, so a `:name:` next to an escaped character is one text token.
_MARKDOWN.core.ruler.after("text_join", "custom_emoji", _emoji_rule)


# Punctuation that Markdown and linkify leave alone inside a line that starts with a letter ("." only
# before a space or at the end: "x.com" would become a link).
_PLAIN_PUNCTUATION = frozenset(" ,;:?!'()%-")


def is_plain(body: str) -> bool:
    """Whether `body` is one line of prose that renders as itself in a paragraph: it starts with a letter
    and holds only letters, digits and _PLAIN_PUNCTUATION (tests/unit/test_markup.py checks the claim
    against the full pipeline on many such strings)."""
    if not body or not body[0].isalpha() or body[-1] == " ":  # Markdown drops a paragraph's trailing spaces
        return False
    if ":" in body and _SHORTCODE.search(body):  # a custom emoji's span
        return False
    last = len(body) - 1
    for index, ch in enumerate(body):
        if ch.isalnum() or ch in _PLAIN_PUNCTUATION:
            continue
        if ch == "." and (index == last or body[index + 1] == " "):
            continue
        return False
    return True


def render(body: str, mentions: frozenset[str] = frozenset(), groups: frozenset[str] = frozenset()) -> str:
    """The sanitised HTML for a message body; `@name`s of the users whose username keys
    (accounts.username_key) are in `mentions` become <span class="mention">, those of the user groups in `groups`
    <a class="mention group-mention"> to the group's page. Plain prose (is_plain),
    the most common message, skips the Markdown and sanitiser passes (about 0.09 ms warm, 0.4 ms on an
    idle machine, down to a few microseconds)."""
    if is_plain(body):
        return f"<p>{body}</p>\n"
    return render_markdown(body, mentions, groups)


def _clean(rendered: str) -> str:
    """Markdown's HTML cut down to the allowed tags, attributes and link schemes."""
    return nh3.clean(
        rendered,
        tags=_TAGS,
        # A span's other attributes come only from _emoji_spans (raw HTML is off): a name of custom_emoji.NAME.
        # A link's title and classes come only from _highlight (a user group's name, user_groups.NAME).
        attributes={"a": {"href", "title"}, "ol": {"start"}, "span": {"data-emoji", "role", "aria-label"}},
        allowed_classes={
            "span": {"mention", "custom-emoji", *_CODE_CLASSES},
            "a": {"mention", "group-mention"},
            "pre": {"hl"},
        },
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


@lru_cache(maxsize=4096)
def render_markdown(body: str, mentions: frozenset[str] = frozenset(), groups: frozenset[str] = frozenset()) -> str:
    """render() through Markdown and nh3, whatever the body holds."""
    return _clean(_MARKDOWN.render(body, {"mentions": mentions, "groups": groups}))


# A "me message" (the /me command, commands.py) is stored as typed, like Zulip's: "/me waves".
_ME = re.compile(r"/me\s+(?=\S)")


def me_action(body: str) -> str | None:
    """What a me message says its author does ("/me waves" -> "waves"); None for any other body."""
    found = _ME.match(body)
    return body[found.end() :] if found else None


@lru_cache(maxsize=1024)
def render_me(
    author: str, action: str, mentions: frozenset[str] = frozenset(), groups: frozenset[str] = frozenset()
) -> str:
    """The sanitised HTML of a me message: the author's name and the action (inline Markdown), in italics."""
    said = _clean(_MARKDOWN.renderInline(action, {"mentions": mentions, "groups": groups}))
    return f'<p class="me-message"><em><span class="me-author">{html.escape(author)}</span> {said}</em></p>\n'


def mention_candidates(body: str) -> set[str]:
    """The username keys that the `@name`s of a message body could refer to, to look up users by."""
    if "@" not in body:
        return set()
    env: dict = {}
    _MARKDOWN.parse(body, env)
    return {key for key in env["found"] if settings.USERNAME_MIN_CHARS <= len(key) <= settings.USERNAME_MAX_CHARS}


def at_names(body: str) -> set[str]:
    """The keys every `@name` of the raw text could be, code and links included (a quick superset of
    mention_candidates, without Markdown: which names to look up; the rendering decides what is a mention)."""
    if "@" not in body:
        return set()
    return {username_key(name) for _, names in _names(body) for name in names if name}


@lru_cache(maxsize=4096)
def preview(body: str, limit: int = 80) -> str:
    """A message as one line of plain text (Markdown stripped), cut to `limit` characters with "…"."""
    # The same cache entry as the message's own rendering when it mentions nobody.
    text = " ".join(html.unescape(nh3.clean(render(body, frozenset()), tags=set())).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
