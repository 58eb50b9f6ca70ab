"""Several backend processes sharing Redis and the test database."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import Backend
from bench.services import redis_server


@pytest.fixture(scope="module")
def two_backends(tmp_path_factory) -> Iterator[tuple[Backend, Backend]]:
    """Two production backends on free ports, relaying through one throwaway Redis (per test module)."""
    logs = tmp_path_factory.mktemp("workers")
    with redis_server() as redis_url:
        backends = [Backend(os.environ["DATABASE_URL"], Path(logs) / f"backend{i}.log", redis_url) for i in (1, 2)]
        for backend in backends:
            backend.start()
        try:
            yield tuple(backends)
        finally:
            for backend in backends:
                backend.stop()
