"""The portal's pages pass the Nu HTML checker (vnu, from the npm package vnu-jar) without
errors. VNU_JAR names the jar; without it (or java) the test is skipped, and CI requires it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from cohorts.models import Enrollment
from tests.conftest import need

pytestmark = [pytest.mark.services, pytest.mark.django_db]

DEFAULT_JAR = (
    Path(__file__).resolve().parents[2] / "var/npm/node_modules/vnu-jar/build/dist/vnu.jar"
)


def test_portal_pages_are_valid_html(client, participant_a, offer_a, case_a, tmp_path):
    jar = Path(os.environ.get("VNU_JAR", DEFAULT_JAR))
    need(jar.exists(), f"the Nu HTML checker is not installed ({jar}; npm install vnu-jar)")
    need(shutil.which("java") is not None, "java is not installed")
    client.force_login(participant_a)
    pages = {
        "home": reverse("portal:home"),
        "offer": reverse("portal:offer", args=[offer_a.pk]),
        "case": reverse("portal:case_detail", args=[case_a.pk]),
        "upload": reverse("portal:case_upload", args=[case_a.pk]),
        "new-case": reverse("portal:case_new"),
        "profile": reverse("portal:profile"),
        "exports": reverse("portal:exports"),
        "export-report": reverse("portal:export_report"),
        "calendar": reverse("portal:calendar_feed"),
        "apply": reverse("portal:apply"),
    }
    Enrollment.objects.filter(pk=offer_a.pk).update(status=Enrollment.Status.ENROLLED)
    pages["class"] = reverse("portal:class_detail", args=[offer_a.cohort_id])
    files = []
    for name, url in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(client.get(url).content)
        files.append(str(path))
    client.logout()
    for name, url in {
        "login": reverse("portal:login"),
        "reset": reverse("portal:password_reset"),
    }.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(client.get(url).content)
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
