"""Safe Markdown: formatting renders, raw HTML and dangerous links never do; mentions; previews."""

from html.parser import HTMLParser

import pytest

from djangochat_rx.domain import markup
from djangochat_rx.domain.markup import mention_candidates, preview, render


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("**bold** and _italics_", "<strong>bold</strong> and <em>italics</em>"),
        ("`code`", "<code>code</code>"),
        ("```\nfenced\n```", "<pre><code>fenced\n</code></pre>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("~~gone~~", "<s>gone</s>"),
        ("line one\nline two", "line one<br>\nline two"),
    ],
)
def test_markdown_formatting_renders(body, expected):
    assert expected in render(body)


def test_links_and_bare_urls_open_in_a_new_tab_without_opener():
    for body in ("[docs](https://example.com/docs)", "see https://example.com/docs"):
        html = render(body)
        assert 'href="https://example.com/docs"' in html
        assert 'target="_blank"' in html and 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<iframe src=https://evil.example></iframe>",
        '<p onclick="alert(1)">hi</p>',
        "![img](https://evil.example/x.png)",
    ],
)
def test_raw_html_and_dangerous_links_never_render(body):
    elements = Elements()
    elements.feed(render(body))
    assert {tag for tag, _ in elements.found} <= {"p", "a", "code"}
    for tag, attrs in elements.found:
        assert set(attrs) <= ({"href", "target", "rel"} if tag == "a" else set())
        assert attrs.get("href", "https:").startswith(("https:", "http:"))


BOB = frozenset({"bob"})
MENTION = '<span class="mention">@bob</span>'


@pytest.mark.parametrize(
    "body",
    ["@bob hi", "hi @bob", "hi @bob.", "@bob, look", "(@bob)", "**@bob**", "line\n@bob", "> @bob", "- @bob"],
)
def test_a_mention_of_a_known_user_is_highlighted(body):
    assert MENTION in render(body, BOB)


@pytest.mark.parametrize(
    "body",
    [
        "`@bob`",
        "```\n@bob\n```",
        "    @bob indented code",
        "[@bob](https://example.com)",
        "https://example.com/@bob",
        "bob@bob.example",
        "mail@bob",
        "@@bob",
        "\\@bob",
        "@bobby",
        "@bob_",
    ],
)
def test_at_names_in_code_links_addresses_or_longer_words_are_not_mentions(body):
    assert "mention" not in render(body, BOB)


def test_mentions_keep_the_typed_case_and_only_known_users_are_highlighted():
    html = render("@BOB and @carol", BOB)
    assert '<span class="mention">@BOB</span>' in html and "@carol" in html and html.count("mention") == 1
    assert "mention" not in render("@bob")


def test_a_name_ending_in_a_dot_is_tried_with_and_without_it():
    assert mention_candidates("thanks @bob.") == {"bob.", "bob"}
    assert '<span class="mention">@bob.</span>' in render("thanks @bob.", frozenset({"bob."}))
    assert '<span class="mention">@bob</span>.' in render("thanks @bob.", BOB)


def test_mention_candidates_are_username_keys_outside_code():
    body = "@Alice, @ÉMILE and `@carol` @b @" + "x" * 33 + "\n```\n@dave\n```"
    assert mention_candidates(body) == {"alice", "émile"}


def test_highlighting_cannot_inject_markup():
    html = render('@bob"><script>alert(1)</script> @bob<img src=x onerror=alert(1)>', BOB)
    elements = Elements()
    elements.feed(html)
    assert {tag for tag, _ in elements.found} == {"p", "span"}
    assert all(attrs == {"class": "mention"} for tag, attrs in elements.found if tag == "span")
    typed = Elements()
    typed.feed(render('<span class="mention">@carol</span>', BOB))
    assert {tag for tag, _ in typed.found} == {"p"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("**Hello** _there_", "Hello there"),
        ("- one\n- two\n\n> quoted", "one two quoted"),
        ("`a < b` & <b>raw</b>", "a < b & <b>raw</b>"),
        ("[docs](https://example.com)", "docs"),
        ("x" * 80, "x" * 80),
        ("x" * 81, "x" * 79 + "…"),
        ("word " * 20, ("word " * 16).strip() + "…"),
    ],
)
def test_preview_is_one_line_of_plain_text_cut_with_an_ellipsis(body, expected):
    assert preview(body) == expected


def test_preview_length_is_adjustable():
    assert preview("abcdef", limit=4) == "abc…"


class Elements(HTMLParser):
    """Every element in a piece of HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_plain_prose_renders_exactly_as_the_full_pipeline_would():
    """markup.render skips Markdown and nh3 for is_plain bodies: on 30 000 random strings over the letters,
    digits and punctuation that matter (seeded, so every run checks the same ones), wherever is_plain says
    yes the short cut gives the full pipeline's HTML, byte for byte."""
    import random

    rng = random.Random(1234)
    alphabet = "abcXYZ019éßж漢 ,;:?!'()%-.\n*_#>`~[]<&\"@/=+|"
    plain = 0
    for _ in range(30_000):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        if markup.is_plain(body):
            plain += 1
            assert markup.render(body) == markup.render_markdown(body), body
    assert plain > 500  # the check covered many plain bodies
    for body in ("x.com", "1. one", "- item", "a *b*", "a\nb", "e.g. this", "see x.Com", "#tag"):
        assert not markup.is_plain(body)
