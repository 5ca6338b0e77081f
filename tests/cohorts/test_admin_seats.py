"""The admin of classes and enrollments: every change through its service, refusals shown."""

import pytest
from django.urls import reverse

from cohorts.models import Cohort, Enrollment, Level
from cohorts.services import seats
from tests import factories as f

S = Enrollment.Status


def page(name, enrollment):
    return reverse(f"admin:cohorts_enrollment_{name}", args=[enrollment.pk])


@pytest.fixture
def staff_client(client, staff_lampung):
    client.force_login(staff_lampung)
    return client


def test_staff_register_an_application_through_the_add_page(
    staff_client, enterprise_a, stage_lampung, staff_lampung
):
    response = staff_client.post(
        reverse("admin:cohorts_enrollment_add"),
        {
            "enterprise": enterprise_a.pk,
            "stage": stage_lampung.pk,
            "has_nib": "on",
            "committed": "on",
            "readiness_score": "72",
            "site_visit_notes": "Gudang rapi",
        },
    )
    enrollment = Enrollment.objects.get(enterprise=enterprise_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cohorts_enrollment_change", args=[enrollment.pk])
    assert (enrollment.has_nib, enrollment.continuous_production) == (True, False)
    assert enrollment.suggested_level == Level.MAHIR
    assert enrollment.history.get().history_user == staff_lampung


def test_a_second_application_in_the_stage_is_refused_on_the_page(
    staff_client, enterprise_a, stage_lampung, small_class, selected
):
    seats.enrollment_admit(
        enrollment=selected(enterprise_a),
        cohort=small_class,
        actor=small_class.stage.program.office.memberships.first().user,
    )
    response = staff_client.post(
        reverse("admin:cohorts_enrollment_add"),
        {"enterprise": enterprise_a.pk, "stage": stage_lampung.pk},
    )
    assert response.status_code == 200
    assert "Pemula A" in response.content.decode()
    assert Enrollment.objects.filter(enterprise=enterprise_a).count() == 1


def test_reject_page_needs_a_reason_then_records_who(staff_client, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    response = staff_client.post(page("reject", enrollment), {"reason": ""})
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == S.APPLIED

    response = staff_client.post(page("reject", enrollment), {"reason": "Belum ada NIB"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == S.REJECTED
    assert enrollment.history.first().history_user == staff_lampung


def test_the_change_page_offers_the_moves_of_the_status(staff_client, stage_lampung):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    content = staff_client.get(
        reverse("admin:cohorts_enrollment_change", args=[enrollment.pk])
    ).content.decode()
    assert page("select", enrollment) in content
    assert page("reject", enrollment) in content
    assert page("accept", enrollment) not in content


def test_admitting_an_unselected_application_is_refused_on_the_page(
    staff_client, stage_lampung, small_class
):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    response = staff_client.post(page("admit", enrollment), {"cohort": small_class.pk})
    assert response.status_code == 200
    assert "not been selected" in response.content.decode()
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.cohort) == (S.APPLIED, None)


def test_admit_page_enrolls_then_waitlists_and_says_which(staff_client, small_class, selected):
    outcomes = []
    for _ in range(3):
        enrollment = selected()
        response = staff_client.post(
            page("admit", enrollment), {"cohort": small_class.pk}, follow=True
        )
        outcomes.append(Enrollment.objects.get(pk=enrollment.pk).status)
    assert outcomes == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    assert "waiting list, position 1" in response.content.decode()


def test_placement_above_level_without_a_reason_shows_the_rule(
    staff_client, stage_lampung, selected
):
    mahir = f.CohortFactory(stage=stage_lampung, level=Level.MAHIR, name="Mahir A")
    enrollment = selected()
    response = staff_client.post(page("admit", enrollment), {"cohort": mahir.pk})
    assert response.status_code == 200
    assert "needs a reason" in response.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.SELECTED

    response = staff_client.post(
        page("admit", enrollment), {"cohort": mahir.pk, "override_reason": "Eksportir aktif"}
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.placement_override_reason == "Eksportir aktif"


@pytest.fixture
def busy_class(small_class, staff_lampung, selected):
    taken = [
        seats.enrollment_admit(enrollment=selected(), cohort=small_class, actor=staff_lampung)[0]
        for _ in range(2)
    ]
    waiting = [
        seats.enrollment_admit(enrollment=selected(), cohort=small_class, actor=staff_lampung)[0]
        for _ in range(2)
    ]
    return small_class, taken, waiting


def test_withdraw_accept_and_decline_through_the_pages(staff_client, busy_class):
    cohort, taken, waiting = busy_class
    assert staff_client.post(page("withdraw", taken[0]), {"reason": ""}).status_code == 302
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.OFFERED

    assert staff_client.post(page("decline", waiting[0]), {}).status_code == 302
    assert Enrollment.objects.get(pk=waiting[1].pk).status == S.OFFERED

    assert staff_client.post(page("accept", waiting[1]), {}).status_code == 302
    assert Enrollment.objects.get(pk=waiting[1].pk).status == S.ENROLLED

    response = staff_client.post(page("accept", waiting[1]), {})
    assert response.status_code == 200
    assert "no open seat offer" in response.content.decode()


def test_remove_page_needs_a_reason(staff_client, busy_class):
    _cohort, taken, waiting = busy_class
    assert staff_client.post(page("remove", taken[1]), {"reason": " "}).status_code == 200
    assert Enrollment.objects.get(pk=taken[1].pk).status == S.ENROLLED
    assert staff_client.post(page("remove", taken[1]), {"reason": "Gugur"}).status_code == 302
    assert Enrollment.objects.get(pk=taken[1].pk).status == S.REMOVED
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.OFFERED


def test_move_page_reorders_the_waiting_list(staff_client, busy_class):
    _cohort, _taken, waiting = busy_class
    assert staff_client.post(page("move", waiting[1]), {"position": "1"}).status_code == 302
    positions = [Enrollment.objects.get(pk=e.pk).waitlist_position for e in waiting]
    assert positions == [2, 1]


def test_capacity_page_refuses_lowering_below_seats_and_raising_offers(staff_client, busy_class):
    cohort, _taken, waiting = busy_class
    url = reverse("admin:cohorts_cohort_capacity", args=[cohort.pk])
    response = staff_client.post(url, {"capacity": "1"})
    assert response.status_code == 200
    assert "2 seats are taken" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2

    assert staff_client.post(url, {"capacity": "3"}).status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).capacity == 3
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.OFFERED


def test_offer_page_says_when_no_seat_is_free(staff_client, busy_class):
    cohort, _taken, _waiting = busy_class
    response = staff_client.post(reverse("admin:cohorts_cohort_offer", args=[cohort.pk]), {})
    assert response.status_code == 200
    assert "No seat is free" in response.content.decode()


def test_capacity_cannot_be_edited_on_the_class_form(staff_client, busy_class):
    cohort, _taken, _waiting = busy_class
    content = staff_client.get(
        reverse("admin:cohorts_cohort_change", args=[cohort.pk])
    ).content.decode()
    assert 'name="capacity"' not in content
    assert reverse("admin:cohorts_cohort_capacity", args=[cohort.pk]) in content


def test_bulk_select_reports_refusals(staff_client, stage_lampung):
    applied = f.EnrollmentFactory(stage=stage_lampung)
    rejected = f.EnrollmentFactory(stage=stage_lampung, status=S.REJECTED)
    response = staff_client.post(
        reverse("admin:cohorts_enrollment_changelist"),
        {"action": "select_applications", "_selected_action": [applied.pk, rejected.pk]},
        follow=True,
    )
    assert Enrollment.objects.get(pk=applied.pk).status == S.SELECTED
    assert Enrollment.objects.get(pk=rejected.pk).status == S.REJECTED
    assert "Only an application still waiting" in response.content.decode()


def test_staff_of_another_province_cannot_reach_the_pages(client, staff_jateng, stage_lampung):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    client.force_login(staff_jateng)
    assert client.post(page("reject", enrollment), {"reason": "x"}).status_code == 404
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.APPLIED


def test_a_national_viewer_reads_but_cannot_change(client, national_viewer, stage_lampung):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    client.force_login(national_viewer)
    change = reverse("admin:cohorts_enrollment_change", args=[enrollment.pk])
    assert client.get(change).status_code == 200
    assert client.post(page("select", enrollment), {}).status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.APPLIED


def test_history_page_shows_who_changed_the_enrollment(staff_client, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(stage=stage_lampung)
    staff_client.post(page("select", enrollment), {"reason": ""})
    response = staff_client.get(reverse("admin:cohorts_enrollment_history", args=[enrollment.pk]))
    assert response.status_code == 200
    assert staff_lampung.email in response.content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_class_page_query_budget_is_flat(
    staff_client, stage_lampung, office_lampung, n, django_assert_max_num_queries
):
    cohort = f.CohortFactory(stage=stage_lampung, capacity=20)
    for i in range(n):
        f.EnrollmentFactory(
            enterprise=f.EnterpriseFactory(registered_by=office_lampung),
            cohort=cohort,
            status=S.ENROLLED if i < 20 else S.WAITLISTED,
            waitlist_position=None if i < 20 else i - 19,
        )
    with django_assert_max_num_queries(20):
        response = staff_client.get(reverse("admin:cohorts_cohort_change", args=[cohort.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("/admin/cohorts/enrollment/") >= n


@pytest.mark.parametrize("n", [1, 30])
def test_enrollment_list_query_budget_is_flat(
    staff_client, small_class, office_lampung, n, django_assert_max_num_queries
):
    for _ in range(n):
        f.EnrollmentFactory(
            enterprise=f.EnterpriseFactory(registered_by=office_lampung),
            cohort=small_class,
            status=S.WAITLISTED,
        )
    with django_assert_max_num_queries(16):
        response = staff_client.get(reverse("admin:cohorts_enrollment_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_class_list_query_budget_is_flat(
    staff_client, stage_lampung, n, django_assert_max_num_queries
):
    for _ in range(n):
        cohort = f.CohortFactory(stage=stage_lampung)
        f.EnrollmentFactory(cohort=cohort, status=S.ENROLLED)
    with django_assert_max_num_queries(14):
        response = staff_client.get(reverse("admin:cohorts_cohort_changelist"))
    assert response.status_code == 200


def test_stage_and_level_are_fixed_once_a_class_has_participants(
    staff_client, small_class, selected, staff_lampung
):
    url = reverse("admin:cohorts_cohort_change", args=[small_class.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="stage"' in page and 'name="level"' in page
    seats.enrollment_admit(enrollment=selected(), cohort=small_class, actor=staff_lampung)
    page = staff_client.get(url).content.decode()
    assert 'name="stage"' not in page and 'name="level"' not in page


def test_capacity_form_refuses_a_number_beyond_any_class(staff_client, small_class):
    url = reverse("admin:cohorts_cohort_capacity", args=[small_class.pk])
    response = staff_client.post(url, {"capacity": "99999999999"})
    assert response.status_code == 200
    small_class.refresh_from_db()
    assert small_class.capacity == 2


@pytest.mark.parametrize("listing", ["cohort", "enrollment"])
def test_list_filters_never_name_another_offices_programme(
    client, listing, staff_jateng, office_jateng, small_class, selected, staff_lampung
):
    seats.enrollment_admit(enrollment=selected(), cohort=small_class, actor=staff_lampung)
    lampung_name = small_class.stage.program.name
    own = []
    for _ in range(2):  # two programmes of its own, so the filter is shown
        stage = f.StageFactory(program=f.ProgramFactory(office=office_jateng))
        cohort = f.CohortFactory(stage=stage)
        f.EnrollmentFactory(
            cohort=cohort,
            status=Enrollment.Status.ENROLLED,
            enterprise=f.EnterpriseFactory(registered_by=office_jateng),
        )
        own.append(stage.program.name)
    client.force_login(staff_jateng)
    content = client.get(reverse(f"admin:cohorts_{listing}_changelist")).content.decode()
    assert all(name in content for name in own)
    assert lampung_name not in content
