"""Custom emoji over the real backend: one uploaded over HTTP reaches every open page live as that one change,
a page opened later has it from the load (the snapshot plus the events equal a fresh load), it is served only to
signed-in viewers while it exists, it is a reaction, and its removal reaches every page as "" (its `:name:`
shows as text again); the refusals an uploader meets, and a stranger's removal refused."""

import io

import httpx
from PIL import Image

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.http import files
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.emoji import EmojiState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique
from tests.state.test_admin_flow import admin_tab
from tests.state.test_files_flow import fetch
from tests.state.test_reactions_flow import reactions_on


def png(size=(128, 128)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (240, 180, 0, 255)).save(out, format="PNG")
    return out.getvalue()


async def add(backend_url: str, tab, name: str, data: bytes, file_name: str = "") -> httpx.Response:
    async with httpx.AsyncClient(base_url=backend_url) as http:
        return await http.post(
            f"{files.EMOJI_UPLOAD_PATH}?name={name}",
            content=data,
            headers={files.UPLOAD_HEADER: tab.var(AuthState, "upload_ticket"), files.NAME_HEADER: file_name},
        )


async def test_a_new_emoji_reaches_open_pages_live_is_a_reaction_and_its_removal_shows_its_name(
    backend_url, open_tab, make_user, room
):
    maker, maker_token = make_user()
    fan, fan_token = make_user()
    name = unique("party")
    hello = db.call(messages.post_message, room.id, maker.id, f"look :{name}:")
    mine = await room_tab(open_tab, maker_token, room.slug)
    theirs = await room_tab(open_tab, fan_token, room.slug)
    before = dict(theirs.var(AuthState, "custom_emoji"))

    answer = await add(backend_url, mine, name, png())
    assert answer.status_code == 201 and answer.json()["name"] == name
    url = answer.json()["url"]
    await theirs.wait_for(lambda: theirs.var(AuthState, "custom_emoji_changed") == {name: url})
    later = await room_tab(open_tab, fan_token, room.slug)
    assert later.var(AuthState, "custom_emoji") == {**before, name: url}  # the page load's snapshot converges

    picture = await fetch(backend_url, url, theirs)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (64, 64)
    assert "immutable" in picture.headers["cache-control"]
    assert (await fetch(backend_url, url)).status_code == 404  # no ticket, no picture

    await theirs.call(RoomState, "react", message_id=hello.id, emoji=f":{name}:")
    await mine.wait_for(lambda: reactions_on(mine, hello.id) == [(f":{name}:", 1, [fan.username])])

    # Someone else may not remove it; its maker may.
    await theirs.call(EmojiState, "remove_emoji", name=name)
    await theirs.wait_for(lambda: "Only the person who added it" in theirs.var(EmojiState, "emoji_error"))
    await mine.call(EmojiState, "remove_emoji", name=name)
    await theirs.wait_for(lambda: theirs.var(AuthState, "custom_emoji_changed") == {name: ""})
    assert (await fetch(backend_url, url, theirs)).status_code == 404
    later = await room_tab(open_tab, fan_token, room.slug)
    assert name not in later.var(AuthState, "custom_emoji")
    assert reactions_on(later, hello.id) == [(f":{name}:", 1, [fan.username])]  # shown as its name
    [shown] = [m for m in later.feed() if m["id"] == hello.id]
    assert (
        f'<span class="custom-emoji" data-emoji="{name}" role="img" aria-label=":{name}:">:{name}:</span>'
        in (shown["html"])
    )


async def test_an_uploader_is_told_why_an_emoji_is_refused(backend_url, open_tab, make_user, room):
    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    name = unique("ok")
    assert (await add(backend_url, tab, name, png())).status_code == 201
    taken = await add(backend_url, tab, name, png())
    assert taken.status_code == 422 and "already" in taken.json()["error"]
    svg = await add(backend_url, tab, unique("svg"), b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    assert svg.status_code == 422 and "not a picture" in svg.json()["error"]
    bad = await add(backend_url, tab, "no%20spaces", png())
    assert bad.status_code == 422 and "A name is" in bad.json()["error"]
    from_file = await add(backend_url, tab, "", png(), file_name=f"{unique('file')}.png")
    assert from_file.status_code == 201 and from_file.json()["name"].startswith("file")
    async with httpx.AsyncClient(base_url=backend_url) as http:
        stranger = await http.post(f"{files.EMOJI_UPLOAD_PATH}?name={unique('x')}", content=png())
        huge = await http.post(
            f"{files.EMOJI_UPLOAD_PATH}?name={unique('x')}",
            content=b"\x89PNG" + b"0" * (300 * 1024),
            headers={files.UPLOAD_HEADER: tab.var(AuthState, "upload_ticket")},
        )
    assert stranger.status_code == 401 and huge.status_code == 413


async def test_an_admin_lets_only_administrators_add_and_a_member_is_told_and_refused(
    backend_url, open_tab, make_user, room
):
    _, member_token = make_user()
    _, admin_page = await admin_tab(open_tab, make_user)
    account = await open_tab("/account", token=member_token)
    await account.call(EmojiState, "load_emoji")
    await account.wait_for(lambda: account.var(EmojiState, "may_add") is True)
    try:
        await admin_page.call(AdminState, "choose_emoji_adders", adders="admins")
        await admin_page.wait_for(lambda: admin_page.var(AdminState, "notice") == "Custom emoji setting saved.")
        assert admin_page.var(AdminState, "emoji_adders") == "admins"
        newest = admin_page.var(AdminState, "audit")[0]
        assert (newest["action"], newest["detail"]) == ("emoji.adders", "members → admins")

        await account.call(EmojiState, "load_emoji")  # the section, opened again, hides the upload and says who adds
        await account.wait_for(lambda: account.var(EmojiState, "may_add") is False)
        assert account.var(EmojiState, "who_adds") == "Only administrators add custom emoji here."
        member_tab = await room_tab(open_tab, member_token, room.slug)
        refused = await add(backend_url, member_tab, unique("nope"), png())  # the upload is refused anyway
        assert refused.status_code == 422 and refused.json()["error"] == "Only administrators add custom emoji here."
    finally:
        await admin_page.call(AdminState, "choose_emoji_adders", adders="members")
        await admin_page.wait_for(lambda: admin_page.var(AdminState, "emoji_adders") == "members")
    await account.call(EmojiState, "load_emoji")
    await account.wait_for(lambda: account.var(EmojiState, "may_add") is True)
    assert account.var(EmojiState, "who_adds") == ""
