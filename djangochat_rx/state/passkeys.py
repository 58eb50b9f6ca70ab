"""A passkey ceremony on a page (a Reflex state mixin): the two-factor page adds passkeys, the login page signs in
with one, the code step uses one as the second factor. The server makes the options (domain/passkeys.py) and
keeps the challenge in the tab's server-side state for CEREMONY_SECONDS; the browser's Passkey component
(components/passkey.py) runs WebAuthn and hands back the credential, which the page's handler checks."""

import json
import time
from typing import Any
from urllib.parse import urlsplit

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.domain import passkeys

# How long the browser has to answer a ceremony (WebAuthn's own timeout is 60 s).
CEREMONY_SECONDS = 120


class PasskeyCeremony(rx.State, mixin=True):
    # What the browser's Passkey component is asked to do (JSON: id, kind, options); "" for nothing.
    passkey_request: str = ""
    passkey_error: str = ""
    # The ceremony under way: its kind, challenge, the page's origin and relying party id, until when.
    _ceremony: dict[str, Any] = {}

    def _relying_party(self) -> tuple[str, str] | None:
        """The page's origin (one the app serves: ALLOWED_ORIGINS) and its host, the relying party id; None
        (and the page says so) for a client on no such page."""
        origin = (self.router.headers.origin or "").rstrip("/")
        if origin not in settings.ALLOWED_ORIGINS:
            self.passkey_error = "Passkeys work on this site's own address only."
            return None
        return origin, urlsplit(origin).hostname or ""

    def _begin(self, kind: str, ceremony: passkeys.Ceremony, origin: str, rp_id: str, **extra: Any) -> None:
        number = int(self._ceremony.get("number", 0)) + 1
        self._ceremony = {
            "number": number,
            "kind": kind,
            "challenge": ceremony.challenge,
            "origin": origin,
            "rp_id": rp_id,
            "until": time.time() + CEREMONY_SECONDS,
            **extra,
        }
        self.passkey_error = ""
        self.passkey_request = json.dumps({"id": number, "kind": kind, "options": json.loads(ceremony.options)})

    def _answer(self, kind: str, answer: Any) -> tuple[str, dict[str, Any]] | None:
        """The credential the browser answered the ceremony under way with, and the ceremony (used up); None
        (the page's error said) for a failure, a late answer or one to another ceremony."""
        ceremony, self._ceremony = self._ceremony, {"number": self._ceremony.get("number", 0)}
        self.passkey_request = ""
        if not isinstance(answer, dict) or ceremony.get("kind") != kind or answer.get("id") != ceremony.get("number"):
            return None
        if not answer.get("ok"):
            self.passkey_error = str(answer.get("error", ""))[:300]
            return None
        credential = answer.get("credential")
        if not isinstance(credential, str) or time.time() > ceremony["until"]:
            self.passkey_error = passkeys.REFUSED
            return None
        return credential, ceremony
