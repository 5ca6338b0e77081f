"""Request documents are private: the enterprise, its assisting office and platform admins
open them through one view; nobody else learns they exist, and no URL reaches the folder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certifications import services
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def document(enterprise_a, office_lampung, program_lampung, participant_a):
    scheme = f.SchemeFactory(code="doc-view-scheme")
    ktp = f.SchemeDocumentFactory(scheme=scheme, code="ktp", sensitive=True)
    case = services.case_request(
        enterprise=enterprise_a,
        scheme=scheme,
        office=office_lampung,
        program=program_lampung,
        actor=participant_a,
    )
    return services.document_upload(
        case=case,
        actor=participant_a,
        file=SimpleUploadedFile("KTP Siti.pdf", PDF, content_type="application/pdf"),
        requirement=ktp,
    )


def _url(document):
    return reverse("certifications:document", args=[document.pk])


@pytest.mark.parametrize("who", ["participant_a", "staff_lampung", "superuser"])
def test_the_enterprise_its_office_and_platform_admins_get_the_file(client, request, document, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="KTP Siti.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "who",
    [
        "participant_b",  # a member of another enterprise of the same office
        "staff_jateng",  # staff of another office
        "national_viewer",  # reads requests, not the papers behind them
        "analyst_lpei",  # the funder of the request's programme
    ],
)
def test_anyone_else_is_told_it_does_not_exist(client, request, document, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(document))
    assert response.status_code == 404
    assert PDF not in response.content


def test_a_document_that_does_not_exist_is_the_same_404(client, participant_a, document):
    client.force_login(participant_a)
    assert (
        client.get(reverse("certifications:document", args=[document.pk + 1000])).status_code == 404
    )


def test_anonymous_is_sent_to_sign_in(client, document):
    response = client.get(_url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert f"next={_url(document)}" in response["Location"].replace("%2F", "/")


def test_the_view_only_reads(client, staff_lampung, document):
    client.force_login(staff_lampung)
    assert client.post(_url(document)).status_code == 405


def test_the_file_name_in_the_header_is_made_safe(client, staff_lampung, document):
    document.original_name = 'C:\\fakepath\\ktp "budi"\x07\u00e9.exe'
    document.save(update_fields=["original_name"])
    client.force_login(staff_lampung)
    response = client.get(_url(document))
    response.close()
    disposition = response["Content-Disposition"]
    # no folder, no control character, quotes escaped, and the extension of what it is
    assert "fakepath" not in disposition and "\x07" not in disposition
    assert disposition == "inline; filename*=utf-8''ktp%20%22budi%22%C3%A9.pdf"


def test_no_url_reaches_the_private_folder(client, superuser, document, settings):
    assert document.file.url == ""
    stored = settings.PRIVATE_MEDIA_ROOT / document.file.name
    assert stored.read_bytes() == PDF
    client.force_login(superuser)
    for url in (
        f"/media/{document.file.name}",
        f"/private/{document.file.name}",
        f"/{document.file.name}",
        f"{settings.MEDIA_URL}{document.file.name}",
    ):
        assert client.get(url).status_code == 404, url


def test_a_document_whose_file_was_removed_is_not_found(client, staff_lampung, document):
    from certifications.models import CaseDocument

    document.file.delete(save=False)
    CaseDocument.objects.filter(pk=document.pk).update(file="", original_name="")
    client.force_login(staff_lampung)
    assert client.get(_url(document)).status_code == 404
    page = client.get(reverse("admin:certifications_case_change", args=[document.case_id]))
    assert _url(document) not in page.content.decode()
