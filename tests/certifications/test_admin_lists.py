"""The request list: bulk officer assignment kept to the office, the filters staff use to find
what is late or lapsing, and the pipeline page with its counts and money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from certifications import services
from certifications.models import Case, CaseEvent, Certificate
from tests import factories as f
from tests.certifications.conftest import S, bring_to

pytestmark = pytest.mark.usefixtures("english")

CHANGELIST = "/admin/certifications/case/"


@pytest.fixture
def staff(client, staff_lampung):
    client.force_login(staff_lampung)
    return client


@pytest.fixture
def jateng_case(enterprise_jateng, office_jateng, staff_jateng, scheme):
    return services.case_request(
        enterprise=enterprise_jateng, scheme=scheme, office=office_jateng, actor=staff_jateng
    )


def lampung_cases(n, office, actor):
    scheme = f.SchemeFactory()
    return [
        services.case_request(enterprise=e, scheme=scheme, office=office, actor=actor)
        for e in f.EnterpriseFactory.create_batch(n, registered_by=office)
    ]


# --- bulk assignment -------------------------------------------------------------------------


def test_assigning_an_officer_offers_only_the_offices_staff_and_records_each(
    staff, office_lampung, staff_lampung, manager_lampung, staff_jateng, jateng_case
):
    cases = lampung_cases(3, office_lampung, staff_lampung)
    selected = [str(c.pk) for c in cases] + [str(jateng_case.pk)]
    page = staff.post(CHANGELIST, {"action": "assign_officer", ACTION_CHECKBOX_NAME: selected})
    assert page.status_code == 200
    offered = set(page.context["form"].fields["officer"].queryset)
    assert offered == {staff_lampung, manager_lampung}
    assert len(page.context["cases"]) == 3  # another office's request is not in the list

    # An officer of another office is refused, and nothing changes.
    data = {
        "action": "assign_officer",
        "apply": "1",
        ACTION_CHECKBOX_NAME: selected,
        "officer": str(staff_jateng.pk),
    }
    refused = staff.post(CHANGELIST, data)
    assert refused.status_code == 200 and refused.context["form"].errors["officer"]
    assert not Case.objects.filter(officer__isnull=False).exists()

    done = staff.post(CHANGELIST, {**data, "officer": str(manager_lampung.pk)}, follow=True)
    assert "3 requests now have" in done.content.decode()
    assert set(Case.objects.filter(officer=manager_lampung)) == set(cases)
    jateng_case.refresh_from_db()
    assert jateng_case.officer is None
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.OFFICER, actor=staff_lampung).count() == 3


def test_a_read_only_user_is_not_offered_the_assignment(client, national_viewer, case):
    client.force_login(national_viewer)
    page = client.get(CHANGELIST)
    assert "assign_officer" not in page.content.decode()
    data = {"action": "assign_officer", ACTION_CHECKBOX_NAME: [str(case.pk)], "apply": "1"}
    client.post(CHANGELIST, data)
    case.refresh_from_db()
    assert case.officer is None


def test_requests_of_two_offices_without_shared_staff_get_no_officer(
    client, superuser, case, jateng_case
):
    client.force_login(superuser)
    response = client.post(
        CHANGELIST,
        {"action": "assign_officer", ACTION_CHECKBOX_NAME: [str(case.pk), str(jateng_case.pk)]},
        follow=True,
    )
    assert "No officer works for every office" in response.content.decode()


# --- filters ---------------------------------------------------------------------------------


def listed(client, query) -> set[int]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return {c.pk for c in response.context["cl"].result_list}


def test_filters_by_status_scheme_and_officer(
    staff, case, scheme, office_lampung, staff_lampung, manager_lampung
):
    others = lampung_cases(2, office_lampung, staff_lampung)
    services.cases_assign_officer(
        cases=Case.objects.filter(pk=others[0].pk), officer=manager_lampung, actor=staff_lampung
    )
    bring_to(case, S.PREPARING, staff_lampung)
    assert listed(staff, "status__exact=preparing") == {case.pk}
    assert listed(staff, f"scheme__id__exact={scheme.pk}") == {case.pk}
    assert listed(staff, f"officer={manager_lampung.pk}") == {others[0].pk}
    assert listed(staff, "officer=none") == {case.pk, others[1].pk}
    page = staff.get(CHANGELIST).content.decode()
    assert manager_lampung.get_full_name() in page


def test_filters_for_what_is_late(staff, case, office_lampung, staff_lampung):
    today = timezone.localdate()
    late, revising, idle = lampung_cases(3, office_lampung, staff_lampung)
    Case.objects.filter(pk=late.pk).update(target_date=today - dt.timedelta(days=1))
    Case.objects.filter(pk=case.pk).update(target_date=today + dt.timedelta(days=30))
    bring_to(revising, S.SUBMITTED, staff_lampung)
    services.case_return_for_revision(
        case=revising, actor=staff_lampung, deadline=today + dt.timedelta(days=3), note="Label"
    )
    Case.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=20))
    assert listed(staff, "due=overdue") == {late.pk}
    assert listed(staff, "due=revision") == {revising.pk}
    assert listed(staff, "due=idle") == {idle.pk}


def test_filters_for_certificates_about_to_lapse(staff, case, office_lampung, staff_lampung):
    today = timezone.localdate()
    soon, later = lampung_cases(2, office_lampung, staff_lampung)
    for granted in (case, soon, later):
        bring_to(granted, S.GRANTED, staff_lampung)
    Certificate.objects.filter(case=soon).update(expiry_date=today + dt.timedelta(days=20))
    Certificate.objects.filter(case=later).update(expiry_date=today + dt.timedelta(days=80))
    Certificate.objects.filter(case=case).update(
        next_surveillance_date=today + dt.timedelta(days=10)
    )
    assert listed(staff, "certificate=90") == {soon.pk, later.pk}
    assert listed(staff, "certificate=30") == {soon.pk}
    assert listed(staff, "certificate=7") == set()
    assert case.pk in listed(staff, "certificate=surveillance")


def test_a_filter_value_out_of_range_is_ignored(staff, case):
    assert listed(staff, "officer=99999999999999999999999") == {case.pk}


# --- the pipeline page -----------------------------------------------------------------------


def test_the_pipeline_counts_requests_per_status_and_links_each_count(
    staff, case, scheme, office_lampung, staff_lampung, jateng_case
):
    bring_to(case, S.SUBMITTED, staff_lampung)
    second = services.case_request(
        enterprise=f.EnterpriseFactory(registered_by=office_lampung),
        scheme=scheme,
        office=office_lampung,
        actor=staff_lampung,
    )
    assert second.status == S.REQUESTED
    listing = staff.get(CHANGELIST).content.decode()
    pipeline_url = reverse("admin:certifications_pipeline")
    assert pipeline_url in listing
    page = staff.get(pipeline_url)
    assert page.status_code == 200
    (row,) = page.context["rows"]  # the other office's request is not counted
    counts = dict(zip(S.values, [count for count, _url in row["cells"]], strict=True))
    assert counts == {**dict.fromkeys(S.values, 0), "submitted": 1, "requested": 1}
    assert row["total"] == 2 and row["name"] == "SNI coffee"
    submitted_url = dict(zip(S.values, [url for _c, url in row["cells"]], strict=True))["submitted"]
    assert f"scheme__id__exact={scheme.pk}" in submitted_url
    assert listed(staff, submitted_url.split("?", 1)[1]) == {case.pk}
    assert f'href="{submitted_url.replace("&", "&amp;")}"' in page.content.decode()


def test_the_pipeline_shows_cost_and_subsidy_per_programme_and_funder(
    staff, case, program_lampung, funder_lpei
):
    page = staff.get(reverse("admin:certifications_pipeline"))
    (program,) = page.context["by_program"]
    assert (program["name"], program["requests"]) == (program_lampung.name, 1)
    (funder,) = page.context["by_funder"]
    assert funder["name"] == str(funder_lpei)
    content = page.content.decode()
    assert "Rp25.000.000" in content and "Rp15.000.000" in content


def test_another_office_sees_only_its_own_pipeline(client, staff_jateng, case, jateng_case):
    client.force_login(staff_jateng)
    page = client.get(reverse("admin:certifications_pipeline"))
    assert [r["total"] for r in page.context["rows"]] == [1]
    assert "Rp25.000.000" not in page.content.decode()


@pytest.mark.parametrize("role", ["staff_lampung", "superuser", "national_viewer"])
@pytest.mark.parametrize("n_cases", [1, 30])
def test_the_pipeline_query_count_is_flat(
    client,
    request,
    role,
    n_cases,
    office_lampung,
    staff_lampung,
    program_lampung,
    funder_lpei,
    django_assert_max_num_queries,
):
    schemes = f.SchemeFactory.create_batch(3)
    for index, enterprise in enumerate(
        f.EnterpriseFactory.create_batch(n_cases, registered_by=office_lampung)
    ):
        f.CaseFactory(
            enterprise=enterprise,
            office=office_lampung,
            scheme=schemes[index % 3],
            program=program_lampung if index % 2 else None,
            status=S.values[index % len(S.values)],
            revision_deadline=timezone.localdate(),
            cost=1_000_000,
            subsidy=500_000,
            subsidy_funder=funder_lpei,
        )
    client.force_login(request.getfixturevalue(role))
    # session, user, three memberships, two permission reads of the admin's menu; the counts
    # (one aggregate), money per programme and per funder (an aggregate and a name look-up each)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:certifications_pipeline"))
    assert response.status_code == 200
    assert sum(r["total"] for r in response.context["rows"]) == n_cases
