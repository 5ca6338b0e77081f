"""Staff of one office never see another office's programmes, stages, requests or
enterprises: not in lists, change pages, history, autocomplete, dropdowns or filters."""

import pytest
from django.urls import reverse

from certifications.models import Case
from cohorts.models import Stage
from tests import factories as f


@pytest.fixture
def lampung_rows(program_lampung, enterprise_a, office_lampung, staff_lampung):
    stage = f.StageFactory(program=program_lampung, number=1, name="Tahap Lampung Satu")
    case = f.CaseFactory(
        enterprise=enterprise_a,
        office=office_lampung,
        program=program_lampung,
        officer=staff_lampung,
        scheme=f.SchemeFactory(name_id="SPPT SNI Kopi", name_en="SNI coffee"),
    )
    return {
        "program": program_lampung,
        "stage": stage,
        "case": case,
        "enterprise": enterprise_a,
    }


@pytest.fixture
def jateng_client(client, staff_jateng, program_jateng, enterprise_jateng):
    client.force_login(staff_jateng)
    return client


def _url(obj, view="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _changelist(model):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


@pytest.mark.parametrize("kind", ["program", "stage", "case", "enterprise"])
def test_another_office_is_not_in_the_list(jateng_client, lampung_rows, kind):
    obj = lampung_rows[kind]
    response = jateng_client.get(_changelist(type(obj)))
    assert response.status_code == 200
    assert obj.pk not in [row.pk for row in response.context["cl"].result_list]


def test_lists_hold_the_own_office_rows(jateng_client, program_jateng, enterprise_jateng):
    programs = jateng_client.get(_changelist(type(program_jateng))).context["cl"].result_list
    assert [p.pk for p in programs] == [program_jateng.pk]
    enterprises = jateng_client.get(_changelist(type(enterprise_jateng))).context["cl"]
    assert [e.pk for e in enterprises.result_list] == [enterprise_jateng.pk]


@pytest.mark.parametrize("kind", ["program", "stage", "case", "enterprise"])
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_office_object_cannot_be_opened(jateng_client, lampung_rows, kind, view):
    obj = lampung_rows[kind]
    response = jateng_client.get(_url(obj, view))
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 302 or response.url == reverse("admin:index")
    assert "Forum Ekspor Lampung" not in response.content.decode()


def test_another_office_case_history_version_is_not_shown(jateng_client, lampung_rows):
    case = lampung_rows["case"]
    version = case.history.first()
    url = reverse("admin:certifications_case_simple_history", args=[case.pk, version.pk])
    response = jateng_client.get(url)
    assert response.status_code in (302, 404)
    assert lampung_rows["enterprise"].name not in response.content.decode()


@pytest.mark.parametrize(
    ("source", "field", "kind"),
    [
        ("certifications.case", "enterprise", "enterprise"),
        ("accounts.product", "enterprise", "enterprise"),
        ("certifications.case", "program", "program"),
        ("cohorts.stage", "program", "program"),
        ("cohorts.funding", "program", "program"),
        ("cohorts.enrollment", "stage", "stage"),
        ("certifications.certificate", "case", "case"),
        ("certifications.casedocument", "case", "case"),
    ],
)
def test_autocomplete_offers_only_the_own_office(jateng_client, lampung_rows, source, field, kind):
    app_label, model_name = source.split(".")
    response = jateng_client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field, "term": ""},
    )
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert str(lampung_rows[kind].pk) not in ids


def test_autocomplete_offers_the_own_office_rows(client, staff_lampung, lampung_rows):
    client.force_login(staff_lampung)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "cohorts", "model_name": "stage", "field_name": "program", "term": "Lampung"},
    )
    assert [row["id"] for row in response.json()["results"]] == [str(lampung_rows["program"].pk)]


