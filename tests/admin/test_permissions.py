"""Who may change what in the admin: staff their office's rows, national viewers nothing,
superusers the schemes, funders, offices and staff accounts."""

import pytest
from django.urls import reverse

from accounts.models import Enterprise, User
from certifications.models import Case
from cohorts.models import Program
from tests import factories as f
from tests.admin.conftest import form_data


def _url(obj, view="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


@pytest.fixture
def jateng_enrolled_in_lampung(enterprise_jateng, program_lampung):
    f.EnrollmentFactory(enterprise=enterprise_jateng, stage=f.StageFactory(program=program_lampung))
    return enterprise_jateng


def test_staff_change_an_enterprise_their_office_registered(client, staff_lampung, enterprise_a):
    client.force_login(staff_lampung)
    page = client.get(_url(enterprise_a))
    assert 'name="_save"' in page.content.decode()
    data = form_data(page)
    data["name"] = "Kopi Lampung Jaya Abadi"
    response = client.post(_url(enterprise_a), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "Kopi Lampung Jaya Abadi"
    assert enterprise_a.history.count() == 2


def test_staff_read_but_do_not_change_a_participant_from_another_office(
    client, staff_lampung, jateng_enrolled_in_lampung
):
    enterprise = jateng_enrolled_in_lampung
    client.force_login(staff_lampung)
    listed = client.get("/admin/accounts/enterprise/").context["cl"].result_list
    assert enterprise in listed
    page = client.get(_url(enterprise))
    assert page.status_code == 200
    content = page.content.decode()
    assert enterprise.name in content
    assert 'name="_save"' not in content
    data = {"name": "Diubah", "owner_name": "X", "province": enterprise.province_id}
    assert client.post(_url(enterprise), data).status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.name == "Batik Pekalongan Asri"


def test_staff_may_not_hand_an_enterprise_to_another_office(
    client, staff_lampung, enterprise_a, office_jateng
):
    client.force_login(staff_lampung)
    data = form_data(client.get(_url(enterprise_a)))
    data["registered_by"] = office_jateng.pk
    client.post(_url(enterprise_a), data)
    enterprise_a.refresh_from_db()
    assert enterprise_a.registered_by.name.endswith("Lampung")


def test_staff_register_an_enterprise_for_their_own_office_only(
    client, staff_lampung, lampung, office_lampung, office_jateng
):
    client.force_login(staff_lampung)
    page = client.get("/admin/accounts/enterprise/add/")
    data = form_data(page)
    data.update(name="Tenun Tapis Baru", owner_name="Rina", province=lampung.pk)
    data["registered_by"] = office_jateng.pk
    response = client.post("/admin/accounts/enterprise/add/", data)
    assert response.status_code == 200
    assert "registered_by" in response.context["adminform"].form.errors
    assert not Enterprise.objects.filter(name="Tenun Tapis Baru").exists()
    data["registered_by"] = office_lampung.pk
    assert client.post("/admin/accounts/enterprise/add/", data).status_code == 302
    assert Enterprise.objects.get(name="Tenun Tapis Baru").registered_by == office_lampung


def test_staff_change_their_programme(client, staff_lampung, program_lampung):
    client.force_login(staff_lampung)
    data = form_data(client.get(_url(program_lampung)))
    data["target_participants"] = "60"
    assert client.post(_url(program_lampung), data).status_code == 302
    program_lampung.refresh_from_db()
    assert program_lampung.target_participants == 60


def test_case_status_is_shown_but_cannot_be_posted(
    client, staff_lampung, enterprise_a, office_lampung
):
    case = f.CaseFactory(enterprise=enterprise_a, office=office_lampung)
    client.force_login(staff_lampung)
    page = client.get(_url(case))
    assert 'name="status"' not in page.content.decode()
    data = form_data(page)
    data["status"] = Case.Status.GRANTED
    data["cost"] = "1500000"
    assert client.post(_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REQUESTED
    assert case.cost == 1_500_000


def test_case_products_must_belong_to_its_enterprise(
    client, staff_lampung, enterprise_a, enterprise_b, office_lampung
):
    case = f.CaseFactory(enterprise=enterprise_a, office=office_lampung)
    other_product = f.ProductFactory(enterprise=enterprise_b, name="Keripik")
    client.force_login(staff_lampung)
    data = form_data(client.get(_url(case)))
    data["products"] = [str(other_product.pk)]
    response = client.post(_url(case), data)
    assert response.status_code == 200
    assert "products" in response.context["adminform"].form.errors
    assert not case.products.exists()


def test_a_scheme_cannot_require_itself(client, superuser):
    scheme = f.SchemeFactory()
    client.force_login(superuser)
    data = form_data(client.get(_url(scheme)))
    data["prerequisites"] = [str(scheme.pk)]
    response = client.post(_url(scheme), data)
    assert response.status_code == 200
    assert not scheme.prerequisites.exists()


@pytest.mark.parametrize("kind", ["program", "enterprise", "case"])
def test_national_viewer_reads_but_changes_nothing(
    client, national_viewer, program_lampung, enterprise_a, office_lampung, kind
):
    obj = {
        "program": program_lampung,
        "enterprise": enterprise_a,
        "case": f.CaseFactory(enterprise=enterprise_a, office=office_lampung),
    }[kind]
    client.force_login(national_viewer)
    page = client.get(_url(obj))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    response = client.post(_url(obj), {"name": "Diubah", "cost": "9", "target_participants": "9"})
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    assert client.post(_url(obj, "delete"), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_national_viewer_adds_nothing(client, national_viewer, office_lampung):
    client.force_login(national_viewer)
    response = client.post(
        "/admin/cohorts/program/add/",
        {
            "office": office_lampung.pk,
            "name": "Program Pusat",
            "start_date": "2026-01-01",
            "end_date": "2026-06-01",
        },
    )
    assert response.status_code == 403
    assert not Program.objects.filter(name="Program Pusat").exists()


@pytest.mark.parametrize("kind", ["scheme", "funder", "office"])
def test_staff_do_not_change_reference_rows(
    client, staff_lampung, funder_lpei, office_lampung, kind
):
    obj = {
        "scheme": f.SchemeFactory(name_id="Halal", name_en="Halal"),
        "funder": funder_lpei,
        "office": office_lampung,
    }[kind]
    client.force_login(staff_lampung)
    page = client.get(_url(obj))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).values().get()
    response = client.post(_url(obj), {"name": "Diubah", "name_id": "Diubah", "name_en": "X"})
    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before
    opts = model._meta
    add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(add_url).status_code == 403


def test_superuser_changes_a_funder(client, superuser, funder_lpei):
    client.force_login(superuser)
    data = form_data(client.get(_url(funder_lpei)))
    data["short_name"] = "LPEI-EXIM"
    assert client.post(_url(funder_lpei), data).status_code == 302
    funder_lpei.refresh_from_db()
    assert funder_lpei.short_name == "LPEI-EXIM"


def test_staff_change_the_participants_of_their_enterprises(client, staff_lampung, participant_a):
    client.force_login(staff_lampung)
    page = client.get(_url(participant_a))
    assert page.status_code == 200
    data = form_data(page)
    data["full_name"] = "Siti Aminah Rahayu"
    data["is_staff"] = "on"  # shown read-only to staff: ignored
    assert client.post(_url(participant_a), data).status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.full_name == "Siti Aminah Rahayu"
    assert participant_a.is_staff is False


@pytest.mark.parametrize(
    "who", ["staff_jateng", "manager_lampung", "superuser", "other_participant"]
)
def test_staff_do_not_see_other_accounts(client, request, staff_lampung, enterprise_jateng, who):
    if who == "other_participant":
        user = f.owner_of(enterprise_jateng, email="pemilik@batik.test")
    else:
        user = request.getfixturevalue(who)
    client.force_login(staff_lampung)
    listed = client.get("/admin/accounts/user/").context["cl"].result_list
    assert user not in listed
    assert client.get(_url(user)).status_code == 302
    client.post(_url(user), {"email": user.email, "full_name": "Diubah"})
    assert User.objects.get(pk=user.pk).full_name != "Diubah"
    assert client.get(f"/admin/accounts/user/{user.pk}/password/").status_code in (302, 404)


def test_staff_do_not_create_accounts(client, staff_lampung):
    client.force_login(staff_lampung)
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "baru@test.test", "password1": "x-long-pass-123", "password2": "x-long-pass-123"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="baru@test.test").exists()


def test_staff_cannot_delete(client, staff_lampung, program_lampung):
    client.force_login(staff_lampung)
    assert client.post(_url(program_lampung, "delete"), {"post": "yes"}).status_code == 403
    assert Program.objects.filter(pk=program_lampung.pk).exists()
