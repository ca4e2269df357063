"""Access to a server bound beyond loopback: a token, as Jupyter's server has.

Bound to loopback, only this machine's users reach the port and no token is needed. Bound to
anything else, every request must carry the token: ``Authorization: Bearer TOKEN``, or, for
a browser, ``?token=TOKEN`` on the first page it opens; that answer sets a cookie (HttpOnly,
SameSite=Strict, so another site's page cannot send it) that the page's own requests carry
from then on. The token is compared in constant time (``hmac.compare_digest``). Requests
without it are answered 401 before their body is read.
"""

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from .messages import send_refusal

COOKIE = "evlaunch_token"
MIN_TOKEN_CHARS = 16  # a token given by --token or EVLAUNCH_TOKEN; generated ones have 43
LOOPBACK_NAMES = ("localhost",)


def new_token() -> str:
    """A fresh token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the port on this machine (127.0.0.0/8, ::1)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenRequired:
    """ASGI middleware: with ``state.token`` set, a request without it gets 401."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send) -> None:
        token = getattr(self.state, "token", None)
        if scope["type"] != "http" or token is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        bearer = headers.get(b"authorization", b"").decode("latin-1")
        if bearer.startswith("Bearer ") and _matches(bearer[7:].strip(), token):
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header is no token  # noqa: BLE001
            cookie = SimpleCookie()
        if COOKIE in cookie and _matches(cookie[COOKIE].value, token):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if _matches((query.get("token") or [None])[0], token):
            await self.app(scope, receive, _setting_cookie(send, token))
            return
        await _refuse(send)


def _setting_cookie(send, token: str):
    """``send`` that adds the token's cookie to the answer's headers."""
    value = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"

    async def wrapped(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message["headers"], (b"set-cookie", value.encode())]}
        await send(message)

    return wrapped


async def _refuse(send) -> None:
    message = (
        "this server needs its token: send 'Authorization: Bearer TOKEN', or open the URL "
        "with ?token=TOKEN that `evlaunch serve` printed"
    )
    await send_refusal(send, 401, message, [(b"www-authenticate", b"Bearer")])
