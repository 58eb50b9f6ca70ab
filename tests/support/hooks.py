"""Hooks registered by a test and taken away after it, without the HOOKS setting (hooks.py's registry)."""

import contextlib
import sys
from collections.abc import Iterator

from djangochat_rx.notify import hooks


@contextlib.contextmanager
def registered_hooks() -> Iterator[None]:
    """Whatever registers hooks inside (decorators, `fresh_module`) is unregistered at the end."""
    before = {hook.function for hook in hooks.registered()}
    try:
        yield
    finally:
        hooks.forget(*{hook.function for hook in hooks.registered()} - before)


def fresh_module(path: str) -> None:
    """Import a hooks module anew, so its decorators register it again in this test."""
    sys.modules.pop(path, None)
    assert hooks.load([path]) == [path]
