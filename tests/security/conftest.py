"""Security tests drive the in-process backend like the state tests do."""

from tests.state.conftest import backend_url, make_user, open_tab, room  # noqa: F401
