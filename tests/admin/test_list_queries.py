"""The large lists are read a page at a time: ordered on their own table's indexed columns,
scoped in the list's own WHERE, and a whole NIB found through its unique index."""

import pytest
from django.urls import reverse

from accounts.models import Enterprise
from tests import factories as f

pytestmark = pytest.mark.django_db


def main_query(client, url) -> str:
    """The SQL of the list's rows: its queryset, filtered, searched, scoped and ordered."""
    response = client.get(url)
    assert response.status_code == 200
    return str(response.context["cl"].queryset.query)


def test_a_whole_nib_is_an_exact_match_and_a_part_still_searches(
    client, staff_lampung, office_lampung
):
    wanted = f.EnterpriseFactory(registered_by=office_lampung, nib="1234567890123")
    f.EnterpriseFactory(registered_by=office_lampung, nib="1234567890124")
    client.force_login(staff_lampung)
    url = reverse("admin:accounts_enterprise_changelist")
    sql = main_query(client, f"{url}?q=1234567890123")
    assert "LIKE" not in sql.upper()
    response = client.get(url, {"q": " 1234567890123 "})
    assert list(response.context["cl"].result_list) == [wanted]
    partial = client.get(url, {"q": "456789012"})
    assert len(partial.context["cl"].result_list) == 2


def test_a_whole_nib_finds_requests_and_enrollments_of_that_enterprise_only(
    client, staff_lampung, office_lampung, program_lampung
):
    mine = f.EnterpriseFactory(registered_by=office_lampung, nib="1234567890123")
    other = f.EnterpriseFactory(registered_by=office_lampung, nib="1234567890124")
    cohort = f.CohortFactory(stage=f.StageFactory(program=program_lampung))
    for enterprise in (mine, other):
        f.EnrollmentFactory(enterprise=enterprise, cohort=cohort)
    client.force_login(staff_lampung)
    response = client.get(reverse("admin:cohorts_enrollment_changelist"), {"q": mine.nib})
    assert [e.enterprise for e in response.context["cl"].result_list] == [mine]


@pytest.mark.parametrize(
    "url_name,table",
    [
        ("admin:accounts_enterprise_changelist", "accounts_enterprise"),
        ("admin:cohorts_enrollment_changelist", "cohorts_enrollment"),
        ("admin:certifications_case_changelist", "certifications_case"),
        ("admin:certifications_caseevent_changelist", "certifications_caseevent"),
        ("admin:cohorts_exportrecord_changelist", "cohorts_exportrecord"),
        ("admin:notifications_reminder_changelist", "notifications_reminder"),
    ],
)
def test_a_large_list_orders_on_its_own_table_and_scopes_without_an_id_list(
    client, staff_lampung, office_lampung, url_name, table
):
    f.EnterpriseFactory(registered_by=office_lampung)
    client.force_login(staff_lampung)
    sql = main_query(client, reverse(url_name))
    order_by = sql[sql.rindex("ORDER BY") :]
    columns = [part.strip() for part in order_by[len("ORDER BY") :].split(",")]
    assert all(column.startswith(f'"{table}".') for column in columns), order_by
    # the scope is the list's own condition, not "id IN (every visible row's id)"
    assert f'"{table}"."id" IN (SELECT' not in sql, sql
    assert f"{table}.id IN (SELECT" not in sql.replace('"', ""), sql


def test_the_scope_still_shows_enterprises_in_the_offices_programmes(
    client, staff_lampung, office_lampung, office_jateng, program_lampung
):
    elsewhere = f.EnterpriseFactory(registered_by=office_jateng)
    hidden = f.EnterpriseFactory(registered_by=office_jateng)
    cohort = f.CohortFactory(stage=f.StageFactory(program=program_lampung))
    f.EnrollmentFactory(enterprise=elsewhere, cohort=cohort)
    client.force_login(staff_lampung)
    response = client.get(reverse("admin:accounts_enterprise_changelist"))
    listed = set(response.context["cl"].result_list)
    assert elsewhere in listed and hidden not in listed
    assert Enterprise.objects.count() == 2
