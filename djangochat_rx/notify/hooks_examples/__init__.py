"""Hooks shipped as examples (hooks.py):
HOOKS=djangochat_rx.notify.hooks_examples.echo,djangochat_rx.notify.hooks_examples.remind."""
