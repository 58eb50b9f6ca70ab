"""How a count reads in what the app writes ("1 account", "3 accounts"), in one place."""


def counted(count: int, noun: str, plural: str = "") -> str:
    """`count` and `noun`, the noun plural unless the count is one: (1, "account") -> "1 account", (3, "reply",
    "replies") -> "3 replies"; `plural` only where adding an "s" is wrong."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
