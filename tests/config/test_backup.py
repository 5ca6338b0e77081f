"""make backup / make restore: a backup, a wiped database and files, a restore, and every table's
row count and every file's checksum as they were."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import need, need_program

ROOT = Path(__file__).resolve().parents[2]


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def checksums(*roots: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root.parent)): hashlib.sha256(path.read_bytes()).hexdigest()
        for root in roots
        if root.is_dir()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def put_files(media: Path, private: Path) -> None:
    (private / "cases" / "7").mkdir(parents=True)
    (private / "cases" / "7" / "ktp.pdf").write_bytes(b"%PDF-1.4 identity card " * 500)
    (media / "logo.png").parent.mkdir(parents=True, exist_ok=True)
    (media / "logo.png").write_bytes(bytes(range(256)) * 40)


SOME_PEOPLE = """
from accounts.models import Enterprise, Province, TradeOffice, User
lampung = Province.objects.get(code_kemendagri="18")
office = TradeOffice.objects.create(name="Disperindag", kind="provincial", province=lampung)
for name in ("Kopi Lampung Jaya", "Keripik Pisang Bu Tini", "Tapis Indah"):
    Enterprise.objects.create(name=name, owner_name="P", registered_by=office, province=lampung)
User.objects.create_user(email="pemilik@kopi.test", password="rahasia-panjang-sekali")
"""


def base_env(tmp_path: Path, database_url: str) -> dict:
    media, private = tmp_path / "media", tmp_path / "private"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(private),
        "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": "locmemcache://",
    }


def round_trip(tmp_path: Path, env: dict, count_rows, wipe) -> None:
    media, private = Path(env["MEDIA_ROOT"]), Path(env["PRIVATE_MEDIA_ROOT"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_reference")
    manage(env, "shell", "-c", SOME_PEOPLE)
    put_files(media, private)
    rows_before, files_before = count_rows(), checksums(media, private)
    assert rows_before["accounts_enterprise"] == 3 and rows_before["accounts_user"] == 1

    target = tmp_path / "backup"
    out = manage(env, "backup", "--to", str(target)).stdout
    assert "Backup written" in out

    wipe()
    for root in (media, private):
        for path in root.rglob("*"):
            if path.is_file():
                path.unlink()
    (private / "intruder.txt").write_text("written after the backup")
    assert checksums(media, private) != files_before

    out = manage(env, "restore", str(target), "--yes").stdout
    assert "every table and file matches" in out
    assert count_rows() == rows_before
    assert checksums(media, private) == files_before


def test_backup_and_restore_on_sqlite(tmp_path):
    database = tmp_path / "naikkelas.sqlite3"
    env = base_env(tmp_path, f"sqlite:///{database}")

    def count_rows():
        with sqlite3.connect(database) as db:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}

    def wipe():
        manage(env, "flush", "--noinput")
        assert count_rows()["accounts_enterprise"] == 0

    round_trip(tmp_path, env, count_rows, wipe)


@pytest.mark.postgres
@pytest.mark.services
def test_backup_and_restore_on_postgresql(tmp_path):
    from django.db import connection

    need(connection.vendor == "postgresql", "this test needs PostgreSQL (DATABASE_URL)")
    need_program("pg_dump")
    import psycopg

    settings_db = connection.settings_dict
    server = {
        "host": settings_db["HOST"] or "127.0.0.1",
        "port": settings_db["PORT"] or 5432,
        "user": settings_db["USER"] or "postgres",
        "password": settings_db["PASSWORD"] or None,
    }
    name = f"nk_backup_{uuid.uuid4().hex[:12]}"

    def admin(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as db:
            db.execute(sql)

    admin(f'CREATE DATABASE "{name}"')
    url = f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    env = base_env(tmp_path, url)
    env["CONN_MAX_AGE"] = "0"

    def count_rows():
        with psycopg.connect(dbname=name, **server) as db:
            tables = [
                row[0]
                for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}

    def wipe():
        admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')
        assert count_rows() == {}

    try:
        round_trip(tmp_path, env, count_rows, wipe)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    env = base_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = manage(env, "restore", str(tmp_path), "--yes", check=False)
    assert result.returncode != 0
    assert "not a backup folder" in result.stderr
