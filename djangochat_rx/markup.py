"""Safe Markdown for messages: markdown-it-py with raw HTML off, then nh3 keeps an allowlist of tags.

Links open in a new tab with rel="noopener noreferrer"; only http, https and mailto links survive
(no `javascript:`); bare URLs become links. What the sender typed stays stored as typed."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True}).enable(
    ["linkify", "strikethrough"]
)
_TAGS = {"p", "br", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a"}


@lru_cache(maxsize=4096)
def render(body: str) -> str:
    """The sanitised HTML for a message body."""
    return nh3.clean(
        _MARKDOWN.render(body),
        tags=_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
