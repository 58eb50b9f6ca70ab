"""How fast a page can draw: its scripts named in its first answer and kept by the browser
(http/page_assets.py), and the room page's scripts loaded on the rooms list before anyone opens a room
(components/prefetch.py). The times themselves: `python -m bench.run browser`."""

import urllib.request

from playwright.sync_api import expect

from tests.e2e.test_chat import register, unique


def test_a_room_page_names_its_scripts_in_its_first_answer(app_url):
    """A room's address is answered with the build's fallback page; its Link header names the room page's
    scripts (http/page_assets.py), each of which the server has and the browser may keep; the page itself is
    asked for again each time."""
    with urllib.request.urlopen(f"{app_url}/rooms/any-room") as response:
        link = response.headers["Link"]
        assert response.headers["Cache-Control"] == "no-cache"
    scripts = [part.split(">")[0].lstrip("<") for part in link.split(", ")]
    assert all(part.endswith("; rel=modulepreload") for part in link.split(", "))
    assert any("rooms" in name and "slug" in name for name in scripts)
    for name in scripts:
        with urllib.request.urlopen(f"{app_url}{name}") as script:
            assert script.status == 200 and "javascript" in script.headers["Content-Type"]
            assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_rooms_list_loads_the_room_page_scripts_before_a_room_is_opened(new_page):
    page = new_page()
    register(page, unique("prefetcher"))
    page.goto("/rooms")
    preloaded = page.locator('link[rel="modulepreload"][href*="rooms_.__slug_"]')
    expect(preloaded).to_have_count(1)
    script = preloaded.get_attribute("href")
    # Fetched already: opening a room now takes it from the browser's cache.
    fetched = "(url) => performance.getEntriesByName(new URL(url, location.href).href).length"
    page.wait_for_function(f"() => ({fetched})({script!r}) > 0")
