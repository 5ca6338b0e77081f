"""The production topology, run natively: gunicorn serving the app on PostgreSQL and Redis."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import free_port, need

ROOT = Path(__file__).resolve().parents[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_301(self, req, fp, code, msg, headers):
        return fp


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.services
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_health_and_login_with_debug_off(tmp_path):
    need(
        django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "the topology test needs PostgreSQL (DATABASE_URL)",
    )
    broker = os.environ.get("CELERY_BROKER_URL", "")
    need(broker.startswith("redis://"), "the topology test needs CELERY_BROKER_URL on Redis")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "topology-test-secret-key-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The suite turns the https redirect off for the test client; production keeps it on.
        "SECURE_SSL_REDIRECT": "1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = (r.status, r.read().decode())
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert health is not None, "gunicorn did not answer"
        assert health[0] == 200
        assert '"broker": "ok"' in health[1] and '"database": "ok"' in health[1]
        # Plain http is sent to https; nginx marks what arrived over TLS.
        plain = urllib.request.build_opener(NoRedirect).open(
            f"http://127.0.0.1:{port}/masuk/", timeout=5
        )
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://127.0.0.1:{port}/masuk/"
        over_tls = urllib.request.Request(
            f"http://127.0.0.1:{port}/masuk/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(over_tls, timeout=5) as r:
            page = r.read().decode()
            headers = r.headers
        assert "Masuk" in page
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        cookie = headers["Set-Cookie"]
        assert "csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
        css = page.split('href="/static/css/')[1].split('"')[0]
        assert css.startswith("portal.") and css.endswith(".css")  # hashed by the manifest
        asset = urllib.request.Request(
            f"http://127.0.0.1:{port}/static/css/{css}", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(asset, timeout=5) as r:
            assert r.status == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
