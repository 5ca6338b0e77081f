"""The staff pages for running a class, through HTTP: zones, the attendance sheet, the class
page, export decisions, new exporters; refusals as messages; flat query budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import (
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    ExportRecord,
    Graduation,
    Session,
)
from cohorts.services import classes, exports
from tests import factories as f


@pytest.fixture
def cohort(program_lampung):
    return f.CohortFactory(
        stage=f.StageFactory(program=program_lampung),
        time_zone="Asia/Makassar",
        name="Kelas Pemula A",
    )


def enrolled(cohort, **kwargs):
    return f.EnrollmentFactory(
        cohort=cohort,
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=40),
        **kwargs,
    )


def test_session_shows_local_time_with_the_zone_label(client, staff_lampung, cohort):
    starts = dt.datetime(2031, 3, 4, 1, 0, tzinfo=dt.UTC)  # 09:00 in Makassar
    session = f.SessionFactory(cohort=cohort, starts_at=starts, topic="Harga FOB")
    client.force_login(staff_lampung)
    listing = client.get(reverse("admin:cohorts_session_changelist")).content.decode()
    assert "04-03-2031 09:00 WITA" in listing
    page = client.get(reverse("admin:cohorts_session_change", args=[session.pk])).content.decode()
    assert "04-03-2031 09:00 WITA" in page and "12:00 WITA" in page


def test_generate_page_makes_sessions_in_the_class_zone(client, staff_lampung, cohort):
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_session_generate"),
        {
            "cohort": cohort.pk,
            "first_date": "2031-03-03",
            "weekdays": ["0", "2"],
            "start_time": "08:30",
            "duration_minutes": "120",
            "count": "4",
            "topic": "",
            "speakers": "Bu Rina",
        },
    )
    assert response.status_code == 302
    sessions = Session.objects.filter(cohort=cohort).order_by("starts_at")
    assert sessions.count() == 4
    assert sessions[0].starts_at == dt.datetime(2031, 3, 3, 0, 30, tzinfo=dt.UTC)


def test_a_refused_generation_keeps_what_was_typed_with_the_reason(client, staff_lampung, cohort):
    client.force_login(staff_lampung)
    too_many = classes.MAX_SESSIONS_PER_PATTERN + 1  # the form lets it through, the service not
    response = client.post(
        reverse("admin:cohorts_session_generate"),
        {
            "cohort": cohort.pk,
            "first_date": "2031-03-03",
            "weekdays": ["0", "2"],
            "start_time": "08:30",
            "duration_minutes": "120",
            "count": str(too_many),
            "topic": "Kalkulasi FOB",
            "speakers": "Bu Rina",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "number of sessions lies between" in page.split('class="errornote"')[1]
    assert 'value="Kalkulasi FOB"' in page and 'value="Bu Rina"' in page
    assert not Session.objects.filter(cohort=cohort).exists()


def test_a_refused_reschedule_keeps_what_was_typed_with_the_reason(client, staff_lampung, cohort):
    session = f.SessionFactory(cohort=cohort)
    client.force_login(staff_lampung)
    before = session.starts_at
    response = client.post(
        reverse("admin:cohorts_session_reschedule", args=[session.pk]),
        {"reschedule": "1", "date": "2031-03-05", "start_time": "10:00", "end_time": "09:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "must end after it starts" in page.split('class="errornote"')[1]
    assert 'value="2031-03-05"' in page
    session.refresh_from_db()
    assert session.starts_at == before


def test_staff_of_another_office_cannot_generate_for_or_open_the_class(
    client, staff_jateng, cohort
):
    session = f.SessionFactory(cohort=cohort)
    client.force_login(staff_jateng)
    response = client.post(
        reverse("admin:cohorts_session_generate"),
        {
            "cohort": cohort.pk,
            "first_date": "2031-03-03",
            "weekdays": ["0"],
            "start_time": "08:30",
            "duration_minutes": "60",
            "count": "1",
        },
    )
    assert response.status_code == 200  # the class is not offered: a form error
    assert Session.objects.filter(cohort=cohort).count() == 1
    assert (
        client.get(reverse("admin:cohorts_session_attendance", args=[session.pk])).status_code
        == 404
    )
    assert client.get(reverse("admin:cohorts_cohort_running", args=[cohort.pk])).status_code == 404


def test_attendance_sheet_records_every_participant_at_once(client, staff_lampung, cohort):
    first, second = enrolled(cohort), enrolled(cohort)
    session = f.SessionFactory(cohort=cohort)
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_session_attendance", args=[session.pk])
    page = client.get(url).content.decode()
    assert first.enterprise.name in page and f'name="status-{second.pk}"' in page
    response = client.post(
        url,
        {
            f"status-{first.pk}": "present",
            f"name-{first.pk}": "Bu Siti",
            f"status-{second.pk}": "sick",
            f"name-{second.pk}": "",
        },
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "status"))
    assert marks == {first.pk: "present", second.pk: "sick"}
    assert Attendance.objects.get(enrollment=first).attendee_name == "Bu Siti"


def test_attendance_for_a_participant_of_another_class_is_refused_with_a_message(
    client, staff_lampung, cohort
):
    mine = enrolled(cohort)
    stranger = enrolled(f.CohortFactory(stage=cohort.stage))
    session = f.SessionFactory(cohort=cohort)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_session_attendance", args=[session.pk]),
        {f"status-{mine.pk}": "present", f"status-{stranger.pk}": "present"},
        follow=True,
    )
    assert response.status_code == 200
    assert "participants of this class" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("n_enrollments", [1, 30])
def test_attendance_sheet_query_count_is_flat(
    client, staff_lampung, cohort, n_enrollments, django_assert_max_num_queries
):
    enrollments = [enrolled(cohort) for _ in range(n_enrollments)]
    session = f.SessionFactory(cohort=cohort)
    classes.attendance_record(
        session=session,
        actor=staff_lampung,
        entries={e.pk: classes.AttendanceEntry("present") for e in enrollments},
    )
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_session_attendance", args=[session.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n_enrollments", [1, 30])
def test_class_page_query_count_is_flat(
    client, staff_lampung, cohort, n_enrollments, django_assert_max_num_queries
):
    enrollments = [enrolled(cohort) for _ in range(n_enrollments)]
    for days in (20, 10, 5):
        session = f.SessionFactory(
            cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=days)
        )
        classes.attendance_record(
            session=session,
            actor=staff_lampung,
            entries={e.pk: classes.AttendanceEntry("absent") for e in enrollments},
        )
    client.force_login(staff_lampung)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("admin:cohorts_cohort_running", args=[cohort.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="flag-absences"') == n_enrollments


def test_the_class_page_lives_under_the_class_with_its_breadcrumb(client, staff_lampung, cohort):
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_cohort_running", args=[cohort.pk])
    assert url == f"/admin/cohorts/cohort/{cohort.pk}/running/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    crumbs = page.content.decode().split('class="breadcrumbs"')[1].split("</div>")[0]
    assert reverse("admin:cohorts_cohort_changelist") in crumbs
    assert reverse("admin:cohorts_session_changelist") not in crumbs
    change = client.get(reverse("admin:cohorts_cohort_change", args=[cohort.pk]))
    assert url in change.content.decode()


def test_class_page_saves_assessments_and_closes_once(client, staff_lampung, cohort):
    enrollment = enrolled(cohort)
    session = f.SessionFactory(cohort=cohort)
    classes.attendance_record(
        session=session,
        actor=staff_lampung,
        entries={enrollment.pk: classes.AttendanceEntry("present")},
    )
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_cohort_running", args=[cohort.pk])
    client.post(
        url,
        {
            "assess": "1",
            f"score-{enrollment.pk}": "88",
            f"output_export_plan-{enrollment.pk}": "on",
            f"output_fob_calculation-{enrollment.pk}": "on",
            f"output_product_catalogue-{enrollment.pk}": "on",
        },
    )
    enrollment.refresh_from_db()
    assert enrollment.assessment_score == 88 and enrollment.output_product_catalogue
    # the first press shows who completes and who does not (and why), and changes nothing
    other = enrolled(cohort)
    waiting = f.EnrollmentFactory(
        cohort=cohort, status=Enrollment.Status.WAITLISTED, waitlist_position=1
    )
    response = client.get(url)
    response = client.post(url, {"close": "1", "require-output_export_plan": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and 'name="confirm"' in page
    assert "Will complete the class (1)" in page and enrollment.enterprise.name in page
    assert "Will not complete the class (1)" in page
    assert f"{other.enterprise.name}: attendance 0% below" in page
    assert "no assessment score" in page
    released = page.split('id="will-release"')[1].split("</ul>")[0]
    assert waiting.enterprise.name in released
    waiting.refresh_from_db()
    assert waiting.status == Enrollment.Status.WAITLISTED
    assert Cohort.objects.get(pk=cohort.pk).closed_at is None
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    response = client.post(
        url, {"close": "1", "require-output_export_plan": "on", "confirm": "1"}, follow=True
    )
    assert "completed" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    closed_at = Cohort.objects.get(pk=cohort.pk).closed_at
    # a second close (a stale page) is refused with the message, nothing changes
    response = client.post(url, {"close": "1", "confirm": "1"}, follow=True)
    assert response.status_code == 403 or "already closed" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).closed_at == closed_at


def test_closing_twice_through_the_service_message_reaches_the_page(
    client, staff_lampung, cohort, monkeypatch
):
    enrolled(cohort)
    f.SessionFactory(cohort=cohort)
    classes.cohort_close(cohort=cohort, actor=staff_lampung)
    client.force_login(staff_lampung)
    # the page no longer offers closing; a replayed form gets the service's refusal
    response = client.post(
        reverse("admin:cohorts_cohort_running", args=[cohort.pk]), {"close": "1"}, follow=True
    )
    assert "This class is already closed." in response.content.decode()


def test_bad_score_on_the_class_page_is_refused_with_a_message(client, staff_lampung, cohort):
    enrollment = enrolled(cohort)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_cohort_running", args=[cohort.pk]),
        {"assess": "1", f"score-{enrollment.pk}": "abc"},
        follow=True,
    )
    assert response.status_code == 200
    assert "whole number" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.assessment_score is None


def test_coaching_visit_added_through_the_admin(client, staff_lampung, cohort):
    enrollment = enrolled(cohort)
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_coachingvisit_add"),
        {
            "enrollment": enrollment.pk,
            "coach": "Pak Joko",
            "visit_date": timezone.localdate().isoformat(),
            "notes": "",
            "next_steps": "Katalog produk",
        },
    )
    assert response.status_code == 302
    visit = CoachingVisit.objects.get()
    assert visit.recorded_by == staff_lampung and visit.next_steps == "Katalog produk"


def export_form(enterprise, **changes):
    today = timezone.localdate()
    data = {
        "enterprise": enterprise.pk,
        "program": "",
        "export_date": (today - dt.timedelta(days=3)).isoformat(),
        "channel": "courier",
        "airway_bill_number": "AWB778899",
        "destination_country": "SG",
        "hs_code": "09011110",
        "value": "1500",
        "currency": "SGD",
        "exchange_rate": "11800",
        "exchange_rate_date": (today - dt.timedelta(days=3)).isoformat(),
        "exchange_rate_source": "JISDOR",
        "usd_rate": "15900",
    }
    data.update(changes)
    return data


def test_export_added_through_the_admin_computes_both_values(client, staff_lampung, enterprise_a):
    client.force_login(staff_lampung)
    response = client.post(reverse("admin:cohorts_exportrecord_add"), export_form(enterprise_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ExportRecord.objects.get()
    assert record.value_idr == 17_700_000 and record.value_usd == Decimal("1113.21")
    assert record.reported_by == staff_lampung


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": "ABC"}, "ISO 4217"),
        ({"usd_rate": ""}, "rate of the US dollar"),
        ({"peb_number": "123"}, "does not belong"),
        ({"export_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "future"),
    ],
)
def test_bad_export_input_is_shown_on_the_form_and_nothing_saved(
    client, staff_lampung, enterprise_a, changes, message
):
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_exportrecord_add"), export_form(enterprise_a, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_decide_page_verifies_graduates_and_reverses(
    client, staff_lampung, enterprise_a, program_lampung, cohort
):
    enrolled(cohort, enterprise=enterprise_a)
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_lampung)
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_exportrecord_decide", args=[record.pk])
    assert client.post(url, {"verify": "1", "reason": ""}).status_code == 302
    assert Graduation.objects.filter(revoked_at__isnull=True).count() == 1
    response = client.post(url, {"reverse": "1", "reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    assert Graduation.objects.filter(revoked_at__isnull=True).count() == 1
    client.post(url, {"reverse": "1", "reason": "Wrong enterprise"})
    graduation = Graduation.objects.get()
    assert graduation.revoked_by == staff_lampung
    history = client.get(reverse("admin:cohorts_exportrecord_history", args=[record.pk]))
    assert history.status_code == 200


def test_a_refused_decision_stays_on_the_page_with_the_reason_on_the_form(
    client, staff_lampung, enterprise_a, program_lampung
):
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_lampung)
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_exportrecord_decide", args=[record.pk])
    response = client.post(url, {"reject": "1", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Give the reason for rejecting" in response.content.decode().split('"errornote"')[1]
    record.refresh_from_db()
    assert record.status == record.Status.REPORTED


def test_staff_of_another_office_cannot_decide(client, staff_jateng, enterprise_a, program_lampung):
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_lampung)
    client.force_login(staff_jateng)
    url = reverse("admin:cohorts_exportrecord_decide", args=[record.pk])
    assert client.post(url, {"verify": "1"}).status_code == 404
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.REPORTED


@pytest.mark.parametrize("n_graduations", [1, 30])
def test_new_exporters_list_counts_repeat_exports_with_a_flat_budget(
    client, staff_lampung, program_lampung, n_graduations, django_assert_max_num_queries
):
    stage = f.StageFactory(program=program_lampung)
    the_class = f.CohortFactory(stage=stage)
    for _ in range(n_graduations):
        enterprise = f.EnterpriseFactory(registered_by=program_lampung.office)
        enrolled(the_class, enterprise=enterprise)
        for days in (30, 20):
            record = f.ExportRecordFactory(
                enterprise=enterprise,
                program=program_lampung,
                export_date=timezone.localdate() - dt.timedelta(days=days),
            )
            exports.export_verify(export_record=record, actor=staff_lampung)
    client.force_login(staff_lampung)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("admin:cohorts_graduation_changelist"))
    assert response.status_code == 200
    assert Graduation.objects.count() == n_graduations


@pytest.mark.parametrize("n_rows", [1, 30])
def test_export_list_budget_is_flat(
    client, staff_lampung, enterprise_a, program_lampung, n_rows, django_assert_max_num_queries
):
    f.ExportRecordFactory.create_batch(n_rows, enterprise=enterprise_a, program=program_lampung)
    client.force_login(staff_lampung)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("admin:cohorts_exportrecord_changelist")).status_code == 200


def test_session_details_and_attendance_history_through_the_admin(client, staff_lampung, cohort):
    enrollment = enrolled(cohort)
    session = f.SessionFactory(cohort=cohort, topic="Kemasan")
    classes.attendance_record(
        session=session,
        actor=staff_lampung,
        entries={enrollment.pk: classes.AttendanceEntry("absent")},
    )
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_session_change", args=[session.pk]),
        {"topic": "Kemasan ekspor", "speakers": "Pak Andi (BPOM)", "place": "", "online_link": ""},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.speakers == "Pak Andi (BPOM)" and session.topic == "Kemasan ekspor"
    attendance = Attendance.objects.get()
    page = client.get(reverse("admin:cohorts_attendance_history", args=[attendance.pk]))
    assert page.status_code == 200 and staff_lampung.email in page.content.decode()


def test_reschedule_page_reads_times_in_the_class_zone(client, staff_lampung, cohort):
    session = f.SessionFactory(cohort=cohort)
    client.force_login(staff_lampung)
    url = reverse("admin:cohorts_session_reschedule", args=[session.pk])
    client.post(
        url, {"reschedule": "1", "date": "2031-06-02", "start_time": "10:00", "end_time": ""}
    )
    session.refresh_from_db()
    assert session.starts_at == dt.datetime(2031, 6, 2, 2, 0, tzinfo=dt.UTC)
    response = client.post(url, {"cancel": "1", "reason": ""})
    assert response.status_code == 200
    session.refresh_from_db()
    assert not session.is_cancelled
    client.post(url, {"cancel": "1", "reason": "Libur nasional"})
    session.refresh_from_db()
    assert session.is_cancelled


def test_the_registering_office_cannot_decide_on_an_export_of_another_offices_programme(
    client, staff_lampung, staff_jateng, enterprise_a, program_jateng
):
    record = f.ExportRecordFactory(enterprise=enterprise_a, program=program_jateng)
    url = reverse("admin:cohorts_exportrecord_decide", args=[record.pk])
    client.force_login(staff_lampung)
    assert client.get(url).status_code == 200  # seen, being its enterprise's export
    assert client.post(url, {"verify": "1", "reason": ""}).status_code == 403
    changelist = reverse("admin:cohorts_exportrecord_changelist")
    client.post(changelist, {"action": "verify_selected", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.REPORTED
    client.force_login(staff_jateng)
    assert client.post(url, {"verify": "1", "reason": ""}).status_code == 302
    record.refresh_from_db()
    assert record.status == ExportRecord.Status.VERIFIED and record.decided_by == staff_jateng


def test_the_product_chooser_offers_only_products_the_user_may_see(
    client, staff_lampung, enterprise_a, enterprise_jateng
):
    f.ProductFactory(enterprise=enterprise_a, name="Kopi robusta Tanggamus")
    f.ProductFactory(enterprise=enterprise_jateng, name="Batik tulis Pekalongan")
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:cohorts_exportrecord_add")).content.decode()
    assert "Batik tulis Pekalongan" not in page
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cohorts", "model_name": "exportrecord", "field_name": "product", "term": ""},
    ).json()
    [offered] = [row["text"] for row in found["results"]]
    assert offered.startswith("Kopi robusta Tanggamus")


def test_another_offices_programme_is_not_named_in_the_export_and_new_exporter_filters(
    client,
    staff_lampung,
    staff_jateng,
    enterprise_a,
    enterprise_jateng,
    program_lampung,
    program_jateng,
):
    for enterprise, program, staff in (
        (enterprise_a, program_lampung, staff_lampung),
        (enterprise_jateng, program_jateng, staff_jateng),
    ):
        enrolled(f.CohortFactory(stage=f.StageFactory(program=program)), enterprise=enterprise)
        record = f.ExportRecordFactory(enterprise=enterprise, program=program)
        exports.export_verify(export_record=record, actor=staff)
    # a Jateng enterprise's export counting for the Lampung programme: Jateng sees the export
    f.ExportRecordFactory(enterprise=enterprise_jateng, program=program_lampung)
    assert Graduation.objects.count() == 2
    client.force_login(staff_jateng)
    for name in ("cohorts_exportrecord_changelist", "cohorts_graduation_changelist"):
        page = client.get(reverse(f"admin:{name}")).content.decode()
        assert "Program Ekspor Jawa Tengah" in page
        assert "Forum Ekspor Lampung" not in page


def test_an_export_counting_for_another_offices_programme_is_refused_on_the_form(
    client, staff_lampung, enterprise_a, program_jateng
):
    enrolled(f.CohortFactory(stage=f.StageFactory(program=program_jateng)), enterprise=enterprise_a)
    client.force_login(staff_lampung)
    response = client.post(reverse("admin:cohorts_exportrecord_add"), export_form(enterprise_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only the staff of this programme" in page and "AWB778899" in page
    assert not ExportRecord.objects.exists()


def test_coaching_visit_with_a_future_date_comes_back_with_what_was_typed(
    client, staff_lampung, cohort
):
    enrollment = enrolled(cohort)
    client.force_login(staff_lampung)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("admin:cohorts_coachingvisit_add"),
        {
            "enrollment": enrollment.pk,
            "coach": "Pak Joko",
            "visit_date": tomorrow,
            "notes": "Kunjungan ke gudang",
            "next_steps": "Katalog produk",
        },
    )
    assert response.status_code == 200  # the form again, not a redirect to an empty one
    page = response.content.decode()
    assert "A visit cannot be recorded before it has taken place." in page
    assert "Pak Joko" in page and "Kunjungan ke gudang" in page and tomorrow in page
    assert not CoachingVisit.objects.exists()


def test_one_bad_score_among_many_keeps_every_row_and_marks_the_bad_one(
    client, staff_lampung, cohort
):
    enrollments = [enrolled(cohort) for _ in range(5)]
    bad = enrollments[2]
    client.force_login(staff_lampung)
    data = {"assess": "1"}
    for number, enrollment in enumerate(enrollments):
        data[f"score-{enrollment.pk}"] = "101" if enrollment == bad else str(70 + number)
        data[f"output_export_plan-{enrollment.pk}"] = "on"
    response = client.post(reverse("admin:cohorts_cohort_running", args=[cohort.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some rows were refused" in page
    for number, enrollment in enumerate(enrollments):
        value = "101" if enrollment == bad else str(70 + number)
        assert f'name="score-{enrollment.pk}" value="{value}"' in page
    # the error sits in the bad row, and only there
    rows = page.split("<tr")
    marked = [row for row in rows if "whole number from 0 to 100" in row]
    assert len(marked) == 1 and bad.enterprise.name in marked[0]
    assert not Enrollment.objects.filter(assessment_score__isnull=False).exists()


def test_session_list_offers_generating_to_staff_and_not_to_the_national_viewer(
    client, staff_lampung, national_viewer
):
    generate = reverse("admin:cohorts_session_generate")
    client.force_login(staff_lampung)
    assert generate in client.get(reverse("admin:cohorts_session_changelist")).content.decode()
    client.force_login(national_viewer)
    assert generate not in client.get(reverse("admin:cohorts_session_changelist")).content.decode()


def test_sessions_can_be_filtered_by_class(client, staff_lampung, cohort):
    other = f.CohortFactory(stage=cohort.stage, name="Kelas Pemula B")
    f.SessionFactory(cohort=cohort, topic="Topik kelas A")
    f.SessionFactory(cohort=other, topic="Topik kelas B")
    client.force_login(staff_lampung)
    listing = client.get(reverse("admin:cohorts_session_changelist")).content.decode()
    assert f"?cohort__id__exact={cohort.pk}" in listing  # the filter is offered
    response = client.get(
        reverse("admin:cohorts_session_changelist"), {"cohort__id__exact": cohort.pk}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Topik kelas A" in page and "Topik kelas B" not in page


def test_one_generated_session_is_announced_in_the_singular(client, staff_lampung, cohort):
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:cohorts_session_generate"),
        {
            "cohort": cohort.pk,
            "first_date": "2031-03-03",
            "weekdays": ["0"],
            "start_time": "08:30",
            "duration_minutes": "60",
            "count": "1",
        },
        follow=True,
    )
    assert "1 session created." in response.content.decode()


def test_national_viewer_is_not_offered_verifying_exports(
    client, national_viewer, superuser, enterprise_a
):
    f.ExportRecordFactory(enterprise=enterprise_a)
    client.force_login(national_viewer)
    page = client.get(reverse("admin:cohorts_exportrecord_changelist")).content.decode()
    assert "verify_selected" not in page
    client.force_login(superuser)
    page = client.get(reverse("admin:cohorts_exportrecord_changelist")).content.decode()
    assert "verify_selected" in page


@pytest.mark.parametrize(
    ("add_page", "model_name", "field"),
    [
        ("coachingvisit", "coachingvisit", "enrollment"),
        ("enterprisesnapshot", "enterprisesnapshot", "enterprise"),
    ],
)
def test_large_choosers_use_the_scoped_autocomplete(
    client, staff_lampung, staff_jateng, cohort, add_page, model_name, field
):
    enrollment = enrolled(cohort)
    row = enrollment if field == "enrollment" else enrollment.enterprise
    client.force_login(staff_lampung)
    page = client.get(reverse(f"admin:cohorts_{add_page}_add")).content.decode()
    assert "admin-autocomplete" in page
    assert f">{row}</option>" not in page  # the rows are not all written into the page
    params = {"app_label": "cohorts", "model_name": model_name, "field_name": field}
    ids = [r["id"] for r in client.get("/admin/autocomplete/", params).json()["results"]]
    assert str(row.pk) in ids
    client.force_login(staff_jateng)
    ids = [r["id"] for r in client.get("/admin/autocomplete/", params).json()["results"]]
    assert str(row.pk) not in ids


def test_the_export_list_names_each_destination(
    client, staff_lampung, enterprise_a, program_lampung
):
    f.ExportRecordFactory(
        enterprise=enterprise_a, program=program_lampung, destination_country="JP"
    )
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:cohorts_exportrecord_changelist")).content.decode()
    assert "Japan" in page
    page = client.get(reverse("admin:cohorts_exportrecord_changelist"), {"o": "4"}).content.decode()
    assert "Japan" in page  # the column still sorts by the destination
