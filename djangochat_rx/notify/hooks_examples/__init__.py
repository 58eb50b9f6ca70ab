"""A hook shipped as an example (hooks.py): HOOKS=djangochat_rx.notify.hooks_examples.echo."""
