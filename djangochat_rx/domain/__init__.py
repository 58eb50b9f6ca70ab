"""The plain rules: a database session and plain values in, views or named errors out. Nothing here
imports reflex, starlette, fastapi, actions, realtime, state, http or notify (tests/unit/test_layout.py)."""
