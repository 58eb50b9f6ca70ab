"""Profile pictures: centre-cropped squares at two sizes, re-encoded without EXIF, the old picture's bytes gone
when a new one comes, and every open page told (an AvatarChanged event)."""

import io

import pytest
from PIL import Image

from djangochat_rx import settings
from djangochat_rx.actions import avatars as avatar_actions
from djangochat_rx.domain import avatars
from djangochat_rx.domain.events import AvatarChanged
from djangochat_rx.infra import storage

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch) -> storage.LocalStorage:
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    yield storage.default()
    storage.default.cache_clear()


def photo(tmp_path, size=(300, 200)):
    """A wide JPEG with a location in its EXIF: red on the left third, green in the middle, blue on the right."""
    image = Image.new("RGB", size, (0, 200, 0))
    third = size[0] // 3
    image.paste((220, 0, 0), (0, 0, third, size[1]))
    image.paste((0, 0, 220), (2 * third, 0, size[0], size[1]))
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 30.0)})
    path = tmp_path / f"photo-{len(list(tmp_path.iterdir()))}.jpg"
    image.save(path, format="JPEG", exif=exif)
    return path


def squares(store, path):
    """The picture's squares, made as the upload route has the image threads make them."""
    return avatars.square(path, store.scratch())


def served(store, user_id, session, size):
    key = avatars.current_key(session, user_id)
    return Image.open(io.BytesIO(b"".join(store.read(key, size))))


def test_a_picture_is_cropped_to_its_centre_square_at_two_sizes_without_exif(session, alice, tmp_path, store):
    outcome = avatar_actions.set_avatar(session, alice.id, squares(store, photo(tmp_path)))
    assert outcome.events == [AvatarChanged("alice", outcome.value)]
    assert outcome.value == avatars.url(alice.id, avatars.current_key(session, alice.id), "small")
    large, small = served(store, alice.id, session, "large"), served(store, alice.id, session, "small")
    assert (large.size, small.size) == ((256, 256), (64, 64))
    assert not large.getexif() and not small.getexif()
    red, green, _ = large.convert("RGB").getpixel((128, 128))
    assert green > 150 and red < 60  # the middle of the photo
    assert avatars.pictures(session) == {"alice": outcome.value}


def test_a_new_picture_replaces_the_old_ones_bytes_and_going_back_removes_them(session, alice, tmp_path, store):
    avatar_actions.set_avatar(session, alice.id, squares(store, photo(tmp_path)))
    first = avatars.current_key(session, alice.id)
    avatar_actions.set_avatar(session, alice.id, squares(store, photo(tmp_path, (100, 400))))
    assert avatars.current_key(session, alice.id) != first
    assert store.size(first, "small") is None
    outcome = avatar_actions.remove_avatar(session, alice.id)
    assert outcome.events == [AvatarChanged("alice", "")]
    assert avatars.current_key(session, alice.id) is None and avatars.pictures(session) == {}
    assert not [path for path in store.root.rglob("*") if path.is_file()]


def test_what_is_not_a_picture_is_refused_and_nothing_is_kept(session, alice, tmp_path, store):
    page = tmp_path / "me.png"
    page.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    with pytest.raises(avatars.AvatarRefused, match="not a picture"):
        squares(store, page)
    assert avatars.current_key(session, alice.id) is None
    assert not [path for path in store.root.rglob("*") if path.is_file()]


def test_a_picture_over_the_pictures_pixel_cap_is_refused_before_it_is_decoded(
    session, alice, tmp_path, store, monkeypatch
):
    from PIL import PngImagePlugin

    big = tmp_path / "wall.png"
    Image.new("L", (4000, 3001)).save(big, format="PNG")  # 12 M pixels and a bit: far under IMAGE_MAX_PIXELS
    assert settings.AVATAR_MAX_PIXELS < 4000 * 3001 < settings.IMAGE_MAX_PIXELS

    def decoded(image):
        raise AssertionError("the picture was decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", decoded)
    with pytest.raises(avatars.AvatarRefused, match="4000×3001 pixels; use one of at most 12 megapixels"):
        squares(store, big)
    assert not list(store.scratch().iterdir())


def test_going_back_to_the_generated_picture_without_one_tells_nobody(session, alice, tmp_path, store):
    assert avatar_actions.remove_avatar(session, alice.id).events == []
    avatar_actions.set_avatar(session, alice.id, squares(store, photo(tmp_path)))
    assert avatar_actions.remove_avatar(session, alice.id).events == [AvatarChanged("alice", "")]
    assert avatar_actions.remove_avatar(session, alice.id).events == []