def test_product_autocomplete_offers_only_enterprises_the_office_may_edit(
    client, staff_lampung, enterprise_a, enterprise_jateng, program_lampung
):
    f.EnrollmentFactory(enterprise=enterprise_jateng, stage=f.StageFactory(program=program_lampung))
    client.force_login(staff_lampung)
    params = {"app_label": "accounts", "model_name": "product", "field_name": "enterprise"}
    ids = [row["id"] for row in client.get("/admin/autocomplete/", params).json()["results"]]
    assert str(enterprise_a.pk) in ids
    assert str(enterprise_jateng.pk) not in ids  # readable through the programme, not editable
    params = {"app_label": "certifications", "model_name": "case", "field_name": "enterprise"}
    ids = [row["id"] for row in client.get("/admin/autocomplete/", params).json()["results"]]
    assert str(enterprise_jateng.pk) in ids  # a request may assist a participant


@pytest.mark.parametrize(
    "model_path",
    [
        "certifications/case",
        "cohorts/program",
        "accounts/enterprise",
        "cohorts/stage",
        "cohorts/funding",
        "certifications/casedocument",
    ],
)
def test_add_forms_name_nothing_of_another_office(
    jateng_client, lampung_rows, office_lampung, staff_lampung, model_path
):
    response = jateng_client.get(f"/admin/{model_path}/add/")
    assert response.status_code == 200
    content = response.content.decode()
    for name in [
        office_lampung.name,
        staff_lampung.email,
        lampung_rows["program"].name,
        lampung_rows["enterprise"].name,
    ]:
        assert name not in content


def test_foreign_program_is_refused_when_posted(jateng_client, lampung_rows):
    response = jateng_client.post(
        "/admin/cohorts/stage/add/",
        {
            "program": lampung_rows["program"].pk,
            "number": 7,
            "name": "Sisipan",
            "start_date": "2026-01-05",
            "end_date": "2026-02-05",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["program"]
    assert not Stage.objects.filter(name="Sisipan").exists()


def test_foreign_enterprise_is_refused_in_a_request(jateng_client, lampung_rows, office_jateng):
    scheme = f.SchemeFactory()
    response = jateng_client.post(
        "/admin/certifications/case/add/",
        {
            "enterprise": lampung_rows["enterprise"].pk,
            "scheme": scheme.pk,
            "office": office_jateng.pk,
            "cost": 0,
            "subsidy": 0,
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
    assert not Case.objects.filter(scheme=scheme).exists()


def test_list_filters_name_only_the_own_office_and_its_funders(
    client, staff_jateng, superuser, lampung_rows, program_jateng, office_lampung
):
    client.force_login(staff_jateng)
    for path in ["cohorts/program", "certifications/case", "cohorts/stage", "accounts/enterprise"]:
        content = client.get(f"/admin/{path}/").content.decode()
        assert office_lampung.name not in content, path
        assert "LPEI" not in content, path
        assert lampung_rows["program"].name not in content, path
    client.force_login(superuser)
    content = client.get("/admin/cohorts/program/").content.decode()
    assert "LPEI" in content and "PASAR" in content


def test_filter_by_another_office_id_shows_nothing(jateng_client, lampung_rows, office_lampung):
    response = jateng_client.get(
        "/admin/cohorts/program/", {"office__id__exact": office_lampung.pk}
    )
    assert response.status_code == 200
    assert lampung_rows["program"] not in response.context["cl"].result_list
    assert lampung_rows["program"].name not in response.content.decode()


def test_staff_see_only_their_own_office(jateng_client, office_lampung, office_jateng):
    response = jateng_client.get("/admin/accounts/tradeoffice/")
    assert [o.pk for o in response.context["cl"].result_list] == [office_jateng.pk]
    assert jateng_client.get(_url(office_lampung)).status_code == 302


def test_staff_see_their_own_reminders_only(client, staff_lampung, staff_jateng):
    from notifications.models import Reminder

    mine = Reminder.objects.create(
        kind="t", recipient=staff_lampung, title="Untuk Lampung", body="-", unique_key="k1"
    )
    Reminder.objects.create(
        kind="t", recipient=staff_jateng, title="Untuk Jateng", body="-", unique_key="k2"
    )
    client.force_login(staff_lampung)
    rows = client.get("/admin/notifications/reminder/").context["cl"].result_list
    assert [r.pk for r in rows] == [mine.pk]
