"""Production configuration mistakes stop start-up with a clear message."""

import json
import os
import shutil
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


def test_missing_site_url_with_debug_off_refuses_to_start():
    env = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "naikkelas.example"}
    result = start(**env, SITE_URL="")
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


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


def settings_of_a_checkout(tmp_path, dotenv: str, **environment) -> dict:
    """The settings module as a checkout at tmp_path reads them, with that checkout's .env."""
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "settings.py", tmp_path / "config" / "settings.py")
    (tmp_path / "config" / "__init__.py").write_text("")
    (tmp_path / ".env").write_text(dotenv)
    code = (
        "import json; from config import settings as s;"
        "print(json.dumps({'VAR_DIR': str(s.VAR_DIR), 'DATABASE': s.DATABASES['default'],"
        " 'BROKER': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'MEDIA_ROOT': str(s.MEDIA_ROOT),"
        " 'EMAIL_FILE_PATH': str(getattr(s, 'EMAIL_FILE_PATH', ''))}))"
    )
    drop = {"VAR_DIR", "DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT", "EMAIL_URL", "EMAIL_HOST"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(tmp_path), **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_var_dir_comes_from_the_checkouts_dotenv(tmp_path):
    var = tmp_path / "elsewhere"
    loaded = settings_of_a_checkout(tmp_path, f"DEBUG=1\nVAR_DIR={var}\n")
    assert loaded["VAR_DIR"] == str(var)
    assert loaded["DATABASE"]["NAME"] == str(var / "naikkelas.sqlite3")
    assert loaded["BROKER"]["data_folder_in"] == str(var / "broker" / "queue")
    assert not (tmp_path / "var").exists()


def test_the_environment_wins_over_dotenv_for_var_dir(tmp_path):
    var = tmp_path / "from-environment"
    loaded = settings_of_a_checkout(
        tmp_path, f"DEBUG=1\nVAR_DIR={tmp_path / 'from-dotenv'}\n", VAR_DIR=str(var)
    )
    assert loaded["VAR_DIR"] == str(var)


def test_sqlite_takes_the_write_lock_when_a_transaction_begins_and_waits_for_it(tmp_path):
    loaded = settings_of_a_checkout(tmp_path, f"DEBUG=1\nVAR_DIR={tmp_path / 'var'}\n")
    options = loaded["DATABASE"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20


def test_the_settings_create_the_folders_they_point_at(tmp_path):
    var = tmp_path / "clean"  # as after `make clean`: nothing there yet
    loaded = settings_of_a_checkout(tmp_path, f"DEBUG=1\nVAR_DIR={var}\n")
    broker = loaded["BROKER"]
    folders = [
        broker["data_folder_in"],
        broker["data_folder_out"],
        broker["processed_folder"],
        broker["control_folder"],
        loaded["MEDIA_ROOT"],
        loaded["EMAIL_FILE_PATH"],
    ]
    assert all(Path(folder).is_dir() for folder in folders), folders
    assert all(Path(folder).is_relative_to(var) for folder in folders), folders


def test_the_deployment_checklist_passes_with_production_variables():
    """`check --deploy` at warning level: HSTS, secure cookies, SSL redirect, and the rest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_"))}
    env.pop("DEBUG", None)
    env.update(
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="naikkelas.example.go.id",
        SITE_URL="https://naikkelas.example.go.id",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
