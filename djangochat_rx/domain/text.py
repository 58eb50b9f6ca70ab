"""The one place text typed by people is checked for characters that hide or reorder what others read.

Every field goes through here: usernames (accounts.py, stricter still: no format character at all),
display names and "about" lines (profiles.py), room names and descriptions (rooms.py), messages
(messages.py). Bidi overrides, embeddings and isolates make text read in another order than it is stored
("Trojan Source"); zero-width spaces, word joiners and byte-order marks make two strings look alike.
The zero-width joiner and non-joiner stay allowed: emoji sequences and several scripts need them."""

import unicodedata

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, and the marks LRM RLM ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Zero-width space, word joiner, invisible operators, byte-order mark, Mongolian vowel separator, soft hyphen.
ZERO_WIDTH = frozenset("\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")
HIDDEN = BIDI_CONTROLS | ZERO_WIDTH


def is_hidden(ch: str, allowed: str = "") -> bool:
    """A control character (but those in `allowed`), a bidi control or a zero-width character."""
    return ch not in allowed and (ch in HIDDEN or unicodedata.category(ch) == "Cc")


def has_hidden(text: str, allowed: str = "") -> bool:
    """Whether `text` holds any character is_hidden says no to (for fields refused with a message)."""
    return any(is_hidden(ch, allowed) for ch in text)


def without_hidden(text: str, allowed: str = "\n\t") -> str:
    """`text` with those characters removed (for message bodies, where a stray one must not lose a message)."""
    return "".join(ch for ch in text if not is_hidden(ch, allowed))


def normalised(text: str) -> str:
    """NFKC and trimmed: the form every name is stored and compared in."""
    return unicodedata.normalize("NFKC", text).strip()
