"""Where a page finds its backend (routes.py): files on the backend its socket reached; webhook URLs and the API's
reference at PUBLIC_URL when the page and backend share an origin (`make serve`), else at the backend's own port
(`make run`: pages on :3000, the backend on :8000)."""

import pytest

from djangochat_rx.routes import backend_origin, public_backend_url

PUBLIC = "https://chat.example.com"


def test_files_come_from_the_backend_the_socket_reached_in_the_pages_scheme():
    assert backend_origin("http://localhost:3000", "localhost:8000") == "http://localhost:8000"
    assert backend_origin("https://chat.example.com", "chat.example.com") == "https://chat.example.com"
    assert backend_origin("", "127.0.0.1:8000") == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("page", "socket_host"),
    [
        ("http://127.0.0.1:3000", "127.0.0.1:3000"),  # make serve: one port
        ("https://chat.example.com", "chat.example.com"),  # behind a proxy passing the Host on
        ("https://chat.example.com", "chat.example.com:443"),  # the scheme's own port, written out
        ("HTTP://Localhost:3000", "localhost:3000"),
        ("", "127.0.0.1:8000"),  # no browser: nothing to compare with
    ],
)
def test_a_page_sharing_its_backends_origin_gives_the_public_url(page, socket_host):
    assert public_backend_url(page, socket_host, PUBLIC) == PUBLIC


@pytest.mark.parametrize(
    ("page", "socket_host", "backend"),
    [
        ("http://localhost:3000", "localhost:8000", "http://localhost:8000"),  # make run
        ("http://127.0.0.1:3000", "127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://chat.example.com", "api.example.com", "https://api.example.com"),  # frontend and backend apart
    ],
)
def test_a_page_on_another_port_or_host_gives_the_backends_own_origin(page, socket_host, backend):
    assert public_backend_url(page, socket_host, "http://localhost:3000") == backend
