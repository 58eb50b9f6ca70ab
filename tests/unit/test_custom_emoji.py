"""Custom emoji: names, who may add and remove them, the picture re-encoded (and a hostile one refused), `:name:`
in messages (not in code or links, the same HTML whether the emoji exists or not) and as reactions, and a removed
one shown as its name."""

import io
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.actions import emoji as emoji_actions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import admin, custom_emoji, markup, reactions
from djangochat_rx.domain.events import EmojiChanged
from djangochat_rx.infra import storage
from djangochat_rx.models import AuditEntry, User


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch) -> storage.LocalStorage:
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    yield storage.default()
    storage.default.cache_clear()


def picture(tmp_path, size=(200, 100), fmt="PNG", name="party"):
    path = tmp_path / f"{name}.{fmt.lower()}"
    Image.new("RGBA", size, (220, 30, 30, 255)).save(path, format=fmt)
    return path


def added(session, store, tmp_path, user, name="party", size=(200, 100)):
    png, width, height = custom_emoji.shrink(picture(tmp_path, size, name=name), store.scratch())
    return emoji_actions.add_emoji(session, user.id, name, png, width, height)


def files_in(store):
    return [path for path in store.root.rglob("*") if path.is_file() and "incoming" not in path.parts]


def test_names_are_short_lowercase_words_and_a_files_name_gives_one():
    assert custom_emoji.check_name(" :Party_Parrot: ") == "party_parrot"
    assert custom_emoji.check_name("+1") == "+1"
    for bad in ("a", "x" * 33, "no spaces", "émoji", "semi;colon", "<b>", "", None, 7):
        with pytest.raises(custom_emoji.EmojiRefused):
            custom_emoji.check_name(bad)
    assert custom_emoji.name_from_file("Party Parrot.gif") == "party_parrot"
    assert custom_emoji.name_from_file("é.png") == ""
    assert custom_emoji.shortcode_name(":party:") == "party" and custom_emoji.shortcode_name("party") is None


def test_a_picture_is_shrunk_into_the_box_as_a_png_without_metadata(session, alice, tmp_path, store):
    outcome = added(session, store, tmp_path, alice)
    assert outcome.events == [EmojiChanged("party", outcome.value)]
    key = custom_emoji.current_key(session, "party")
    assert outcome.value == custom_emoji.url("party", key) == f"/_files/emoji/party/{key}"
    kept = Image.open(io.BytesIO(b"".join(store.read(key, custom_emoji.VARIANT))))
    assert (kept.format, kept.size) == ("PNG", (64, 32))
    assert custom_emoji.emoji_map(session) == {"party": outcome.value}
    assert custom_emoji.listed(session) == [custom_emoji.EmojiView("party", outcome.value, "alice")]
    assert not list(store.scratch().iterdir())


def test_an_animated_gif_keeps_its_first_frame(tmp_path, store):
    path = tmp_path / "blink.gif"
    frames = [Image.new("RGB", (40, 40), colour) for colour in ((250, 0, 0), (0, 0, 250))]
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    png, width, height = custom_emoji.shrink(path, store.scratch())
    kept = Image.open(png)
    assert (kept.format, (width, height), getattr(kept, "n_frames", 1)) == ("PNG", (40, 40), 1)
    assert kept.convert("RGB").getpixel((20, 20))[0] > 200


def test_hostile_pictures_are_refused_and_nothing_is_kept(session, alice, tmp_path, store, monkeypatch):
    from PIL import PngImagePlugin

    svg = tmp_path / "x.png"
    svg.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    with pytest.raises(custom_emoji.EmojiRefused, match="not a picture"):
        custom_emoji.shrink(svg, store.scratch())
    bmp = picture(tmp_path, fmt="BMP")
    with pytest.raises(custom_emoji.EmojiRefused, match="PNG, JPEG, GIF or WebP"):
        custom_emoji.shrink(bmp, store.scratch())
    # A decompression bomb: a few KB that claim 3000 x 3000 pixels, refused before they are decoded.
    bomb = tmp_path / "bomb.png"
    Image.new("1", (3000, 1500)).save(bomb, format="PNG")
    assert bomb.stat().st_size < settings.CUSTOM_EMOJI_MAX_BYTES

    def decoded(image):
        raise AssertionError("the picture was decoded")

    assert settings.CUSTOM_EMOJI_MAX_SOURCE_PIXELS < 3000 * 1500
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", decoded)
    with pytest.raises(custom_emoji.EmojiRefused, match="3000×1500 pixels"):
        custom_emoji.shrink(bomb, store.scratch())
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"0" * settings.CUSTOM_EMOJI_MAX_BYTES)
    with pytest.raises(custom_emoji.EmojiRefused, match="at most 256 KB"):
        custom_emoji.shrink(big, store.scratch())
    assert not list(store.scratch().iterdir()) and not files_in(store)
    assert custom_emoji.emoji_map(session) == {}


