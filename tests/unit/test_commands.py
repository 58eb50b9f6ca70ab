"""Slash commands (commands.py): what each typed text asks for, how /me and /shrug look once posted, the
// escape, unknown commands, the registry the autocomplete lists, and /topic through the room action."""

import pytest

from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import commands, markup, rooms
from djangochat_rx.domain.commands import Command, CommandError, Invoke, Post, SetTopic, UnknownCommand
from djangochat_rx.domain.events import RoomChanged


@pytest.mark.parametrize(
    "typed",
    ["hello", "  hi there ", "/", "/ spaced", "/usr/bin is where it lives", "/123 go", "a /me later", "me /shrug"],
)
def test_text_that_is_no_command_is_posted_as_typed(typed):
    assert commands.parse(typed) == Post(typed)


def test_me_is_posted_as_typed_and_needs_a_text():
    assert commands.parse("/me waves") == Post("/me waves")
    assert commands.parse("  /me   waves slowly\n") == Post("/me   waves slowly")
    with pytest.raises(CommandError, match=r"Usage: /me TEXT"):
        commands.parse("/me   ")


def test_shrug_posts_the_text_and_a_shrug_that_renders_with_both_arms_and_its_underscore():
    assert commands.parse("/shrug") == Post(commands.SHRUG)
    posted = commands.parse("/shrug  no idea ")
    assert posted == Post("no idea " + commands.SHRUG)
    assert markup.render(posted.text) == "<p>no idea ¯\\_(ツ)_/¯</p>\n"
    assert markup.preview(posted.text) == "no idea ¯\\_(ツ)_/¯"


def test_topic_asks_to_set_the_room_topic_and_needs_a_text():
    assert commands.parse("/topic Release day, *all* hands") == SetTopic("Release day, *all* hands")
    with pytest.raises(CommandError, match=r"Usage: /topic TEXT"):
        commands.parse("/topic")


@pytest.mark.parametrize("typed", ["/foo", "/foo bar baz", "/Me waves", "/shrugs"])
def test_an_unknown_command_is_refused_with_its_name_and_how_to_list_the_commands(typed):
    with pytest.raises(UnknownCommand) as refused:
        commands.parse(typed)
    name = typed.split()[0]
    assert str(refused.value).startswith(f"Unknown command {name}. Type / at the start of the box")


def test_a_double_slash_posts_the_text_from_its_second_slash_literally():
    assert commands.parse("//foo bar") == Post("/foo bar")
    assert commands.parse("//shrug") == Post("/shrug")
    assert markup.render(commands.parse("//foo bar").text) == "<p>/foo bar</p>\n"
    # Not a me message: the slash is escaped, and shows.
    literal = commands.parse("//me waves").text
    assert markup.me_action(literal) is None
    assert markup.render(literal) == "<p>/me waves</p>\n"


def test_the_registry_lists_built_ins_and_registered_commands_and_refuses_clashes():
    assert [command.name for command in commands.listed()][:5] == ["/me", "/poll", "/remind", "/shrug", "/topic"]
    weather = Command("/weather", "CITY", "Today's weather in CITY")
    commands.register(weather)
    try:
        assert weather in commands.listed()
        assert commands.parse("/weather  Oslo ") == Invoke("/weather", "Oslo")
        with pytest.raises(ValueError, match="already registered"):
            commands.register(Command("/weather", "", ""))
        with pytest.raises(ValueError, match="already registered"):
            commands.register(Command("/me", "", ""))
        with pytest.raises(ValueError, match="not a command name"):
            commands.register(Command("/Bad Name", "", ""))
    finally:
        commands.unregister("/weather")
    commands.unregister("/me")  # built-ins stay
    assert [command.name for command in commands.listed()] == ["/me", "/poll", "/remind", "/shrug", "/topic"]
    with pytest.raises(UnknownCommand):
        commands.parse("/weather Oslo")


def test_a_me_message_is_stored_as_typed_and_drawn_as_the_authors_name_and_text_in_italics(session, alice, general):
    posted = message_actions.send_message(session, alice.id, general.id, "/me waves").value
    assert posted.body == "/me waves"
    assert posted.html == '<p class="me-message"><em><span class="me-author">alice</span> waves</em></p>\n'
    marked = message_actions.send_message(session, alice.id, general.id, "/me *really* <b>waves</b>").value
    assert marked.html == (
        '<p class="me-message"><em><span class="me-author">alice</span> '
        "<em>really</em> &lt;b&gt;waves&lt;/b&gt;</em></p>\n"
    )
    edited = message_actions.edit_message(session, alice.id, general.id, posted.id, "/me waves back").value
    assert edited.html == '<p class="me-message"><em><span class="me-author">alice</span> waves back</em></p>\n'


def test_topic_sets_the_description_through_the_room_action_for_its_owner_only(session, alice, bob, general):
    outcome = room_actions.set_topic(session, alice.id, general.id, "Release day")
    assert (outcome.value.name, outcome.value.description) == ("General", "Release day")
    [changed] = outcome.events
    assert isinstance(changed, RoomChanged) and changed.summary.description == "Release day"
    with pytest.raises(rooms.NotOwner):
        room_actions.set_topic(session, bob.id, general.id, "mine now")
    with pytest.raises(rooms.RoomNotFound):
        room_actions.set_topic(session, alice.id, general.id + 1000, "nowhere")
    assert rooms.room_by_slug(session, "general").description == "Release day"
