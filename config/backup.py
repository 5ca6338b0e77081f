"""Backups of the database and the uploaded files, and their restore.

A backup is a folder: the database (``database.dump`` from pg_dump on PostgreSQL, or
``database.sqlite3`` through SQLite's online backup), ``files.tar.gz`` with the public and the
private media folders, and ``manifest.json`` holding every table's row count and every file's
SHA-256, which a restore checks itself against."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def file_checksums() -> dict[str, str]:
    """SHA-256 of every uploaded file, keyed ``<root>/<relative path>``."""
    sums = {}
    for name, root in media_roots().items():
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            sums[f"{name}/{path.relative_to(root).as_posix()}"] = digest.hexdigest()
    return sums


def _pg_env() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup(target: Path) -> dict:
    """Write a backup into the new folder ``target``; returns its manifest."""
    target.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "postgresql":
        env, args = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        _run(
            ["pg_dump", *args, "-Fc", "--no-owner", "-f", str(target / "database.dump"), name], env
        )
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError(f"No backup for the {vendor} database.")
    with tarfile.open(target / "files.tar.gz", "w:gz") as archive:
        for name, root in media_roots().items():
            if root.is_dir():
                archive.add(root, arcname=name)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": vendor,
        "tables": table_row_counts(),
        "files": file_checksums(),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _safe_members(archive: tarfile.TarFile, roots: dict[str, Path]):
    for member in archive.getmembers():
        top = member.name.split("/", 1)[0]
        if top in roots and (member.isfile() or member.isdir()):
            yield member


def restore(source: Path) -> dict:
    """Put the database and the files of the backup in ``source`` back in place of what is
    there now, then check them against its manifest. Returns the differences (empty when the
    restore is exact)."""
    manifest = json.loads((source / MANIFEST).read_text())
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"This backup is of a {manifest['database']} database, not {vendor}.")
    if vendor == "postgresql":
        env, args = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                name,
                str(source / "database.dump"),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(source / "database.sqlite3") as copy:
            copy.backup(connection.connection)
        connection.close()
    roots = media_roots()
    for root in roots.values():
        if root.is_dir():
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "files.tar.gz", "r:gz") as archive:
        for member in _safe_members(archive, roots):
            top, _, rest = member.name.partition("/")
            if not rest:
                continue
            destination = roots[top] / rest
            if member.isdir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as data, destination.open("wb") as out:
                shutil.copyfileobj(data, out)
    return compare(manifest)


def compare(manifest: dict) -> dict:
    """What differs between the database and files now and the manifest."""
    tables, files = table_row_counts(), file_checksums()
    differences = {}
    for table, expected in manifest["tables"].items():
        if tables.get(table) != expected:
            differences[f"table {table}"] = (expected, tables.get(table))
    for path, expected in manifest["files"].items():
        if files.get(path) != expected:
            differences[f"file {path}"] = (expected, files.get(path))
    for path in set(files) - set(manifest["files"]):
        differences[f"file {path}"] = (None, files[path])
    return differences
