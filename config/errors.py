"""The site's error pages: plain, translated, and never a traceback.

The 500 handler runs inside the exception it answers; when that exception is the database or
the broker being unreachable it says so with a 503 and a Retry-After, so people wait and try
again instead of reporting a bug."""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.middleware import render_error

OUTAGES = (
    DatabaseOperationalError,
    InterfaceError,
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionRefusedError,
)
RETRY_AFTER_SECONDS = 30


def is_outage(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, OUTAGES):
            return True
        error = error.__cause__ or error.__context__
    return False


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return render_error(request, 413, "errors/413.html")
    return render_error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    return render_error(request, 403, "errors/403.html")


def page_not_found(request, exception=None):
    return render_error(request, 404, "errors/404.html")


def server_error(request):
    if is_outage(sys.exc_info()[1]):
        response = render_error(request, 503, "errors/503.html")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return render_error(request, 500, "errors/500.html")


def login_locked(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account is locked for this address."""
    from django.conf import settings

    response = render_error(
        request,
        429,
        "errors/locked.html",
        failure_limit=settings.AXES_FAILURE_LIMIT,
        minutes=round(settings.AXES_COOLOFF_TIME * 60),
    )
    response["Retry-After"] = str(round(settings.AXES_COOLOFF_TIME * 3600))
    return response
