"""Pictures in Chromium: everyone starts with a generated one (initials on a colour), beside messages, in the
members list, among who is here and on their profile; one person uploads a picture on their profile and
the others' open pages show it at once, without a reload."""

import io
import os
import re

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique

SHOTS = os.environ.get("SCREENSHOTS", "")


def test_a_new_picture_is_seen_live_by_the_others(new_page, tmp_path):
    ann, ben, cat = new_page(), new_page(), new_page()
    names = [unique(name) for name in ("ann", "ben", "cat")]
    for page, name in zip((ann, ben, cat), names, strict=True):
        register(page, name)
    create_room(ann, unique("Faces "))
    composer(ann).fill("hello")
    composer(ann).press("Enter")
    for page in (ben, cat):
        page.goto(ann.url)
        expect(messages(page)).to_have_count(1)
    face = messages(ben).first.locator(".avatar")
    expect(face).to_have_text(names[0][0].upper())
    expect(face).to_have_attribute("data-colour", re.compile(r"^[a-z]+$"))
    expect(ben.locator("#present .avatar")).to_have_count(3)

    picture = tmp_path / "me.jpg"
    image = Image.new("RGB", (400, 300), (230, 120, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    picture.write_bytes(out.getvalue())
    ann.goto(f"/users/{names[0]}")
    expect(ann.locator("#profile-picture .avatar-generated")).to_be_visible()
    ann.locator("#attach-files").set_input_files(str(picture))
    expect(ann.locator("#profile-picture img.avatar-large")).to_have_js_property("naturalWidth", 64)
    expect(ann.get_by_role("button", name="Use generated picture")).to_be_visible()

    for page in (ben, cat):  # no reload: the change came to their open pages
        live = messages(page).first.locator("img.avatar")
        expect(live).to_have_js_property("naturalWidth", 64)
    if SHOTS:
        for scheme in ("light", "dark"):
            for width in (1280, 375):
                ben.emulate_media(color_scheme=scheme)
                ben.set_viewport_size({"width": width, "height": 700})
                ben.wait_for_timeout(300)
                ben.screenshot(path=f"{SHOTS}/avatars-room-{scheme}-{width}.png")
        ann.set_viewport_size({"width": 375, "height": 700})
        ann.screenshot(path=f"{SHOTS}/avatars-profile-375.png")

    ann.get_by_role("button", name="Use generated picture").click()
    expect(messages(ben).first.locator(".avatar-generated")).to_have_text(names[0][0].upper())
