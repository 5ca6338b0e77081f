"""The admin start page: an office against its target, the funnel, and what needs attention."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certifications.models import Certificate
from cohorts.models import Enrollment
from notifications.models import Reminder
from reports.dashboard import office_dashboard
from tests import factories as f

pytestmark = pytest.mark.django_db


def build(office, program, n: int) -> None:
    """``n`` of everything the dashboard counts, in ``office`` and ``program``."""
    stage = f.StageFactory(program=program)
    cohort = f.CohortFactory(stage=stage)
    for index in range(n):
        enterprise = f.EnterpriseFactory(registered_by=office, export_status="direct")
        f.EnrollmentFactory(
            enterprise=enterprise, cohort=cohort, status=Enrollment.Status.COMPLETED
        )
        f.ExportRecordFactory(enterprise=enterprise, program=program, status="verified")
        f.SessionFactory(cohort=cohort, starts_at=timezone.now() + dt.timedelta(minutes=index))
        case = f.CaseFactory(enterprise=enterprise, office=office, status="granted")
        Certificate.objects.create(
            case=case,
            number=f"SNI-{case.pk}",
            issue_date=timezone.localdate() - dt.timedelta(days=300),
            expiry_date=timezone.localdate() + dt.timedelta(days=30),
        )
        owner = f.owner_of(enterprise)
        Reminder.objects.create(
            kind="test",
            recipient=owner,
            title="t",
            body="b",
            status=Reminder.Status.FAILED,
            unique_key=f"test-{owner.pk}",
        )


def test_the_demo_office_reads_20_of_95000_against_30_percent(
    client, staff_lampung, office_lampung, program_lampung, office_jateng
):
    for _ in range(20):
        f.EnterpriseFactory(registered_by=office_lampung, export_status="direct")
    f.EnterpriseFactory(registered_by=office_lampung)  # not exporting
    f.EnterpriseFactory(registered_by=office_jateng, export_status="direct")  # another office
    dash = office_dashboard(user=staff_lampung)
    assert (dash.exporters, dash.population, dash.target_percent) == (20, 95_000, 30)
    assert dash.target_exporters == 28_500
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:index")).content.decode()
    assert "20 exporters of 95.000 IKM" in page
    assert "target of 30.0%" in page
    assert (
        "<svg" in page
        and "style=" not in page.split('id="nk-dashboard-title"')[1].split("</section>")[0]
    )


def test_the_funnel_counts_each_step_and_links_to_its_list(
    staff_lampung, office_lampung, program_lampung
):
    stage = f.StageFactory(program=program_lampung)
    cohort = f.CohortFactory(stage=stage)
    statuses = ["applied", "rejected", "selected", "enrolled", "completed", "completed"]
    for status in statuses:
        f.EnrollmentFactory(
            enterprise=f.EnterpriseFactory(registered_by=office_lampung),
            cohort=cohort,
            status=status,
        )
    dash = office_dashboard(user=staff_lampung)
    values = {bar.label: bar.value for bar in dash.funnel}
    assert values["Applied"] == 6
    assert values["Selected"] == 4
    assert values["Enrolled"] == 3
    assert values["Completed"] == 2
    completed = next(bar for bar in dash.funnel if bar.label == "Completed")
    assert completed.url.endswith("?status__exact=completed")
    assert dash.classes_running == 1


def test_each_office_sees_its_own_and_national_viewers_see_all(
    staff_lampung,
    staff_jateng,
    national_viewer,
    office_lampung,
    office_jateng,
    program_lampung,
    program_jateng,
    participant_a,
    analyst_lpei,
):
    build(office_lampung, program_lampung, 2)
    build(office_jateng, program_jateng, 3)
    lampung = office_dashboard(user=staff_lampung)
    jateng = office_dashboard(user=staff_jateng)
    national = office_dashboard(user=national_viewer)
    assert (lampung.exporters, jateng.exporters, national.exporters) == (2, 3, 5)
    assert lampung.funnel[0].value == 2 and jateng.funnel[0].value == 3
    assert national.funnel[0].value == 5
    assert lampung.sessions_this_week + jateng.sessions_this_week == national.sessions_this_week
    assert (lampung.reminders_failed, jateng.reminders_failed) == (2, 3)
    granted = {bar.label: bar.value for bar in lampung.cases}["Granted"]
    assert granted == 2
    assert (lampung.certificates_expiring, national.certificates_expiring) == (2, 5)
    assert national.population == office_lampung.ikm_population + office_jateng.ikm_population
    assert office_dashboard(user=participant_a) is None
    assert office_dashboard(user=analyst_lpei) is None


@pytest.mark.parametrize("n", [1, 15])
def test_the_start_page_query_count_does_not_grow(
    client, staff_lampung, office_lampung, program_lampung, n, django_assert_max_num_queries
):
    build(office_lampung, program_lampung, n)
    client.force_login(staff_lampung)
    with django_assert_max_num_queries(24):
        assert client.get(reverse("admin:index")).status_code == 200
