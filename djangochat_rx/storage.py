"""Where uploaded bytes live, behind a small interface so an S3-compatible store can take LocalStorage's place.

Keys are made here (`new_key`: 128 random bits in hex), never from anything a user sent; a key names one
upload, and each upload keeps its variants ("full", "thumb", avatars' sizes) under it."""

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Protocol

from djangochat_rx import settings

_KEY = re.compile(r"[0-9a-f]{32}")
_VARIANT = re.compile(r"[a-z0-9]{1,16}")
CHUNK_BYTES = 64 * 1024


class BadKey(ValueError):
    """A key or variant this module did not make (never a path)."""


def new_key() -> str:
    """A fresh random key for an upload."""
    return secrets.token_hex(16)


def _check(key: str, variant: str) -> None:
    if not (isinstance(key, str) and _KEY.fullmatch(key) and isinstance(variant, str) and _VARIANT.fullmatch(variant)):
        raise BadKey(f"not a storage key: {key!r}/{variant!r}")


class Storage(Protocol):
    """The store: put a finished file's bytes under (key, variant), read them back in chunks, delete a key."""

    def put(self, key: str, variant: str, source: Path) -> None: ...

    def size(self, key: str, variant: str) -> int | None: ...

    def read(self, key: str, variant: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...

    def scratch(self) -> Path: ...


class LocalStorage:
    """Files on local disk under `root`: root/<key[:2]>/<key>/<variant>."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, key: str) -> Path:
        return self.root / key[:2] / key

    def _path(self, key: str, variant: str) -> Path:
        _check(key, variant)
        return self._dir(key) / variant

    def put(self, key: str, variant: str, source: Path) -> None:
        """Move `source` (a finished temporary file on the same disk, or copy it) to (key, variant)."""
        target = self._path(key, variant)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.unlink(source)

    def size(self, key: str, variant: str) -> int | None:
        try:
            return self._path(key, variant).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, key: str, variant: str) -> Iterator[bytes]:
        with open(self._path(key, variant), "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk

    def delete(self, key: str) -> None:
        _check(key, "full")
        shutil.rmtree(self._dir(key), ignore_errors=True)

    def scratch(self) -> Path:
        """A folder for uploads in progress, on the same disk (so `put` is a rename)."""
        path = self.root / "incoming"
        path.mkdir(parents=True, exist_ok=True)
        return path


@cache
def default() -> LocalStorage:
    """The app's store: LocalStorage under settings.UPLOAD_DIR."""
    return LocalStorage(settings.UPLOAD_DIR)
