"""Single sign-on's two routes: GET /_sso/<provider>/start sends the browser to the provider (authorization code
flow with PKCE, `state` and `nonce`: Authlib's RFC 6749 / 7636 helpers), and GET /_sso/<provider>/callback takes the
code back, exchanges it at the provider's token endpoint, checks the ID token (joserfc: its signature against
the provider's published keys, issuer, audience, expiry and nonce), asks domain/sso.py who that is, and hands
the sign-in to our page with a one-time ticket (/login/sso?ticket=…). Anything wrong goes to the login page
with a reason (/login?sso=<reason>), the same for every stranger. Started with `?link=<token>` from the account
page (sso.link_intent), the same round trip links the provider's account to the signed-in person's and goes
back to the account page (/account?sso_linked=<provider> or ?sso=<reason>).

Both routes are anonymous: each is charged to its client address's SSO budget before any work, and every
fetch from a provider is bounded in time and bytes. Discovery documents and keys are cached; a token signed
with a key the cache does not know fetches the keys again (at most once a minute: rotation, not a flood)."""

import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from djangochat_rx import db as database
from djangochat_rx import routes, settings
from djangochat_rx.domain import sso
from djangochat_rx.infra import throttle

logger = logging.getLogger(__name__)

START_PATH = "/_sso/{provider}/start"
CALLBACK_PATH = "/_sso/{provider}/callback"
# Sends the browser to the provider's end-session page (OIDC RP-initiated logout), back to our login page.
LOGOUT_PATH = "/_sso/{provider}/logout"
# The cookie that binds a sign-in to the browser that started it (HttpOnly, sent back on the provider's redirect).
BROWSER_COOKIE = "djangochat_sso"
# Signature algorithms an ID token may use (never "none", never a symmetric key shared with the client).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# Clock skew tolerated between us and the provider on exp / iat.
LEEWAY_SECONDS = 60
KEY_REFETCH_SECONDS = 60.0


class ProviderUnreachable(Exception):
    """A provider's document, keys or token answer could not be had (down, slow, too big, not JSON)."""


@dataclass
class _Cached:
    value: Any
    until: float


class Directory:
    """Each provider's discovery document and keys, fetched when needed and kept SSO_CACHE_SECONDS."""

    def __init__(self) -> None:
        self._documents: dict[str, _Cached] = {}
        self._keys: dict[str, _Cached] = {}
        self._keys_fetched_at: dict[str, float] = {}

    async def document(self, provider: sso.Provider) -> dict[str, Any]:
        cached = self._documents.get(provider.id)
        if cached is not None and cached.until > time.monotonic():
            return cached.value
        url = f"{provider.issuer}/.well-known/openid-configuration"
        found = await fetch_json("GET", url)
        if found.get("issuer", "").rstrip("/") != provider.issuer:
            logger.warning("OIDC provider %s: its discovery document names issuer %r", provider.id, found.get("issuer"))
            raise ProviderUnreachable("the discovery document is for another issuer")
        self._documents[provider.id] = _Cached(found, time.monotonic() + settings.SSO_CACHE_SECONDS)
        return found

    async def keys(self, provider: sso.Provider, kid: str | None) -> KeySet:
        """The provider's keys, fetched again when `kid` is not among the cached ones (a rotation) unless
        that was done less than KEY_REFETCH_SECONDS ago."""
        cached = self._keys.get(provider.id)
        known = cached is not None and cached.until > time.monotonic()
        if known and kid is not None and not any(key.kid == kid for key in cached.value.keys):
            known = time.monotonic() - self._keys_fetched_at.get(provider.id, 0.0) < KEY_REFETCH_SECONDS
        if not known:
            self._keys_fetched_at[provider.id] = time.monotonic()  # before the fetch: one at a time per minute
            document = await self.document(provider)
            try:
                key_set = KeySet.import_key_set(await fetch_json("GET", document["jwks_uri"]))
            except (KeyError, ValueError, JoseError) as error:
                raise ProviderUnreachable(f"unusable keys: {error}") from None
            self._keys[provider.id] = _Cached(key_set, time.monotonic() + settings.SSO_CACHE_SECONDS)
        if provider.id not in self._keys:
            raise ProviderUnreachable("no keys yet")
        return self._keys[provider.id].value


