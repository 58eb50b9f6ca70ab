"""The workspace around every signed-in page: a sidebar listing the user's rooms, private rooms and direct
conversations with live unread and mention badges, controls for a new room and a new message, and the
user's links. At desktop width it sits on the left; on a phone a compact top bar opens it as a sheet.

The lists are the rooms page's (state/rooms.py, written by realtime/rooms_list.py), shown grouped and with
muted rooms last."""

import reflex as rx

from djangochat_rx import routes, settings
from djangochat_rx.domain.reads import RoomSummary
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from djangochat_rx.state.search import SearchState


def color_mode_button() -> rx.Component:
    return rx.icon_button(
        rx.color_mode_cond(light=rx.icon("moon"), dark=rx.icon("sun")),
        on_click=rx.toggle_color_mode,
        variant="ghost",
        aria_label="Toggle dark mode",
    )


def unread_count(room: rx.Var[RoomSummary]) -> rx.Var[int]:
    """Messages in the room after the furthest point this user has read (when the lists were read, or since)."""
    slug = room["slug"]
    loaded = rx.cond(
        RoomsState.reads.contains(slug),
        RoomsState.reads[slug],
        rx.cond(RoomsState.older_reads.contains(slug), RoomsState.older_reads[slug], 0),
    ).to(int)
    live = rx.cond(RoomsState.read_marks.contains(slug), RoomsState.read_marks[slug], 0).to(int)
    unread = room["message_count"] - rx.cond(live > loaded, live, loaded)
    return rx.cond(unread > 0, unread, 0)


def muted_last(rooms: rx.Var[list[RoomSummary]], show, when=None) -> list[rx.Component]:
    """`show(room)` for each of the rooms (those `when(room)` keeps), in their order, the muted ones last."""
    muted = RoomsState.muted

    def kept(room, muted_now):
        wanted = muted.contains(room["slug"]) if muted_now else ~muted.contains(room["slug"])
        return wanted & when(room) if when is not None else wanted

    return [
        rx.foreach(rooms, lambda room: rx.cond(kept(room, False), show(room))),
        rx.foreach(rooms, lambda room: rx.cond(kept(room, True), show(room))),
    ]


def _row(room: rx.Var[RoomSummary], sheet: bool) -> rx.Component:
    """A room's line: its kind, name, mention and unread badges; in the phone's sheet a tap also closes it. The
    room starts loading with the click, while the browser draws its page (RoomState.open_room): asked by the
    line around the link, so that the link keeps its own click handlers (navigation, the sheet's close)."""
    link = _link(room)
    return rx.box(
        rx.dialog.close(link) if sheet else link,
        on_click=lambda click: RoomState.open_room(room["slug"], click),
        class_name="side-line",
        key=room["slug"],
    )


def _link(room: rx.Var[RoomSummary]) -> rx.Component:
    unread = unread_count(room)
    muted = RoomsState.muted.contains(room["slug"])
    mentioned = RoomsState.mentioned.contains(room["slug"]) & ~muted
    current = rx.State.router.page.params.to(dict)["slug"].to(str) == room["slug"]
    return rx.link(
        rx.match(
            room["kind"],
            ("private", rx.icon("lock", size=14, aria_hidden="true", flex_shrink="0")),
            ("dm", rx.icon("at-sign", size=14, aria_hidden="true", flex_shrink="0")),
            rx.icon("hash", size=14, aria_hidden="true", flex_shrink="0"),
        ),
        rx.text(room["name"], class_name="side-name", weight=rx.cond(unread > 0, "bold", "regular"), size="2"),
        rx.cond(mentioned, rx.badge("@", color_scheme="orange", variant="solid", class_name="side-mention")),
        rx.cond(
            unread > 0,
            rx.cond(
                muted,
                rx.box(class_name="side-dot", role="img", aria_label="Unread messages"),
                rx.badge(unread.to_string(), variant="solid", radius="full", class_name="side-unread"),
            ),
        ),
        rx.cond(muted, rx.el.span("muted", class_name="sr-only")),
        href="/rooms/" + room["slug"],
        underline="none",
        # No link hover colour (accent 8: 2.1:1 on the current row's accent 4); chat.css colours the rows.
        _hover={},
        class_name="side-room",
        aria_current=rx.cond(current, "page", "false"),
        data_room=room["slug"],
    )


