"""Code in messages: a fenced block in a known language (or a clear guess) is coloured on the server into a fixed
set of classes, the only ones the sanitiser keeps; anything the sender types as a language stays out of the HTML;
slow or long blocks stay plain; chat.css's colours keep 4.5:1 in light and dark."""

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pygments.token import STANDARD_TYPES

from djangochat_rx import settings
from djangochat_rx.domain import markup
from djangochat_rx.domain.markup import preview, render

CSS = Path(__file__).resolve().parents[2] / "assets" / "chat.css"
CSS_BLOCK = "/* Highlighted code (Pygments classes, domain/markup.py)"
PYTHON = "import os\n\n\ndef main() -> None:\n    print(os.getcwd())  # where we are\n"


class Elements(HTMLParser):
    """Every element in a piece of HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parsed = Elements()
    parsed.feed(html)
    return parsed.found


def classes(html: str) -> set[str]:
    return {name for _, attrs in elements(html) for name in attrs.get("class", "").split()}


def test_a_python_block_is_coloured_with_pygments_token_classes():
    html = render(f"```python\n{PYTHON}```")
    assert html.startswith('<pre class="hl"><code><span class="hl-kn">import</span> <span class="hl-nn">os</span>\n')
    assert (
        '<span class="hl-k">def</span> <span class="hl-nf">main</span>() -&gt; <span class="hl-kc">None</span>:' in html
    )
    assert '<span class="hl-c1"># where we are</span>' in html
    spans = [attrs for tag, attrs in elements(html) if tag == "span"]
    assert all(attrs["class"] in markup._CODE_CLASSES for attrs in spans)


def test_names_operators_punctuation_and_spaces_get_no_span():
    html = render("```python\nanswer = compute(a, b)\n```")
    assert html == '<pre class="hl"><code>answer = compute(a, b)\n</code></pre>\n'


@pytest.mark.parametrize("language", ["py", "PY", "python3", "Python"])
def test_any_of_pygments_names_for_a_language_colours_it(language):
    assert '<span class="hl-kn">import</span>' in render(f"```{language}\n{PYTHON}```")


def test_every_language_offered_has_a_lexer_and_the_classes_are_pygments_standard_short_names():
    assert set(markup._LANGUAGE_NAMES.values()) == markup._LANGUAGES
    standard = {f"hl-{short}" for short in STANDARD_TYPES.values() if short}
    assert markup._CODE_CLASSES.issubset(standard) and len(markup._CODE_CLASSES) > 50
    assert markup._CODE_CLASSES.isdisjoint(plain_classes())
    assert all(re.fullmatch(r"hl-[a-z0-9]+", name) for name in markup._CODE_CLASSES)


def plain_classes() -> set[str]:
    """The classes of the token kinds markup.py leaves without a span (hl-n, hl-o, hl-p, hl-w, ...)."""
    return {f"hl-{STANDARD_TYPES[kind]}" for kind in markup._PLAIN_TOKENS if STANDARD_TYPES[kind]}


@pytest.mark.parametrize("language", ["brainfuck", "cobol-2077", "text", "xml-ish"])
def test_a_block_in_an_unknown_language_is_plain_escaped_text(language):
    html = render(f"```{language}\nif a < b && c:\n    <b>done</b>\n```")
    assert html == "<pre><code>if a &lt; b &amp;&amp; c:\n    &lt;b&gt;done&lt;/b&gt;\n</code></pre>\n"


@pytest.mark.parametrize(
    "language",
    [
        "x onclick=alert(1)",
        "python onclick=alert(1)",
        '"><script>alert(1)</script>',
        'python"><script>alert(1)</script>',
        "python{.evil #id onclick=x}",
        "hl-k",
        "mention",
        "python class=mention",
        "javascript:alert(1)",
    ],
)
def test_a_language_typed_by_the_sender_never_reaches_the_html(language):
    html = render(f"```{language}\nx = '<img src=x onerror=alert(1)>'\n```")
    assert "alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    for tag, attrs in elements(html):
        assert tag in {"pre", "code", "span"}
        assert set(attrs) <= {"class"}
        assert set(attrs.get("class", "").split()) <= markup._CODE_CLASSES | {"hl"}
    assert "evil" not in html and "mention" not in html


def test_the_sanitiser_keeps_only_the_code_classes_on_spans_and_hl_on_pre():
    dirty = (
        '<pre class="hl wide"><code class="language-js">'
        '<span class="hl-k hl-bogus mention-ish" style="color:red" onclick="x">if</span></code></pre>'
    )
    assert markup._clean(dirty) == '<pre class="hl"><code><span class="hl-k">if</span></code></pre>'


def test_plain_prose_keeps_its_fast_path(monkeypatch):
    def no_markdown(*_args):
        raise AssertionError("plain prose went through Markdown")

    monkeypatch.setattr(markup, "render_markdown", no_markdown)
    assert render("Hello there, the fix is in (see the code above).") == (
        "<p>Hello there, the fix is in (see the code above).</p>\n"
    )


def test_inline_code_is_not_coloured():
    assert render("run `import os` first") == "<p>run <code>import os</code> first</p>\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('{\n  "name": "ada",\n  "langs": ["python", "c"],\n  "admin": true\n}\n', "hl-nt"),
        ("[1, 2.5, null]\n", "hl-mf"),
        (PYTHON, "hl-kn"),
        ("#!/usr/bin/env bash\necho hi\n", "hl-nb"),
        ("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old\n+new\n", "hl-gi"),
    ],
)
def test_a_block_with_no_language_is_coloured_when_the_guess_is_clear(code, expected):
    assert expected in classes(render(f"```\n{code}```"))


@pytest.mark.parametrize(
    "code",
    [
        "Hello there, this is just a note\nkept in a block so its lines stay as typed.\n",
        "{ not json, just braces }\n",
        "[" * 5000 + "]" * 5000 + "\n",  # deeper than the JSON parser's recursion: plain, no error
        "#include <stdio.h>\nint main(void) { return 0; }\n",  # Pygments is unsure (0.1)
        "$ ls -la\n",
        "<p>a tag pair is not enough</p>\n",
    ],
)
def test_a_block_with_no_language_and_no_clear_guess_is_plain(code):
    html = render(f"```\n{code}```")
    assert html.startswith("<pre><code>") and "<span" not in html


def test_a_long_block_with_no_language_is_not_guessed_but_a_named_one_is_coloured():
    long = PYTHON + "x = 1\n" * (settings.CODE_GUESS_MAX_CHARS // 6)
    assert len(long) > settings.CODE_GUESS_MAX_CHARS
    assert "<span" not in render(f"```\n{long}```")
    assert "hl-kn" in render(f"```python\n{long}```")


def test_a_block_that_takes_too_long_to_colour_is_plain(monkeypatch):
    monkeypatch.setattr(settings, "CODE_COLOUR_MS", 0)
    assert "<span" not in render(f"```python\n{PYTHON}# colour budget spent\n```")


def test_text_crafted_to_make_a_lexer_slow_costs_only_the_colouring_budget():
    crafted = "```csharp\n" + "\n_" * 1990 + "\n```"  # C#'s lexer takes ~2 s over all of it
    started = time.perf_counter()
    html = render(crafted)
    assert time.perf_counter() - started < 0.5
    assert html.startswith("<pre><code>") and "<span" not in html


def test_mentions_and_links_are_not_made_inside_coloured_code():
    html = render("```python\nprint('@bob https://example.com')\n```", frozenset({"bob"}))
    assert "mention" not in html and "<a" not in html


def test_a_coloured_block_previews_as_its_text():
    assert preview("```python\nx = 1  # one\n```") == "x = 1 # one"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def code_palette() -> dict[str, dict[str, str]]:
    """chat.css's code block, per theme ("light", "dark": the rules under `.dark`): the block's "background", its
    text's "color" and each hl- class's colour, as a person in that theme sees them (a class the dark rules do not
    name keeps its light colour)."""
    block = CSS.read_text(encoding="utf-8").split(CSS_BLOCK, 1)[1]
    themes: dict[str, dict[str, str]] = {"light": {}, "dark": {}}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        declared = dict(re.findall(r"(color|background)\s*:\s*(#[0-9a-fA-F]{6})\b", body))
        for selector in (s.strip() for s in selectors.split(",")):
            theme = themes["dark" if selector.startswith(".dark ") else "light"]
            if selector.endswith("pre.hl"):
                theme.update(declared)
            for name in re.findall(r"\.(hl-[a-z0-9]+)$", selector):
                if "color" in declared:
                    theme[name] = declared["color"]
    themes["dark"] = {**themes["light"], **themes["dark"]}
    return themes


def test_the_stylesheet_styles_every_class_markup_makes_and_none_it_leaves_plain():
    block = CSS.read_text(encoding="utf-8").split(CSS_BLOCK, 1)[1]
    styled = set(re.findall(r"\.(hl-[a-z0-9]+)\b", block))
    assert styled == set(markup._CODE_CLASSES)
    assert styled.isdisjoint(plain_classes())


def test_every_code_colour_keeps_4_5_to_1_against_the_block_in_light_and_dark():
    palette = code_palette()
    for theme, colours in palette.items():
        background = colours.pop("background")
        assert len(colours) > 50, f"{theme}: the parse found the colours"
        assert set(colours) - {"color"} <= markup._CODE_CLASSES, "chat.css colours a class markup.py never makes"
        for name, colour in colours.items():
            assert contrast(colour, background) >= 4.5, f"{theme} {name} {colour} on {background}"


def test_the_contrast_check_would_catch_a_faint_colour():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#8b949e", "#f0f0f0") < 4.5
