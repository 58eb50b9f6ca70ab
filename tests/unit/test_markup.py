"""Safe Markdown: formatting renders, raw HTML and dangerous links never do."""

from html.parser import HTMLParser

import pytest

from djangochat_rx.markup import render


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


class Elements(HTMLParser):
    """Every element in a piece of HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
