"""Production configuration mistakes stop start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "x" * 20 + "production-secret-key-0123456789"


def start(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_refuses_to_start():
    result = start(DEBUG="0", ALLOWED_HOSTS="naikkelas.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_secret_key_with_debug_off_refuses_to_start():
    from config.settings import DEV_SECRET_KEY

    result = start(DEBUG="0", SECRET_KEY=DEV_SECRET_KEY, ALLOWED_HOSTS="naikkelas.example")
    assert result.returncode != 0
    assert "development key is refused" in result.stderr


def test_short_secret_key_is_refused():
    result = start(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="naikkelas.example")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_missing_allowed_hosts_with_debug_off_refuses_to_start():
    result = start(DEBUG="0", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_complete_production_configuration_starts():
    result = start(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="naikkelas.example")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_debug_starts_with_development_defaults():
    result = start(DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "filesystem://"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}, "redis://127.0.0.1:6379/3"),
    ],
)
def test_broker_comes_from_the_environment(env, expected):
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.CELERY_BROKER_URL)"
    )
    base = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ is True