def test_a_name_is_taken_once_and_the_instance_holds_at_most_the_cap(session, alice, bob, tmp_path, store, monkeypatch):
    added(session, store, tmp_path, alice)
    with pytest.raises(custom_emoji.EmojiRefused, match="already"):
        custom_emoji.check_add(session, bob.id, ":party:")
    with pytest.raises(custom_emoji.EmojiRefused, match="already"):
        added(session, store, tmp_path, bob)
    monkeypatch.setattr(settings, "CUSTOM_EMOJI_MAX", 1)
    with pytest.raises(custom_emoji.EmojiRefused, match="at most 1 custom emoji"):
        custom_emoji.check_add(session, bob.id, "other")
    assert len(files_in(store)) == 1  # the refused ones' pictures are gone


def test_who_may_add_members_or_only_admins_never_guests_or_bots(session, alice, root, tmp_path, store, monkeypatch):
    assert custom_emoji.may_add(session, alice.id)
    session.execute(sa.update(User).where(User.id == alice.id).values(is_guest=True))
    session.commit()
    assert not custom_emoji.may_add(session, alice.id)
    session.execute(sa.update(User).where(User.id == alice.id).values(is_guest=False, is_bot=True))
    session.commit()
    assert not custom_emoji.may_add(session, alice.id)
    session.execute(sa.update(User).where(User.id == alice.id).values(is_bot=False))
    session.commit()
    monkeypatch.setattr(settings, "CUSTOM_EMOJI_ADDERS", "admins")
    with pytest.raises(custom_emoji.EmojiRefused, match="Only administrators"):
        custom_emoji.check_add(session, alice.id, "party")
    with pytest.raises(custom_emoji.EmojiRefused, match="Only administrators"):
        added(session, store, tmp_path, alice)
    assert added(session, store, tmp_path, root).value


def test_the_admin_pages_choice_overrides_the_operators_default_both_ways_and_is_audited(
    session, alice, root, tmp_path, store, monkeypatch
):
    assert custom_emoji.adders(session) == "members"  # CUSTOM_EMOJI_ADDERS's own default
    monkeypatch.setattr(settings, "CUSTOM_EMOJI_ADDERS", "admins")
    assert custom_emoji.adders(session) == "admins" and not custom_emoji.may_add(session, alice.id)

    assert emoji_actions.choose_adders(session, root.id, "members").value == "members"
    assert custom_emoji.adders(session) == "members" and custom_emoji.may_add(session, alice.id)
    assert added(session, store, tmp_path, alice, "wave").value
    monkeypatch.setattr(settings, "CUSTOM_EMOJI_ADDERS", "members")
    emoji_actions.choose_adders(session, root.id, "admins")
    assert custom_emoji.adders(session) == "admins" and not custom_emoji.may_add(session, alice.id)
    with pytest.raises(custom_emoji.EmojiRefused, match=r"^Only administrators add custom emoji here\.$"):
        added(session, store, tmp_path, alice, "party")
    assert custom_emoji.may_add(session, root.id) and added(session, store, tmp_path, root, "party").value
    emoji_actions.choose_adders(session, root.id, "admins")  # no change: no new audit row

    with pytest.raises(admin.InvalidRequirement):
        emoji_actions.choose_adders(session, root.id, "everyone")
    with pytest.raises(admin.NotAdmin):
        emoji_actions.choose_adders(session, alice.id, "members")
    assert custom_emoji.adders(session) == "admins"
    rows = select(AuditEntry.actor_id, AuditEntry.detail).where(AuditEntry.action == "emoji.adders")
    audited = session.exec(rows.order_by(AuditEntry.id)).all()
    assert audited == [(root.id, "admins → members"), (root.id, "members → admins")]


def test_a_guest_is_told_members_add_them(session, alice):
    session.execute(sa.update(User).where(User.id == alice.id).values(is_guest=True))
    session.commit()
    with pytest.raises(custom_emoji.EmojiRefused, match=r"^Members add custom emoji here; guests and bots do not\.$"):
        custom_emoji.check_add(session, alice.id, "party")


