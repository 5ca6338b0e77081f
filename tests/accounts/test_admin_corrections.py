"""Statuses and derived figures are read-only in the admin; corrections are services with a
reason, kept in the history with who made them."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Enterprise
from certifications.models import Case, CaseEvent, Certificate
from tests import factories as f
from tests.admin.conftest import form_data


@pytest.fixture(autouse=True)
def _english(settings, client):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff_client(client, staff_lampung):
    client.force_login(staff_lampung)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_status_and_size_class_are_not_fields_of_the_enterprise_form(staff_client, enterprise_a):
    form = staff_client.get(change_url(enterprise_a)).context["adminform"].form
    assert not {"export_status", "size_class", "size_class_basis"} & set(form.fields)


def test_posting_a_status_on_the_enterprise_form_changes_nothing(staff_client, enterprise_a):
    data = form_data(staff_client.get(change_url(enterprise_a)))
    data["export_status"] = Enterprise.ExportStatus.DIRECT
    data["size_class"] = Enterprise.SizeClass.MEDIUM
    response = staff_client.post(change_url(enterprise_a), data)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.NONE
    assert enterprise_a.size_class == Enterprise.SizeClass.MICRO


def test_changing_the_revenue_on_the_form_suggests_the_size_class_again(
    staff_client, enterprise_a, staff_lampung
):
    data = form_data(staff_client.get(change_url(enterprise_a)))
    data["annual_revenue"] = "3000000000"
    response = staff_client.post(change_url(enterprise_a), data)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.size_class == Enterprise.SizeClass.SMALL
    assert enterprise_a.size_class_basis.startswith("Annual revenue Rp3.000.000.000")
    assert enterprise_a.history.first().history_user == staff_lampung


def test_an_enterprise_added_in_the_admin_gets_its_size_class_from_its_revenue(
    staff_client, office_lampung
):
    data = form_data(staff_client.get(reverse("admin:accounts_enterprise_add")))
    data.update(
        name="IKM Baru",
        owner_name="Ibu Sari",
        province=str(office_lampung.province_id),
        annual_revenue="20000000000",
    )
    response = staff_client.post(reverse("admin:accounts_enterprise_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    created = Enterprise.objects.get(name="IKM Baru")
    assert created.size_class == Enterprise.SizeClass.MEDIUM
    assert "PP 7/2021" in created.size_class_basis


@pytest.mark.parametrize(
    ("page", "field", "value"),
    [
        ("correct_export_status", "export_status", Enterprise.ExportStatus.INDIRECT),
        ("correct_size_class", "size_class", Enterprise.SizeClass.SMALL),
    ],
)
def test_a_correction_needs_a_reason_and_is_kept_with_who_made_it(
    staff_client, enterprise_a, staff_lampung, page, field, value
):
    url = reverse(f"admin:accounts_enterprise_{page}", args=[enterprise_a.pk])
    assert url in staff_client.get(change_url(enterprise_a)).content.decode()

    refused = staff_client.post(url, {field: value, "reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert refused.context["form"][field].value() == value  # what was chosen stays
    enterprise_a.refresh_from_db()
    assert getattr(enterprise_a, field) != value

    done = staff_client.post(url, {field: value, "reason": "Salah catat saat pendaftaran"})
    assert done.status_code == 302
    enterprise_a.refresh_from_db()
    assert getattr(enterprise_a, field) == value
    latest = enterprise_a.history.first()
    assert latest.history_change_reason == "Salah catat saat pendaftaran"
    assert latest.history_user == staff_lampung


def test_a_national_viewer_is_not_offered_nor_allowed_a_correction(
    client, national_viewer, enterprise_a
):
    client.force_login(national_viewer)
    url = reverse("admin:accounts_enterprise_correct_export_status", args=[enterprise_a.pk])
    assert url not in client.get(change_url(enterprise_a)).content.decode()
    response = client.post(url, {"export_status": "direct", "reason": "Coba"})
    assert response.status_code == 403
    enterprise_a.refresh_from_db()
    assert enterprise_a.export_status == Enterprise.ExportStatus.NONE


def test_certificate_status_and_expiry_are_read_only(client, superuser, enterprise_a):
    case = f.CaseFactory(enterprise=enterprise_a, status=Case.Status.GRANTED)
    certificate = Certificate.objects.create(
        case=case, number="SPPT-SNI-0001", issue_date=timezone.localdate()
    )
    client.force_login(superuser)
    form = client.get(change_url(certificate)).context["adminform"].form
    assert not {"status", "expiry_date"} & set(form.fields)


def test_rupiah_are_shown_with_thousands_separators(
    client, superuser, enterprise_a, program_lampung
):
    enterprise_a.annual_revenue = 556_562_500
    enterprise_a.save()
    f.FundingFactory(program=program_lampung, amount=1_500_000_000)
    client.force_login(superuser)
    enterprises = client.get(reverse("admin:accounts_enterprise_changelist")).content.decode()
    assert "Rp556.562.500" in enterprises
    fundings = client.get(reverse("admin:cohorts_funding_changelist")).content.decode()
    assert "Rp1.500.000.000" in fundings


def test_the_request_timeline_names_statuses_by_their_labels(client, superuser, enterprise_a):
    case = f.CaseFactory(enterprise=enterprise_a)
    CaseEvent.objects.create(case=case, to_status=Case.Status.REQUESTED)
    CaseEvent.objects.create(
        case=case, from_status=Case.Status.REQUESTED, to_status=Case.Status.PREPARING
    )
    client.force_login(superuser)
    page = client.get(change_url(case)).content.decode()
    assert "→ Requested" in page
    assert "Requested → Being prepared" in page
    assert "→ requested" not in page


def test_the_export_decision_page_shows_rupiah_with_separators(
    client, staff_lampung, enterprise_a, program_lampung
):
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_lampung)
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:cohorts_exportrecord_decide", args=[record.pk]))
    assert page.status_code == 200
    assert "Rp15.800.000" in page.content.decode()
