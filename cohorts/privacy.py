"""What the cohorts app holds about people: enrollments and attendance of their enterprises,
the exports they reported, the names of who attended."""

from __future__ import annotations

from accounts import roles
from accounts.models import Enterprise, User
from accounts.privacy import PersonalDataPart
from cohorts.models import Attendance, Enrollment, ExportRecord


def export(user: User) -> dict:
    enterprises = roles.enterprise_ids(user)
    return {
        "enrollments": [
            {
                "enterprise": row["enterprise__name"],
                "programme": row["program__name"],
                "class": row["cohort__name"],
                "status": row["status"],
                "applied_at": row["applied_at"].isoformat() if row["applied_at"] else None,
            }
            for row in Enrollment.objects.filter(enterprise_id__in=enterprises).values(
                "enterprise__name", "program__name", "cohort__name", "status", "applied_at"
            )
        ],
        "attendance": [
            {
                "session": row["session__topic"],
                "starts_at": row["session__starts_at"].isoformat(),
                "status": row["status"],
                "attended_by": row["attendee_name"],
            }
            for row in Attendance.objects.filter(enrollment__enterprise_id__in=enterprises).values(
                "session__topic", "session__starts_at", "status", "attendee_name"
            )
        ],
        "exports_reported": [
            {
                "export_date": row["export_date"].isoformat(),
                "destination": row["destination_country"],
                "buyer": row["buyer_name"],
                "status": row["status"],
            }
            for row in ExportRecord.objects.filter(reported_by=user).values(
                "export_date", "destination_country", "buyer_name", "status"
            )
        ],
    }


def scrub(enterprise: Enterprise, owner_ids: frozenset[int]) -> int:
    """The names of who attended the enterprise's sessions, now and in their history."""
    attendance = Attendance.objects.filter(enrollment__enterprise=enterprise).exclude(
        attendee_name=""
    )
    changed = attendance.update(attendee_name="")
    changed += (
        Attendance.history.filter(enrollment__enterprise_id=enterprise.pk)
        .exclude(attendee_name="")
        .update(attendee_name="")
    )
    return changed


PART = PersonalDataPart(key="cohorts", export=export, scrub=scrub)
