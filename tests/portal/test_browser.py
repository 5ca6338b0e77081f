"""End to end in a real headless Chromium on a 360×740 screen: an owner signs in, accepts a
seat offer and sees the class's next session, uploads a document, downloads the training
certificate and opens its verification page, fetches the class's calendar file and switches
to English. Screenshots of the main pages go to var/screenshots/ (SCREENSHOT_DIR)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from icalendar import Calendar

from cohorts.models import Enrollment, Level
from portal.models import TrainingCertificate
from tests import factories as f
from tests.conftest import need
from tests.portal.conftest import PDF, case_of, offered

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)
PASSWORD = "Kopi-Lampung-2026!"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server):
    """A page of a headless Chromium, closed before the live server stops."""
    need(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        f"chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    # Django refuses database work inside a running event loop; Playwright's sync API runs
    # one in this thread, so test data is written before it starts or with this allowance.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, accept_downloads=True
            )
            page = context.new_page()
            yield page
            context.close()
            browser.close()
            # Queries made while Playwright runs use a connection of their own context; close
            # it here, or the test database cannot be dropped at the end.
            connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(enterprise_a, program_lampung, office_lampung, staff_lampung):
    owner = f.owner_of(enterprise_a, email="pemilik@kopi.test", full_name="Siti Aminah")
    owner.set_password(PASSWORD)
    owner.save()
    stage = f.StageFactory(program=program_lampung, number=2)
    cohort = f.CohortFactory(stage=stage, level=Level.MENENGAH, name="Menengah Lampung")
    f.SessionFactory(
        cohort=cohort, topic="Harga FOB", starts_at=timezone.now() + dt.timedelta(days=3)
    )
    offer = offered(enterprise_a, cohort)
    done_stage = f.StageFactory(program=program_lampung, number=1)
    done_cohort = f.CohortFactory(stage=done_stage, level=Level.PEMULA, name="Pemula Lampung")
    f.EnrollmentFactory(
        enterprise=enterprise_a,
        cohort=done_cohort,
        status=Enrollment.Status.COMPLETED,
        ended_at=timezone.now(),
    )
    scheme = f.SchemeFactory(code="browser-sni", name_id="SPPT SNI Kopi", name_en="SNI coffee")
    f.SchemeDocumentFactory(scheme=scheme, code="panduan", name_id="Panduan mutu")
    case = case_of(enterprise_a, scheme, office_lampung, staff_lampung)
    return {"owner": owner, "offer": offer, "done_cohort": done_cohort, "case": case}


def test_owner_on_a_phone(browser_page, live_server, world, tmp_path):
    page = browser_page
    base = live_server.url
    page.goto(base + "/")
    assert "/masuk/" in page.url
    shot(page, "01-login")
    page.fill("input[name=username]", "pemilik@kopi.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.url.rstrip("/") == base
    shot(page, "02-home")
    assert "Jawab tawaran kuota untuk Menengah Lampung" in page.content()
    # No horizontal scrolling on a 360-pixel screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("text=Jawab tawaran kuota untuk Menengah Lampung")
    shot(page, "03-offer")
    page.click("button[value=accept]")
    page.wait_for_load_state()
    assert "/kelas/" in page.url
    assert "Harga FOB" in page.content()
    shot(page, "04-class")
    world["offer"].refresh_from_db()
    assert world["offer"].status == Enrollment.Status.ENROLLED
    page.goto(base + "/")
    assert "Harga FOB" in page.inner_text("#sessions-title + ul")

    # The class's calendar file, fetched with the signed-in browser's cookies.
    cohort_id = world["offer"].cohort_id
    ics = page.request.get(f"{base}/kelas/{cohort_id}/kalender.ics")
    assert ics.ok
    events = list(Calendar.from_ical(ics.body()).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Menengah Lampung: Harga FOB"]

    # Upload a document to the request.
    case = world["case"]
    page.goto(f"{base}/sertifikasi/{case.pk}/")
    shot(page, "05-request")
    page.click("a.button[href$='/unggah/']")
    document = tmp_path / "panduan.pdf"
    document.write_bytes(PDF)
    page.select_option("select[name=requirement]", label="Panduan mutu")
    page.set_input_files("input[name=file]", str(document))
    shot(page, "06-upload")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert f"/sertifikasi/{case.pk}/" in page.url
    assert case.documents.count() == 1
    assert "Menunggu" in page.content() or "review" in page.content().lower()

    # The training certificate of the completed class, and its verification page.
    page.goto(f"{base}/kelas/{world['done_cohort'].pk}/")
    with page.expect_download() as download_info:
        page.click("a[href$='sertifikat.pdf']")
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    token = TrainingCertificate.objects.get().token
    page.goto(f"{base}/verifikasi/{token}/")
    assert "Sertifikat pelatihan asli" in page.content()
    assert "Kopi Lampung Jaya" in page.content()
    shot(page, "07-verify")

    page.goto(f"{base}/akun/profil/")
    assert "Profil IKM" in page.content()
    shot(page, "08-profile")
    page.goto(f"{base}/ekspor/lapor/")
    shot(page, "09-export-report")

    # Switch to English.
    page.goto(base + "/")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert "To do first" in page.content()
    assert page.get_attribute("html", "lang") == "en"
    shot(page, "10-home-en")