directory = Directory()


_in_flight = 0


async def fetch_json(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """A provider's JSON answer, within SSO_FETCH_SECONDS and SSO_FETCH_MAX_BYTES, no redirects followed, at most
    SSO_FETCHES_AT_ONCE at once on this worker."""
    global _in_flight
    if not url.startswith(("https://", "http://")):
        raise ProviderUnreachable(f"not a web address: {url!r}")
    if _in_flight >= settings.SSO_FETCHES_AT_ONCE:
        raise ProviderUnreachable("too many fetches from providers at once")
    _in_flight += 1
    try:
        return await _fetched(method, url, **kwargs)
    finally:
        _in_flight -= 1


async def _fetched(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    timeout = httpx.Timeout(settings.SSO_FETCH_SECONDS)
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
            client.stream(method, url, headers={"Accept": "application/json"}, **kwargs) as answer,
        ):
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > settings.SSO_FETCH_MAX_BYTES:
                    raise ProviderUnreachable(f"{url}: answer over {settings.SSO_FETCH_MAX_BYTES} bytes")
            status = answer.status_code
    except httpx.HTTPError as error:
        raise ProviderUnreachable(f"{url}: {error!r}") from None
    try:
        found = json.loads(body)
    except ValueError:
        raise ProviderUnreachable(f"{url}: answered {status} with no JSON") from None
    if status != 200 or not isinstance(found, dict):
        raise ProviderUnreachable(f"{url}: answered {status} {str(found)[:200]}")
    return found


def _callback_url(request: Request, provider: sso.Provider) -> str:
    """Where the provider sends the browser back: this backend, as the browser reached it."""
    return str(request.base_url).rstrip("/") + CALLBACK_PATH.format(provider=provider.id)


def _to_login(reason: str) -> RedirectResponse:
    return RedirectResponse(f"{settings.PUBLIC_URL}{routes.LOGIN}?{urlencode({'sso': reason})}", status_code=303)


def budgeted(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A route charged to its client address's SSO budget before it does anything (429 once spent)."""

    async def charged(request: Request) -> Response:
        try:
            await throttle.before_sso(request.client.host if request.client else "")
        except throttle.Throttled as error:
            return Response(str(error), status_code=429, media_type="text/plain")
        return await route(request)

    return charged


@budgeted
async def start(request: Request) -> Response:
    try:
        provider = sso.provider(request.path_params["provider"])
        document = await directory.document(provider)
        browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)
        state, attempt = await database.run(sso.begin, provider.id, browser, request.query_params.get("link", ""))
        url = prepare_grant_uri(
            document["authorization_endpoint"],
            provider.client_id,
            "code",
            redirect_uri=_callback_url(request, provider),
            scope="openid email profile",
            state=state,
            nonce=attempt.nonce,
            code_challenge=create_s256_code_challenge(attempt.code_verifier),
            code_challenge_method="S256",
        )
    except sso.SsoError as error:
        return _to_login(error.reason)
    except (ProviderUnreachable, KeyError) as error:
        logger.warning("single sign-on start: %s", error)
        return _to_login("unreachable")
    answer = RedirectResponse(url, status_code=303)
    answer.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=settings.SSO_ATTEMPT_MINUTES * 60,
        path="/_sso/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return answer


@budgeted
async def callback(request: Request) -> Response:
    attempt: sso.Attempt | None = None
    try:
        provider = sso.provider(request.path_params["provider"])
        claimed = database.run(
            sso.claim_attempt,
            provider.id,
            request.query_params.get("state", ""),
            request.cookies.get(BROWSER_COOKIE, ""),
        )
        if "error" in request.query_params or not request.query_params.get("code"):
            with contextlib.suppress(sso.SsoError):  # the attempt is over either way
                attempt = await claimed
            raise sso.SsoError("refused")
        attempt = await claimed
        claims = await _checked_claims(request, provider, attempt)
        if attempt.link_user_id is not None:  # the account page's "Link": back there, nobody signed in
            await database.run(sso.link, provider.id, attempt.link_user_id, claims)
            return _done(_to_account({"sso_linked": provider.id}))
        user = await database.run(sso.identify, provider.id, claims)
        ticket = await database.run(sso.issue_ticket, user.id, isinstance(user, sso.NewAccount))
    except (sso.SsoError, ProviderUnreachable) as error:
        if isinstance(error, ProviderUnreachable):
            logger.warning("single sign-on callback: %s", error)
        reason = error.reason if isinstance(error, sso.SsoError) else "unreachable"
        linking = attempt is not None and attempt.link_user_id is not None
        return _to_account({"sso": reason}) if linking else _to_login(reason)
    return _done(RedirectResponse(f"{settings.PUBLIC_URL}{routes.LOGIN_SSO}?{urlencode({'ticket': ticket})}", 303))


def _to_account(query: dict[str, str]) -> RedirectResponse:
    return RedirectResponse(f"{settings.PUBLIC_URL}{routes.ACCOUNT}?{urlencode(query)}", status_code=303)


def _done(answer: RedirectResponse) -> RedirectResponse:
    """`answer`, forgetting the browser's attempt cookie."""
    answer.delete_cookie(BROWSER_COOKIE, path="/_sso/")
    return answer


async def _checked_claims(request: Request, provider: sso.Provider, attempt: sso.Attempt) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and check the ID token; its claims. SsoError("invalid")
    for a token that fails any check."""
    document = await directory.document(provider)
    form = {
        "grant_type": "authorization_code",
        "code": request.query_params["code"],
        "redirect_uri": _callback_url(request, provider),
        "code_verifier": attempt.code_verifier,
    }
    if provider.client_secret:  # a confidential client authenticates (client_secret_basic)
        credentials: dict[str, Any] = {"auth": (provider.client_id, provider.client_secret)}
    else:  # a public client: PKCE is its proof
        form["client_id"], credentials = provider.client_id, {}
    answer = await fetch_json("POST", document.get("token_endpoint", ""), data=form, **credentials)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise sso.SsoError("invalid")
    return await check_id_token(provider, id_token, attempt.nonce)


async def check_id_token(provider: sso.Provider, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token signed by one of the provider's keys, for us (audience, and authorized party
    when there are several), from the provider (issuer), unexpired and carrying our `nonce`."""
    try:
        kid = extract_compact(id_token.encode()).headers().get("kid")
        keys = await directory.keys(provider, kid)
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, IndexError, TypeError) as error:
        logger.warning("single sign-on with %s: an ID token failed its checks: %r", provider.id, error)
        raise sso.SsoError("invalid") from None
    audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
    if len(audiences) > 1 and token.claims.get("azp") != provider.client_id:
        raise sso.SsoError("invalid")
    return dict(token.claims)


@budgeted
async def logout(request: Request) -> Response:
    """After our sign-out: on to the provider's end-session page when it has one (else our login page)."""
    try:
        provider = sso.provider(request.path_params["provider"])
        end_session = (await directory.document(provider)).get("end_session_endpoint")
    except (sso.SsoError, ProviderUnreachable):
        end_session = None
    if not isinstance(end_session, str) or not end_session.startswith(("https://", "http://")):
        return RedirectResponse(f"{settings.PUBLIC_URL}{routes.LOGIN}", status_code=303)
    back = {"client_id": provider.client_id, "post_logout_redirect_uri": f"{settings.PUBLIC_URL}{routes.LOGIN}"}
    return RedirectResponse(f"{end_session}{'&' if '?' in end_session else '?'}{urlencode(back)}", status_code=303)


def http_routes() -> list[Route]:
    """The single sign-on routes, for endpoints.py."""
    return [
        Route(START_PATH, start, methods=["GET"]),
        Route(CALLBACK_PATH, callback, methods=["GET"]),
        Route(LOGOUT_PATH, logout, methods=["GET"]),
    ]
