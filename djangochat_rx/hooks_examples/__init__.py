"""Hooks shipped as examples (hooks.py): HOOKS=djangochat_rx.hooks_examples.echo,djangochat_rx.hooks_examples.remind."""
