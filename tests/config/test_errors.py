"""Error pages: plain and translated, never a traceback; outages answer 503; oversized bodies
are refused before they are read."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from config import errors
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise ValueError("secret detail of the failure")


urlpatterns = [path("boom/", _boom)]
handler500 = "config.errors.server_error"


@pytest.mark.django_db
def test_an_unknown_page_is_the_sites_own_404_in_indonesian(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page
    assert "Traceback" not in page and "URLconf" not in page


@pytest.mark.urls(__name__)
def test_a_failure_is_a_plain_500_without_the_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_the_outage_rule_follows_the_cause_chain():
    from django.db import OperationalError

    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as inner:
            raise RuntimeError("while loading the session") from inner
    except RuntimeError as outer:
        assert errors.is_outage(outer)
    assert not errors.is_outage(ValueError("typed wrong"))


def test_a_database_outage_answers_503_with_retry_after():
    """A real outage: the settings point at a port where no database listens."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        # a session cookie makes the first middleware that asks for the user read the database
        "c.cookies['sessionid'] = 'x' * 32;"
        "r = c.get('/', HTTP_ACCEPT_LANGUAGE='id');"
        "print(r.status_code, r.headers.get('Retry-After'));"
        "print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        "CONN_MAX_AGE": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    first, page = result.stdout.split("\n", 1)
    assert first == "503 30"
    assert "Layanan sedang tidak tersedia" in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.django_db
def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client.generic(
        "POST", "/masuk/", data=b"x" * 2000, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()


@pytest.mark.django_db
def test_a_form_body_past_the_memory_limit_is_a_clear_refusal(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.raise_request_exception = False
    response = client.post("/masuk/", {"username": "a" * 5000, "password": "b"})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_a_query_string_is_a_clear_400(client, staff_lampung):
    client.force_login(staff_lampung)
    response = client.get("/admin/accounts/enterprise/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "<html" in response.content.decode().lower()
