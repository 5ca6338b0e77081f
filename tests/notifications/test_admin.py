"""The outbox in the admin: scoped by office, counts by status, resend and cancel."""

import pytest

from cohorts.models import Enrollment
from notifications.models import Reminder
from tests import factories as f

URL = "/admin/notifications/reminder/"


@pytest.fixture
def outbox(
    program_lampung,
    program_jateng,
    enterprise_a,
    enterprise_jateng,
    participant_a,
    staff_lampung,
    staff_jateng,
):
    f.EnrollmentFactory(
        enterprise=enterprise_a,
        stage=f.StageFactory(program=program_lampung),
        status=Enrollment.Status.APPLIED,
    )
    jateng_owner = f.owner_of(enterprise_jateng, email="pemilik@batik.test")
    f.EnrollmentFactory(
        enterprise=enterprise_jateng,
        stage=f.StageFactory(program=program_jateng),
        status=Enrollment.Status.APPLIED,
    )

    def row(user, key, status=Reminder.Status.PENDING):
        return Reminder.objects.create(
            kind="t",
            recipient=user,
            title=f"Untuk {key}",
            body="-",
            unique_key=key,
            status=status,
        )

    return {
        "participant": row(participant_a, "lampung-participant", Reminder.Status.FAILED),
        "staff": row(staff_lampung, "lampung-staff"),
        "other_participant": row(jateng_owner, "jateng-participant"),
        "other_staff": row(staff_jateng, "jateng-staff"),
    }


def test_office_staff_see_their_programmes_participants_and_staff_only(
    client, staff_lampung, outbox
):
    client.force_login(staff_lampung)
    response = client.get(URL)
    listed = {r.unique_key for r in response.context["cl"].result_list}
    assert listed == {"lampung-participant", "lampung-staff"}
    assert "Untuk jateng" not in response.content.decode()
    counts = {value: n for _label, n, value in response.context["status_counts"]}
    assert (counts["failed"], counts["pending"], counts["sent"]) == (1, 1, 0)
    other = outbox["other_participant"]
    assert client.get(f"{URL}{other.pk}/change/").status_code == 302


def test_resend_and_cancel_go_through_the_services(client, staff_lampung, outbox):
    client.force_login(staff_lampung)
    failed, waiting = outbox["participant"], outbox["staff"]
    client.post(URL, {"action": "resend", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Reminder.Status.PENDING, 0)
    # another office's row, slipped into the request, is outside the queryset and untouched
    other = outbox["other_staff"]
    client.post(URL, {"action": "cancel", "_selected_action": [waiting.pk, other.pk]})
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.status == Reminder.Status.CANCELLED
    assert other.status == Reminder.Status.PENDING


def test_national_viewers_read_but_cannot_resend(client, national_viewer, outbox):
    client.force_login(national_viewer)
    response = client.get(URL)
    assert len(response.context["cl"].result_list) == 4
    assert response.context["action_form"] is None  # no action is offered
    client.post(URL, {"action": "cancel", "_selected_action": [outbox["staff"].pk]})
    outbox["staff"].refresh_from_db()
    assert outbox["staff"].status == Reminder.Status.PENDING
