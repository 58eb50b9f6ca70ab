"""Counts read as people write them (wording.py): "1 account", never "1 accounts"."""

from djangochat_rx.domain.wording import counted


def test_a_count_of_one_takes_the_singular_and_any_other_the_plural():
    assert [counted(n, "account") for n in (0, 1, 2, 10)] == ["0 accounts", "1 account", "2 accounts", "10 accounts"]
    assert counted(1, "unread message") == "1 unread message"
    assert [counted(n, "reply", "replies") for n in (1, 3)] == ["1 reply", "3 replies"]
