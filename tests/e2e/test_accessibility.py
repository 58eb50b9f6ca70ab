"""Every page, light and dark, has no axe-core violations (axe 4, the WCAG 2.1 A/AA rules and best practices)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_admin import open_admin
from tests.e2e.test_chat import composer, create_room, messages, register, unique

axe = Axe()
CODE_BLOCK = '''```python
# a comment
@cache
def total(values: list[int]) -> int:
    """Sum."""
    return sum(v for v in values if v is not None and v > 0x10) + len("a\\n") * 2.5 or True
```'''


def violations(page: Page) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:4]) for v in found
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_axe_violations(new_page, engine, scheme):
    page = new_page()
    page.emulate_media(color_scheme=scheme)
    report = {}
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    # The page follows the system's colour scheme (the toggle in the navbar overrides it).
    dark = page.evaluate("document.documentElement.classList.contains('dark')")
    assert dark == (scheme == "dark")
    report["login"] = violations(page)
    name = unique("axe")
    register(page, name)
    room_name = unique("Axe room ")
    create_room(page, room_name)
    composer(page).fill("hello there")
    composer(page).press("Enter")
    expect(messages(page)).to_have_count(1)
    # A highlighted code block: every colour of its palette on the page (comment, decorator, keyword, builtin,
    # function, string, escape, number, operator word, constant).
    composer(page).fill(CODE_BLOCK)
    composer(page).press("Enter")
    expect(messages(page).last.locator("pre.hl")).to_be_visible()
    report["room"] = violations(page)
    # A thread open beside the room, with a reply (the Threads page then lists it).
    messages(page).first.hover()
    messages(page).first.get_by_role("button", name="Reply in thread").click()
    page.locator("#thread-panel").get_by_role("textbox", name="Reply").fill("a reply")
    page.locator("#thread-panel").get_by_role("textbox", name="Reply").press("Enter")
    expect(page.locator("#thread-replies .message")).to_have_count(1)
    expect(messages(page).first.locator(".thread-summary")).to_contain_text("1 reply")
    report["room with a thread"] = violations(page)
    # The room opened from the sidebar: its row highlighted as the current one, the pointer still on it.
    page.goto("/rooms")
    page.locator("aside.sidebar a.side-room", has_text=room_name).click()
    current = page.locator('aside.sidebar a.side-room[aria-current="page"]')
    expect(current).to_contain_text(room_name)
    expect(messages(page)).to_have_count(2)
    current.hover()
    report["room opened from the sidebar"] = violations(page)
    pages = ("/rooms", "/account", "/profile", f"/users/{name}", "/search?q=hello", "/threads", "/saved", "/groups")
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        report[path] = violations(page)
    admin = open_admin(new_page, engine)
    admin.emulate_media(color_scheme=scheme)
    for tab in ("Users", "Rooms", "Messages", "Sign-up", "API tokens", "Audit log"):
        admin.get_by_role("tab", name=tab).click()
        admin.wait_for_load_state("networkidle")
        report[f"admin: {tab}"] = violations(admin)
    assert not any(report.values()), report
