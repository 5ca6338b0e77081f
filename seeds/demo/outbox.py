"""The demo's outbox: what the reminder rules find due in the story on its day.

A Central Java class meets tomorrow, the owner's Halal request lacks its documents ten days
before its target date, the ISO 9001 certificate expires within 90 days, and the seat held
for the owner is already in the outbox. The rules write the rows as beat would; `make run`
then sends them (the worker writes them to var/mail/).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accounts.models import EnterpriseMembership
from certifications import reminders as certification_reminders
from certifications import services as certification_services
from certifications.models import Case, Certificate
from cohorts import reminders as cohort_reminders
from cohorts.models import Enrollment, Level, Program, Session
from cohorts.services import classes as class_services
from seeds.demo.common import JATENG_PROGRAM, Demo, make_user

# Two more participants with accounts, so reminders reach enterprises besides the owner's:
# one in the Central Java beginners' class (reading English), one holding the ISO 9001 certificate.
CLASS_MEMBER_EMAIL = "peserta@ikm.naikkelas.test"
CERTIFICATE_HOLDER_EMAIL = "mutu@ikm.naikkelas.test"
OUTBOX_EMAILS = (CLASS_MEMBER_EMAIL, CERTIFICATE_HOLDER_EMAIL)


def _member(email: str, full_name: str, enterprise, language: str) -> None:
    user = make_user(email, full_name)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    EnterpriseMembership.objects.get_or_create(
        user=user, enterprise=enterprise, defaults={"role": EnterpriseMembership.Role.OWNER}
    )


def build_outbox(demo: Demo) -> dict[str, int]:
    staff = demo.users["lampung"]
    jateng = Program.objects.get(office=demo.offices["jateng"], name=JATENG_PROGRAM)
    enrolled = (
        Enrollment.objects.filter(
            program=jateng,
            cohort__level=Level.PEMULA,
            status=Enrollment.Status.ENROLLED,
        )
        .order_by("pk")
        .first()
    )
    if enrolled is not None:
        _member(CLASS_MEMBER_EMAIL, "Dewi Lestari", enrolled.enterprise, "en")
    expiring = (
        Certificate.objects.filter(
            case__office=demo.offices["lampung"],
            case__scheme__code="iso-9001",
            renewals__isnull=False,  # the story's certificate, its renewal requested
        )
        .select_related("case")
        .order_by("expiry_date")
        .first()
    )
    if expiring is not None:
        _member(CERTIFICATE_HOLDER_EMAIL, "Bambang Sutrisno", expiring.case.enterprise, "id")
    # The Central Java beginners' next session moves to tomorrow morning, in the class's zone.
    upcoming = (
        Session.objects.filter(
            cohort__stage__program=jateng,
            cohort__level=Level.PEMULA,
            cancelled_at__isnull=True,
            starts_at__gt=demo.now,
        )
        .select_related("cohort")
        .order_by("starts_at")
        .first()
    )
    if upcoming is not None:
        zone = ZoneInfo(upcoming.cohort.time_zone)
        tomorrow = dt.datetime.combine(demo.day(1), dt.time(9), tzinfo=zone)
        if upcoming.starts_at != tomorrow:
            class_services.session_reschedule(
                session=upcoming, actor=demo.users["jateng"], starts_at=tomorrow
            )
    # The owner's Halal request is due in ten days and still has none of its documents.
    halal = Case.objects.filter(
        enterprise__memberships__user=demo.users["owner"],
        scheme__code="halal-self-declare",
        status__in=Case.OPEN_STATUSES,
    ).first()
    if halal is not None:
        certification_services.case_update(case=halal, actor=staff, target_date=demo.day(10))
    return {
        **cohort_reminders.run_rules(now=demo.now),
        **certification_reminders.run_rules(now=demo.now),
    }
