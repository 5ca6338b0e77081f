"""Every message the code shows has an Indonesian translation, and the compiled file is current."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PO_FILES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def test_indonesian_catalogues_exist():
    assert ROOT / "locale/id/LC_MESSAGES/django.po" in PO_FILES


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path.name}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {po_path.name}: {fuzzy[:10]}"
    assert len(catalogue) > 50


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run make messages"
    source = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(po_path)).translated_entries()
        if not e.msgid_plural
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if not e.msgid_plural
    }
    stale = {k for k, v in source.items() if compiled.get(k) != v}
    assert not stale, (
        f"{mo_path.name} is out of date for {sorted(m for _c, m in stale)[:5]}: run make messages"
    )


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages over the code finds nothing the committed catalogue lacks."""
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (gettext) is not installed")
    work = tmp_path / "src"
    shutil.copytree(
        ROOT,
        work,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "__pycache__"),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "id",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DEBUG": "1"},
    )
    fresh = polib.pofile(str(work / "locale/id/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in fresh.untranslated_entries()]
    assert not missing, f"messages without a translation: {missing[:10]} (run make messages)"
