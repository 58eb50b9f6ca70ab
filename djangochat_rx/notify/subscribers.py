"""What happens after a commit, in order: the sockets hear the live events (realtime/, every worker), then,
from this worker only and in the background, Web Push (push.py), the Python hooks (hooks.py), mail
(mail.py) and link previews (previews.py: the cards of a message's links, fetched). Each subscribes to
actions.publish for the kinds of events it hears; `register` runs at start (djangochat_rx.py, and the tests'
session)."""

from djangochat_rx import actions
from djangochat_rx.domain.events import LIVE, MAIL, MessageSent, ReminderDue
from djangochat_rx.notify import hooks, mail, notices, previews, push
from djangochat_rx.realtime import hub


def register() -> None:
    """Subscribe every channel to actions.publish (once, however often called)."""
    actions.subscribe(hub.publish, LIVE)
    actions.subscribe(push.heard, push.HEARS)
    actions.subscribe(hooks.heard, (MessageSent,))
    actions.subscribe(mail.requested, MAIL)
    actions.subscribe(previews.heard, previews.HEARS)
    # A reminder that fell due (actions/later.py) is pushed (push.HEARS) and emailed by the person's settings.
    actions.subscribe(notices.reminded, (ReminderDue,))