def _page_link(sheet: bool, route: str, icon: str, label: str, unread: rx.Var[int] | None = None, **props):
    """A page of one's own in the sidebar (Threads, Saved): its icon and name, bold with a count when `unread`."""
    bold = rx.cond(unread > 0, "bold", "regular") if unread is not None else "regular"
    link = rx.link(
        rx.icon(icon, size=14, aria_hidden="true", flex_shrink="0"),
        rx.text(label, class_name="side-name", weight=bold, size="2"),
        rx.cond(
            unread > 0,
            rx.badge(
                unread.to_string(), variant="solid", radius="full", class_name="side-unread", id=f"{route[1:]}-unread"
            ),
        )
        if unread is not None
        else rx.fragment(),
        href=route,
        underline="none",
        _hover={},
        aria_current=rx.cond(rx.State.router.page.path == route, "page", "false"),
        **props,
    )
    return rx.dialog.close(link) if sheet else link


def _threads_link(sheet: bool) -> rx.Component:
    """The Threads page, with how many replies are unread in the threads the user follows (live)."""
    unread = RoomsState.threads_unread
    return _page_link(sheet, routes.THREADS, "messages-square", "Threads", unread, class_name="side-room side-threads")


def _saved_link(sheet: bool) -> rx.Component:
    """The Saved page: the messages the user keeps for later."""
    return _page_link(sheet, routes.SAVED, "bookmark", "Saved", class_name="side-room side-saved")


def _groups_link(sheet: bool) -> rx.Component:
    """The Groups page: the user groups people mention as @name (none for a guest, who sees no group)."""
    return rx.cond(
        ~AuthState.is_guest,
        _page_link(sheet, routes.GROUPS, "users", "Groups", class_name="side-room side-groups"),
    )


def _later_links(sheet: bool) -> list[rx.Component]:
    """The Scheduled and Reminders pages: the messages the user will send later, the reminders they set."""
    return [
        _page_link(sheet, routes.SCHEDULED, "clock", "Scheduled", class_name="side-room side-scheduled"),
        _page_link(sheet, routes.REMINDERS, "alarm-clock", "Reminders", class_name="side-room side-reminders"),
    ]


def _section(title: str, rooms: list[rx.Component], control: rx.Component | None = None, **props) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(title, as_="h2", size="1", class_name="side-heading"),
            rx.spacer(),
            control if control is not None else rx.fragment(),
            align="center",
            width="100%",
        ),
        *rooms,
        spacing="0",
        width="100%",
        **props,
    )


def _opener(label: str, which: str, sheet: bool) -> rx.Component:
    """The button opening one of the page's dialogs (in the phone's sheet it also closes the sheet)."""
    button = rx.icon_button(
        rx.icon("plus", size=14), variant="ghost", size="1", aria_label=label, on_click=RoomsState.show_dialog(which)
    )
    return rx.dialog.close(button) if sheet else button


def dialogs() -> rx.Component:
    """The sidebar's dialogs, once per page (the sidebar and the phone's sheet both open them)."""
    return rx.fragment(_new_room(), _new_message())