def test_its_maker_or_an_admin_removes_it_audited_and_others_cannot(session, alice, bob, root, tmp_path, store):
    added(session, store, tmp_path, alice, "party")
    added(session, store, tmp_path, alice, "wave")
    with pytest.raises(custom_emoji.EmojiRefused, match="Only the person who added it"):
        emoji_actions.remove_emoji(session, bob.id, "party")
    with pytest.raises(custom_emoji.EmojiNotFound):
        emoji_actions.remove_emoji(session, bob.id, "nothing")
    assert emoji_actions.remove_emoji(session, alice.id, ":party:").events == [EmojiChanged("party", "")]
    assert emoji_actions.remove_emoji(session, root.id, "wave").events == [EmojiChanged("wave", "")]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "remove_custom_emoji")).one()
    assert (entry.actor_id, entry.target, entry.detail) == (root.id, ":wave:", "added by alice")
    assert custom_emoji.emoji_map(session) == {} and not files_in(store)


def test_a_shortcode_renders_as_the_same_span_whether_or_not_the_emoji_exists(session, alice, tmp_path, store):
    span = '<span class="custom-emoji" data-emoji="party" role="img" aria-label=":party:">:party:</span>'
    before = markup.render("so :party: now")
    added(session, store, tmp_path, alice)
    assert markup.render("so :party: now") == before == f"<p>so {span} now</p>\n"
    assert not markup.is_plain("so :party: now") and markup.is_plain("at 10:30: fine")
    assert markup.render("`:party:`") == "<p><code>:party:</code></p>\n"
    assert "custom-emoji" not in markup.render("```\n:party:\n```")
    linked = markup.render("[:party:](https://example.com/:party:) https://example.com/:party:")
    assert "custom-emoji" not in linked
    assert "custom-emoji" not in markup.render("10:30:00 and a:bc:d and :Party: and :x:")
    assert markup.render(":aa::bb:").count('class="custom-emoji"') == 2
    assert markup.preview("so :party: now") == "so :party: now"


def elements(rendered: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of `rendered`, with its attributes."""
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Parser().feed(rendered)
    return found


def test_hostile_shortcodes_stay_text():
    for body in (
        ':a" onmouseover="x:',
        ":<img src=x onerror=alert(1)>:",
        ':a"b: :aa"bb:',
        ":party:<script>alert(1)</script>",
        "<span class=custom-emoji data-emoji=x>:x:</span>",
        '<span class="custom-emoji" data-emoji="zz" style="x">:zz:</span>',
        ":party\u202e: :par\u200bty:",
    ):
        for tag, attrs in elements(markup.render(body)):
            assert tag in ("p", "span"), body
            if tag == "span":
                assert set(attrs) == {"class", "data-emoji", "role", "aria-label"}, body
                assert custom_emoji._NAME.fullmatch(attrs["data-emoji"]), body
                assert attrs["aria-label"] == f":{attrs['data-emoji']}:" and attrs["role"] == "img"


def test_a_reaction_may_be_an_existing_custom_emoji_and_a_removed_one_is_its_name(
    session, alice, bob, general, tmp_path, store
):
    message = message_actions.send_message(session, alice.id, general.id, "hello").value
    with pytest.raises(reactions.NotAnEmoji):
        reactions.toggle(session, bob.id, message.id, ":party:")
    with pytest.raises(reactions.NotAnEmoji):
        reactions.toggle(session, bob.id, message.id, ":no such thing:")
    added(session, store, tmp_path, alice)
    toggled = reactions.toggle(session, bob.id, message.id, ":party:")
    assert toggled.added and toggled.reactions == (reactions.ReactionView(":party:", 1, ("bob",)),)
    assert reactions.favourites(session, bob.id)[0] == ":party:"
    emoji_actions.remove_emoji(session, alice.id, "party")
    # The reaction stays, shown as its name; it is out of the favourites; it can be taken back, not made again.
    assert reactions.summaries(session, [message.id])[message.id][0].emoji == ":party:"
    assert ":party:" not in reactions.favourites(session, bob.id)
    assert not reactions.toggle(session, bob.id, message.id, ":party:").added
    with pytest.raises(reactions.NotAnEmoji):
        reactions.toggle(session, bob.id, message.id, ":party:")
