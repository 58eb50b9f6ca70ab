"""`/echo TEXT`: the echo bot (echo-bot) says TEXT back in the room, the smallest command hook there is."""

from djangochat_rx.notify.hooks import HookMessage, command


@command("/echo", usage="TEXT", help="The echo bot says TEXT back")
def echo(message: HookMessage) -> str:
    """TEXT, as the bot's message (a plain function: it runs on the hooks' own threads)."""
    return message.text or "Usage: /echo TEXT"
