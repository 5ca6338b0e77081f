"""Moving a request along in the admin: the page offers exactly the moves the workflow
allows, each on a form page that calls its service; granting, rejecting and withdrawing ask
first; a refusal keeps what was typed with the reason beside its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from certifications.models import Case, CaseEvent, Certificate
from tests import factories as f
from tests.certifications.conftest import S, bring_to, documents_approved

pytestmark = pytest.mark.usefixtures("english")

ALLOWED = {
    S.REQUESTED: {"prepare", "withdraw"},
    S.PREPARING: {"submit", "withdraw"},
    S.SUBMITTED: {"revise", "grant", "reject", "withdraw"},
    S.REVISION: {"submit", "withdraw"},
    S.GRANTED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
ALL_MOVES = {"prepare", "submit", "revise", "grant", "reject", "withdraw"}


def change_url(case):
    return reverse("admin:certifications_case_change", args=[case.pk])


def move_url(case, move):
    return reverse("admin:certifications_case_move", args=[case.pk, move])


@pytest.fixture
def staff(client, staff_lampung):
    client.force_login(staff_lampung)
    return client


@pytest.mark.parametrize("status", S.values)
def test_the_request_page_offers_exactly_the_moves_allowed_from_its_status(
    staff, case, staff_lampung, status
):
    case = bring_to(case, status, staff_lampung)
    page = staff.get(change_url(case)).content.decode()
    offered = {move for move in ALL_MOVES if move_url(case, move) in page}
    assert offered == ALLOWED[status]
    step = reverse("admin:certifications_case_step", args=[case.pk])
    assert (step in page) == case.is_open


def test_a_read_only_user_is_offered_no_move_and_cannot_post_one(client, national_viewer, case):
    client.force_login(national_viewer)
    page = client.get(change_url(case)).content.decode()
    assert page.count("nk-move") == 0 and 'name="_save"' not in page
    assert client.get(move_url(case, "prepare")).status_code == 403
    assert client.post(move_url(case, "prepare"), {"note": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == S.REQUESTED


def test_another_offices_staff_do_not_find_the_move_page(client, staff_jateng, case):
    client.force_login(staff_jateng)
    assert client.get(move_url(case, "prepare")).status_code == 404
    assert client.post(move_url(case, "prepare"), {"note": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == S.REQUESTED


def test_start_preparing_records_the_note_and_the_first_step(staff, case, staff_lampung):
    response = staff.post(move_url(case, "prepare"), {"note": "Berkas mulai dikumpulkan"})
    assert response.status_code == 302 and response["Location"] == change_url(case)
    case.refresh_from_db()
    assert case.status == S.PREPARING and case.current_milestone.order == 1
    event = case.events.filter(kind=CaseEvent.Kind.TRANSITION).last()
    assert (event.actor, event.note) == (staff_lampung, "Berkas mulai dikumpulkan")


def test_submitting_with_documents_missing_keeps_the_page_and_says_which(
    staff, case, staff_lampung
):
    case = bring_to(case, S.PREPARING, staff_lampung)
    response = staff.post(move_url(case, "submit"), {"note": "Kirim ke LSPro"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Required documents are missing: Quality manual, Identity card" in str(
        form.non_field_errors()
    ) or "Required documents are missing: Identity card, Quality manual" in str(
        form.non_field_errors()
    )
    assert form["note"].value() == "Kirim ke LSPro"
    case.refresh_from_db()
    assert case.status == S.PREPARING


def test_a_missing_prerequisite_asks_for_a_reason_beside_its_field(
    staff, case, scheme, staff_lampung
):
    scheme.prerequisites.add(f.SchemeFactory(code="admin-merek", name_en="Trademark"))
    case = bring_to(case, S.PREPARING, staff_lampung)
    documents_approved(case, staff_lampung)
    page = staff.get(move_url(case, "submit"))
    assert "override_reason" in page.context["form"].fields
    assert "Prerequisites the enterprise does not hold yet" in page.content.decode()
    refused = staff.post(move_url(case, "submit"), {"note": "Kirim", "override_reason": ""})
    assert refused.status_code == 200
    assert "Trademark" in str(refused.context["form"].errors["override_reason"])
    assert refused.context["form"]["note"].value() == "Kirim"
    case.refresh_from_db()
    assert case.status == S.PREPARING
    done = staff.post(
        move_url(case, "submit"), {"note": "Kirim", "override_reason": "Merek sudah diajukan"}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    assert case.events.filter(kind=CaseEvent.Kind.PREREQUISITE_OVERRIDE).exists()


def test_a_revision_records_its_deadline_and_a_past_one_is_refused_beside_it(
    staff, case, staff_lampung
):
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    refused = staff.post(
        move_url(case, "revise"), {"deadline": yesterday.isoformat(), "note": "Ganti label"}
    )
    assert refused.status_code == 200
    form = refused.context["form"]
    assert "past" in str(form.errors["deadline"])
    assert form["note"].value() == "Ganti label"
    assert form["deadline"].value() == yesterday.isoformat()
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    next_week = timezone.localdate() + dt.timedelta(days=7)
    staff.post(move_url(case, "revise"), {"deadline": next_week.isoformat(), "note": "Ganti"})
    case.refresh_from_db()
    assert (case.status, case.revision_deadline) == (S.REVISION, next_week)
    # From revision the page offers to resubmit.
    page = staff.get(change_url(case)).content.decode()
    assert "Resubmit to the issuer" in page


def test_granting_shows_what_will_happen_and_only_the_confirmation_grants(
    staff, case, staff_lampung
):
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    issued = timezone.localdate() - dt.timedelta(days=2)
    filed = issued - dt.timedelta(days=30)
    data = {
        "number": "SPPT-77",
        "filing_date": filed.isoformat(),
        "issue_date": issued.isoformat(),
        "note": "",
    }
    confirm = staff.post(move_url(case, "grant"), data)
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "admin/certifications/case/move_confirm.html"
    text = " ".join(confirm.context["consequences"])
    assert "SPPT-77" in text and "Granted" in text
    expiry = issued.replace(year=issued.year + 4)
    assert f"valid until {date_format(expiry)}" in text
    assert "First surveillance" in text and "Issued" in text
    case.refresh_from_db()
    assert case.status == S.SUBMITTED and not Certificate.objects.exists()
    page = confirm.content.decode()
    assert 'name="number"' in page and 'value="SPPT-77"' in page  # carried, hidden

    done = staff.post(move_url(case, "grant"), {**data, "confirm": "1"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == S.GRANTED
    certificate = case.certificate
    assert (certificate.number, certificate.filing_date, certificate.issue_date) == (
        "SPPT-77",
        filed,
        issued,
    )


def test_a_refused_grant_comes_back_with_the_input_and_the_reason_beside_it(
    staff, case, staff_lampung
):
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"number": "SPPT-78", "issue_date": tomorrow.isoformat(), "note": "Terbit"}
    response = staff.post(move_url(case, "grant"), data)
    assert response.templates[0].name == "admin/certifications/case/move.html"
    form = response.context["form"]
    assert "future" in str(form.errors["issue_date"])
    assert form["number"].value() == "SPPT-78" and form["note"].value() == "Terbit"
    # Posted with the confirmation too, the same refusal: nothing is granted.
    response = staff.post(move_url(case, "grant"), {**data, "confirm": "1"})
    assert "future" in str(response.context["form"].errors["issue_date"])
    case.refresh_from_db()
    assert case.status == S.SUBMITTED and not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("move", "start", "target"),
    [
        ("reject", S.SUBMITTED, S.REJECTED),
        ("withdraw", S.REQUESTED, S.WITHDRAWN),
        ("withdraw", S.REVISION, S.WITHDRAWN),
    ],
)
def test_rejecting_and_withdrawing_ask_first(staff, case, staff_lampung, move, start, target):
    case = bring_to(case, start, staff_lampung)
    refused = staff.post(move_url(case, move), {"reason": ""})
    assert refused.templates[0].name == "admin/certifications/case/move.html"
    assert refused.context["form"].errors["reason"]
    confirm = staff.post(move_url(case, move), {"reason": "Hasil uji tidak memenuhi"})
    assert confirm.templates[0].name == "admin/certifications/case/move_confirm.html"
    text = " ".join(confirm.context["consequences"])
    assert "Hasil uji tidak memenuhi" in text and str(S(target).label) in text
    case.refresh_from_db()
    assert case.status == start
    back = staff.post(move_url(case, move), {"reason": "Hasil uji", "edit": "1"})
    assert back.templates[0].name == "admin/certifications/case/move.html"
    assert back.context["form"]["reason"].value() == "Hasil uji"
    staff.post(move_url(case, move), {"reason": "Hasil uji tidak memenuhi", "confirm": "1"})
    case.refresh_from_db()
    assert case.status == target
    assert case.events.last().note == "Hasil uji tidak memenuhi"


def test_a_move_posted_twice_is_refused_the_second_time_keeping_the_input(
    staff, case, staff_lampung
):
    case = bring_to(case, S.SUBMITTED, staff_lampung)
    data = {"number": "SPPT-9", "issue_date": timezone.localdate().isoformat(), "confirm": "1"}
    assert staff.post(move_url(case, "grant"), data).status_code == 302
    again = staff.post(move_url(case, "grant"), data)
    assert again.status_code == 200
    assert "closed" in str(again.context["form"].non_field_errors())
    assert again.context["form"]["number"].value() == "SPPT-9"
    assert Certificate.objects.count() == 1


def test_a_move_not_allowed_from_here_leads_back_to_the_request(staff, case):
    response = staff.get(move_url(case, "grant"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(case)
    assert "cannot become" in response.content.decode()
    assert staff.get(move_url(case, "fly")).status_code == 404


def test_setting_the_step_records_it_on_the_timeline(staff, case, scheme, staff_lampung):
    case = bring_to(case, S.PREPARING, staff_lampung)
    url = reverse("admin:certifications_case_step", args=[case.pk])
    page = staff.get(url)
    audit = scheme.milestones.get(order=2)
    assert page.context["form"].initial["milestone"] == audit.pk  # the next step is proposed
    other = f.SchemeMilestoneFactory(order=1)
    refused = staff.post(url, {"milestone": other.pk, "note": "Audit dijadwalkan"})
    assert refused.context["form"].errors["milestone"]
    assert refused.context["form"]["note"].value() == "Audit dijadwalkan"
    staff.post(url, {"milestone": audit.pk, "note": "Audit dijadwalkan"})
    case.refresh_from_db()
    assert case.current_milestone == audit
    event = case.events.get(kind=CaseEvent.Kind.MILESTONE)
    assert event.note == "2. Audit — Audit dijadwalkan" and event.actor == staff_lampung


def test_the_timeline_reads_in_indonesian_with_labels_who_and_when(
    client, settings, case, staff_lampung
):
    settings.LANGUAGE_CODE = "id"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    bring_to(case, S.REVISION, staff_lampung)
    client.force_login(staff_lampung)
    page = client.get(change_url(case)).content.decode()
    assert "Diajukan → Perlu perbaikan" in page
    assert "Pengajuan baru → Sedang disiapkan" in page
    assert "Staf Lampung" in page
    assert "Langkah" in page and "Pengajuan" in page
    assert "kasus" not in page.lower()
    assert "→ revision" not in page
    today = timezone.localdate()
    assert str(today.year) in page


def test_adding_a_request_goes_through_the_service(
    staff, scheme, enterprise_a, office_lampung, program_lampung, staff_lampung
):
    url = reverse("admin:certifications_case_add")
    data = {
        "enterprise": enterprise_a.pk,
        "scheme": scheme.pk,
        "office": office_lampung.pk,
        "program": program_lampung.pk,
        "officer": staff_lampung.pk,
        "target_date": "",
        "cost": "2000000",
        "subsidy": "0",
        "subsidy_funder": "",
        "note": "Diminta saat pendampingan",
    }
    assert staff.post(url, data).status_code == 302
    case = Case.objects.get()
    assert case.status == S.REQUESTED and case.officer == staff_lampung
    event = case.events.get()
    assert (event.to_status, event.actor, event.note) == (
        S.REQUESTED,
        staff_lampung,
        "Diminta saat pendampingan",
    )
    # A second open request for the same scheme is refused beside the scheme, input kept.
    again = staff.post(url, {**data, "note": "Lagi"})
    assert again.status_code == 200
    form = again.context["adminform"].form
    assert "already has an open request" in str(form.errors["scheme"])
    assert form["note"].value() == "Lagi"
    assert Case.objects.count() == 1


def test_changing_a_request_corrects_its_money_and_gives_its_officer_through_services(
    staff, case, office_lampung, manager_lampung, staff_lampung
):
    from tests.admin.conftest import form_data

    data = form_data(staff.get(change_url(case)))
    data.update(cost="30000000", officer=str(manager_lampung.pk))
    response = staff.post(change_url(case), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    case.refresh_from_db()
    assert case.cost == 30_000_000 and case.officer == manager_lampung
    assert case.events.filter(kind=CaseEvent.Kind.OFFICER, actor=staff_lampung).exists()
    # Subsidy above the cost: refused with the constraint's message, nothing saved.
    data.update(subsidy="40000000")
    refused = staff.post(change_url(case), data)
    assert refused.status_code == 200
    assert "cannot exceed the cost" in refused.content.decode()
    case.refresh_from_db()
    assert case.subsidy == 15_000_000


def test_the_officer_offered_on_a_request_works_for_its_office(staff, case, staff_jateng):
    from tests.admin.conftest import form_data

    page = staff.get(change_url(case))
    choices = page.context["adminform"].form.fields["officer"].queryset
    assert staff_jateng not in choices
    data = form_data(page)
    data["officer"] = str(staff_jateng.pk)
    assert staff.post(change_url(case), data).status_code == 200
    case.refresh_from_db()
    assert case.officer is None
