"""Where uploaded bytes live, behind a small interface so an S3-compatible store can take LocalStorage's place.

Keys are made here (`new_key`: 128 random bits in hex), never from anything a user sent; a key names one
upload, and each upload keeps its variants ("full", "thumb", avatars' sizes) under it. On disk every folder
is the server's alone (0700) and every file too (0600): other accounts on the machine read none of them."""

import contextlib
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
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


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

    def variants(self, key: str) -> list[str]: ...

    def delete(self, key: str) -> None: ...

    def scratch(self) -> Path: ...

    def sweep_scratch(self, before: float) -> int: ...


class LocalStorage:
    """Files on local disk under `root`: root/<key[:2]>/<key>/<variant>."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, key: str) -> Path:
        return self.root / key[:2] / key

    def _path(self, key: str, variant: str) -> Path:
        _check(key, variant)
        return self._dir(key) / variant

    def _private_dir(self, path: Path) -> Path:
        """`path` (root or under it) and the folders between, made if missing, readable by the server only."""
        self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        self.root.chmod(PRIVATE_DIR)  # a root an older version made world-readable, too
        folder = self.root
        for part in path.relative_to(self.root).parts:
            folder = folder / part
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        return path

    def put(self, key: str, variant: str, source: Path) -> None:
        """Move `source` (a finished temporary file on the same disk, or copy it) to (key, variant)."""
        target = self._path(key, variant)
        self._private_dir(target.parent)
        try:
            os.replace(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.unlink(source)
        target.chmod(PRIVATE_FILE)

    def size(self, key: str, variant: str) -> int | None:
        try:
            return self._path(key, variant).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, key: str, variant: str) -> Iterator[bytes]:
        with open(self._path(key, variant), "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk

    def variants(self, key: str) -> list[str]:
        """The variants kept under `key` ("full", "thumb", an avatar's sizes), sorted; none for an unknown key."""
        _check(key, "full")
        folder = self._dir(key)
        if not folder.is_dir():
            return []
        return sorted(path.name for path in folder.iterdir() if path.is_file() and _VARIANT.fullmatch(path.name))

    def delete(self, key: str) -> None:
        _check(key, "full")
        shutil.rmtree(self._dir(key), ignore_errors=True)

    def scratch(self) -> Path:
        """A folder for uploads in progress, on the same disk (so `put` is a rename)."""
        return self._private_dir(self.root / "incoming")

    def sweep_scratch(self, before: float) -> int:
        """Remove the files of uploads in progress last written before `before` (a Unix time): ones a crash or
        a cut-off left behind. How many went."""
        gone = 0
        for path in (self.root / "incoming").glob("*"):
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < before:
                    path.unlink()
                    gone += 1
        return gone


@cache
def default() -> LocalStorage:
    """The app's store: LocalStorage under settings.UPLOAD_DIR."""
    return LocalStorage(settings.UPLOAD_DIR)