def _form_dialog(which: str, title: str, submit: str, on_submit, *fields: rx.Component) -> rx.Component:
    """One of the sidebar's dialogs: `fields` in a form, its refusal shown in place, Cancel and `submit`;
    open while RoomsState.dialog is `which`."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    *fields,
                    rx.cond(RoomsState.error != "", rx.callout(RoomsState.error, color_scheme="red", role="alert")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button(submit, type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
            max_width="26rem",
        ),
        open=RoomsState.dialog == which,
        on_open_change=RoomsState.dialog_shown,
    )


def _new_room() -> rx.Component:
    """A room made from the sidebar: its name, description and whether it is private."""
    return _form_dialog(
        "room",
        "New room",
        "Create room",
        RoomsState.create_room,
        rx.el.label("Room name", html_for="new-room-name", font_weight="500"),
        rx.input(id="new-room-name", name="name", required=True, max_length=settings.ROOM_NAME_MAX_CHARS),
        rx.el.label("Description", html_for="new-room-description", font_weight="500"),
        rx.input(id="new-room-description", name="description", max_length=settings.ROOM_DESCRIPTION_MAX_CHARS),
        rx.el.label(
            rx.checkbox(name="private", id="new-room-private"),
            " Private: only people you invite can see it",
            html_for="new-room-private",
            display="flex",
            gap="0.5rem",
            align_items="center",
        ),
    )


def _new_message() -> rx.Component:
    """A direct conversation opened from the sidebar, with the people named."""
    return _form_dialog(
        "message",
        "New message",
        "Open conversation",
        RoomsState.open_direct,
        rx.el.label("People", html_for="new-message-people", font_weight="500"),
        rx.input(
            id="new-message-people",
            name="people",
            placeholder="Usernames (up to 7, separated by commas)",
            required=True,
            max_length=500,
        ),
    )


def _search_box() -> rx.Component:
    """Search from any page: opens the search page for what was typed."""
    return rx.form(
        rx.input(name="q", type="search", placeholder="Search", aria_label="Search all messages", size="2"),
        on_submit=SearchState.submit,
        reset_on_submit=True,
        role="search",
        width="100%",
    )


def _user_links() -> rx.Component:
    return rx.vstack(
        rx.link(AuthState.username, href=routes.PROFILE, title="Your profile", weight="medium"),
        rx.hstack(
            rx.link("Account", href=routes.ACCOUNT),
            rx.cond(AuthState.is_admin, rx.link("Admin", href=routes.ADMIN)),
            spacing="3",
        ),
        rx.button("Log out", on_click=AuthState.logout, variant="soft", size="2", width="100%"),
        spacing="2",
        width="100%",
        class_name="side-user",
    )


def workspace(sheet: bool = False) -> rx.Component:
    """What the sidebar holds (also the phone's sheet): the brand, search, the rooms by kind, the user."""
    own = RoomsState.own_rooms

    def row(room):
        return _row(room, sheet)

    return rx.vstack(
        rx.hstack(
            rx.link(rx.text("DjangoChat RX", size="4", weight="bold"), href=routes.INDEX, underline="none"),
            rx.spacer(),
            color_mode_button(),
            align="center",
            width="100%",
        ),
        _search_box(),
        rx.el.nav(
            rx.vstack(
                _threads_link(sheet),
                _saved_link(sheet),
                _groups_link(sheet),
                *_later_links(sheet),
                _section(
                    "Rooms",
                    # A guest's public rooms are in their own list (they have no lobby, nor a directory).
                    muted_last(RoomsState.lobby, row) + muted_last(own, row, lambda room: room["kind"] == "public"),
                    rx.cond(
                        ~AuthState.is_guest,
                        rx.hstack(
                            rx.link("All rooms", href=routes.ROOMS, size="1"),
                            _opener("New room", "room", sheet),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    data_section="rooms",
                ),
                _section(
                    "Private rooms",
                    muted_last(own, row, lambda room: room["kind"] == "private"),
                    data_section="private",
                ),
                _section(
                    "Direct messages",
                    muted_last(own, row, lambda room: room["kind"] == "dm"),
                    _opener("New message", "message", sheet),
                    data_section="dm",
                ),
                spacing="4",
                width="100%",
            ),
            aria_label="Your rooms",
            class_name="side-nav",
        ),
        _user_links(),
        spacing="4",
        height="100%",
        width="100%",
    )


def sidebar() -> rx.Component:
    """The desktop sidebar (hidden on a phone, where the top bar opens the same as a sheet)."""
    return rx.el.aside(
        workspace(),
        class_name="sidebar",
        aria_label="Workspace",
    )


def top_bar(title: rx.Var[str] | str) -> rx.Component:
    """The phone's compact top bar: a menu button opening the sidebar as a sheet, and the page's title."""
    return rx.el.header(
        rx.dialog.root(
            rx.dialog.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open menu")),
            rx.dialog.content(
                rx.dialog.title("Menu", class_name="sr-only"),
                rx.dialog.description("Your rooms and account", class_name="sr-only"),
                workspace(sheet=True),
                class_name="sidebar-sheet",
            ),
        ),
        rx.text(title, weight="bold", size="3", class_name="top-title"),
        rx.spacer(),
        color_mode_button(),
        class_name="top-bar",
    )
