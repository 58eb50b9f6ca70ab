"""docs/running.md's nginx example for the static frontend forwards every path the backend serves, and no page."""

import re

from reflex_base.constants import Endpoint
from starlette.routing import Mount, Route

from djangochat_rx import routes
from djangochat_rx.djangochat_rx import app
from djangochat_rx.http import endpoints
from tests.e2e.test_export import readme_nginx_site


def backend_location() -> re.Pattern:
    """The regular expression of the example's location that goes to the backend."""
    site = readme_nginx_site()
    (pattern,) = re.findall(r"location ~ (\S+) \{\s*proxy_pass", site)
    return re.compile(pattern)


def paths_in_front_of_reflex() -> list[str]:
    """Every path the app's own routes (endpoints.py, in front of Reflex) serve, as a request would
    name it (placeholders filled in)."""
    found = []

    def walk(routes, prefix=""):
        for route in routes:
            if isinstance(route, Mount) and route.path:
                found.append(prefix + route.path + "/x")
            elif isinstance(route, Route):
                found.append(prefix + re.sub(r"\{[^}]+\}", "x", route.path))

    assert app.api_transformer is endpoints.with_endpoints
    walk(endpoints.http_routes())
    return found


def test_every_backend_path_is_forwarded():
    location = backend_location()
    ours = paths_in_front_of_reflex()
    assert {"/_download/x", "/_unsubscribe/x", "/api/v1/x"} <= set(ours)  # the walk sees the app's routes
    reflex = [f"/{endpoint.value}" for endpoint in (Endpoint.EVENT, Endpoint.PING, Endpoint.UPLOAD, Endpoint.HEALTH)]
    for path in ours + reflex + ["/_event/?EIO=4&transport=websocket", "/api/v1/webhooks/abc"]:
        assert location.match(path), f"docs/running.md's nginx example does not forward {path}"


def test_no_page_goes_to_the_backend():
    location = backend_location()
    pages = [value for name, value in vars(routes).items() if name.isupper() and isinstance(value, str)]
    for path in [*pages, routes.room("general"), routes.user("pingu"), "/api", "/pinged", "/_events"]:
        assert not location.match(path.replace("[slug]", "x").replace("[name]", "x")), path
