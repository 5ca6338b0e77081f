"""Documents in the admin: uploaded through ``document_upload`` (type from content, size,
empty file refused beside the field, nothing stored), reviewed through ``document_review``,
each linked to the permission-checked view."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certifications.models import CaseDocument, CaseEvent
from tests.admin.conftest import form_data
from tests.certifications.conftest import PDF, PNG, upload

pytestmark = pytest.mark.usefixtures("english")

UPLOAD = "documents-2-0"  # the upload inline: the second formset of the request's documents
MB = 1024 * 1024


def change_url(case):
    return reverse("admin:certifications_case_change", args=[case.pk])


@pytest.fixture
def staff(client, staff_lampung):
    client.force_login(staff_lampung)
    return client


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post_upload(client, case, file, **fields):
    data = form_data(client.get(change_url(case)))
    requirement = case.scheme.documents.get(code="panduan")
    data.update({f"{UPLOAD}-requirement": str(requirement.pk), f"{UPLOAD}-title": ""})
    data.update({f"{UPLOAD}-{k}": v for k, v in fields.items()})
    data[f"{UPLOAD}-file"] = file
    return client.post(change_url(case), data)


def test_a_document_uploaded_on_the_request_page_goes_through_the_service(
    staff, case, staff_lampung, settings
):
    response = post_upload(staff, case, SimpleUploadedFile("foto.jpeg", PNG, "image/jpeg"))
    assert response.status_code == 302, response.context and response.context["errors"]
    document = case.documents.get()
    # The type is what the content is, not what the name or the browser said.
    assert (document.content_type, document.original_name) == ("image/png", "foto.jpeg")
    assert document.file.name.endswith(".png")
    assert (document.title, document.uploaded_by) == ("Quality manual", staff_lampung)
    assert case.events.filter(kind=CaseEvent.Kind.DOCUMENT_UPLOADED).count() == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("panduan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "PDF, JPEG"),
        ("panduan.pdf", b"", "The submitted file is empty."),
        ("panduan.pdf", PDF + b"0" * (10 * MB), "the largest allowed is 10.0\xa0MB"),
    ],
    ids=["renamed executable", "empty", "over 10 MB"],
)
def test_a_bad_upload_is_refused_beside_the_file_and_nothing_is_stored(
    staff, case, settings, name, content, message
):
    response = post_upload(
        staff, case, SimpleUploadedFile(name, content, "application/pdf"), title="Panduan"
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    assert message in " ".join(formset.forms[0].errors["file"])
    assert formset.forms[0]["title"].value() == "Panduan"
    assert not CaseDocument.objects.exists()
    assert not stored_files(settings)
    assert not case.events.filter(kind=CaseEvent.Kind.DOCUMENT_UPLOADED).exists()


def test_reviewing_on_the_request_page_goes_through_the_service(
    staff, case, staff_lampung, participant_a
):
    document = upload(case, participant_a, code="panduan")
    page = staff.get(change_url(case))
    data = form_data(page)
    assert "documents-0-review" not in data  # the review itself is not a field
    data["documents-0-review"] = "approved"  # and posting it changes nothing
    data["documents-0-decision"] = "changes"
    data["documents-0-comment"] = ""
    refused = staff.post(change_url(case), data)
    assert refused.status_code == 200
    form = refused.context["inline_admin_formsets"][0].formset.forms[0]
    assert "Say what needs to change." in form.errors["comment"]
    document.refresh_from_db()
    assert document.review == CaseDocument.Review.PENDING

    data["documents-0-comment"] = "Tanda tangan belum ada"
    assert staff.post(change_url(case), data).status_code == 302
    document.refresh_from_db()
    assert (document.review, document.review_note, document.reviewed_by) == (
        CaseDocument.Review.CHANGES_NEEDED,
        "Tanda tangan belum ada",
        staff_lampung,
    )
    assert case.events.filter(kind=CaseEvent.Kind.DOCUMENT_CHANGES).exists()

    data = form_data(staff.get(change_url(case)))
    data["documents-0-decision"] = "approved"
    assert staff.post(change_url(case), data).status_code == 302
    document.refresh_from_db()
    assert document.review == CaseDocument.Review.APPROVED


def test_each_document_links_to_the_checked_view_for_those_who_may_open_it(
    client, case, participant_a, staff_lampung, national_viewer
):
    document = upload(case, participant_a, code="ktp", name="ktp.pdf")
    link = reverse("certifications:document", args=[document.pk])
    client.force_login(staff_lampung)
    page = client.get(change_url(case)).content.decode()
    assert f'href="{link}"' in page and "sensitive" in page
    listing = client.get(reverse("admin:certifications_casedocument_changelist"))
    assert listing.status_code == 200
    client.force_login(national_viewer)
    page = client.get(change_url(case)).content.decode()
    assert "ktp.pdf" in page and f'href="{link}"' not in page
    assert 'name="documents-0-decision"' not in page


def test_a_closed_request_takes_no_more_documents(staff, case, staff_lampung):
    from tests.certifications.conftest import S, bring_to

    case = bring_to(case, S.WITHDRAWN, staff_lampung)
    page = staff.get(change_url(case))
    assert len(page.context["inline_admin_formsets"]) == 2  # documents and timeline only
    assert f"{UPLOAD}-file" not in page.content.decode()


def test_the_documents_list_adds_through_the_service_and_refuses_a_bad_file(
    staff, case, staff_lampung, settings
):
    url = reverse("admin:certifications_casedocument_add")
    requirement = case.scheme.documents.get(code="ktp")
    data = {"case": case.pk, "requirement": requirement.pk, "title": ""}
    refused = staff.post(url, {**data, "file": SimpleUploadedFile("ktp.pdf", b"plain text")})
    assert refused.status_code == 200
    assert "PDF, JPEG" in str(refused.context["adminform"].form.errors["file"])
    assert not CaseDocument.objects.exists() and not stored_files(settings)
    done = staff.post(url, {**data, "file": SimpleUploadedFile("ktp.pdf", PDF)})
    assert done.status_code == 302
    document = CaseDocument.objects.get()
    assert document.sensitive and document.uploaded_by == staff_lampung
    change = reverse("admin:certifications_casedocument_change", args=[document.pk])
    review = staff.post(change, {"decision": "approved", "comment": ""})
    assert review.status_code == 302
    document.refresh_from_db()
    assert document.review == CaseDocument.Review.APPROVED


def test_the_request_page_costs_the_same_for_one_document_as_for_many(
    client, case, staff_lampung, participant_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_lampung)
    client.get(change_url(case))  # caches the first visit fills (content types)
    counts = []
    for batch in (1, 8):
        for index in range(batch):
            upload(case, participant_a, code="panduan", name=f"panduan-{batch}-{index}.pdf")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(case)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 30
