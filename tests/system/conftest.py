"""Several backend processes sharing Redis and the test database."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import Backend
from bench.services import redis_server


@contextlib.contextmanager
def backends_over_redis(database_url: str, logs: Path, count: int = 2) -> Iterator[tuple[Backend, ...]]:
    """`count` production backends on free ports and one database, relaying through one throwaway Redis."""
    with redis_server() as redis_url:
        backends = [Backend(database_url, logs / f"backend{i}.log", redis_url) for i in range(1, count + 1)]
        for backend in backends:
            backend.start()
        try:
            yield tuple(backends)
        finally:
            for backend in backends:
                backend.stop()


@pytest.fixture(scope="module")
def two_backends(tmp_path_factory) -> Iterator[tuple[Backend, Backend]]:
    """Two backends on the test database (per test module)."""
    with backends_over_redis(os.environ["DATABASE_URL"], tmp_path_factory.mktemp("workers")) as backends:
        yield backends
