"""Files in Chromium with three people: attach by button, by drag-and-drop and by pasting; an image shows as a
thumbnail that opens full size, a file as a card that downloads the same bytes; the Files panel follows
what is posted and deleted; a reload keeps what is not sent yet; a file over the limit is
refused with a clear message and nothing typed is lost; an uploaded HTML or SVG file runs no script in
the app's origin, even opened directly."""

import contextlib
import io
import os
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from djangochat_rx import settings
from djangochat_rx.domain import attachments
from tests.e2e.test_chat import composer, create_room, messages, register, unique

# SCREENSHOTS=<folder> saves what the test saw (never committed).
SHOTS = os.environ.get("SCREENSHOTS", "")
EVIL_HTML = b"<html><body><script>localStorage.setItem('pwned', '1'); document.title = 'pwned'</script></body></html>"
EVIL_SVG = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"localStorage.setItem('pwned', 'svg')\"><rect/></svg>"


def png(size=(1200, 600), colour=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def attach_button(page: Page, files) -> None:
    page.locator("#attach-files").set_input_files(files)


def drop(page: Page, name: str, data: bytes, mime: str) -> None:
    """Drop a file on the message box as a drag from the desktop does (a DataTransfer holding it)."""
    page.evaluate(
        """([name, bytes, mime]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], name, { type: mime }));
          const form = document.getElementById("composer");
          for (const type of ["dragenter", "dragover", "drop"]) {
            form.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
          }
        }""",
        [name, list(data), mime],
    )


def paste(page: Page, data: bytes) -> None:
    """Paste a screenshot into the message box (the clipboard holds an image called image.png)."""
    page.evaluate(
        """(bytes) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
          document.getElementById("message").dispatchEvent(
            new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
        }""",
        list(data),
    )


def pending(page: Page):
    return page.locator(".pending-file")


def three_in_a_room(new_page) -> list[Page]:
    pages = [new_page(), new_page(), new_page()]
    for page, name in zip(pages, ("ann", "ben", "cat"), strict=True):
        register(page, unique(name))
    create_room(pages[0], unique("Files "))
    for page in pages[1:]:
        page.goto(pages[0].url)
        expect(composer(page)).to_be_visible()
    return pages


def test_attach_by_button_drop_and_paste_and_everyone_sees_them(new_page, tmp_path):
    ann, ben, cat = three_in_a_room(new_page)
    picture, notes = tmp_path / "diagram.png", tmp_path / "notes.txt"
    picture.write_bytes(png())
    notes.write_bytes(b"milk, eggs, flour\n")

    attach_button(ann, [str(picture), str(notes)])
    expect(pending(ann)).to_have_count(2)
    composer(ann).fill("the plan and the list")
    composer(ann).press("Enter")
    for page in (ann, ben, cat):
        expect(messages(page)).to_have_count(1)
        expect(messages(page).first.locator(".attachment-thumb")).to_be_visible()
        expect(messages(page).first.locator(".attachment-card")).to_contain_text("notes.txt")
    expect(pending(ann)).to_have_count(0)

    # The thumbnail opens the full-size image.
    thumb = messages(ben).first.locator(".attachment-thumb")
    expect(thumb).to_have_js_property("naturalWidth", 640)
    with ben.expect_popup() as opened:
        thumb.click()
    full = opened.value
    expect(full).to_have_url(re.compile(r"/_files/\d+/full/diagram\.png$"))
    assert full.evaluate("document.querySelector('img').naturalWidth") == 1200
    full.close()

    # The card downloads the very bytes.
    with cat.expect_download() as downloaded:
        messages(cat).first.get_by_role("link", name="Download notes.txt").click()
    assert downloaded.value.suggested_filename == "notes.txt"
    assert Path(downloaded.value.path()).read_bytes() == b"milk, eggs, flour\n"

    drop(ben, "dropped.txt", b"dropped in", "text/plain")
    expect(pending(ben)).to_have_count(1)
    expect(pending(ben)).to_contain_text("dropped.txt")
    paste(ben, png((300, 200), (200, 40, 40)))
    expect(pending(ben)).to_have_count(2)
    expect(pending(ben).nth(1)).to_contain_text(re.compile(r"pasted-.*\.png"))
    pending(ben).first.get_by_role("button", name="Remove dropped.txt").click()
    expect(pending(ben)).to_have_count(1)
    composer(ben).press("Enter")  # files alone, no text
    for page in (ann, ben, cat):
        expect(messages(page)).to_have_count(2)
        expect(messages(page).nth(1).locator(".attachment-thumb")).to_have_js_property("naturalWidth", 300)

    # Search finds files by name.
    cat.goto("/search?q=notes")
    expect(cat.locator("#file-results .file-hit")).to_have_count(1)
    expect(cat.locator("#file-results")).to_contain_text("notes.txt")
    cat.go_back()
    expect(messages(cat)).to_have_count(2)
    # The room's Files panel: newest first, by kind, and a file posted meanwhile joins it live.
    cat.get_by_role("button", name="Files in this room").click()
    lines = cat.locator("#files-panel .room-file")
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text("pasted-")
    cat.get_by_role("radio", name="Files").click()
    expect(lines).to_have_count(1)
    cat.get_by_role("radio", name="All").click()
    attach_button(ann, [str(notes)])
    expect(pending(ann)).to_have_count(1)
    composer(ann).press("Enter")
    expect(lines).to_have_count(4)
    expect(lines.first).to_contain_text("notes.txt")
    if SHOTS:
        cat.screenshot(path=f"{SHOTS}/files-panel.png")
    # Deleted by its author: the message's file leaves the open panel at once.
    newest = messages(ann).last
    newest.hover()
    newest.get_by_role("button", name="Delete message").click()
    ann.get_by_role("alertdialog", name="Delete this message?").get_by_role("button", name="Delete", exact=True).click()
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text("pasted-")
    cat.get_by_role("button", name="Files in this room").click()
    # Uploaded and not sent yet: a reload keeps it in the message box.
    attach_button(ann, [str(notes)])
    expect(pending(ann)).to_have_count(1)
    ann.reload()
    expect(pending(ann)).to_have_count(1)
    expect(pending(ann)).to_contain_text("notes.txt")
    if SHOTS:
        for scheme in ("light", "dark"):
            for width in (1280, 375):
                cat.emulate_media(color_scheme=scheme)
                cat.set_viewport_size({"width": width, "height": 800})
                cat.wait_for_timeout(500)
                cat.screenshot(path=f"{SHOTS}/files-{scheme}-{width}.png")


def test_a_file_over_the_limit_is_refused_before_upload_and_the_text_stays(new_page, tmp_path):
    page = new_page()
    register(page, unique("dan"))
    create_room(page, unique("Limits "))
    big = tmp_path / "huge.bin"
    with big.open("wb") as file:
        file.truncate(settings.FILE_MAX_BYTES + 1)
    composer(page).fill("see the attached")
    attach_button(page, [str(big)])
    expected = str(attachments.too_big("huge.bin", settings.FILE_MAX_BYTES + 1))
    expect(page.get_by_role("alert")).to_contain_text(expected)
    expect(pending(page)).to_have_count(0)
    expect(composer(page)).to_have_value("see the attached")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/files-refused.png")


def test_an_uploaded_html_or_svg_file_runs_no_script_in_the_apps_origin(new_page, tmp_path):
    page = new_page()
    register(page, unique("eve"))
    create_room(page, unique("Evil "))
    for name, data in (("cat.png", EVIL_HTML), ("logo.svg", EVIL_SVG)):
        path = tmp_path / name
        path.write_bytes(data)
        attach_button(page, [str(path)])
        expect(pending(page)).to_have_count(1)
        composer(page).press("Enter")
        expect(messages(page).last.locator(".attachment-card")).to_contain_text(name)
    links = messages(page).locator(".attachment-download")
    expect(links).to_have_count(2)
    for href in [links.nth(i).get_attribute("href") for i in range(2)]:
        direct = page.context.new_page()
        # Opened directly, not from the card: never rendered, a download whatever its bytes say.
        with direct.expect_download() as downloaded, contextlib.suppress(PlaywrightError):
            direct.goto(href.removesuffix("?download=1"))
        assert Path(downloaded.value.path()).read_bytes() in (EVIL_HTML, EVIL_SVG)
        direct.close()
    assert page.evaluate("localStorage.getItem('pwned')") is None
    assert page.title() != "pwned"


def test_an_upload_in_progress_shows_its_bar_and_cancel_stops_it(new_page, tmp_path):
    page = new_page()
    register(page, unique("fay"))
    create_room(page, unique("Slow "))
    held = []
    page.route("**/_files/upload**", lambda route: held.append(route))  # never answered: the upload stays in flight
    notes = tmp_path / "slow.txt"
    notes.write_bytes(b"x" * 200_000)
    attach_button(page, [str(notes)])
    upload = page.locator(".uploads .upload")
    expect(upload).to_contain_text("slow.txt")
    expect(upload.get_by_label("Uploading slow.txt")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/files-uploading.png")
    upload.get_by_role("button", name="Cancel").click()
    expect(upload).to_have_count(0)
    expect(pending(page)).to_have_count(0)
    page.unroute("**/_files/upload**")
    for route in held:
        with contextlib.suppress(PlaywrightError):
            route.abort()


def test_many_files_at_once_go_a_few_at_a_time_and_all_arrive(new_page, tmp_path):
    """The server takes UPLOADS_PER_USER_AT_ONCE uploads from one person at once (429 past it): six files
    picked together are all listed, at most that many are on their way, and the others follow."""
    page = new_page()
    register(page, unique("gus"))
    create_room(page, unique("Many "))
    held, released = [], []

    def hold_until_released(route) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/_files/upload**", hold_until_released)
    files = []
    for n in range(6):
        path = tmp_path / f"note{n}.txt"
        path.write_bytes(f"note {n}".encode())
        files.append(str(path))
    attach_button(page, files)
    expect(page.locator(".uploads .upload")).to_have_count(6)
    at_once = settings.UPLOADS_PER_USER_AT_ONCE
    for _ in range(100):
        if len(held) >= at_once:
            break
        page.wait_for_timeout(20)
    assert len(held) == at_once
    released.append(True)
    for route in held:
        route.continue_()
    expect(pending(page)).to_have_count(6)
    expect(page.locator(".uploads .upload")).to_have_count(0)
    composer(page).press("Enter")
    expect(messages(page).last.locator(".attachment-card")).to_have_count(6)
