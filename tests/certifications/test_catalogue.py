"""The scheme catalogue is data: seeded completely, seeded again without change, and kept
where requests point at it."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from certifications.models import CaseDocument, Scheme, SchemeDocument, SchemeMilestone
from seeds import reference
from tests import factories as f

pytestmark = pytest.mark.django_db

# code: family, validity in months, what it runs from, surveillance interval, prerequisites
EXPECTED = {
    "sppt-sni-1": ("sni", None, "none", None, {"merek"}),
    "sppt-sni-5": ("sni", 48, "issue", 12, {"merek"}),
    "iso-9001": ("iso", 36, "issue", 12, set()),
    "iso-22000": ("iso", 36, "issue", 12, set()),
    "haccp": ("haccp", 36, "issue", 12, set()),
    "halal-reguler": ("halal", None, "none", None, set()),
    "halal-self-declare": ("halal", None, "none", None, set()),
    "merek": ("ip", 120, "filing", None, set()),
    "spp-irt": ("product_permit", 60, "issue", None, {"pkp"}),
    "bpom-md": ("product_permit", 60, "issue", None, set()),
    "svlk": ("other", 72, "issue", 24, set()),
    "pkp": ("other", None, "none", None, set()),
}


def seed():
    call_command("seed_reference", stdout=StringIO())


def catalogue_rows():
    return {
        "schemes": sorted(Scheme.objects.values_list("pk", "code", "name_id", "is_active")),
        "milestones": sorted(
            SchemeMilestone.objects.values_list("pk", "scheme_id", "order", "name_id")
        ),
        "documents": sorted(
            SchemeDocument.objects.values_list("pk", "scheme_id", "code", "required", "sensitive")
        ),
        "prerequisites": sorted(
            Scheme.prerequisites.through.objects.values_list("from_scheme_id", "to_scheme_id")
        ),
    }


def test_every_scheme_the_offices_help_with_is_in_the_catalogue():
    seed()
    schemes = {s.code: s for s in Scheme.objects.prefetch_related("prerequisites")}
    for code, (family, months, runs_from, surveillance, prerequisites) in EXPECTED.items():
        scheme = schemes[code]
        assert (
            scheme.family,
            scheme.validity_months,
            scheme.validity_from,
            scheme.surveillance_months,
            {p.code for p in scheme.prerequisites.all()},
        ) == (family, months, runs_from, surveillance, prerequisites), code
        assert scheme.issuing_body and scheme.name_id and scheme.name_en
    # Two SNI types and two Halal routes are two schemes each, told apart by name.
    assert schemes["sppt-sni-1"].name_id != schemes["sppt-sni-5"].name_id
    assert schemes["halal-reguler"].name_id != schemes["halal-self-declare"].name_id
    assert "DJKI" in schemes["merek"].issuing_body
    assert "BPJPH" in schemes["halal-self-declare"].issuing_body


def test_each_scheme_has_ordered_steps_and_its_documents_with_identity_papers_sensitive():
    seed()
    for scheme in Scheme.objects.prefetch_related("milestones", "documents"):
        orders = [m.order for m in scheme.milestones.all()]
        assert orders == list(range(1, len(orders) + 1)) and len(orders) >= 3, scheme.code
        assert all(m.name_id and m.name_en for m in scheme.milestones.all())
        documents = list(scheme.documents.all())
        assert any(d.required for d in documents), scheme.code
        for document in documents:
            assert document.name_id and document.name_en
            if document.code.startswith("ktp"):
                assert document.sensitive, f"{scheme.code}: {document.code}"
            if document.code in {"nib", "invoice", "hasil-uji-lab"}:
                assert not document.sensitive
    # The self-declaration route asks for the owner's identity card; optional papers exist.
    self_declare = Scheme.objects.get(code="halal-self-declare")
    assert self_declare.documents.get(code="ktp-pemilik").required
    assert self_declare.documents.filter(required=False).exists()
    assert SchemeDocument.objects.filter(sensitive=True).count() >= 6


def test_the_catalogue_file_names_only_schemes_it_holds():
    data = reference.read_schemes()
    codes = [item["code"] for item in data]
    assert len(codes) == len(set(codes))
    for item in data:
        assert set(item["prerequisites"]) <= set(codes), item["code"]
        assert item["validity_from"] in Scheme.ValidityFrom.values
        assert (item["validity_months"] is None) == (item["validity_from"] == "none")
        assert item["family"] in Scheme.Family.values
        document_codes = [d["code"] for d in item["documents"]]
        assert len(document_codes) == len(set(document_codes)), item["code"]


def test_seeding_again_changes_nothing_and_restores_edited_rows():
    seed()
    first = catalogue_rows()
    Scheme.objects.filter(code="merek").update(name_id="Diubah", is_active=False)
    SchemeDocument.objects.filter(code="ktp-pemohon").update(sensitive=False, required=False)
    Scheme.objects.get(code="spp-irt").prerequisites.clear()
    seed()
    assert catalogue_rows() == first


def test_seeding_again_keeps_what_requests_point_at(office_lampung, enterprise_a):
    seed()
    scheme = Scheme.objects.get(code="sppt-sni-5")
    last_step = scheme.milestones.order_by("-order").first()
    requirement = scheme.documents.get(code="panduan-mutu")
    case = f.CaseFactory(
        enterprise=enterprise_a, office=office_lampung, scheme=scheme, current_milestone=last_step
    )
    document = CaseDocument.objects.create(
        case=case, requirement=requirement, title="Panduan", file=ContentFile(b"%PDF", "a.pdf")
    )
    seed()
    case.refresh_from_db()
    document.refresh_from_db()
    assert (case.scheme_id, case.current_milestone_id) == (scheme.pk, last_step.pk)
    assert document.requirement_id == requirement.pk


def test_a_step_dropped_from_the_file_stays_while_a_request_stands_at_it(
    monkeypatch, office_lampung, enterprise_a, enterprise_b
):
    seed()
    scheme = Scheme.objects.get(code="merek")
    steps = list(scheme.milestones.order_by("order"))
    f.CaseFactory(
        enterprise=enterprise_a, office=office_lampung, scheme=scheme, current_milestone=steps[-1]
    )
    data = copy.deepcopy(reference.read_schemes())
    shorter = next(item for item in data if item["code"] == "merek")
    shorter["milestones"] = shorter["milestones"][:-2]
    monkeypatch.setattr(reference, "read_schemes", lambda: data)
    seed()
    kept = set(scheme.milestones.values_list("pk", flat=True))
    assert steps[-1].pk in kept  # a request stands at it
    assert steps[-2].pk not in kept  # nobody does
    assert len(kept) == len(steps) - 1


def test_superusers_edit_a_scheme_its_steps_and_documents_others_read(
    client, superuser, staff_lampung
):
    from django.urls import reverse

    from tests.admin.conftest import form_data

    seed()
    scheme = Scheme.objects.get(code="halal-self-declare")
    url = reverse("admin:certifications_scheme_change", args=[scheme.pk])
    client.force_login(staff_lampung)
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page and "ktp-pemilik" in page
    client.force_login(superuser)
    data = form_data(client.get(url))
    steps = [k for k in data if k.startswith("milestones-") and k.endswith("-name_id")]
    documents = [k for k in data if k.startswith("documents-") and k.endswith("-code")]
    assert len(steps) == scheme.milestones.count() and len(documents) == 6
    data[steps[0]] = "Daftar di SIHALAL"
    photo = next(k for k in documents if data[k] == "foto-produk").removesuffix("-code")
    data[f"{photo}-sensitive"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert scheme.milestones.get(order=1).name_id == "Daftar di SIHALAL"
    assert scheme.documents.get(code="foto-produk").sensitive
