"""The room window the hub keeps: placed by id, replaced in place on edit, bounded, never reshuffled."""

from djangochat_rx.realtime import _insert


def item(id_: int, text: str = "", edited: bool = False) -> dict:
    return {"id": id_, "html": text or f"m{id_}", "edited": edited, "deleted": False}


def test_new_messages_are_placed_by_id_and_the_oldest_drop_out():
    window = [item(1), item(3)]
    assert [m["id"] for m in _insert(window, item(2), size=3)] == [1, 2, 3]
    assert [m["id"] for m in _insert(window, item(4), size=2)] == [3, 4]


def test_an_edit_replaces_its_message_in_place():
    window = [item(1), item(2), item(3)]
    updated = _insert(window, item(2, "fixed", edited=True), size=3)
    assert [(m["id"], m["html"]) for m in updated] == [(1, "m1"), (2, "fixed"), (3, "m3")]
    assert window[1]["html"] == "m2"  # a new list: what was sent before is never changed under it


def test_a_repeat_or_a_message_older_than_a_full_window_changes_nothing():
    window = [item(5), item(6)]
    assert _insert(window, item(6), size=2) is window
    assert _insert(window, item(4, edited=True), size=2) is window
