"""The Groups page (every user group, a form to create one) and a group's page (its members, and the controls of
whoever may manage it)."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.avatar import avatar
from djangochat_rx.components.layout import error_callout, labeled_input, page
from djangochat_rx.domain.user_groups import GroupView
from djangochat_rx.state.user_groups import GroupsState


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Group not found", size="7", as_="h1"),
        rx.text("There is no group with this name."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
        id="group-missing",
    )


def _notices() -> rx.Component:
    return rx.fragment(
        error_callout(GroupsState.group_error),
        rx.cond(
            GroupsState.group_notice != "",
            rx.callout(GroupsState.group_notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
    )


def _listed(group: rx.Var[GroupView]) -> rx.Component:
    count = group["member_count"].to(int)
    return rx.card(
        rx.hstack(
            rx.link("@" + group["name"].to(str), href="/groups/" + group["name"].to(str), weight="bold"),
            rx.text(
                count.to_string() + rx.cond(count == 1, " member", " members"), size="1", color=rx.color("gray", 11)
            ),
            rx.text(group["description"], size="2", color=rx.color("gray", 11)),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        width="100%",
        class_name="group-item",
        data_group=group["name"],
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New group", size="4", as_="h2"),
            labeled_input("Name (people mention it as @name)", "name", placeholder="backend", max_length=40),
            labeled_input("What it is for", "description", placeholder="Who to ask about the API", max_length=200),
            labeled_input("People (usernames, commas between)", "members", placeholder="alice, bob"),
            rx.button("Create group", type="submit"),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_submit=GroupsState.create,
        reset_on_submit=False,
        width="100%",
        id="create-group",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.heading("Groups", size="6", as_="h1", class_name="page-title"),
        rx.text(
            "Mention a group as @name: its members who may read the room are told.",
            color=rx.color("gray", 11),
        ),
        _notices(),
        rx.cond(
            GroupsState.groups.length() > 0,
            rx.vstack(rx.foreach(GroupsState.groups, _listed), spacing="2", width="100%", id="groups"),
            rx.text("No groups yet.", id="no-groups"),
        ),
        rx.cond(GroupsState.may_create, _create_form()),
        spacing="3",
        width="100%",
    )


def _member(username: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        avatar(username),
        rx.link(username, href="/users/" + username, class_name="group-member"),
        rx.spacer(),
        rx.cond(
            GroupsState.may_manage,
            rx.button(
                "Remove",
                on_click=GroupsState.remove(username),
                variant="ghost",
                size="1",
                aria_label="Remove " + username,
            ),
        ),
        align="center",
        width="100%",
        data_member=username,
    )


def _manage() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.heading("Add people", size="3", as_="h2"),
                rx.hstack(
                    rx.input(
                        name="members",
                        id="group-add",
                        placeholder="usernames, commas between",
                        aria_label="People to add",
                        width="100%",
                    ),
                    rx.button("Add", type="submit"),
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=GroupsState.add,
            reset_on_submit=True,
            width="100%",
        ),
        rx.form(
            rx.vstack(
                rx.heading("Name and description", size="3", as_="h2"),
                labeled_input("Name", "name", default_value=GroupsState.shown, key=GroupsState.shown, max_length=40),
                labeled_input(
                    "What it is for",
                    "description",
                    default_value=GroupsState.description,
                    key=GroupsState.description,
                    max_length=200,
                ),
                rx.hstack(
                    rx.button("Save", type="submit"),
                    rx.button(
                        "Delete group", type="button", color_scheme="red", variant="soft", on_click=GroupsState.delete
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=GroupsState.save,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
        id="group-manage",
    )


def _group() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("@" + GroupsState.shown, size="6", as_="h1", class_name="page-title"),
            rx.spacer(),
            rx.cond(GroupsState.may_join, rx.button("Join", on_click=GroupsState.join, variant="soft")),
            rx.cond(GroupsState.is_member, rx.button("Leave", on_click=GroupsState.leave, variant="soft")),
            align="center",
            width="100%",
        ),
        rx.cond(GroupsState.description != "", rx.text(GroupsState.description, id="group-description")),
        rx.text(
            GroupsState.member_count.to_string() + rx.cond(GroupsState.member_count == 1, " member", " members"),
            rx.cond(GroupsState.created_by != "", " · made by " + GroupsState.created_by, ""),
            size="2",
            color=rx.color("gray", 11),
        ),
        _notices(),
        rx.vstack(rx.foreach(GroupsState.members, _member), spacing="2", width="100%", id="group-members"),
        rx.cond(GroupsState.may_manage, _manage()),
        rx.link("All groups", href=routes.GROUPS, size="2"),
        spacing="3",
        width="100%",
    )


def groups_page() -> rx.Component:
    return page(
        rx.match(
            GroupsState.status,
            ("missing", _not_found()),
            ("ready", _list()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
        title="Groups",
    )


def group_page() -> rx.Component:
    return page(
        rx.match(
            GroupsState.status,
            ("missing", _not_found()),
            ("ready", _group()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
        title="Group",
    )
