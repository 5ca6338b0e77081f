"""Who is knocking: the client's address behind a known number of proxies, and the sign-in name
as one form, for throttling."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the nearest of TRUSTED_PROXY_COUNT proxies saw.

    Each trusted proxy appends (or, like the compose file's nginx, sets) the peer it saw, so
    the client's address is the TRUSTED_PROXY_COUNT-th entry from the right; whatever the
    client wrote further left is ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < count:
        return remote
    return chain[-count]


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The sign-in name as the accounts store it (lower-case e-mail), so capitals do not give
    an attacker ten more tries."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        value = request.POST.get("username", "") if request.method == "POST" else ""
    return str(value).strip().lower()


def throttle(request: HttpRequest, *, scope: str, limit: int, period_seconds: int = 3600) -> bool:
    """Count one attempt at ``scope`` from the client's address; False once over ``limit`` in
    the period. Uses the shared cache, so every web worker counts together."""
    key = f"throttle:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=period_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period_seconds)
        count = 1
    return count <= limit
