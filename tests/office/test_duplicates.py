"""Likely duplicates are found, and a merge keeps every related row, with its history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Enterprise, EnterpriseMembership, KbliCode, Product
from certifications.models import Case
from cohorts.models import Enrollment, ExportRecord
from office.duplicates import enterprise_merge, likely_duplicates, merge_plan, name_key
from tests import factories as f
from tests.conftest import need_postgres

pytestmark = pytest.mark.django_db


def test_names_compare_without_legal_form_case_or_punctuation():
    assert name_key("CV. Kopi  Jaya") == name_key("kopi jaya") == "kopi jaya"


def test_likely_duplicates_share_a_regency(office_lampung, lampung_selatan, bandar_lampung):
    a = f.EnterpriseFactory(
        registered_by=office_lampung, name="CV Kopi Jaya", regency=lampung_selatan
    )
    b = f.EnterpriseFactory(registered_by=office_lampung, name="Kopi Jaya", regency=lampung_selatan)
    f.EnterpriseFactory(registered_by=office_lampung, name="Kopi Jaya", regency=bandar_lampung)
    f.EnterpriseFactory(registered_by=office_lampung, name="Batik Indah", regency=lampung_selatan)
    pairs = likely_duplicates(enterprises=Enterprise.objects.all())
    assert [(p.first, p.second) for p in pairs] == [(a, b)]


def test_similar_names_are_found_by_trigram_on_postgresql(office_lampung, lampung_selatan):
    need_postgres()
    a = f.EnterpriseFactory(
        registered_by=office_lampung, name="Kopi Jaya Abadi", regency=lampung_selatan
    )
    b = f.EnterpriseFactory(
        registered_by=office_lampung, name="Kopi Jaya Abadii", regency=lampung_selatan
    )
    pairs = likely_duplicates(enterprises=Enterprise.objects.all())
    assert [(p.first, p.second) for p in pairs] == [(a, b)]


def test_duplicates_are_scoped_to_the_office(office_lampung, office_jateng, lampung_selatan):
    f.EnterpriseFactory(registered_by=office_lampung, name="Kopi Jaya", regency=lampung_selatan)
    f.EnterpriseFactory(registered_by=office_jateng, name="Kopi Jaya", regency=lampung_selatan)
    assert (
        likely_duplicates(enterprises=Enterprise.objects.filter(registered_by=office_jateng)) == []
    )


@pytest.fixture
def pair(office_lampung, program_lampung, lampung_selatan):
    keep = f.EnterpriseFactory(registered_by=office_lampung, name="Kopi Jaya", nib="", regency=None)
    other = f.EnterpriseFactory(
        registered_by=office_lampung,
        name="CV Kopi Jaya",
        nib="9120009999999",
        regency=lampung_selatan,
    )
    shared_user = f.owner_of(keep)
    EnterpriseMembership.objects.create(user=shared_user, enterprise=other)
    f.owner_of(other, email="pemilik2@kopi.test")
    KbliCode.objects.create(enterprise=keep, code="10761")
    KbliCode.objects.create(enterprise=other, code="10761")
    KbliCode.objects.create(enterprise=other, code="46312")
    f.ProductFactory(enterprise=other, name="Kopi bubuk")
    stage_1 = f.StageFactory(program=program_lampung)
    stage_2 = f.StageFactory(program=program_lampung)
    f.EnrollmentFactory(enterprise=keep, stage=stage_1)
    f.EnrollmentFactory(enterprise=other, stage=stage_2)
    f.ExportRecordFactory(enterprise=other, program=program_lampung)
    f.CaseFactory(enterprise=other, office=office_lampung)
    return keep, other


def test_a_merge_keeps_every_related_row(pair, staff_lampung):
    keep, other = pair
    before = {
        "enrollments": Enrollment.objects.count(),
        "exports": ExportRecord.objects.count(),
        "cases": Case.objects.count(),
        "products": Product.objects.count(),
    }
    enterprise_merge(keep=keep, other=other, actor=staff_lampung)
    assert not Enterprise.objects.filter(pk=other.pk).exists()
    assert Enrollment.objects.filter(enterprise=keep).count() == before["enrollments"] == 2
    assert ExportRecord.objects.filter(enterprise=keep).count() == before["exports"] == 1
    assert Case.objects.filter(enterprise=keep).count() == before["cases"] == 1
    assert Product.objects.filter(enterprise=keep).count() == before["products"] == 1
    assert EnterpriseMembership.objects.filter(enterprise=keep).count() == 2  # shared one once
    assert sorted(KbliCode.objects.filter(enterprise=keep).values_list("code", flat=True)) == [
        "10761",
        "46312",
    ]
    keep.refresh_from_db()
    assert keep.nib == "9120009999999"  # empty fields are filled from the other
    assert keep.regency is not None


def test_a_merge_is_recorded_in_history(pair, staff_lampung):
    keep, other = pair
    enterprise_merge(keep=keep, other=other, actor=staff_lampung)
    last = keep.history.first()
    assert last.history_user == staff_lampung and "Merged" in last.history_change_reason
    removed = Enterprise.history.filter(id=other.pk, history_type="-").get()
    assert removed.history_user == staff_lampung
    moved = Enrollment.history.filter(
        enterprise_id=keep.pk, history_change_reason__startswith="Merged"
    )
    assert moved.count() == 1 and moved.get().history_user == staff_lampung
    export = ExportRecord.objects.get(enterprise=keep)
    assert export.history.first().history_change_reason.startswith("Merged")
    case = Case.objects.get(enterprise=keep)
    assert case.history.first().history_user == staff_lampung


def test_conflicts_stop_the_merge_and_nothing_changes(pair, staff_lampung, program_lampung):
    keep, other = pair
    stage = Enrollment.objects.get(enterprise=keep).stage
    f.EnrollmentFactory(enterprise=other, stage=stage)
    plan = merge_plan(keep=keep, other=other)
    assert any("same stage" in c for c in plan.conflicts)
    with pytest.raises(ValidationError):
        enterprise_merge(keep=keep, other=other, actor=staff_lampung)
    assert Enterprise.objects.filter(pk=other.pk).exists()
    assert Enrollment.objects.filter(enterprise=other).count() == 2


def test_another_offices_enterprise_cannot_be_merged(pair, staff_jateng, client):
    keep, other = pair
    with pytest.raises(ValidationError):
        enterprise_merge(keep=keep, other=other, actor=staff_jateng)
    client.force_login(staff_jateng)
    url = reverse("admin:accounts_enterprise_merge")
    response = client.post(url, {"keep": keep.pk, "other": other.pk})
    assert response.status_code == 200
    assert Enterprise.objects.filter(pk=other.pk).exists()
    assert "Kopi Jaya" not in response.content.decode()


def test_the_confirmation_page_shows_what_moves_before_the_merge(pair, staff_lampung, client):
    keep, other = pair
    client.force_login(staff_lampung)
    url = reverse("admin:accounts_enterprise_merge")
    page = client.get(url, {"keep": keep.pk, "other": other.pk})
    text = page.content.decode()
    assert "would be merged into" in text and "Merge them" in text
    assert Enterprise.objects.filter(pk=other.pk).exists()
    response = client.post(url, {"keep": keep.pk, "other": other.pk})
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=other.pk).exists()


def test_the_duplicates_page_links_to_the_merge(
    client, staff_lampung, office_lampung, lampung_selatan
):
    a = f.EnterpriseFactory(registered_by=office_lampung, name="Kopi Jaya", regency=lampung_selatan)
    b = f.EnterpriseFactory(
        registered_by=office_lampung, name="KOPI JAYA.", regency=lampung_selatan
    )
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:accounts_enterprise_duplicates")).content.decode()
    assert f"keep={a.pk}&amp;other={b.pk}" in page
