"""/healthz: the compose health checks ask whether the database and the broker answer.

The probes run inside the containers and send ``Host: localhost``, which the production
``ALLOWED_HOSTS`` rightly refuses. ``HealthCheckMiddleware`` comes first in ``MIDDLEWARE`` and
answers ``/healthz`` before anything reads the Host header; every other path still goes through
Django's host validation.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return "ok"  # a folder on this machine: nothing to reach
    with Connection(url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def healthz(request):
    checks, healthy = {}, True
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure means unhealthy; the reason goes to the probe
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz whatever the Host header; passes every other request on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
