"""Templates keep JS and CSS in static files, so a strict CSP can be enforced."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def all_templates():
    return sorted(p for d in TEMPLATE_DIRS if d.is_dir() for p in d.rglob("*.html"))


def test_there_are_templates_to_scan():
    assert len(all_templates()) >= 3


@pytest.mark.parametrize("path", all_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_or_style(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/"
    assert not STYLE_BLOCK.search(text), "<style> block: move it to static/css"
    assert not INLINE_STYLE_ATTR.search(text), 'style="" attribute: use a class'
    assert not EVENT_HANDLER.search(text), "inline event handler: bind it in static JS"


def test_scanner_catches_inline_script_and_style():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/app.js"></script>')
    assert INLINE_STYLE_ATTR.search('<p style="color:red">')
    assert EVENT_HANDLER.search('<a onclick="go()">')


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_of_our_own_origin(client):
    response = client.get("/masuk/")
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_static_files_are_served_by_whitenoise(settings):
    from django.test import Client

    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = Client().get("/static/css/portal.css")
    assert response.status_code == 200
    assert b"--brand" in b"".join(response.streaming_content)
